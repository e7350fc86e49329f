/// Battery life from a run (session/battery.h): option values, the scenario
/// with and without a file, the run and sleep phases from a hand-built report
/// and device figures, and one line with its exit code for every bad input.
#include "session/battery.h"
#include "session/exit_codes.h"
#include "session/session.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace mcusim;
using namespace mcusim::session;
using namespace mcusim::cli; // exit codes

namespace {

std::filesystem::path presets() { return std::filesystem::path(MCUSIM_TEST_SOURCE_DIR) / "devices" / "batteries"; }

/// A file in a fresh directory for these tests.
std::string write_file(const std::string &name, const std::string &text) {
  auto dir = std::filesystem::temp_directory_path() / "mcusim-battery-tests";
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

BatteryOptions options() {
  BatteryOptions o;
  o.preset_dirs = {presets()};
  return o;
}

/// A run of `uj` µJ over `seconds` priced at 3.0 V and 25 °C; with
/// `invocations`, two layers whose cycles per invocation take 4 ms at 100 MHz.
RunReport report(double uj, double seconds, uint64_t invocations = 0) {
  RunReport r;
  r.firmware = "kws.elf";
  r.device = "testchip";
  r.mhz = 100;
  r.stop_reason = "exited";
  r.simulated_seconds = seconds;
  power::RunEnergy e;
  e.seconds = seconds;
  e.energy_uj = uj;
  e.average_mw = uj / seconds / 1e3;
  e.model.voltage_v = 3.0;
  e.model.temperature_c = 25;
  r.energy = e;
  if (invocations) {
    RunReport::Layer a, b;
    a.name = "conv1", a.invocations = invocations, a.cycles = 300'000 * invocations;
    b.name = "fc1", b.node = 1, b.invocations = invocations, b.cycles = 100'000 * invocations;
    r.layers = {a, b};
    r.layer_invocations = invocations;
    r.uj_per_inference = 160;
  }
  return r;
}

/// Figures with a stop2 deep-sleep state of 2 µA that doubles every 10 °C above 25 °C.
PowerDesc device_power() {
  PowerDesc p;
  p.voltage_v = 3.0;
  p.reference_c = 25;
  p.leakage_doubling_c = 10;
  p.deep_sleep = "stop2";
  LowPowerState sleep{"sleep", PowerStateKind::Sleep, 10, 20, 1, ""};
  LowPowerState stop2{"stop2", PowerStateKind::Stop, 2, 0, 5, ""};
  LowPowerState standby{"standby", PowerStateKind::Standby, 0.3, 0, 50, ""};
  p.states = {sleep, stop2, standby};
  return p;
}

power::Scenario prepared(const BatteryOptions &o) {
  auto s = prepare_battery_scenario(o);
  INFO((s ? std::string() : s.error().message));
  REQUIRE(s);
  return *s;
}

BatteryProjection projected(const RunReport &r, const BatteryOptions &o, const PowerDesc *p) {
  auto b = project_run(r, prepared(o), o, p);
  INFO((b ? std::string() : b.error().message));
  REQUIRE(b);
  return *b;
}

BatteryError error_of(const RunReport &r, const BatteryOptions &o, const PowerDesc *p) {
  auto b = project_run(r, prepared(o), o, p);
  REQUIRE_FALSE(b);
  CHECK(b.error().message.find('\n') == std::string::npos);
  return b.error();
}

BatteryError prepare_error(const BatteryOptions &o) {
  auto s = prepare_battery_scenario(o);
  REQUIRE_FALSE(s);
  CHECK(s.error().message.find('\n') == std::string::npos);
  return s.error();
}

bool contains(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_CASE("periods and burst durations take s, ms, min and h") {
  CHECK(*parse_period("1s") == 1);
  CHECK(*parse_period("250ms") == doctest::Approx(0.25));
  CHECK(*parse_period("5min") == 300);
  CHECK(*parse_period("2h") == 7200);
  CHECK(*parse_period("10") == 10);
  CHECK(*parse_period("1.5e1s") == 15);
  CHECK(*parse_burst_duration("3") == doctest::Approx(0.003));
  CHECK(*parse_burst_duration("3ms") == doctest::Approx(0.003));
  CHECK(parse_period("0s").error() == "the period must be greater than 0 (got '0s')");
  CHECK(parse_period("-1s").error() == "the period must be greater than 0 (got '-1s')");
  CHECK(parse_period("1d").error() == "'1d': unknown unit 'd' (s, ms, min or h)");
  CHECK(contains(parse_period("soon").error(), "'soon' is not a period"));
  CHECK_FALSE(parse_period(""));
  CHECK_FALSE(parse_period("nan"));
  CHECK_FALSE(parse_period("1e999s"));
}

TEST_CASE("--load NAME=UA and --burst NAME=MJ/EVERY[/DURATION]") {
  auto l = parse_load_option("mic=150");
  REQUIRE(l);
  CHECK(l->name == "mic");
  CHECK(*l->current_ua == 150);
  CHECK_FALSE(l->energy_mj);
  CHECK_FALSE(parse_load_option("mic"));
  CHECK_FALSE(parse_load_option("=5"));
  CHECK_FALSE(parse_load_option("mic=-1"));
  CHECK_FALSE(parse_load_option("mic=5uA"));
  auto b = parse_burst_option("radio=0.3/10/3ms");
  REQUIRE(b);
  CHECK(b->name == "radio");
  CHECK(*b->energy_mj == doctest::Approx(0.3));
  CHECK(b->every_runs == 10);
  CHECK(*b->duration_s == doctest::Approx(0.003));
  auto b2 = parse_burst_option("ble=1/1");
  REQUIRE(b2);
  CHECK_FALSE(b2->duration_s);
  CHECK_FALSE(parse_burst_option("radio=0.3"));
  CHECK(contains(parse_burst_option("radio=0.3/0").error(), "EVERY must be a whole number of runs, 1 or more"));
  CHECK_FALSE(parse_burst_option("radio=0.3/2.5"));
  CHECK_FALSE(parse_burst_option("radio=x/2"));
  CHECK_FALSE(parse_burst_option("radio=1/2/0ms"));
  CHECK_FALSE(parse_burst_option("radio=1/2/3/4"));
  CHECK(*parse_regulator("smps") == power::RegulatorKind::Smps);
  CHECK(*parse_regulator("DCDC") == power::RegulatorKind::Smps);
  CHECK(*parse_regulator("ldo") == power::RegulatorKind::Ldo);
  CHECK(parse_regulator("buck").error() == "unknown supply 'buck' (none, ldo or smps)");
}

TEST_CASE("a low-power state's current: fixed, per MHz for sleep, doubled per leakage_doubling_c above the reference") {
  PowerDesc p = device_power();
  CHECK(p.deep_sleep_state()->name == "stop2");
  CHECK(p.state("STANDBY")->name == "standby");
  CHECK(p.state("stop3") == nullptr);
  CHECK(mcusim::power::low_power_ua(p, *p.state("stop2"), 100, 25) == doctest::Approx(2));
  CHECK(mcusim::power::low_power_ua(p, *p.state("stop2"), 100, 35) == doctest::Approx(4));
  CHECK(mcusim::power::low_power_ua(p, *p.state("stop2"), 100, 45) == doctest::Approx(8));
  CHECK(mcusim::power::low_power_ua(p, *p.state("stop2"), 100, 0) == doctest::Approx(2));
  CHECK(mcusim::power::low_power_ua(p, *p.state("sleep"), 48, 25) == doctest::Approx(10 + 20 * 48));
  p.leakage_doubling_c = 0;
  CHECK(mcusim::power::low_power_ua(p, *p.state("stop2"), 100, 85) == doctest::Approx(2));
}

TEST_CASE("a whole run of 30 uJ in 10 ms every second on a CR2032 is 10 uA average: about 2.5 years") {
  // 30 µJ / (3.0 V · 10 ms) = 1 mA for 10 ms per second: 10 µA average when asleep at 0 µA.
  BatteryOptions o = options();
  o.battery_preset = "cr2032";
  o.period_s = 1;
  o.sleep_ua = 0;
  o.temperature_c = 20;
  BatteryProjection b = projected(report(30, 0.010), o, nullptr);
  CHECK(b.per == BatteryPer::Run);
  CHECK(*b.scenario.run.current_ua == doctest::Approx(1000));
  CHECK(b.scenario.run.duration_s == doctest::Approx(0.010));
  CHECK(b.projection.average_ma == doctest::Approx(0.010));
  CHECK(b.projection.life_years_without_self_discharge == doctest::Approx(225.0 / 0.010 / 8766));
  CHECK(b.projection.life_years == doctest::Approx(2.503).epsilon(0.001));
  CHECK(b.projection.average_mw == doctest::Approx(0.030));
  CHECK(b.projection.dominant == "run");
}

TEST_CASE("the sleep phase is the device's deep-sleep state at the temperature, or the state --sleep names") {
  PowerDesc p = device_power();
  BatteryOptions o = options();
  o.battery_preset = "cr2032";
  o.period_s = 1;
  BatteryProjection b = projected(report(30, 0.010), o, &p);
  CHECK(b.scenario.temperature_c == 25); // the run's
  CHECK(b.scenario.sleep.mode == "stop2");
  CHECK(b.scenario.sleep.current_ua == doctest::Approx(2));
  // (1 mA · 10 ms + 2 µA · 990 ms) / 1 s
  CHECK(b.projection.average_ma == doctest::Approx(0.010 + 0.002 * 0.990));
  CHECK(contains(b.sleep_phase, "stop2 (testchip's deep-sleep state) at 25 °C: 2 µA"));
  o.temperature_c = 35;
  CHECK(projected(report(30, 0.010), o, &p).scenario.sleep.current_ua == doctest::Approx(4));
  o.sleep_state = "standby";
  BatteryProjection s = projected(report(30, 0.010), o, &p);
  CHECK(s.scenario.sleep.mode == "standby");
  CHECK(s.scenario.sleep.current_ua == doctest::Approx(0.3 * 2));
}

TEST_CASE("one inference per period: uj_per_inference over the layers' time per invocation") {
  BatteryOptions o = options();
  o.battery_preset = "cr2032";
  o.period_s = 1;
  o.sleep_ua = 1;
  RunReport r = report(500, 0.010, 2); // 400,000 layer cycles per invocation at 100 MHz: 4 ms
  BatteryProjection b = projected(r, o, nullptr);
  CHECK(b.per == BatteryPer::Inference);
  CHECK(b.scenario.run.duration_s == doctest::Approx(0.004));
  CHECK(*b.scenario.run.current_ua == doctest::Approx(160.0 / (3.0 * 0.004)));
  // The charge: 160 µJ / 3 V = 53.3 µC, plus 1 µA for 996 ms.
  CHECK(b.projection.average_ma == doctest::Approx((160.0 / 3.0 + 0.996) / 1e3));
  CHECK(contains(b.run_phase, "one inference (2 in the run): 160 µJ in 4 ms"));
  o.per = BatteryPer::Run;
  BatteryProjection whole = projected(r, o, nullptr);
  CHECK(whole.per == BatteryPer::Run);
  CHECK(whole.scenario.run.duration_s == doctest::Approx(0.010));
  CHECK(whole.projection.average_ma > b.projection.average_ma);
}

TEST_CASE("a scenario file without [run] gives battery, supply, duty, sleep, loads and ambient, and options override it") {
  std::string file = write_file("no-run.toml", R"([battery]
preset = "cr2032"
[supply]
regulator = "ldo"
voltage = 1.8
quiescent_ua = 0.5
[duty]
period_s = 10
[sleep]
mode = "stop2"
current_ua = 3
[[load]]
name = "radio"
energy_mj = 0.3
every_runs = 10
[ambient]
temperature_c = 30
)");
  BatteryOptions o = options();
  o.scenario_file = file;
  power::Scenario s = prepared(o);
  CHECK_FALSE(s.given.run);
  CHECK(s.given.sleep);
  BatteryProjection b = projected(report(30, 0.010), o, nullptr);
  CHECK(b.scenario.period_s == 10);
  CHECK(b.scenario.temperature_c == 30);
  CHECK(b.scenario.sleep.current_ua == 3);
  CHECK(b.scenario.supply.regulator == power::RegulatorKind::Ldo);
  REQUIRE(b.scenario.loads.size() == 1);
  // (1 mA · 10 ms + 3 µA · 9.99 s + 0.3 mJ / 1.8 V / 10 + 0.5 µA · 10 s) / 10 s
  CHECK(b.projection.average_ma == doctest::Approx((0.010 + 0.003 * 9.99 + 0.3 / 1.8 / 10 + 0.0005 * 10) / 10));
  // Options override: the period, the battery, the sleep state, the temperature, more loads.
  PowerDesc p = device_power();
  o.period_s = 2;
  o.battery_preset = "cr2450";
  o.sleep_state = "stop2";
  o.temperature_c = 25;
  o.loads.push_back(*parse_load_option("mic=100"));
  BatteryProjection b2 = projected(report(30, 0.010), o, &p);
  CHECK(b2.scenario.period_s == 2);
  CHECK(b2.scenario.battery.name == "cr2450");
  CHECK(b2.scenario.sleep.current_ua == doctest::Approx(2));
  CHECK(b2.scenario.loads.size() == 2);
  // The scenario's supply replaced by --supply smps.
  o.regulator = power::RegulatorKind::Smps;
  o.supply_v = 1.8;
  o.efficiency = 0.9;
  CHECK(projected(report(30, 0.010), o, &p).scenario.supply.efficiency == doctest::Approx(0.9));
}

TEST_CASE("the file's [run] is replaced by the run's energy") {
  std::string file = write_file("with-run.toml", "[battery]\npreset = \"cr2032\"\n[supply]\nregulator = \"none\"\n"
                                                 "[run]\nenergy_uj = 99999\nduration_ms = 900\n[duty]\nperiod_s = 1\n"
                                                 "[sleep]\ncurrent_ua = 0\n");
  BatteryOptions o = options();
  o.scenario_file = file;
  BatteryProjection b = projected(report(30, 0.010), o, nullptr);
  CHECK(b.projection.average_ma == doctest::Approx(0.010));
  REQUIRE(b.notes.size() == 1);
  CHECK(b.notes[0] == "the scenario's [run] is replaced by the run");
  CHECK(contains(render_battery_text(b), "\nnote: the scenario's [run] is replaced by the run\n"));
}

TEST_CASE("bad inputs: one line and the exit code each") {
  BatteryOptions o = options();
  o.period_s = 1;
  o.sleep_ua = 0;
  // No battery: a usage error naming the presets.
  BatteryError none = prepare_error(o);
  CHECK(none.exit_code == kExitUsage);
  CHECK(contains(none.message, "no battery: give --battery PRESET (18650-li-ion, 2xaa-alkaline, cr2032"));
  // An unknown preset: 80.
  o.battery_preset = "cr2033";
  BatteryError unknown = prepare_error(o);
  CHECK(unknown.exit_code == kExitBadScenario);
  CHECK(contains(unknown.message, "unknown battery preset 'cr2033'"));
  // A missing battery file: 66; a malformed one: 80.
  o.battery_preset.clear();
  o.battery_file = "/nonexistent/cell.toml";
  CHECK(prepare_error(o).exit_code == kExitNoInput);
  o.battery_file = write_file("bad-cell.toml", "name = \"x\"\nnominal = 3\n");
  BatteryError bad_cell = prepare_error(o);
  CHECK(bad_cell.exit_code == kExitBadScenario);
  CHECK(contains(bad_cell.message, "bad-cell.toml"));
  // A missing scenario: 66; a malformed one: 80 with its line.
  o.battery_file.clear();
  o.battery_preset = "cr2032";
  o.scenario_file = "/nonexistent/scenario.toml";
  CHECK(prepare_error(o).exit_code == kExitNoInput);
  o.scenario_file = write_file("bad-scenario.toml", "[duty]\nperiod_s = -1\n");
  BatteryError bad = prepare_error(o);
  CHECK(bad.exit_code == kExitBadScenario);
  CHECK(contains(bad.message, "bad-scenario.toml:2: malformed battery scenario: 'duty.period_s' must be greater than 0"));
  o.scenario_file = write_file("no-battery.toml", "[duty]\nperiod_s = 1\n");
  o.battery_preset.clear();
  CHECK(prepare_error(o).exit_code == kExitBadScenario); // the file must then give the battery
  o.battery_preset = "cr2032";
  o.scenario_file.clear();
  // No period: 64; a zero period: 64.
  o.period_s.reset();
  CHECK(prepare_error(o).exit_code == kExitUsage);
  o.period_s = 0;
  CHECK(prepare_error(o).exit_code == kExitUsage);
  o.period_s = 1;
  // A regulator without its voltage or efficiency: 64.
  o.regulator = power::RegulatorKind::Smps;
  CHECK(contains(prepare_error(o).message, "--supply smps needs --supply-v"));
  o.supply_v = 1.8;
  CHECK(contains(prepare_error(o).message, "--supply smps needs --efficiency"));
  o.efficiency = 1.5;
  CHECK(prepare_error(o).exit_code == kExitUsage);
  o.regulator.reset();
  o.supply_v.reset();
  o.efficiency.reset();

  // A report without energy: 83, saying the device has no power figures.
  RunReport plain = report(30, 0.010);
  plain.energy.reset();
  plain.energy_note = "testchip has no [power] section";
  BatteryError no_energy = error_of(plain, o, nullptr);
  CHECK(no_energy.exit_code == kExitNoPower);
  CHECK(no_energy.message ==
        "kws.elf on testchip: the run has no energy: testchip has no power figures ([power] in its device file) "
        "(testchip has no [power] section)");
  // The sleep from a device without figures, or an unknown state: 83.
  o.sleep_ua.reset();
  CHECK(error_of(report(30, 0.010), o, nullptr).exit_code == kExitNoPower);
  PowerDesc p = device_power();
  o.sleep_state = "stop3";
  BatteryError state = error_of(report(30, 0.010), o, &p);
  CHECK(state.exit_code == kExitNoPower);
  CHECK(state.message == "unknown low-power state 'stop3' of testchip (states: sleep, stop2, standby)");
  o.sleep_state.clear();
  // --per inference without invocations: 64.
  o.per = BatteryPer::Inference;
  CHECK(error_of(report(30, 0.010), o, &p).exit_code == kExitUsage);
  o.per = BatteryPer::Auto;
  // A run longer than the period: an impossible duty cycle, 80.
  o.period_s = 0.005;
  BatteryError longer = error_of(report(30, 0.010), o, &p);
  CHECK(longer.exit_code == kExitBadScenario);
  // (10 ms of run and the wake-up from the deep-sleep state)
  CHECK(contains(longer.message, "impossible battery scenario: the run (10."));
  CHECK(contains(longer.message, " ms) is longer than the period (0.005 s)"));
  // A burst longer than the time between bursts: 80.
  o.period_s = 1;
  o.loads.push_back(*parse_burst_option("radio=1/1/2s"));
  CHECK(error_of(report(30, 0.010), o, &p).exit_code == kExitBadScenario);
}

TEST_CASE("the projection as text, JSON and Markdown") {
  BatteryOptions o = options();
  o.battery_preset = "cr2032";
  o.period_s = 1;
  o.sleep_ua = 0;
  o.temperature_c = 20;
  BatteryProjection b = projected(report(30, 0.010), o, nullptr);
  std::string text = render_battery_text(b);
  CHECK(contains(text, "mcusim battery: kws.elf on testchip at 100 MHz, one run every 1 s\n"));
  CHECK(contains(text, "\nrun phase       the whole run: 30 µJ in 10 ms, 1 mA at 3 V\n"));
  CHECK(contains(text, "\nlife in days    914.0 days = 2.50 years\n"));
  CHECK(contains(text, "\naverage         10 µA at the battery"));
  auto j = nlohmann::json::parse(render_battery_json(b));
  CHECK(j["schema"] == "mcusim-battery");
  CHECK(j["per"] == "run");
  CHECK(j["average_ma"].get<double>() == doctest::Approx(0.010));
  CHECK(j["life_years"].get<double>() == doctest::Approx(2.503).epsilon(0.001));
  CHECK(j["battery"]["name"] == "cr2032");
  CHECK(j["shares"].size() == 3);
  std::string md = render_battery_markdown(b);
  CHECK(contains(md, "### Battery life: kws.elf on testchip at 100 MHz"));
  CHECK(contains(md, "| life | **914.0 days = 2.50 years** |"));
}

TEST_CASE("mcusim run --scenario: the projection follows a text report on stdout, and goes to stderr beside a JSON or HTML one") {
  RunRequest req;
  CHECK_FALSE(projection_on_stderr(req)); // no report: stdout, after the firmware's output
  req.report_format = "text";
  CHECK_FALSE(projection_on_stderr(req));
  req.report_format = "markdown";
  CHECK_FALSE(projection_on_stderr(req));
  req.report_format = "json";
  CHECK(projection_on_stderr(req));
  req.report_format = "html";
  CHECK(projection_on_stderr(req));
  req.report_out = "r.json"; // the report in a file: stdout is free
  CHECK_FALSE(projection_on_stderr(req));
}
