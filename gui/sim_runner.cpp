#include "sim_runner.h"

#include "base/device.h"
#include "image/auto_device.h"
#include "image/elf_image.h"
#include "core/simulator.h"

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
    auto elf = load_elf(to_path(req.elf_path));
    if (!elf) return fail(elf.error().message);

    RunSetup setup;
    setup.elf_path = req.elf_path;
    Expected<Device> device = tl::unexpected(Error{});
    if (req.device.isEmpty()) {
      auto choice = choose_device_for(*elf);
      if (!choice) return fail(choice.error().message);
      setup.explanation = QString::fromStdString(choice->explanation);
      device = std::move(choice->device);
    } else {
      device = find_device(req.device.toStdString());
      if (!device) return fail(device.error().message);
    }
    if (req.mhz < 0) return fail("the clock cannot be negative");

    GuiConsole console(shared->output, [this] { QMetaObject::invokeMethod(this, &SimRunner::outputPending, Qt::QueuedConnection); });
    RunOptions opts;
    opts.mhz = req.mhz;
    opts.max_instructions = req.max_instructions;
    opts.timeout_seconds = req.timeout_seconds;
    opts.cmdline = elf->path.filename().string();
    opts.on_progress = [this](const RunOptions::Progress &p) {
      RunProgress rp{p.cycles, p.instructions, p.simulated_seconds, p.wall_seconds, p.mips};
      QMetaObject::invokeMethod(this, [this, rp] {
        if (running_) Q_EMIT progress(rp);
      }, Qt::QueuedConnection);
    };

    auto sim = Simulator::create(*device, *elf, opts, console);
    if (!sim) return fail(sim.error().message);
    setup.device = QString::fromStdString(device->name);
    setup.device_title = QString::fromStdString(device->title);
    setup.core = QString::fromUtf8(core_display_name(device->core));
    setup.hz = (*sim)->hz();
    {
      std::lock_guard lock(shared->mu);
      shared->sim = sim->get();
      if (shared->stop_requested) shared->sim->request_stop();
    }
    QMetaObject::invokeMethod(this, [this, setup] {
      if (running_) Q_EMIT started(setup);
    }, Qt::QueuedConnection);

    RunResult result = (*sim)->run();
    {
      std::lock_guard lock(shared->mu);
      shared->sim = nullptr;
    }
    summary = RunSummary::from(setup, result, *elf);
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
