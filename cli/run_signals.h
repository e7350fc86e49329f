/// \file
/// SIGINT, SIGTERM, SIGHUP and SIGPIPE during `mcusim run`: each stops the
/// simulation at the next block boundary, so the run is reported and stored
/// with what ran (docs/cli.md, "Signals").
#pragma once

#include <string>

namespace mcusim {
class Simulator;
}

namespace mcusim::cli {

/// While it lives: SIGINT, SIGTERM and SIGHUP set a flag (the handler does
/// nothing else but wake a watcher thread with sem_post), and the watcher
/// asks the attached simulator to stop, naming the signal. SIGPIPE is ignored,
/// so a write to a closed output fails with EPIPE instead of killing the
/// process; report_output_closed() turns that into a stop. One at a time.
class RunSignals {
public:
  RunSignals();
  ~RunSignals(); ///< SIGINT/SIGTERM/SIGHUP back to their defaults; SIGPIPE stays ignored
  RunSignals(const RunSignals &) = delete;
  RunSignals &operator=(const RunSignals &) = delete;

  /// Signals go to `sim` from now on (nullptr: to nobody, and interrupted
  /// system calls restart); one that came before is delivered at once.
  void attach(Simulator *sim);
  /// Hand a signal that came already to the attached simulator now, from
  /// this thread (a read of stdin interrupted by it must not look like the
  /// end of the input to a run that is about to stop).
  void deliver_pending();
  /// A console write failed with EPIPE: stop the attached run as
  /// "stopped by SIGPIPE (output closed)".
  void report_output_closed();

  /// The words for a stop by `signo`: "interrupted by SIGINT", "stopped by SIGTERM", ...
  static std::string stop_cause(int signo);
};

} // namespace mcusim::cli
