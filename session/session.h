/// \file
/// One run pipeline for every front end (mcusim run, mcusim-gui): resolve the
/// device, load the ELF, check every output file and the run database before
/// anything is simulated, run, build the report, check the budget, store the
/// run and write the outputs. No command-line parsing and no Qt here; the
/// front end supplies the firmware's console and hears about the run through
/// SessionHooks. See docs/architecture.md, "Run sessions".
#pragma once

#include "core/console.h"
#include "base/device.h"
#include "image/elf_image.h"
#include "core/simulator.h"
#include "profiler/budget.h"
#include "profiler/run_report.h"
#include "session/battery.h"
#include "session/firmware.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcusim::session {

/// Where runs go when no database is named (the current directory).
inline constexpr const char *kDefaultRunDatabase = "mcusim-runs.db";

/// Everything one run needs, as plain values.
struct RunRequest {
  std::string elf;            ///< firmware image path (ELF, Intel HEX or raw binary)
  ImageInput image;           ///< --load-address, --symbols
  std::string device;         ///< device name or .toml file; "" = chosen from the ELF
  std::string core;           ///< core override ("cortex-m7"); "" = the device's
  RunOptions options;         ///< clock, limits, timing, profile...; on_progress is set by the session
  bool quiet = false;         ///< only errors, warnings and failed checks as messages

  // Outputs (every file is checked before the run)
  std::string report_format;  ///< "" none, text, json, markdown, html ("" with report_out: text)
  std::string report_out;     ///< report file; "" = SessionHooks::report_text
  std::string flamegraph;     ///< folded stacks file
  std::string trace;          ///< Chrome/Perfetto trace file
  std::string console_file;   ///< the firmware's stdout goes to this file instead of the front end's console
  std::string gpio_trace;     ///< every GPIO output change (text; VCD when it ends in .vcd), docs/peripherals.md
  std::vector<std::string> gpio_phases; ///< "NAME=PA5": the pin's high intervals in the report
  /// Serial lines (session/serial_lines.h): --uart NAME=FILE|stdio|pty and --uart-in NAME=FILE, as given.
  /// Every UART not named writes to the firmware's console. Unused when options.peripheral_io.serial is set.
  std::vector<std::string> uart, uart_in;
  /// --uart-script NAME=FILE, as given (session/uart_script.h).
  std::vector<std::string> uart_script;

  // CI gate
  std::string budget, baseline, junit;

  // Battery life (docs/power.md): a scenario file whose projection, with the
  // run's energy as its run phase, follows the report ("" = none)
  std::string scenario;
  // Energy (docs/power.md): priced after every run when the device has power
  // figures. Any of these given makes a device without figures, an unknown
  // mode or low-power state an error (83) instead of a note in the report.
  std::string power_mode;             ///< run mode ("" = the device's default)
  std::string deep_sleep;             ///< the state SLEEPDEEP enters ("" = the device's); also RunOptions::deep_sleep_state
  std::optional<double> voltage_v;    ///< rail voltage (default: the figures')
  std::optional<double> temperature_c;///< ambient (default: the figures' reference temperature)
  bool energy_asked() const { return !power_mode.empty() || !deep_sleep.empty() || voltage_v || temperature_c; }

  // Run database
  std::string db;             ///< "" = kDefaultRunDatabase (a problem with it is a warning unless it is damaged)
  bool no_db = false;
};

/// Where the firmware's standard output goes for `request`.
enum class ConsoleTarget {
  Stdout, ///< the front end's console as it is
  Stderr, ///< a machine-readable report (json) goes to stdout: the console must not mix into it
  File,   ///< RunRequest::console_file (the session writes it)
};
ConsoleTarget console_target(const RunRequest &request);
/// The report goes to stdout (no report_out) in a format meant for programs (json).
bool machine_report_on_stdout(const RunRequest &request);
/// Where the --scenario projection goes: after the report on the front end's
/// stdout (SessionHooks::report_text), or, when a JSON or HTML report has
/// stdout to itself, to stderr as a Text message (it is not part of the report).
bool projection_on_stderr(const RunRequest &request);

/// One line (or, for Text, a block) the front end shows: on stderr for the CLI.
struct Message {
  enum class Kind {
    Error,   ///< "mcusim: error: ..." (the outcome's exit code says which)
    Warning, ///< "mcusim: warning: ..."
    Note,    ///< "mcusim: ..."
    Text,    ///< printed as it is (the budget's table)
  };
  Kind kind = Kind::Note;
  std::string text;
};

/// The run is about to start: the device and simulator are known.
struct RunStarted {
  std::string device, device_title, core; ///< core: "Cortex-M4F"
  double hz = 0;
  std::string timing;      ///< Simulator::timing_description()
  std::string explanation; ///< why the device was chosen from the ELF; "" if named
};

/// What the front end hears during a run. Every call comes from the thread
/// that called session::run().
class SessionHooks {
public:
  virtual ~SessionHooks() = default;
  /// The firmware's console (its stdout and stderr, and its stdin).
  virtual Console &console() = 0;
  virtual void message(const Message &) {}
  virtual void started(const RunStarted &) {}
  /// The simulator that runs now (to send it request_stop), then nullptr when it has stopped.
  virtual void attach(Simulator *) {}
  /// Every RunOptions::progress_seconds of wall time while the firmware runs,
  /// when wants_progress() (else no progress timer runs at all).
  virtual void progress(const RunOptions::Progress &) {}
  virtual bool wants_progress() const { return true; }
  /// The rendered report when it has no file (the CLI writes it to stdout).
  virtual void report_text(std::string_view) {}
};

/// What came of a run request.
struct RunOutcome {
  int exit_code = 0;                 ///< the CLI's exit code (cli/exit_codes.h; the firmware's own on exit)
  bool ran = false;                  ///< the firmware ran (else: an error before the run, in `error`)
  std::string error;                 ///< the first error, one line ("" if none)
  std::optional<RunResult> result;
  std::optional<RunReport> report;
  std::optional<BudgetResult> gate;  ///< with a budget
  std::optional<BatteryProjection> battery; ///< with a scenario, when the run could be projected
  std::optional<int64_t> run_id;     ///< stored run
  std::string db_path;               ///< where it was stored
  std::vector<Message> messages;     ///< every message, in order (also given to SessionHooks::message)
  bool ok() const { return exit_code == 0; }
};

/// Runs `request` from start to end (see the file comment).
RunOutcome run(const RunRequest &request, SessionHooks &hooks);

/// The device for `elf`: `name` (a device name or .toml file; a file that is
/// not there is FileUnreadable), or, with no name, the one chosen from the
/// ELF (why in `explanation`).
Expected<Device> resolve_device(const std::string &name, const ElfImage &elf, std::string *explanation);

/// The exit code for how a run ended (before gates and storage): the
/// firmware's own exit code, or 71..75, 70.
int exit_code_for(const RunResult &result);
/// The exit code of an error (64..67, 70): the same for every command.
int exit_code_for(ErrorKind kind);

} // namespace mcusim::session
