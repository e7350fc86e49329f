/// \file
/// CI performance gates: `mcusim run --budget` (check the run just made) and
/// `mcusim gate` (check a saved JSON report). See docs/ci.md.
#pragma once

#include "profiler/budget.h"

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace mcusim::cli {

/// --budget, --baseline, --junit.
struct GateOptions {
  std::string budget;   ///< budget TOML file ("" = no gate)
  std::string baseline; ///< report JSON for the [regression] limits
  std::string junit;    ///< JUnit XML to write
};

/// The `run` command's gate options, filled in by the command line.
GateOptions &run_gate_options();
/// Adds --budget, --baseline and --junit to `cmd`; --budget is required when `budget_required`,
/// else --baseline and --junit need it.
void add_gate_options(CLI::App &cmd, GateOptions &o, bool budget_required);

/// A budget (and baseline) loaded, then checked against a saved report (`mcusim gate`;
/// a run's own gate is session/gate.h).
class BudgetGate {
public:
  /// Loads the files `o` names. Returns kExitOk, or prints the problem and returns
  /// kExitNoInput (unreadable) or kExitBadBudget (malformed, or min_battery_years
  /// without `have_scenario`).
  int load(const GateOptions &o, bool have_scenario = false);
  bool active() const { return budget_.has_value(); }
  /// Checks the report, prints the checks on stderr (with `quiet`, only failures) and
  /// writes the JUnit file. Returns kExitOk, kExitBudget, or kExitOutput when the
  /// JUnit file cannot be written.
  int check(const ReportMetrics &report, bool quiet) const;

private:
  GateOptions opts_;
  std::optional<Budget> budget_;
  std::optional<ReportMetrics> baseline_;
};

struct GateArgs {
  std::string report; ///< the saved report (JSON)
  GateOptions gate;
  bool quiet = false;
  std::string scenario; ///< battery scenario for min_battery_years (--scenario)
};
/// Registers `mcusim gate` on `app`.
CLI::App *add_gate_command(CLI::App &app, GateArgs &args);
int cmd_gate(const GateArgs &args);

} // namespace mcusim::cli
