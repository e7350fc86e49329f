// The [power] section of device files: parsing, the checks, run-row selection,
// and the figures of every bundled device.
#include "base/device.h"

#include <doctest/doctest.h>
#include <string>
#include <toml++/toml.h>

using namespace mcusim;

namespace {

const char *kDevice = R"(
schema = 1
name = "power-chip"
core = "cortex-m4f"
[clock]
default_mhz = 80
max_mhz = 120
[vector_table]
address = 0x08000000
[[memory]]
name = "flash"
kind = "flash"
base = 0x08000000
size = 0x40000
access = "rx"
[[memory]]
name = "sram"
kind = "sram"
base = 0x20000000
size = 0x10000
access = "rwx"
)";

const char *kPower = R"(
[power]
voltage_v = 3.0
reference_c = 25
leakage_doubling_c = 12
default_mode = "range1"
deep_sleep = "stop2"
source = "test"
notes = "test"
[[power.run]]
location = "flash"
mode = "range1"
max_mhz = 80
fixed_ua = 500
ua_per_mhz = 100
source = "flash range1 low"
[[power.run]]
location = "flash"
mode = "range1"
max_mhz = 120
fixed_ua = 900
ua_per_mhz = 110
source = "flash range1 high"
[[power.run]]
location = "sram"
mode = "range1"
max_mhz = 120
fixed_ua = 400
ua_per_mhz = 90
source = "sram range1"
[[power.run]]
location = "flash"
mode = "range2"
max_mhz = 26
fixed_ua = 300
ua_per_mhz = 80
source = "flash range2"
[[power.state]]
name = "sleep"
kind = "sleep"
fixed_ua = 100
ua_per_mhz = 30
wakeup_us = 0.2
source = "sleep"
[[power.state]]
name = "stop2"
kind = "stop"
fixed_ua = 1.5
wakeup_us = 5
source = "stop2"
[[power.state]]
name = "standby"
kind = "standby"
fixed_ua = 0.1
wakeup_us = 50
[power.weights]
mac_pj = 2.5
fpu_pj = 0
)";

std::string good() { return std::string(kDevice) + kPower; }

/// The good text with the first `from` replaced by `to`.
std::string with(const std::string &from, const std::string &to) {
  std::string t = good();
  auto at = t.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  t.replace(at, from.size(), to);
  return t;
}

/// The one-line error of a text that must not load.
std::string error_of(const std::string &text) {
  auto d = parse_device(text, "p.toml");
  REQUIRE_FALSE(d);
  CHECK(d.error().kind == ErrorKind::BadDevice);
  CHECK(d.error().message.find('\n') == std::string::npos);
  CHECK(d.error().message.rfind("p.toml:", 0) == 0);
  return d.error().message;
}

bool has(const std::string &haystack, const std::string &needle) {
  if (haystack.find(needle) != std::string::npos) return true;
  MESSAGE("'", needle, "' not in: ", haystack);
  return false;
}

} // namespace

TEST_CASE("device power: a good [power] section parses into Device::power") {
  auto d = parse_device(good(), "p.toml");
  REQUIRE(d);
  REQUIRE(d->power);
  const PowerDesc &p = *d->power;
  CHECK(p.voltage_v == 3.0);
  CHECK(p.reference_c == 25);
  CHECK(p.leakage_doubling_c == 12);
  CHECK(p.default_mode == "range1");
  CHECK(p.deep_sleep == "stop2");
  CHECK(p.source == "test");
  REQUIRE(p.run.size() == 4);
  CHECK(p.run[2].location == CodeLocation::Ram);
  CHECK(p.run[2].fixed_ua == 400);
  CHECK(p.run[2].ua_per_mhz == 90);
  CHECK(p.run[2].source == "sram range1");
  REQUIRE(p.states.size() == 3);
  CHECK(p.states[1].kind == PowerStateKind::Stop);
  CHECK(p.states[1].wakeup_us == 5);
  CHECK(p.states[1].ua_per_mhz == 0);
  CHECK(p.weights.mac_pj == 2.5);
  CHECK_FALSE(p.weights.neutral());
  CHECK(p.modes() == std::vector<std::string>{"range1", "range2"});
  REQUIRE(p.sleep_state());
  CHECK(p.sleep_state()->name == "sleep");
  REQUIRE(p.deep_sleep_state());
  CHECK(p.deep_sleep_state()->name == "stop2");
  CHECK(p.state("STANDBY") == &p.states[2]); // case-insensitive
  CHECK(p.state("stop1") == nullptr);
  // No [sleep] table: the Sleep state's wake-up becomes the device's.
  CHECK(d->wakeup_us == 0.2);
  CHECK(std::string(code_location_name(CodeLocation::Flash)) == "flash");
  CHECK(std::string(code_location_name(CodeLocation::Ram)) == "sram");
  CHECK(std::string(power_state_kind_name(PowerStateKind::Sleep)) == "sleep");
  CHECK(std::string(power_state_kind_name(PowerStateKind::Stop)) == "stop");
  CHECK(std::string(power_state_kind_name(PowerStateKind::Standby)) == "standby");
}

TEST_CASE("device power: a file without [power] loads with no power figures and weights default to neutral") {
  auto d = parse_device(kDevice, "p.toml");
  REQUIRE(d);
  CHECK_FALSE(d->power);
  CHECK(d->wakeup_us == 0);
  auto w = parse_device(with("[power.weights]\nmac_pj = 2.5\nfpu_pj = 0\n", ""), "p.toml");
  REQUIRE(w);
  CHECK(w->power->weights.neutral());
}

TEST_CASE("device power: run_row picks by clock, mode and location, Ram falling back to Flash") {
  auto d = parse_device(good(), "p.toml");
  REQUIRE(d);
  const PowerDesc &p = *d->power;
  // default mode (range1), flash: first row whose max_mhz covers the clock
  CHECK(p.run_row(CodeLocation::Flash, 48)->source == "flash range1 low");
  CHECK(p.run_row(CodeLocation::Flash, 80)->source == "flash range1 low");
  CHECK(p.run_row(CodeLocation::Flash, 100)->source == "flash range1 high");
  CHECK(p.run_row(CodeLocation::Flash, 500)->source == "flash range1 high"); // above every row: the last
  CHECK(p.run_row(CodeLocation::Ram, 100)->source == "sram range1");
  CHECK(p.run_row(CodeLocation::Flash, 16, "range2")->source == "flash range2");
  CHECK(p.run_row(CodeLocation::Flash, 16, "RANGE2")->source == "flash range2");
  // range2 has no sram row: Ram falls back to the Flash row of that mode
  CHECK(p.run_row(CodeLocation::Ram, 16, "range2")->source == "flash range2");
  CHECK(p.run_row(CodeLocation::Flash, 16, "boost") == nullptr);
  CHECK(p.run_row(CodeLocation::Ram, 16, "boost") == nullptr);

  // Without default_mode the first row's mode is the default; "" is a mode of its own.
  auto nd = parse_device(with("default_mode = \"range1\"\n", ""), "p.toml");
  REQUIRE(nd);
  CHECK(nd->power->run_row(CodeLocation::Flash, 10)->source == "flash range1 low");
  auto nd2 = parse_device(with("default_mode = \"range1\"\n", "default_mode = \"range2\"\n"), "p.toml");
  REQUIRE(nd2);
  CHECK(nd2->power->run_row(CodeLocation::Ram, 10)->source == "flash range2");

  // max_mhz = 0 applies at any clock.
  PowerDesc any;
  any.run.push_back({CodeLocation::Flash, "", 0, 1, 2, "any"});
  CHECK(any.run_row(CodeLocation::Flash, 1000)->source == "any");
  CHECK(any.run_row(CodeLocation::Ram, 1)->source == "any");
  CHECK(PowerDesc{}.run_row(CodeLocation::Flash, 10) == nullptr);
  CHECK(PowerDesc{}.sleep_state() == nullptr);
  CHECK(PowerDesc{}.deep_sleep_state() == nullptr);
}

TEST_CASE("device power: every check refuses a bad section with a one-line message naming file, line and key") {
  // Numbers: finite, in range, the right type.
  CHECK(has(error_of(with("voltage_v = 3.0", "voltage_v = 0")), "'power.voltage_v' must be greater than 0"));
  CHECK(has(error_of(with("voltage_v = 3.0", "voltage_v = nan")), "'power.voltage_v' must be a finite number"));
  CHECK(has(error_of(with("voltage_v = 3.0", "voltage_v = \"3\"")), "'power.voltage_v' has the wrong type"));
  CHECK(has(error_of(with("reference_c = 25", "reference_c = 400")), "'power.reference_c' must be at least -55"));
  CHECK(has(error_of(with("leakage_doubling_c = 12", "leakage_doubling_c = 0")), "'power.leakage_doubling_c' must be greater than 0"));
  CHECK(has(error_of(with("fixed_ua = 500", "fixed_ua = -1")), "'power.run[0].fixed_ua' must be at least 0 and below 1000000 µA (1 A)"));
  CHECK(has(error_of(with("fixed_ua = 500", "fixed_ua = 1e6")), "'power.run[0].fixed_ua' must be at least 0 and below"));
  CHECK(has(error_of(with("ua_per_mhz = 100", "ua_per_mhz = inf")), "'power.run[0].ua_per_mhz' must be a finite number"));
  CHECK(has(error_of(with("max_mhz = 80", "max_mhz = -5")), "'power.run[0].max_mhz' must be at least 0"));
  CHECK(has(error_of(with("fixed_ua = 1.5", "fixed_ua = -0.1")), "'power.state.stop2.fixed_ua' must be at least 0"));
  CHECK(has(error_of(with("wakeup_us = 50", "wakeup_us = 2e6")), "'power.state.standby.wakeup_us' must be at least 0 and at most 1e+06"));
  CHECK(has(error_of(with("wakeup_us = 50", "wakeup_us = -1")), "'power.state.standby.wakeup_us' must be at least 0"));
  CHECK(has(error_of(with("mac_pj = 2.5", "mac_pj = -2.5")), "'power.weights.mac_pj' must be at least 0"));
  // Required keys.
  CHECK(has(error_of(with("voltage_v = 3.0\n", "")), "missing key 'power.voltage_v'"));
  CHECK(has(error_of(with("deep_sleep = \"stop2\"\n", "")), "missing key 'power.deep_sleep'"));
  CHECK(has(error_of(with("fixed_ua = 500\n", "")), "missing key 'power.run[0].fixed_ua'"));
  CHECK(has(error_of(with("wakeup_us = 5\n", "")), "missing key 'power.state.stop2.wakeup_us'"));
  // Unknown keys, anywhere in the section.
  CHECK(has(error_of(with("voltage_v = 3.0", "voltage_v = 3.0\nvoltage = 3")), "unknown key 'power.voltage'"));
  CHECK(has(error_of(with("max_mhz = 80", "max_mhz = 80\nmin_mhz = 1")), "unknown key 'power.run[0].min_mhz'"));
  CHECK(has(error_of(with("wakeup_us = 5", "wakeup_us = 5\nwake_us = 5")), "unknown key 'power.state.stop2.wake_us'"));
  CHECK(has(error_of(with("mac_pj = 2.5", "mac_pj = 2.5\nalu_pj = 1")), "unknown key 'power.weights.alu_pj'"));
  // Names and kinds.
  CHECK(has(error_of(with("location = \"sram\"", "location = \"ram\"")), "'power.run[2].location' must be \"flash\" or \"sram\""));
  CHECK(has(error_of(with("kind = \"standby\"", "kind = \"off\"")), "'power.state.standby.kind' must be \"sleep\", \"stop\" or \"standby\""));
  CHECK(has(error_of(with("name = \"standby\"", "name = \"stop2\"")), "two power states are named 'stop2'"));
  CHECK(has(error_of(with("name = \"standby\"", "name = \"stand by\"")), "a power state's name must be"));
  CHECK(has(error_of(with("mode = \"range2\"", "mode = \"range 2\"")), "'power.run[3].mode' must be a name"));
  // At least one flash row (and one per mode).
  CHECK(has(error_of(with("location = \"flash\"\nmode = \"range2\"", "location = \"sram\"\nmode = \"range2\"")),
            "mode 'range2' has no row with location = \"flash\""));
  // Rows of one location and mode rise in max_mhz; 0 (any clock) only last.
  CHECK(has(error_of(with("max_mhz = 120\nfixed_ua = 900", "max_mhz = 60\nfixed_ua = 900")), "must have rising max_mhz"));
  CHECK(has(error_of(with("max_mhz = 80", "max_mhz = 0")), "must have rising max_mhz"));
  // At most one sleep state.
  CHECK(has(error_of(with("kind = \"standby\"", "kind = \"sleep\"")), "may have one state of kind \"sleep\" (has 2)"));
  // ua_per_mhz only for the sleep state.
  CHECK(has(error_of(with("fixed_ua = 1.5", "fixed_ua = 1.5\nua_per_mhz = 1")), "'power.state.stop2.ua_per_mhz' is only for states of kind sleep"));
  // deep_sleep names an existing stop or standby state; default_mode an existing mode.
  CHECK(has(error_of(with("deep_sleep = \"stop2\"", "deep_sleep = \"stop3\"")), "'power.deep_sleep' names no [[power.state]] ('stop3')"));
  CHECK(has(error_of(with("deep_sleep = \"stop2\"", "deep_sleep = \"sleep\"")), "must name a stop or standby state"));
  CHECK(has(error_of(with("default_mode = \"range1\"", "default_mode = \"boost\"")), "'power.default_mode' names no [[power.run]] mode ('boost')"));
  // Shapes.
  CHECK(has(error_of("power = 3\n" + std::string(kDevice)), "'power' must be a table"));
  CHECK(has(error_of(std::string(kDevice) + "[power]\nvoltage_v = 3\ndeep_sleep = \"x\"\n"), "missing [[power.run]] rows"));
  CHECK(has(error_of(with("[power.weights]", "[power.weights.x]")), "unknown key 'power.weights.x'"));
}

TEST_CASE("device power: the line of the offending key is in the message") {
  std::string t = with("ua_per_mhz = 80", "ua_per_mhz = -80");
  size_t line = 1;
  for (size_t i = 0; i < t.find("ua_per_mhz = -80"); ++i) line += t[i] == '\n';
  CHECK(has(error_of(t), "p.toml:" + std::to_string(line) + ": malformed device file: 'power.run[3].ua_per_mhz'"));
}

TEST_CASE("device power: [sleep] wakeup_us and the sleep state's wakeup_us must agree") {
  auto same = parse_device(good() + "[sleep]\nwakeup_us = 0.2\n", "p.toml");
  REQUIRE(same);
  CHECK(same->wakeup_us == 0.2);
  CHECK(has(error_of(good() + "[sleep]\nwakeup_us = 0.5\n"),
            "'power.state.sleep.wakeup_us' (0.2) differs from 'sleep.wakeup_us' (0.5)"));
  // [sleep] without [power] keeps working as before
  auto old = parse_device(std::string(kDevice) + "[sleep]\nwakeup_us = 0.5\n", "p.toml");
  REQUIRE(old);
  CHECK(old->wakeup_us == 0.5);
}

TEST_CASE("bundled devices: every one has power figures that are complete, sourced and ordered") {
  auto devices = list_devices();
  CHECK(devices.size() >= 13);
  for (const auto &d : devices) {
    CAPTURE(d.name);
    REQUIRE(d.power);
    const PowerDesc &p = *d.power;
    CHECK(p.voltage_v > 0);
    const RunCurrent *run = p.run_row(CodeLocation::Flash, d.default_mhz);
    REQUIRE(run);
    CHECK(run->location == CodeLocation::Flash);
    REQUIRE(p.run_row(CodeLocation::Ram, d.default_mhz));
    const LowPowerState *sleep = p.sleep_state();
    REQUIRE(sleep);
    const LowPowerState *deep = p.deep_sleep_state();
    REQUIRE(deep);
    CHECK(deep->kind != PowerStateKind::Sleep);
    CHECK(d.wakeup_us == sleep->wakeup_us);
    // standby <= stop <= sleep <= run at the default clock, every state of each kind
    const double run_ua = run->fixed_ua + run->ua_per_mhz * d.default_mhz;
    const double sleep_ua = sleep->fixed_ua + sleep->ua_per_mhz * d.default_mhz;
    CHECK(run_ua > 0);
    CHECK(sleep_ua <= run_ua);
    for (const auto &s : p.states) {
      CAPTURE(s.name);
      if (s.kind == PowerStateKind::Stop) CHECK(s.fixed_ua <= sleep_ua);
      if (s.kind != PowerStateKind::Standby) continue;
      for (const auto &o : p.states)
        if (o.kind == PowerStateKind::Stop) CHECK(s.fixed_ua <= o.fixed_ua);
    }
    // every figure sourced, estimates labelled as such
    CHECK(p.source.size() > 10);
    for (const auto &r : p.run) CHECK(r.source.size() > 10);
    for (const auto &s : p.states) CHECK(s.source.size() > 10);
    if (d.name.rfind("generic-", 0) == 0) CHECK(p.source.find("[ESTIMATE]") != std::string::npos);
    // every mode has a flash row at the default clock
    for (const auto &m : p.modes()) CHECK(p.run_row(CodeLocation::Flash, d.default_mhz, m));
  }
}
