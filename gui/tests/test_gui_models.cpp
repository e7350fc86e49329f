/// \file
/// Tests for mcusim_gui_models: formatting, output batching and the
/// simulation worker. Cases that need firmware skip themselves when the
/// ELFs are absent (configure with MCUSIM_BUILD_FIRMWARE, or point
/// $MCUSIM_TEST_FIRMWARE_DIR at a directory of built images).
#include "output_buffer.h"
#include "run_types.h"
#include "sim_runner.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "profiler/store.h"

#include <memory>

using namespace mcusim;
using namespace mcusim::gui;

namespace {

QString firmware(const QString &name) {
  QString dir = qEnvironmentVariable("MCUSIM_TEST_FIRMWARE_DIR", QStringLiteral(MCUSIM_TEST_FIRMWARE_DIR));
  return dir + QLatin1Char('/') + name;
}

#define REQUIRE_FIRMWARE(path)                                                                                                   \
  do {                                                                                                                           \
    if (!QFileInfo::exists(path)) QSKIP(qPrintable(QStringLiteral("firmware not built: %1").arg(path)));                    \
  } while (0)

/// The run database of these tests (a run started from the GUI is stored like `mcusim run`).
QString testDb() {
  static QTemporaryDir dir;
  return dir.filePath(QStringLiteral("gui-runs.db"));
}

RunRequest request(const QString &elf, const QString &device = {}) {
  RunRequest r;
  r.elf_path = elf;
  r.device = device;
  r.db_path = testDb();
  return r;
}

/// Collects what a SimRunner reports for one run.
struct Recorder {
  explicit Recorder(SimRunner &runner) {
    QObject::connect(&runner, &SimRunner::started, &runner, [this](const RunSetup &s) { setup = s; });
    QObject::connect(&runner, &SimRunner::output, &runner, [this](const QString &t, bool err) {
      ++output_signals;
      (err ? err_text : out_text) += t;
    });
    QObject::connect(&runner, &SimRunner::failed, &runner, [this](const QString &m) {
      error = m;
      ended = true;
      ok = false;
    });
    QObject::connect(&runner, &SimRunner::progress, &runner, [this](const RunProgress &) { ++progress_signals; });
    QObject::connect(&runner, &SimRunner::finished, &runner, [this](const RunSummary &s) {
      summary = s;
      progress_before_finish = progress_signals;
      ended = true;
      ok = true;
    });
  }
  /// Generous: the machine may be loaded; a run that works ends long before this.
  bool wait(int ms = 100000) { return QTest::qWaitFor([this] { return ended; }, ms); }

  std::optional<RunSetup> setup;
  RunSummary summary;
  QString out_text, err_text, error;
  int output_signals = 0;
  int progress_signals = 0, progress_before_finish = 0;
  bool ended = false, ok = false;
};

} // namespace

class TestGuiModels : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void formatting() {
    QCOMPARE(thousands(0), QStringLiteral("0"));
    QCOMPARE(thousands(999), QStringLiteral("999"));
    QCOMPARE(thousands(1000), QStringLiteral("1,000"));
    QCOMPARE(thousands(49050602), QStringLiteral("49,050,602"));
    QCOMPARE(format_seconds(0), QStringLiteral("0 s"));
    QCOMPARE(format_seconds(35.387e-6), QStringLiteral("35.387 µs"));
    QCOMPARE(format_seconds(0.291968), QStringLiteral("291.968 ms"));
    QCOMPARE(format_seconds(2.5), QStringLiteral("2.500 s"));
    QCOMPARE(format_hz(168e6), QStringLiteral("168 MHz"));
    QCOMPARE(format_hz(0), QStringLiteral("—"));
  }

  void parseCount() {
    QCOMPARE(parse_count(QString()), std::optional<uint64_t>(0));
    QCOMPARE(parse_count(QStringLiteral(" 0 ")), std::optional<uint64_t>(0));
    QCOMPARE(parse_count(QStringLiteral("5000000")), std::optional<uint64_t>(5000000));
    QCOMPARE(parse_count(QStringLiteral("1,000,000")), std::optional<uint64_t>(1000000));
    QCOMPARE(parse_count(QStringLiteral("1_000")), std::optional<uint64_t>(1000));
    QCOMPARE(parse_count(QStringLiteral("250k")), std::optional<uint64_t>(250000));
    QCOMPARE(parse_count(QStringLiteral("1.5M")), std::optional<uint64_t>(1500000));
    QCOMPARE(parse_count(QStringLiteral("2G")), std::optional<uint64_t>(2000000000));
    QVERIFY(!parse_count(QStringLiteral("abc")));
    QVERIFY(!parse_count(QStringLiteral("-5")));
    QVERIFY(!parse_count(QStringLiteral("1.5")));
    QVERIFY(!parse_count(QStringLiteral("10x")));
    QVERIFY(!parse_count(QStringLiteral("99999999999999999999999")));
  }

  void outputBufferBatches() {
    OutputBuffer b;
    QVERIFY(b.append(OutputBuffer::Stream::Out, "a"));  // first write asks for a drain
    QVERIFY(!b.append(OutputBuffer::Stream::Out, "b")); // later ones ride on it
    QVERIFY(!b.append(OutputBuffer::Stream::Err, "E"));
    QVERIFY(!b.append(OutputBuffer::Stream::Out, "c"));
    QVERIFY(!b.append(OutputBuffer::Stream::Out, ""));
    auto batch = b.take();
    QCOMPARE(batch.chunks.size(), size_t(3));
    QCOMPARE(batch.chunks[0].text, std::string("ab"));
    QVERIFY(batch.chunks[1].stream == OutputBuffer::Stream::Err);
    QCOMPARE(batch.chunks[2].text, std::string("c"));
    QCOMPARE(batch.dropped, size_t(0));
    QCOMPARE(b.pending_bytes(), size_t(0));
    QVERIFY(!b.append(OutputBuffer::Stream::Out, "")); // empty writes never ask
    QVERIFY(b.append(OutputBuffer::Stream::Out, "d")); // the next batch asks again
  }

  void outputBufferKeepsNewest() {
    OutputBuffer b(8);
    b.append(OutputBuffer::Stream::Out, "0123");
    b.append(OutputBuffer::Stream::Err, "4567");
    b.append(OutputBuffer::Stream::Out, "89ab");
    QCOMPARE(b.pending_bytes(), size_t(8));
    auto batch = b.take();
    QCOMPARE(batch.dropped, size_t(4));
    QCOMPARE(batch.chunks.size(), size_t(2));
    QCOMPARE(batch.chunks[0].text, std::string("4567"));
    QCOMPARE(batch.chunks[1].text, std::string("89ab"));
  }

  void missingElfFails() {
    SimRunner runner;
    Recorder rec(runner);
    QVERIFY(runner.start(request(QStringLiteral("/nonexistent/fw.elf"))));
    QVERIFY(runner.isRunning());
    QVERIFY(rec.wait());
    QVERIFY(!rec.ok);
    QVERIFY2(rec.error.contains(QStringLiteral("/nonexistent/fw.elf")), qPrintable(rec.error));
    QVERIFY(!rec.error.contains(QLatin1Char('\n')));
    QVERIFY(!rec.setup);
    QVERIFY(!runner.isRunning());
  }

  void emptyPathFails() {
    SimRunner runner;
    Recorder rec(runner);
    QVERIFY(runner.start(request(QString())));
    QVERIFY(rec.wait());
    QVERIFY(!rec.ok);
    QVERIFY(!rec.error.isEmpty());
  }

  void unknownDeviceFails() {
    const QString elf = firmware(QStringLiteral("hello-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    SimRunner runner;
    Recorder rec(runner);
    runner.start(request(elf, QStringLiteral("no-such-device")));
    QVERIFY(rec.wait());
    QVERIFY(!rec.ok);
    QVERIFY2(rec.error.contains(QStringLiteral("no-such-device")), qPrintable(rec.error));
  }

  void clockNotACortexMClockFails() {
    const QString elf = firmware(QStringLiteral("hello-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    SimRunner runner;
    Recorder rec(runner);
    RunRequest req = request(elf, QStringLiteral("stm32f407"));
    req.mhz = 100000;
    runner.start(req);
    QVERIFY(rec.wait());
    QVERIFY(!rec.ok);
    QVERIFY2(rec.error.contains(QStringLiteral("not a Cortex-M clock")), qPrintable(rec.error));
  }

  void helloRunsToExit() {
    const QString elf = firmware(QStringLiteral("hello-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    SimRunner runner;
    Recorder rec(runner);
    QVERIFY(runner.start(request(elf, QStringLiteral("stm32f407"))));
    QVERIFY(!runner.start(request(elf))); // one run at a time
    QVERIFY(rec.wait());
    QVERIFY2(rec.ok, qPrintable(rec.error));
    QVERIFY(rec.setup);
    QCOMPARE(rec.setup->device, QStringLiteral("stm32f407"));
    QCOMPARE(rec.setup->core, QStringLiteral("Cortex-M4F"));
    QVERIFY(rec.setup->explanation.isEmpty());
    QVERIFY2(rec.out_text.startsWith(QStringLiteral("Hello from mcusim on cortex-m4f\n")), qPrintable(rec.out_text));
    QVERIFY(rec.out_text.contains(QStringLiteral("= 338350\n")));
    QVERIFY(rec.summary.reason == StopReason::Exited);
    QCOMPARE(rec.summary.exit_code, 0);
    QVERIFY(rec.summary.instructions > 0);
    QCOMPARE(rec.summary.hz, 168e6);
    QVERIFY(rec.summary.fault_text.isEmpty());
    QCOMPARE(describe_stop(rec.summary), QStringLiteral("exited with code 0"));
    QVERIFY(rec.output_signals <= 2); // two printf lines arrive in one or two batches, not per write
    QVERIFY(!runner.isRunning());

    // The runner is reusable.
    Recorder again(runner);
    QVERIFY(runner.start(request(elf))); // device chosen from the ELF this time
    QVERIFY(again.wait());
    QVERIFY2(again.ok, qPrintable(again.error));
    QVERIFY(again.setup && !again.setup->explanation.isEmpty());
    QVERIFY(again.out_text.contains(QStringLiteral("Hello from mcusim")));
  }

  void faultIsFormatted() {
    const QString elf = firmware(QStringLiteral("fault-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    SimRunner runner;
    Recorder rec(runner);
    runner.start(request(elf, QStringLiteral("stm32f407")));
    QVERIFY(rec.wait());
    QVERIFY(rec.ok);
    QVERIFY(rec.summary.reason == StopReason::Fault || rec.summary.reason == StopReason::Lockup);
    QVERIFY2(rec.summary.fault_text.contains(QStringLiteral("BusFault")), qPrintable(rec.summary.fault_text));
    QVERIFY(rec.summary.fault_text.contains(QStringLiteral("read_sensor")));
  }

  void instructionLimit() {
    const QString elf = firmware(QStringLiteral("spin-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    SimRunner runner;
    Recorder rec(runner);
    RunRequest req = request(elf, QStringLiteral("stm32f407"));
    req.max_instructions = 100000;
    req.mhz = 50;
    runner.start(req);
    QVERIFY(rec.wait());
    QVERIFY(rec.ok);
    QVERIFY(rec.summary.reason == StopReason::InstructionLimit);
    QCOMPARE(describe_stop(rec.summary), QStringLiteral("instruction limit"));
    // The core stops at the end of the translated block that reaches the limit.
    QVERIFY(rec.summary.instructions >= 100000 && rec.summary.instructions < 100000 + 64);
    QCOMPARE(rec.summary.hz, 50e6);
    QCOMPARE(rec.out_text, QStringLiteral("spinning\n"));
  }

  void stopEndsAnEndlessRun() {
    const QString elf = firmware(QStringLiteral("spin-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    SimRunner runner;
    Recorder rec(runner);
    QSignalSpy progress(&runner, &SimRunner::progress);
    runner.start(request(elf, QStringLiteral("stm32f407")));
    QVERIFY(QTest::qWaitFor([&] { return progress.count() > 0; }, 100000)); // running, not just started
    runner.stop();
    QVERIFY(rec.wait());
    QVERIFY(rec.ok);
    QVERIFY(rec.summary.reason == StopReason::Stopped);
    QVERIFY(rec.summary.instructions > 0);
    QCOMPARE(describe_stop(rec.summary), QStringLiteral("stopped on request"));
  }

  void stopBeforeTheSimulatorExists() {
    const QString elf = firmware(QStringLiteral("spin-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    SimRunner runner;
    Recorder rec(runner);
    runner.start(request(elf, QStringLiteral("stm32f407")));
    runner.stop(); // most likely while the ELF is still loading
    QVERIFY(rec.wait());
    QVERIFY(rec.ok);
    QVERIFY(rec.summary.reason == StopReason::Stopped);
  }

  void progressComesDuringALongRun() {
    const QString elf = firmware(QStringLiteral("spin-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    SimRunner runner;
    Recorder rec(runner);
    RunRequest req = request(elf, QStringLiteral("stm32f407"));
    req.timeout_seconds = 1.0; // an endless loop, ended by the wall clock
    runner.start(req);
    QVERIFY(rec.wait());
    QVERIFY2(rec.ok, qPrintable(rec.error));
    QVERIFY(rec.summary.reason == StopReason::WallTimeout);
    // Progress comes every 0.2 s of wall time, whatever the slice length.
    if (rec.summary.wall_seconds > 0.5) QVERIFY(rec.progress_before_finish >= 1);
  }

  void guiRunIsStoredProfiledAndReported() {
    const QString elf = firmware(QStringLiteral("crc32-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    QTemporaryDir dir;
    SimRunner runner;
    Recorder rec(runner);
    RunRequest req = request(elf, QStringLiteral("stm32f407"));
    req.db_path = dir.filePath(QStringLiteral("runs.db"));
    runner.start(req);
    QVERIFY(rec.wait());
    QVERIFY2(rec.ok, qPrintable(rec.error));
    QCOMPARE(rec.summary.session_exit_code, 0);
    QVERIFY(rec.summary.run_id >= 1);
    QCOMPARE(rec.summary.db_path, req.db_path);
    // Stored as `mcusim run` stores it, with the profile.
    auto store = RunStore::open(req.db_path.toStdString(), RunStore::Mode::Existing);
    QVERIFY(store.has_value());
    auto report = store->load_report(rec.summary.run_id);
    QVERIFY(report.has_value());
    QVERIFY(report->profiled);
    QVERIFY(!report->functions.empty());
    QCOMPARE(report->cycles, rec.summary.cycles);
    QCOMPARE(report->device, std::string("stm32f407"));
  }

  void guiRunWithNoDbIsNotStored() {
    const QString elf = firmware(QStringLiteral("hello-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    QTemporaryDir dir;
    SimRunner runner;
    Recorder rec(runner);
    RunRequest req = request(elf, QStringLiteral("stm32f407"));
    req.db_path = dir.filePath(QStringLiteral("unused.db"));
    req.no_db = true;
    runner.start(req);
    QVERIFY(rec.wait());
    QVERIFY(rec.ok);
    QCOMPARE(rec.summary.run_id, qint64(-1));
    QVERIFY(!QFileInfo::exists(req.db_path));
  }

  void destroyingARunningRunnerStopsIt() {
    const QString elf = firmware(QStringLiteral("spin-stm32f407.elf"));
    REQUIRE_FIRMWARE(elf);
    auto runner = std::make_unique<SimRunner>();
    QSignalSpy started(runner.get(), &SimRunner::started);
    runner->start(request(elf, QStringLiteral("stm32f407")));
    QVERIFY(started.wait(100000));
    QElapsedTimer t;
    t.start();
    runner.reset();
    QVERIFY(t.elapsed() < 5000);
  }
};

QTEST_GUILESS_MAIN(TestGuiModels)
#include "test_gui_models.moc"
