/// \file
/// Process exit codes of the mcusim command (documented in docs/cli.md).
#pragma once

namespace mcusim::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 64,       ///< bad command line
  kExitBadElf = 65,      ///< bad image: not a usable Cortex-M ELF, a malformed Intel HEX, an empty .hex/.bin, no vector table, does not fit the device
  kExitNoInput = 66,     ///< an input file cannot be read
  kExitBadDevice = 67,   ///< unknown device or malformed device file
  kExitInternal = 70,    ///< simulator or engine failure
  kExitFault = 71,       ///< firmware fault with no handler, handler that spins, or lockup
  kExitLimit = 72,       ///< --max-instructions or --max-cycles reached
  kExitTimeout = 73,     ///< --timeout (wall clock) reached
  kExitHang = 74,        ///< endless loop or sleep that nothing can end
  kExitInterrupted = 75, ///< stopped by a signal
  kExitDatabase = 76,    ///< the run database cannot be used: not a database, newer schema, unwritable, locked
  // CI gates (--budget, mcusim gate). A firmware failure's own code above wins over these.
  kExitBudget = 77,      ///< a budget or regression limit was broken
  kExitBadBudget = 78,   ///< malformed budget or baseline file (or, for mcusim gate, report file)
  /// A report JSON file that is not a report (gate's REPORT, --baseline, a RUN of report/compare):
  /// the same code as a malformed budget, from every command.
  kExitBadReport = kExitBadBudget,
  kExitOutput = 79,      ///< an output file (--report-out, --flamegraph, --trace, --junit, --console) cannot be written
  // Energy and battery life (docs/power.md).
  kExitBadScenario = 80, ///< malformed scenario or battery file, unknown battery preset, impossible duty cycle
  kExitBadCapture = 81,  ///< a current capture that cannot be used: no time or current column, non-monotonic time, no samples
  kExitBadSweep = 82,    ///< a sweep list with an impossible point (a clock above the device's maximum or not positive, an unknown device)
  kExitNoPower = 83,     ///< energy asked of a device without power figures, or an unknown power mode or low-power state
  // Serial lines (docs/cli.md --uart-script).
  kExitBadScript = 84,   ///< a malformed --uart-script file
  kExitScript = 85,      ///< a --uart-script expect the firmware never met
};

} // namespace mcusim::cli
