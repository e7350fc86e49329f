/// Energy limits in budgets: average_mw, uj_per_run, uj_per_inference,
/// peak_ma, per-layer uj and min_battery_years (docs/ci.md).
#include "profiler/budget.h"
#include "profiler/junit.h"

#include <doctest/doctest.h>

using namespace mcusim;

namespace {

/// 2 invocations of two layers at 100 MHz; 500 µJ over 10 ms (50 mW), 20 mA peak.
RunReport energy_report(bool with_energy = true) {
  RunReport r;
  r.firmware = "kws.elf";
  r.device = "testchip";
  r.mhz = 100;
  r.stop_reason = "exited";
  r.cycles = 1'000'000;
  r.simulated_seconds = 0.01;
  r.profiled = true;
  RunReport::Layer conv;
  conv.node = 0, conv.name = "conv1", conv.op = "CONV_2D", conv.invocations = 2, conv.cycles = 600'000;
  conv.uj = 240, conv.mean_uj = 120;
  RunReport::Layer fc = conv;
  fc.node = 1, fc.name = "fc1", fc.op = "FULLY_CONNECTED", fc.cycles = 200'000, fc.uj = 80, fc.mean_uj = 40;
  r.layers = {conv, fc};
  r.layer_invocations = 2;
  r.layer_source = "markers";
  if (with_energy) {
    power::RunEnergy e;
    e.seconds = 0.01;
    e.energy_uj = 500;
    e.average_mw = 50;
    e.peak_mw = 60;
    e.peak_ma = 20;
    e.average_ma = 16.7;
    e.model.voltage_v = 3.0;
    r.energy = e;
    r.uj_per_inference = 160;
  } else {
    r.energy_note = "testchip has no [power] section";
  }
  return r;
}

ReportMetrics metrics(const RunReport &r, std::optional<double> years = std::nullopt) {
  auto m = report_metrics(r);
  INFO((m ? std::string() : m.error().message));
  REQUIRE(m);
  m->battery_years = years;
  return *m;
}

Budget budget(const std::string &text) {
  auto b = parse_budget(text, "b.toml");
  INFO((b ? std::string() : b.error().message));
  REQUIRE(b);
  return *b;
}

BudgetCheck check(const std::string &text, const ReportMetrics &m, const std::string &name) {
  BudgetResult res = evaluate_budget(budget(text), m, nullptr);
  for (const auto &c : res.checks)
    if (c.name == name) return c;
  INFO(render_checks(res));
  FAIL("no check " << name);
  return {};
}

std::string malformed(const std::string &text) {
  auto b = parse_budget(text, "b.toml");
  REQUIRE_FALSE(b);
  CHECK(b.error().kind == BudgetError::Kind::Malformed);
  CHECK(b.error().message.find('\n') == std::string::npos);
  return b.error().message;
}

} // namespace

TEST_CASE("energy limits parse") {
  Budget b = budget("[limits]\naverage_mw = 2.5\nuj_per_run = 900\nuj_per_inference = 150.5\npeak_ma = 12\n"
                    "min_battery_years = 2\n[limits.layers]\nconv1 = { uj = 250 }\nfc1 = { cycles = 5, uj = 1 }\n");
  CHECK(*b.limits.average_mw == 2.5);
  CHECK(*b.limits.uj_per_run == 900);
  CHECK(*b.limits.uj_per_inference == 150.5);
  CHECK(*b.limits.peak_ma == 12);
  CHECK(*b.limits.min_battery_years == 2);
  REQUIRE(b.limits.layers.size() == 2);
  CHECK(*b.limits.layers[0].uj == 250);
  CHECK_FALSE(b.limits.layers[0].cycles);
  CHECK(*b.limits.layers[1].cycles == 5);
  // A budget with only an energy limit sets a limit.
  CHECK(parse_budget("[limits]\npeak_ma = 1", "b.toml"));
}

TEST_CASE("each energy limit passes at its value and fails below it") {
  ReportMetrics m = metrics(energy_report(), 2.5);
  struct Case {
    const char *name, *at, *below, *message;
  };
  for (const Case &c : {Case{"average_mw", "[limits]\naverage_mw = 50", "[limits]\naverage_mw = 49.9",
                             "average power 50 mW is over the limit of 49.9 mW"},
                        Case{"uj_per_run", "[limits]\nuj_per_run = 500", "[limits]\nuj_per_run = 499",
                             "energy per run 500 µJ is over the limit of 499 µJ"},
                        Case{"uj_per_inference", "[limits]\nuj_per_inference = 160", "[limits]\nuj_per_inference = 159.9",
                             "energy per inference 160 µJ is over the limit of 159.9 µJ"},
                        Case{"peak_ma", "[limits]\npeak_ma = 20", "[limits]\npeak_ma = 19.5",
                             "peak current 20 mA is over the limit of 19.5 mA"},
                        Case{"layer conv1 uj", "[limits.layers]\nconv1 = { uj = 240 }", "[limits.layers]\nconv1 = { uj = 239 }",
                             "layer conv1 energy 240 µJ is over the limit of 239 µJ"},
                        Case{"min_battery_years", "[limits]\nmin_battery_years = 2.5", "[limits]\nmin_battery_years = 2.6",
                             "battery life 2.50 years is under the minimum of 2.60 years"}}) {
    CAPTURE(c.name);
    CHECK(check(c.at, m, c.name).passed);
    BudgetCheck broken = check(c.below, m, c.name);
    CHECK_FALSE(broken.passed);
    CHECK(broken.message == c.message);
  }
}

TEST_CASE("energy limits on a report without energy fail as not measured") {
  ReportMetrics m = metrics(energy_report(false));
  CHECK_FALSE(m.energy);
  for (const char *name : {"average_mw", "uj_per_run", "uj_per_inference", "peak_ma"}) {
    CAPTURE(name);
    BudgetCheck c = check(std::string("[limits]\n") + name + " = 1000", m, name);
    CHECK_FALSE(c.passed);
    CHECK(c.value == "-");
    CHECK(c.message == "not measured: the report has no energy (testchip has no [power] section)");
  }
  CHECK(check("[limits.layers]\nconv1 = { uj = 1000 }", m, "layer conv1 uj").message ==
        "not measured: the report has no energy (testchip has no [power] section)");
  // Energy but no invocations: no energy per inference.
  RunReport r = energy_report();
  r.uj_per_inference.reset();
  CHECK(check("[limits]\nuj_per_inference = 1000", metrics(r), "uj_per_inference").message ==
        "not measured: the report has no model invocations (no layers)");
  // No projection: min_battery_years is not measured (the session refuses such a budget before the run).
  CHECK(check("[limits]\nmin_battery_years = 1", metrics(energy_report()), "min_battery_years").message ==
        "not measured: no battery projection (it needs --scenario and a run with energy)");
}

TEST_CASE("min_battery_years without a scenario is a budget error") {
  Budget b = budget("[limits]\nmin_battery_years = 1");
  auto e = check_budget_scenario(b, false, "mcusim gate");
  REQUIRE(e);
  CHECK(e->kind == BudgetError::Kind::Malformed);
  CHECK(e->message == "b.toml: 'limits.min_battery_years' needs a battery projection, and mcusim gate has no scenario "
                      "(give --scenario FILE)");
  CHECK_FALSE(check_budget_scenario(b, true, "this run"));
  CHECK_FALSE(check_budget_scenario(budget("[limits]\npeak_ma = 1"), false, "this run"));
}

TEST_CASE("malformed energy limits: one line each") {
  CHECK(malformed("[limits]\naverage_mw = \"2 mW\"") ==
        "b.toml:2: malformed budget: 'limits.average_mw' must be a number of milliwatts, not a string");
  CHECK(malformed("[limits]\nuj_per_inference = -1") ==
        "b.toml:2: malformed budget: 'limits.uj_per_inference' must not be negative (got -1)");
  CHECK(malformed("[limits]\npeak_ma = nan") == "b.toml:2: malformed budget: 'limits.peak_ma' must be a finite number");
  CHECK(malformed("[limits]\nmin_battery_years = inf") ==
        "b.toml:2: malformed budget: 'limits.min_battery_years' must be a finite number");
  CHECK(malformed("[limits]\nuj_per_run = true") ==
        "b.toml:2: malformed budget: 'limits.uj_per_run' must be a number of microjoules, not a boolean");
  CHECK(malformed("[limits.layers]\nconv1 = { uj = -5 }") ==
        "b.toml:2: malformed budget: 'limits.layers.conv1.uj' must not be negative (got -5)");
  CHECK(malformed("[limits.layers]\nconv1 = { mj = 5 }") ==
        "b.toml:2: malformed budget: unknown key 'limits.layers.conv1.mj' (known: cycles, ms, uj)");
  CHECK(malformed("[limits]\naverage_mwatts = 5").find("unknown key 'limits.average_mwatts'") != std::string::npos);
}

TEST_CASE("energy checks go to JUnit like the others") {
  ReportMetrics m = metrics(energy_report(), 1.0);
  BudgetResult res = evaluate_budget(budget("[limits]\naverage_mw = 10\nmin_battery_years = 0.5\n"), m, nullptr);
  CHECK(res.failed() == 1);
  std::string xml = render_budget_junit(res, m, "b.toml");
  CHECK(xml.find("tests=\"3\" failures=\"1\"") != std::string::npos);
  CHECK(xml.find("<testcase name=\"average_mw\"") != std::string::npos);
  CHECK(xml.find("message=\"average power 50 mW is over the limit of 10 mW\"") != std::string::npos);
  CHECK(xml.find("<testcase name=\"min_battery_years\" classname=\"mcusim-budget.kws\" time=\"0\"/>") != std::string::npos);
}
