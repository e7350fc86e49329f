/// Scenarios whose run (or sleep, duty, battery, supply) the caller supplies,
/// and check_scenario on scenarios put together in code.
#include "helpers.h"

#include <cmath>

using namespace mcusim::power;
using namespace mcusim::power::test;

namespace {

const std::string kNoRun = R"([battery]
preset = "cr2032"
[supply]
regulator = "none"
[duty]
period_s = 1
[sleep]
current_ua = 2
)";

ScenarioParts run_supplied() {
  ScenarioParts p;
  p.run = true;
  return p;
}

std::string check_error(const Scenario &s) {
  auto ok = check_scenario(s);
  REQUIRE_FALSE(ok);
  CHECK(ok.error().message.find('\n') == std::string::npos);
  return ok.error().message;
}

} // namespace

TEST_CASE("a scenario without [run] is refused unless the caller supplies the run") {
  CHECK(error_of(kNoRun) == "bad.toml: malformed battery scenario: missing 'run' ([run] with energy_uj or current_ua, and duration_ms)");
  auto s = parse_scenario(kNoRun, "s.toml", presets(), run_supplied());
  REQUIRE(s);
  CHECK_FALSE(s->given.run);
  CHECK(s->given.battery);
  CHECK(s->given.sleep);
  CHECK_FALSE(s->given.ambient);
  CHECK(s->period_s == 1);
  // The caller's run, then the checks of a whole file.
  s->run.energy_uj = 30;
  s->run.duration_s = 0.01;
  CHECK(check_scenario(*s));
  Projection p = project(*s);
  CHECK(p.average_ma == doctest::Approx(30.0 / 3.0 / 1e3 + 0.002 * 0.99));
}

TEST_CASE("a supplied section may still be given, and is read and checked") {
  auto s = parse_scenario(kNoRun + "[run]\nenergy_uj = 5\nduration_ms = 10\n", "s.toml", presets(), run_supplied());
  REQUIRE(s);
  CHECK(s->given.run);
  CHECK(*s->run.energy_uj == 5);
  auto bad = parse_scenario(kNoRun + "[run]\nenergy_uj = -5\nduration_ms = 10\n", "s.toml", presets(), run_supplied());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("'run.energy_uj'") != std::string::npos);
}

TEST_CASE("every section may be supplied: an empty file parses, and nothing is given") {
  ScenarioParts all;
  all.battery = all.supply = all.run = all.duty = all.sleep = true;
  auto s = parse_scenario("title = \"only a title\"\n", "s.toml", presets(), all);
  REQUIRE(s);
  CHECK_FALSE(s->given.battery);
  CHECK_FALSE(s->given.duty);
  CHECK(s->title == "only a title");
  // Unknown keys are still refused.
  CHECK_FALSE(parse_scenario("[dutty]\nperiod_s = 1\n", "s.toml", presets(), all));
}

TEST_CASE("cross-section checks wait for both sections") {
  ScenarioParts duty;
  duty.duty = true;
  // A long run without [duty]: not checked here ...
  std::string text = "[battery]\npreset = \"cr2032\"\n[supply]\nregulator = \"none\"\n[run]\ncurrent_ua = 5\nduration_ms = 5000\n"
                     "[sleep]\ncurrent_ua = 1\n";
  auto s = parse_scenario(text, "s.toml", presets(), duty);
  REQUIRE(s);
  // ... but once the caller's period is in, check_scenario refuses it.
  s->period_s = 1;
  CHECK(check_error(*s) == "s.toml: impossible battery scenario: the run (5000 ms) is longer than the period (1 s): it cannot "
                           "happen once every period");
  s->period_s = 10;
  CHECK(check_scenario(*s));
}

TEST_CASE("check_scenario: one line for each impossible scenario") {
  Scenario ok = simple(preset("cr2032"), 10, 0.1, 1, 1.0);
  CHECK(check_scenario(ok));
  auto broken = [&](auto change) {
    Scenario s = ok;
    change(s);
    return check_error(s);
  };
  CHECK(broken([](Scenario &s) { s.period_s = 0; }) ==
        "(test): impossible battery scenario: the period must be greater than 0 seconds (got 0 s)");
  CHECK(broken([](Scenario &s) { s.period_s = -1; }).find("greater than 0") != std::string::npos);
  CHECK(broken([](Scenario &s) { s.period_s = std::nan(""); }).find("greater than 0") != std::string::npos);
  CHECK(broken([](Scenario &s) { s.run.current_ua.reset(); }).find("either its energy or its average current") != std::string::npos);
  CHECK(broken([](Scenario &s) { s.run.energy_uj = 5; }).find("either its energy") != std::string::npos);
  CHECK(broken([](Scenario &s) { s.run.current_ua = -1; }).find("the run's current") != std::string::npos);
  CHECK(broken([](Scenario &s) { s.run.duration_s = 0; }).find("the run must last longer than 0 s") != std::string::npos);
  CHECK(broken([](Scenario &s) { s.sleep.current_ua = -2; }).find("sleep current") != std::string::npos);
  CHECK(broken([](Scenario &s) { s.battery.capacity.clear(); }).find("no usable figures") != std::string::npos);
  CHECK(broken([](Scenario &s) { s.supply.regulator = RegulatorKind::Ldo; }).find("the ldo needs the MCU's rail voltage") !=
        std::string::npos);
  CHECK(broken([](Scenario &s) {
          s.supply.regulator = RegulatorKind::Ldo;
          s.supply.voltage_v = 3.3;
        }).find("an LDO cannot make 3.3 V") != std::string::npos);
  CHECK(broken([](Scenario &s) {
          s.supply.regulator = RegulatorKind::Smps;
          s.supply.voltage_v = 1.8;
          s.supply.efficiency = 0;
        }).find("SMPS efficiency must be in (0, 1]") != std::string::npos);
  CHECK(broken([](Scenario &s) {
          Load l;
          l.name = "radio";
          l.energy_mj = 1;
          l.every_runs = 2;
          l.duration_s = 3;
          s.loads.push_back(l);
        }) == "(test): impossible battery scenario: load 'radio': the burst (3000 ms) is longer than the time between its bursts (2 s)");
  CHECK(broken([](Scenario &s) {
          Load l;
          l.name = "both";
          l.energy_mj = 1;
          l.current_ua = 1;
          s.loads.push_back(l);
        }).find("either a continuous current or a burst energy") != std::string::npos);
  CHECK(broken([](Scenario &s) { s.file.clear(), s.period_s = 0; }).rfind("battery scenario: impossible battery scenario: ", 0) == 0);
}
