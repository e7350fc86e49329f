/// \file
/// `mcusim run --budget` and `mcusim gate`: budgets checked against a report.
#include "cli/cmd_gate.h"
#include "cli/exit_codes.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>

namespace mcusim::cli {

namespace {

int budget_error(const BudgetError &e) {
  std::fprintf(stderr, "mcusim: error: %s\n", e.message.c_str());
  return e.kind == BudgetError::Kind::Unreadable ? kExitNoInput : kExitBadBudget;
}

} // namespace

GateOptions &run_gate_options() {
  static GateOptions options;
  return options;
}

void add_gate_options(CLI::App &cmd, GateOptions &o, bool budget_required) {
  auto *budget = cmd.add_option("--budget", o.budget, "Budget file (TOML): limits to check, exit code 77 when one is broken");
  if (budget_required) budget->required();
  auto *baseline = cmd.add_option("--baseline", o.baseline, "Report JSON to check the budget's [regression] limits against");
  auto *junit = cmd.add_option("--junit", o.junit, "Write the checks as JUnit XML to this file");
  if (!budget_required) {
    baseline->needs(budget);
    junit->needs(budget);
  }
}

int BudgetGate::load(const GateOptions &o) {
  opts_ = o;
  budget_.reset();
  baseline_.reset();
  if (o.budget.empty()) return kExitOk;
  auto b = load_budget(o.budget);
  if (!b) return budget_error(b.error());
  if (!o.baseline.empty()) {
    auto base = load_report_metrics(o.baseline, "baseline");
    if (!base) return budget_error(base.error());
    baseline_ = std::move(*base);
  }
  budget_ = std::move(*b);
  return kExitOk;
}

int BudgetGate::check(const ReportMetrics &report, bool quiet) const {
  if (!budget_) return kExitOk;
  BudgetResult result = evaluate_budget(*budget_, report, baseline_ ? &*baseline_ : nullptr);
  const size_t failed = result.failed();
  std::fflush(stdout);
  if (!quiet || failed) {
    std::fprintf(stderr, "mcusim: budget %s: %s on %s\n", budget_->file.c_str(), report.firmware.c_str(), report.device.c_str());
    std::string table = render_checks(result, quiet);
    std::fwrite(table.data(), 1, table.size(), stderr);
    if (failed) {
      std::string names;
      for (const auto &c : result.checks)
        if (!c.passed) names += (names.empty() ? "" : ", ") + c.name;
      std::fprintf(stderr, "mcusim: budget: %zu of %zu checks failed: %s\n", failed, result.checks.size(), names.c_str());
    } else {
      std::fprintf(stderr, "mcusim: budget: all %zu checks passed\n", result.checks.size());
    }
  }
  if (!opts_.junit.empty()) {
    std::string xml = render_budget_junit(result, report, budget_->file);
    std::ofstream out(opts_.junit, std::ios::binary);
    out << xml;
    out.close();
    if (!out) {
      std::fprintf(stderr, "mcusim: error: cannot write the JUnit file %s\n", opts_.junit.c_str());
      return kExitNoInput;
    }
  }
  return failed ? kExitBudget : kExitOk;
}

int BudgetGate::check(const RunReport &report, bool quiet) const {
  if (!budget_) return kExitOk;
  auto m = report_metrics(report);
  if (!m) {
    std::fprintf(stderr, "mcusim: internal error: the budget cannot read the run's report: %s\n", m.error().message.c_str());
    return kExitInternal;
  }
  return check(*m, quiet);
}

CLI::App *add_gate_command(CLI::App &app, GateArgs &args) {
  auto *cmd = app.add_subcommand("gate", "Check a saved JSON report against a budget (CI gate; see docs/ci.md)");
  cmd->add_option("report", args.report, "Report JSON written by 'mcusim run --report=json --report-out FILE'")->required();
  add_gate_options(*cmd, args.gate, true);
  cmd->add_flag("--quiet,-q", args.quiet, "Print only the checks that fail");
  return cmd;
}

int cmd_gate(const GateArgs &a) {
  BudgetGate gate;
  if (int rc = gate.load(a.gate); rc != kExitOk) return rc;
  auto report = load_report_metrics(a.report, "report");
  if (!report) return budget_error(report.error());
  return gate.check(*report, a.quiet);
}

} // namespace mcusim::cli
