/// \file
/// The CI gate of a run.
#include "session/gate.h"
#include "session/output_file.h"

#include "session/exit_codes.h"

namespace mcusim::session {

using namespace mcusim::cli; // the exit codes

std::vector<Message> gate_messages(const BudgetResult &result, const std::string &budget_file, const ReportMetrics &report,
                                   bool quiet) {
  std::vector<Message> out;
  const size_t failed = result.failed();
  if (quiet && !failed) return out;
  out.push_back({Message::Kind::Note, "budget " + budget_file + ": " + report.firmware + " on " + report.device});
  out.push_back({Message::Kind::Text, render_checks(result, quiet)});
  if (failed) {
    std::string names;
    for (const auto &c : result.checks)
      if (!c.passed) names += (names.empty() ? "" : ", ") + c.name;
    out.push_back({Message::Kind::Note, "budget: " + std::to_string(failed) + " of " + std::to_string(result.checks.size()) +
                                            " checks failed: " + names});
  } else {
    out.push_back({Message::Kind::Note, "budget: all " + std::to_string(result.checks.size()) + " checks passed"});
  }
  return out;
}

int Gate::load(const std::string &budget, const std::string &baseline, std::string *error, bool have_scenario) {
  budget_.reset();
  baseline_.reset();
  if (budget.empty()) return kExitOk;
  auto fail = [&](const BudgetError &e) {
    *error = e.message;
    return e.kind == BudgetError::Kind::Unreadable ? kExitNoInput : kExitBadBudget;
  };
  auto b = load_budget(budget);
  if (!b) return fail(b.error());
  if (auto e = check_budget_scenario(*b, have_scenario, "this run")) return fail(*e);
  if (!baseline.empty()) {
    auto base = load_report_metrics(baseline, "baseline");
    if (!base) return fail(base.error());
    baseline_ = std::move(*base);
  }
  budget_ = std::move(*b);
  return kExitOk;
}

int Gate::check(const RunReport &report, bool quiet, OutputFile *junit, BudgetResult *result,
                const std::function<void(Message)> &emit, std::optional<double> battery_years) const {
  if (!budget_) return kExitOk;
  auto m = report_metrics(report);
  if (!m) {
    emit({Message::Kind::Error, "internal error: the budget cannot read the run's report: " + m.error().message});
    return kExitInternal;
  }
  m->battery_years = battery_years;
  *result = evaluate_budget(*budget_, *m, baseline_ ? &*baseline_ : nullptr);
  for (auto &msg : gate_messages(*result, budget_->file, *m, quiet)) emit(std::move(msg));
  if (junit && junit->is_open()) {
    std::string error;
    if (!junit->write(render_budget_junit(*result, *m, budget_->file), &error)) {
      emit({Message::Kind::Error, "cannot write the JUnit file: " + error});
      return kExitOutput;
    }
  }
  return result->failed() ? kExitBudget : kExitOk;
}

} // namespace mcusim::session
