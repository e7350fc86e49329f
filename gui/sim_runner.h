/// \file
/// Runs one simulation at a time on a worker thread and reports to the GUI
/// thread through queued signals: the firmware's output in batches, progress
/// about four times a second, then either failed() (the run could not start)
/// or finished() (it ran and stopped).
#pragma once

#include "output_buffer.h"
#include "run_types.h"

#include <QObject>
#include <QStringDecoder>
#include <QTimer>

#include <memory>
#include <thread>

namespace mcusim::gui {

class SimRunner : public QObject {
  Q_OBJECT
public:
  explicit SimRunner(QObject *parent = nullptr);
  /// Stops a run in progress and waits for its thread.
  ~SimRunner() override;

  /// Start a run. False (and nothing emitted) if one is already running;
  /// errors in the request itself (bad ELF, unknown device) arrive as failed().
  bool start(const RunRequest &request);
  /// Ask the running simulation to stop; finished() follows with
  /// StopReason::Stopped. Harmless when nothing runs.
  void stop();
  bool isRunning() const { return running_; }

  /// Longest time output waits before it is delivered (default 40 ms).
  void setOutputInterval(int ms) { flush_timer_.setInterval(ms); }

Q_SIGNALS:
  /// The device is resolved and the simulator built; the firmware starts now.
  void started(const mcusim::gui::RunSetup &setup);
  /// A batch of firmware output, decoded from UTF-8.
  void output(const QString &text, bool is_stderr);
  /// Some output was dropped because it arrived faster than it was displayed.
  void outputDropped(qulonglong bytes);
  void progress(const mcusim::gui::RunProgress &progress);
  /// The run could not start: one line (load_elf, find_device, Simulator::create...).
  void failed(const QString &message);
  void finished(const mcusim::gui::RunSummary &summary);

private:
  struct Shared;
  class SessionHooks; // the run session's view of this runner
  void work(RunRequest request);      // worker thread
  void outputPending();                // GUI thread: a batch is waiting
  void drain();                        // GUI thread: deliver pending output
  void endRun();                       // GUI thread: join and flush before the final signal

  std::shared_ptr<Shared> shared_;
  std::thread thread_;
  QTimer flush_timer_;
  QStringDecoder out_decoder_{QStringDecoder::Utf8};
  QStringDecoder err_decoder_{QStringDecoder::Utf8};
  bool running_ = false;
};

} // namespace mcusim::gui
