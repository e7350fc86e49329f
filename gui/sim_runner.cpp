#include "sim_runner.h"

#include "base/device.h"
#include "image/auto_device.h"
#include "image/elf_image.h"
#include "core/simulator.h"
#include "session/session.h"

#include <QFile>

#include <functional>
#include <mutex>
#include <system_error>

namespace mcusim::gui {

/// State the worker thread and the GUI thread share for one run.
struct SimRunner::Shared {
  std::mutex mu;
  Simulator *sim = nullptr; ///< set while run() may be executing; guarded by mu
  bool stop_requested = false;
  OutputBuffer output;
};

namespace {

/// The firmware's console: writes go to the shared buffer, and the first
/// write into an empty buffer asks the GUI thread to collect it. There is no
/// stdin in the window, so reads see end of input.
class GuiConsole final : public Console {
public:
  GuiConsole(OutputBuffer &buffer, std::function<void()> notify) : buffer_(buffer), notify_(std::move(notify)) {}
  void out(std::string_view text) override {
    if (buffer_.append(OutputBuffer::Stream::Out, text)) notify_();
  }
  void err(std::string_view text) override {
    if (buffer_.append(OutputBuffer::Stream::Err, text)) notify_();
  }
  size_t in(char *, size_t) override { return 0; }

private:
  OutputBuffer &buffer_;
  std::function<void()> notify_;
};

std::filesystem::path to_path(const QString &s) { return std::filesystem::path(QFile::encodeName(s).toStdString()); }

} // namespace

/// The session's hooks for one GUI run: the console, the simulator for stop
/// requests, and started/progress signals queued to the GUI thread.
class SimRunner::SessionHooks final : public session::SessionHooks {
public:
  SessionHooks(SimRunner &runner, Shared &shared, Console &console, const QString &elf_path)
      : runner_(runner), shared_(shared), console_(console) {
    setup_.elf_path = elf_path;
  }
  Console &console() override { return console_; }
  void started(const session::RunStarted &s) override {
    setup_.device = QString::fromStdString(s.device);
    setup_.device_title = QString::fromStdString(s.device_title);
    setup_.core = QString::fromStdString(s.core);
    setup_.hz = s.hz;
    setup_.explanation = QString::fromStdString(s.explanation);
    RunSetup setup = setup_;
    SimRunner *runner = &runner_;
    QMetaObject::invokeMethod(runner, [runner, setup] {
      if (runner->running_) Q_EMIT runner->started(setup);
    }, Qt::QueuedConnection);
  }
  void attach(Simulator *sim) override {
    std::lock_guard lock(shared_.mu);
    shared_.sim = sim;
    if (sim && shared_.stop_requested) sim->request_stop();
  }
  void progress(const RunOptions::Progress &p) override {
    RunProgress rp{p.cycles, p.instructions, p.simulated_seconds, p.wall_seconds, p.mips};
    SimRunner *runner = &runner_;
    QMetaObject::invokeMethod(runner, [runner, rp] {
      if (runner->running_) Q_EMIT runner->progress(rp);
    }, Qt::QueuedConnection);
  }
  const RunSetup &setup() const { return setup_; }

private:
  SimRunner &runner_;
  Shared &shared_;
  Console &console_;
  RunSetup setup_;
};

SimRunner::SimRunner(QObject *parent) : QObject(parent), shared_(std::make_shared<Shared>()) {
  flush_timer_.setSingleShot(true);
  flush_timer_.setInterval(40);
  connect(&flush_timer_, &QTimer::timeout, this, &SimRunner::drain);
}

SimRunner::~SimRunner() {
  stop();
  if (thread_.joinable()) thread_.join();
}

bool SimRunner::start(const RunRequest &request) {
  if (running_) return false;
  if (thread_.joinable()) thread_.join();
  shared_ = std::make_shared<Shared>();
  out_decoder_.resetState();
  err_decoder_.resetState();
  running_ = true;
  try {
    thread_ = std::thread([this, request] { work(request); });
  } catch (const std::system_error &e) {
    running_ = false;
    QString msg = QStringLiteral("cannot start the simulation thread: %1").arg(QString::fromLocal8Bit(e.what()));
    QMetaObject::invokeMethod(this, [this, msg] { Q_EMIT failed(msg); }, Qt::QueuedConnection);
  }
  return true;
}

void SimRunner::stop() {
  std::lock_guard lock(shared_->mu);
  shared_->stop_requested = true;
  if (shared_->sim) shared_->sim->request_stop();
}

void SimRunner::work(RunRequest req) {
  std::shared_ptr<Shared> shared = shared_; // this run's state, even if start() is called again later
  auto fail = [this](const std::string &message) {
    QString msg = QString::fromStdString(message);
    QMetaObject::invokeMethod(this, [this, msg] {
      endRun();
      Q_EMIT failed(msg);
    }, Qt::QueuedConnection);
  };

  RunSummary summary;
  {
    if (req.elf_path.trimmed().isEmpty()) return fail("no firmware ELF given");
    if (req.mhz < 0) return fail("the clock cannot be negative");

    // The same run as `mcusim run`: profiled, gated and stored by the session.
    session::RunRequest sreq;
    sreq.elf = to_path(req.elf_path).string();
    sreq.device = req.device.toStdString();
    sreq.quiet = true;
    sreq.options.mhz = req.mhz;
    sreq.options.max_instructions = req.max_instructions;
    sreq.options.timeout_seconds = req.timeout_seconds;
    sreq.options.profile = true;
    sreq.db = to_path(req.db_path).string();
    sreq.no_db = req.no_db;

    GuiConsole console(shared->output, [this] { QMetaObject::invokeMethod(this, &SimRunner::outputPending, Qt::QueuedConnection); });
    SessionHooks hooks(*this, *shared, console, req.elf_path);
    session::RunOutcome outcome = session::run(sreq, hooks);
    if (!outcome.ran || !outcome.result) return fail(outcome.error.empty() ? "the run could not start" : outcome.error);
    summary = RunSummary::from(hooks.setup(), *outcome.result, outcome.report ? outcome.report->fault : std::string());
    summary.run_id = outcome.run_id ? qint64(*outcome.run_id) : -1;
    summary.db_path = QString::fromStdString(outcome.db_path);
    summary.session_exit_code = outcome.exit_code;
    for (const auto &m : outcome.messages)
      if (m.kind == session::Message::Kind::Warning || m.kind == session::Message::Kind::Error)
        shared->output.append(OutputBuffer::Stream::Err, "mcusim: " + m.text + "\n");
  } // the simulator and the image are released here, on this thread

  QMetaObject::invokeMethod(this, [this, summary] {
    endRun();
    Q_EMIT finished(summary);
  }, Qt::QueuedConnection);
}

void SimRunner::outputPending() {
  if (!flush_timer_.isActive()) flush_timer_.start();
}

void SimRunner::drain() {
  OutputBuffer::Batch batch = shared_->output.take();
  if (batch.dropped) Q_EMIT outputDropped(qulonglong(batch.dropped));
  for (const auto &chunk : batch.chunks) {
    bool is_err = chunk.stream == OutputBuffer::Stream::Err;
    QStringDecoder &decoder = is_err ? err_decoder_ : out_decoder_;
    QString text = decoder(QByteArrayView(chunk.text.data(), qsizetype(chunk.text.size())));
    if (!text.isEmpty()) Q_EMIT output(text, is_err);
  }
}

void SimRunner::endRun() {
  // The worker posts this as its last act, so the join is immediate.
  if (thread_.joinable()) thread_.join();
  flush_timer_.stop();
  drain();
  running_ = false;
}

} // namespace mcusim::gui
