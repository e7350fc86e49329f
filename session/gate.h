/// \file
/// The CI gate of a run (--budget, --baseline, --junit): the budget is read
/// before the run and checked against its report after it. See docs/ci.md.
#pragma once

#include "profiler/budget.h"
#include "session/session.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mcusim::session {

class OutputFile;

/// The lines a budget check shows: a heading, the table of checks (with
/// `quiet`, only the failures, and nothing at all when every check passed),
/// and the verdict.
std::vector<Message> gate_messages(const BudgetResult &result, const std::string &budget_file, const ReportMetrics &report,
                                   bool quiet);

/// A budget (and baseline) loaded before a run and checked after it.
class Gate {
public:
  /// Loads the budget and the baseline. Returns kExitOk, or kExitNoInput
  /// (unreadable) / kExitBadBudget (malformed) with `error` set.
  /// A budget with min_battery_years needs `have_scenario` (else kExitBadBudget).
  int load(const std::string &budget, const std::string &baseline, std::string *error, bool have_scenario = false);
  bool active() const { return budget_.has_value(); }
  const std::string &budget_file() const { return budget_->file; }
  /// Checks `report`; the JUnit XML goes to `junit` when given.
  /// Returns kExitOk, kExitBudget (a limit broken), kExitOutput (the JUnit
  /// file cannot be written) or kExitInternal (the report cannot be read back).
  /// `battery_years`: the run's --scenario projection, for min_battery_years.
  int check(const RunReport &report, bool quiet, OutputFile *junit, BudgetResult *result,
            const std::function<void(Message)> &emit, std::optional<double> battery_years = std::nullopt) const;

private:
  std::optional<Budget> budget_;
  std::optional<ReportMetrics> baseline_;
};

} // namespace mcusim::session
