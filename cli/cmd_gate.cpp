/// \file
/// `mcusim run --budget` and `mcusim gate`: budgets checked against a report.
#include "cli/cmd_gate.h"
#include "session/exit_codes.h"
#include "session/gate.h"
#include "session/battery.h"
#include "cli/cmd_db.h"

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

int BudgetGate::load(const GateOptions &o, bool have_scenario) {
  opts_ = o;
  budget_.reset();
  baseline_.reset();
  if (o.budget.empty()) return kExitOk;
  auto b = load_budget(o.budget);
  if (!b) return budget_error(b.error());
  if (auto e = check_budget_scenario(*b, have_scenario, "mcusim gate")) return budget_error(*e);
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
  std::fflush(stdout);
  for (const auto &m : session::gate_messages(result, budget_->file, report, quiet)) {
    if (m.kind == session::Message::Kind::Text) std::fwrite(m.text.data(), 1, m.text.size(), stderr);
    else std::fprintf(stderr, "mcusim: %s\n", m.text.c_str());
  }
  if (!opts_.junit.empty()) {
    std::string xml = render_budget_junit(result, report, budget_->file);
    std::ofstream out(opts_.junit, std::ios::binary);
    out << xml;
    out.close();
    if (!out) {
      std::fprintf(stderr, "mcusim: error: cannot write the JUnit file %s\n", opts_.junit.c_str());
      return kExitOutput;
    }
  }
  return result.failed() ? kExitBudget : kExitOk;
}

CLI::App *add_gate_command(CLI::App &app, GateArgs &args) {
  auto *cmd = app.add_subcommand("gate", "Check a saved JSON report against a budget (CI gate; see docs/ci.md)");
  cmd->add_option("report", args.report, "Report JSON written by 'mcusim run --report=json --report-out FILE'")->required();
  add_gate_options(*cmd, args.gate, true);
  cmd->add_flag("--quiet,-q", args.quiet, "Print only the checks that fail");
  cmd->add_option("--scenario", args.scenario,
                  "Project the report's battery life with this scenario (TOML) for the budget's min_battery_years (docs/power.md)");
  return cmd;
}

int cmd_gate(const GateArgs &a) {
  BudgetGate gate;
  if (int rc = gate.load(a.gate, !a.scenario.empty()); rc != kExitOk) return rc;
  std::optional<power::Scenario> scenario;
  session::BatteryOptions battery;
  if (!a.scenario.empty()) {
    battery.scenario_file = a.scenario;
    auto s = session::prepare_battery_scenario(battery);
    if (!s) {
      std::fprintf(stderr, "mcusim: error: %s\n", s.error().message.c_str());
      return s.error().exit_code;
    }
    scenario = std::move(*s);
  }
  auto report = load_report_metrics(a.report, "report");
  if (!report) return budget_error(report.error());
  if (scenario) {
    // The projection needs the whole report (its energy and layers), read as `mcusim report` reads it.
    RunReport full;
    std::string label;
    if (int rc = load_run_arg(a.report, kDefaultRunDatabase, full, label); rc != kExitOk) return rc;
    auto projection = session::project_run(full, std::move(*scenario), battery);
    if (!projection) {
      // As after a run: the checks are still made (min_battery_years fails as not measured), the first code wins.
      std::fprintf(stderr, "mcusim: error: %s: %s\n", label.c_str(), projection.error().message.c_str());
      int rc = gate.check(*report, a.quiet);
      return rc == kExitOutput ? rc : projection.error().exit_code;
    }
    std::string text = session::render_battery_text(*projection);
    std::fwrite(text.data(), 1, text.size(), stderr);
    report->battery_years = projection->projection.life_years;
  }
  return gate.check(*report, a.quiet);
}

} // namespace mcusim::cli
