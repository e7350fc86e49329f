/// \file
/// Performance budgets for CI gates: limits on a run's cycles and time,
/// per-function and per-layer cycles, flash, RAM, stack and heap, and allowed
/// regressions against a baseline report. The budget is a TOML file; the
/// figures come from a report's JSON form (docs/report.md), whether the run
/// just happened (`mcusim run --budget`) or was saved (`mcusim gate`), so both
/// check the same numbers. Format and semantics: docs/ci.md.
#pragma once

#include "profiler/run_report.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace mcusim {

/// A budget file's contents. Every limit is optional; an absent limit is not checked.
struct Budget {
  std::string file; ///< where it came from, for messages

  struct LayerLimit {
    std::string name;
    std::optional<uint64_t> cycles;
    std::optional<double> ms;
    std::optional<double> uj; ///< energy over all its invocations, µJ
  };
  struct Limits {
    std::optional<uint64_t> cycles;      ///< total cycles of the run
    std::optional<double> ms;            ///< simulated time in milliseconds
    std::optional<uint64_t> flash_bytes; ///< used in all regions of kind flash
    std::optional<uint64_t> ram_bytes;   ///< used in all regions of kind sram or tcm
    std::optional<uint64_t> stack_bytes; ///< stack high-water mark
    std::optional<uint64_t> heap_bytes;  ///< heap grown through _sbrk
    bool no_dynamic_allocation = false;  ///< malloc never called, the heap never grown
    std::vector<std::pair<std::string, uint64_t>> functions; ///< self cycles by function name
    std::vector<std::pair<std::string, uint64_t>> regions;   ///< used bytes by memory region name
    std::vector<LayerLimit> layers;                          ///< by layer name
    // Energy (docs/power.md): from the report's energy, present when the device has power figures.
    std::optional<double> average_mw;       ///< the run's average power
    std::optional<double> uj_per_run;       ///< the whole run's energy
    std::optional<double> uj_per_inference; ///< one model invocation's energy
    std::optional<double> peak_ma;          ///< the highest current on the run's power timeline, at the rail
    std::optional<double> min_battery_years; ///< the battery life of the --scenario projection, at least
  } limits;

  /// Allowed increase over the baseline, in percent of the baseline's value.
  struct Regression {
    std::optional<double> cycles_pct, flash_pct, ram_pct, stack_pct, heap_pct;
    bool any() const { return cycles_pct || flash_pct || ram_pct || stack_pct || heap_pct; }
  } regression;
};

/// Why a budget, baseline or report could not be used.
struct BudgetError {
  enum class Kind {
    Unreadable, ///< the file cannot be opened or read
    Malformed,  ///< syntax error, unknown key, wrong type, out-of-range value, not a report
  };
  Kind kind = Kind::Malformed;
  std::string message; ///< one line, starting with the file name (and line, when known)
};
template <typename T> using BudgetExpected = tl::expected<T, BudgetError>;

/// Parses a budget from TOML text; `file` names it in messages.
BudgetExpected<Budget> parse_budget(std::string_view toml_text, const std::string &file);
BudgetExpected<Budget> load_budget(const std::filesystem::path &file);
/// A budget with `min_battery_years` needs a battery projection (mcusim run
/// --scenario): without one it is a budget error (Malformed), one line naming
/// the file; `where` says what is being checked ("mcusim gate" has no scenario).
std::optional<BudgetError> check_budget_scenario(const Budget &budget, bool have_scenario, const std::string &where);

/// The figures of one run that a budget is checked against.
struct ReportMetrics {
  std::string firmware, device;
  std::string stop_reason;
  int exit_code = 0;
  double mhz = 0;
  uint64_t cycles = 0;
  double ms = 0; ///< simulated time
  bool profiled = false;
  std::vector<std::pair<std::string, uint64_t>> functions; ///< self cycles by name (same names added up)
  struct Layer {
    std::string name;
    uint64_t cycles = 0;
    double ms = 0;
    std::optional<double> uj; ///< energy over its invocations, when the report has energy
  };
  std::vector<Layer> layers; ///< the report's layer rows (none when it has none), same names added up
  struct Region {
    std::string name, kind;
    uint64_t used = 0;
  };
  std::vector<Region> regions;
  uint64_t flash_bytes = 0, ram_bytes = 0; ///< totals over kinds flash, and sram + tcm
  uint64_t stack_bytes = 0;
  bool malloc_used = false;
  uint64_t heap_bytes = 0;
  /// The run's energy, when the report has it (the device has power figures).
  struct Energy {
    double uj = 0, average_mw = 0, peak_ma = 0;
  };
  std::optional<Energy> energy;
  std::string energy_note;                ///< why there is no energy, when the report says
  std::optional<double> uj_per_inference; ///< when the report has model invocations
  /// The battery life of the run's --scenario projection (set by the run's
  /// session; a saved report has none).
  std::optional<double> battery_years;
};

/// Copies the energy figures of `report` (its energy, energy per inference,
/// layer energy) into `metrics`, whose layers were read from the same report.
void add_energy_metrics(ReportMetrics &metrics, const RunReport &report);

/// Reads the metrics from a report's JSON (`--report=json`). `file` and `what`
/// ("report", "baseline") name it in messages.
BudgetExpected<ReportMetrics> parse_report_metrics(std::string_view json_text, const std::string &file, const std::string &what);
BudgetExpected<ReportMetrics> load_report_metrics(const std::filesystem::path &file, const std::string &what);
/// The metrics of a report in memory, read through its JSON form (an error here
/// means render_json and the reader disagree: a bug, not bad input).
BudgetExpected<ReportMetrics> report_metrics(const RunReport &report);

/// One check of a budget against a report.
struct BudgetCheck {
  std::string name;    ///< e.g. "cycles", "function main", "layer conv1", "regression cycles"
  std::string limit;   ///< the limit, formatted
  std::string value;   ///< the measured value, formatted ("-" when there is none)
  bool passed = false;
  std::string message; ///< why it failed, one line (empty when it passed)
};

struct BudgetResult {
  std::vector<BudgetCheck> checks;
  std::vector<std::string> notes; ///< things worth saying that are not checks (e.g. regression limits without a baseline)
  size_t failed() const;
  bool passed() const { return failed() == 0; }
};

/// Checks `report` against `budget`, and against `baseline` for the regression
/// limits when one is given. The first check is always "result": the run
/// exited with code 0. A limit naming a function, layer or region the report
/// does not have fails ("no such ...").
BudgetResult evaluate_budget(const Budget &budget, const ReportMetrics &report, const ReportMetrics *baseline);

/// The checks as a table (metric, limit, value, PASS/FAIL), one per line.
std::string render_checks(const BudgetResult &result, bool failures_only = false);
/// The checks as JUnit XML: one testsuite `suite`, one testcase per check.
std::string render_budget_junit(const BudgetResult &result, const ReportMetrics &report, const std::string &budget_file,
                                const std::string &suite = "mcusim-budget");

} // namespace mcusim
