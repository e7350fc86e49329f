/// Scenario TOML: what parses, and one line for every bad input.
#include "helpers.h"

#include <fstream>

using namespace mcusim::power;
using namespace mcusim::power::test;

namespace {

const std::string kGood = R"(title = "keyword spotter"
[battery]
preset = "cr2032"

[supply]
regulator = "ldo"
voltage = 1.8
quiescent_ua = 0.5

[run]
energy_uj = 2000
duration_ms = 50

[duty]
period_s = 1

[sleep]
mode = "stop2"
current_ua = 2

[[load]]
name = "microphone"
current_ua = 100

[[load]]
name = "radio"
energy_mj = 0.3
every_runs = 10
duration_ms = 3
rail = "battery"

[ambient]
temperature_c = 25
)";

/// kGood with one line replaced.
std::string with(const std::string &from, const std::string &to) {
  std::string s = kGood;
  auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

void check_one_line(const std::string &message, const std::string &part) {
  INFO(message);
  CHECK(message.find('\n') == std::string::npos);
  CHECK(message.rfind("bad.toml", 0) == 0);
  CHECK(message.find(part) != std::string::npos);
}

} // namespace

TEST_CASE("a full scenario parses into its parts") {
  Scenario s = scenario(kGood);
  CHECK(s.title == "keyword spotter");
  CHECK(s.battery.name == "cr2032");
  CHECK(s.supply.regulator == RegulatorKind::Ldo);
  CHECK(s.supply.voltage_v == 1.8);
  CHECK(s.supply.quiescent_ua == 0.5);
  CHECK(*s.run.energy_uj == 2000);
  CHECK(s.run.duration_s == doctest::Approx(0.050));
  CHECK(s.period_s == 1);
  CHECK(s.sleep.mode == "stop2");
  CHECK(s.sleep.current_ua == 2);
  REQUIRE(s.loads.size() == 2);
  CHECK(*s.loads[0].current_ua == 100);
  CHECK(*s.loads[1].energy_mj == 0.3);
  CHECK(s.loads[1].every_runs == 10);
  CHECK(*s.loads[1].duration_s == doctest::Approx(0.003));
  CHECK(s.loads[1].rail == Rail::Battery);
  CHECK(s.temperature_c == 25);
  // 2 mJ at 1.8 V over 50 ms is 22.2 mA at the rail, 1:1 through the LDO; the radio
  // 0.3 mJ / 3 V over 3 ms is 33 mA at the battery, plus 0.1 mA + 0.5 uA always on.
  Projection p = project(s);
  CHECK(p.peak_ma == doctest::Approx(0.3 / 3.0 / 0.003 + 0.1 + 0.0005));
  CHECK(p.average_ma == doctest::Approx(2.0 / 1.8 + 0.002 * 0.95 + 0.1 + 0.1 / 10 + 0.0005));
  CHECK(p.dominant == "run");
}

TEST_CASE("an inline custom cell and a cell file use the preset schema") {
  Scenario inline_cell = scenario(R"([battery]
name = "my-cell"
series = 2
[battery.voltage]
nominal_v = 1.2
cutoff_v = 1.0
[[battery.capacity]]
current_ma = 10
capacity_mah = 2000
[[battery.capacity]]
current_ma = 100
capacity_mah = 1800
[battery.self_discharge]
pct_per_year = 10
[supply]
regulator = "smps"
voltage = 1.8
efficiency = 0.85
[run]
current_ua = 3000
duration_ms = 10
[duty]
period_s = 60
[sleep]
current_ua = 1.5
)");
  CHECK(inline_cell.battery.name == "my-cell");
  CHECK(inline_cell.battery.pack_nominal_v() == doctest::Approx(2.4));
  CHECK(inline_cell.battery.capacity.size() == 2);
  CHECK(inline_cell.battery.capacity_mah(100) == doctest::Approx(1800));
  CHECK(inline_cell.supply.efficiency == 0.85);

  auto from_file = load_scenario(data("custom-scenario.toml"), presets());
  INFO((from_file ? std::string() : from_file.error().message));
  REQUIRE(from_file);
  CHECK(from_file->battery.name == "custom-nimh-aaa");
  CHECK(from_file->battery.series == 3); // the scenario overrides the file's 1
  CHECK(from_file->battery.pack_nominal_v() == doctest::Approx(3.6));
}

TEST_CASE("a preset can be given more cells, defaults apply where optional keys are absent") {
  Scenario s = scenario(R"([battery]
preset = "CR2032"
parallel = 2
[supply]
regulator = "none"
[run]
current_ua = 100
duration_ms = 1
[duty]
period_s = 1
[sleep]
current_ua = 1
)");
  CHECK(s.battery.parallel == 2);
  CHECK(s.battery.rated_capacity_mah() == doctest::Approx(450));
  CHECK(s.temperature_c == 20);
  CHECK(s.supply.quiescent_ua == 0);
  CHECK(project(s).rail_v == doctest::Approx(3.0));
}

TEST_CASE("every bad input gives one line naming the file, the key and the problem") {
  check_one_line(error_of(with("period_s = 1", "period_s = nan")), ":15: malformed battery scenario: 'duty.period_s' must be a finite number of seconds (got nan)");
  check_one_line(error_of(with("period_s = 1", "period_s = inf")), "'duty.period_s' must be a finite number");
  check_one_line(error_of(with("period_s = 1", "period_s = -1")), ":15: malformed battery scenario: 'duty.period_s' must be greater than 0");
  check_one_line(error_of(with("period_s = 1", "period_s = 0")), "'duty.period_s' must be greater than 0");
  check_one_line(error_of(with("period_s = 1", "period_s = \"1\"")), "'duty.period_s' must be a number of seconds, not a string");
  check_one_line(error_of(with("period_s = 1", "")), "missing 'duty.period_s' (the time from one run to the next");
  check_one_line(error_of(with("[duty]\nperiod_s = 1", "")), "missing 'duty' ([duty] with period_s)");
  check_one_line(error_of(with("current_ua = 2", "current_ua = -2")), "'sleep.current_ua' must not be negative (got -2)");
  check_one_line(error_of(with("current_ua = 2", "current_ua = [2]")), "'sleep.current_ua' must be a number of microamperes, not an array");
  check_one_line(error_of(with("current_ua = 2", "")), "missing 'sleep.current_ua'");
  check_one_line(error_of(with("temperature_c = 25", "temperature_c = nan")), "'ambient.temperature_c' must be a finite number");
  check_one_line(error_of(with("voltage = 1.8", "voltage = 0")), "'supply.voltage' must be greater than 0 volts");
  check_one_line(error_of(with("voltage = 1.8", "voltage = 3.3")), "an LDO cannot make 3.3 V (dropout 0 V) from a 3 V battery");
  check_one_line(error_of(with("voltage = 1.8", "")), "missing 'supply.voltage' (the MCU's rail voltage after the ldo)");
  check_one_line(error_of(with("regulator = \"ldo\"", "regulator = \"buck\"")), "'supply.regulator' must be \"none\", \"ldo\" or \"smps\" (got \"buck\")");
  check_one_line(error_of(with("regulator = \"ldo\"", "regulator = \"smps\"")), "missing 'supply.efficiency'");
  check_one_line(error_of(with("quiescent_ua = 0.5", "efficiency = 0.6")), "'supply.efficiency' applies to \"smps\" only (an LDO's efficiency is V_out/V_in)");
  check_one_line(error_of(with("regulator = \"ldo\"\nvoltage = 1.8", "regulator = \"smps\"\nefficiency = 1.5\nvoltage = 1.8")),
                 "'supply.efficiency' must be at most 1 (a fraction) (got 1.5)");
  check_one_line(error_of(with("energy_uj = 2000", "energy_uj = 2000\ncurrent_ua = 5")), "'run.energy_uj' and 'run.current_ua' both given");
  check_one_line(error_of(with("duration_ms = 50", "duration_ms = 5000")), "'run.duration_ms' (5000 ms) is longer than 'duty.period_s' (1 s)");
  check_one_line(error_of(with("every_runs = 10", "every_runs = 0")), "'load[1].every_runs' must be from 1 to");
  check_one_line(error_of(with("every_runs = 10", "every_runs = 2.5")), "'load[1].every_runs' must be a whole number, not a floating-point number");
  check_one_line(error_of(with("name = \"microphone\"\n", "")), "missing 'load[0].name'");
  check_one_line(error_of(with("current_ua = 100", "current_ua = 100\nenergy_mj = 1")), "a load is continuous or a burst");
  check_one_line(error_of(with("rail = \"battery\"", "rail = \"vbus\"")), "'load[1].rail' must be \"supply\" or \"battery\"");
  check_one_line(error_of(with("[ambient]", "[ambient]\nhumidity = 3")), "unknown key 'ambient.humidity' (known: temperature_c)");
  check_one_line(error_of(with("[duty]", "[dutty]\nx = 1\n[duty]")), "unknown key 'dutty' (known: title, battery, supply, run, duty, sleep, load, ambient)");
  check_one_line(error_of(with("preset = \"cr2032\"", "preset = \"cr2032\"\nnominal_v = 3")), "unknown key 'battery.nominal_v' (known: preset, file, series, parallel)");
  check_one_line(error_of(with("preset = \"cr2032\"", "preset = 2032")), "'battery.preset' must be a string, not an integer");
  check_one_line(error_of(with("[duty]", "[duty")), "bad.toml:14: malformed battery scenario: ");
}

TEST_CASE("an unknown preset gives one line listing the presets") {
  std::string m = error_of(with("preset = \"cr2032\"", "preset = \"cr2033\""));
  check_one_line(m, ":3: malformed battery scenario: unknown battery preset 'cr2033' (presets: 18650-li-ion, 2xaa-alkaline, cr2032, cr2450, er14505, lipo-1000mah)");
  // A path is not a preset name.
  check_one_line(error_of(with("preset = \"cr2032\"", "preset = \"../batteries/cr2032\"")), "unknown battery preset '../batteries/cr2032'");
}

TEST_CASE("bad cell figures inline give one line too") {
  const std::string head = "[supply]\nregulator = \"none\"\n[run]\ncurrent_ua = 1\nduration_ms = 1\n[duty]\nperiod_s = 1\n[sleep]\ncurrent_ua = 1\n";
  const std::string cell = "[battery]\n[battery.voltage]\nnominal_v = 3\ncutoff_v = 2\n[battery.self_discharge]\npct_per_year = 1\n";
  check_one_line(error_of(head + cell), "missing 'battery.capacity' ([[battery.capacity]] points of current_ma and capacity_mah)");
  check_one_line(error_of(head + cell + "[[battery.capacity]]\ncurrent_ma = 1\ncapacity_mah = 100\n[[battery.capacity]]\ncurrent_ma = 0.5\ncapacity_mah = 90\n"),
                 "'battery.capacity[1].current_ma' must be greater than the previous point's (1 mA)");
  check_one_line(error_of(head + cell + "[[battery.capacity]]\ncurrent_ma = 1\ncapacity_mah = 100\n[[battery.capacity]]\ncurrent_ma = 2\ncapacity_mah = 110\n"),
                 "'battery.capacity[1].capacity_mah' must not exceed the previous point's (100 mAh)");
  check_one_line(error_of(head + cell + "[[battery.capacity]]\ncurrent_ma = 1\ncapacity_mah = nan\n"),
                 "'battery.capacity[0].capacity_mah' must be a finite number of milliampere-hours (got nan)");
  std::string swapped = cell;
  swapped.replace(swapped.find("cutoff_v = 2"), 12, "cutoff_v = 3.5");
  check_one_line(error_of(head + swapped + "[[battery.capacity]]\ncurrent_ma = 1\ncapacity_mah = 100\n"),
                 "'battery.voltage.cutoff_v' (3.5 V) must be below 'nominal_v' (3 V)");
  check_one_line(error_of(head + cell + "[[battery.capacity]]\ncurrent_ma = 1\ncapacity_mah = 100\n[battery.limits]\nmax_continuous_ma = 5\nmax_pulse_ma = 2\n"),
                 "'battery.limits.max_pulse_ma' (2 mA) must not be below 'max_continuous_ma' (5 mA)");
  check_one_line(error_of(head + "[battery]\nfile = \"no-such-cell.toml\"\n"), "battery: no-such-cell.toml: cannot read the battery description: no such file");
  // A device or a FIFO is not read (it would never end).
  check_one_line(error_of(head + "[battery]\nfile = \"/dev/zero\"\n"), "/dev/zero: cannot read the battery description: not a regular file");
}

TEST_CASE("text that is not valid UTF-8 or holds control bytes is refused before parsing") {
  check_one_line(error_of(with("mode = \"stop2\"", "mode = \"stop\xff\"")), "bad.toml:18: malformed battery scenario: invalid UTF-8: byte 0xFF never occurs in UTF-8 at column 13 (byte offset 198)");
  check_one_line(error_of(with("mode = \"stop2\"", "mode = \"stop\xc0\x80\"")), "bad.toml:18: malformed battery scenario: invalid UTF-8: overlong encoding (lead byte 0xC0) at column 13");
  check_one_line(error_of(with("mode = \"stop2\"", std::string("mode = \"stop\0\"", 13))), "bad.toml:18: malformed battery scenario: NUL byte (0x00) at column 13");
  check_one_line(error_of(with("period_s = 1", "period_s = 1\xc8\xac")), "bad.toml:15: malformed battery scenario: non-ASCII character '\xc8\xac' outside a string or comment at column 13");
  // A degree sign in a string and a tab are fine.
  CHECK(scenario(with("mode = \"stop2\"", "mode =\t\"stop2 at 25 \xc2\xb0""C\"")).sleep.mode == "stop2 at 25 \xc2\xb0""C");
}

TEST_CASE("an unreadable scenario file is its own kind of error") {
  auto s = load_scenario(data("no-such-scenario.toml"), presets());
  REQUIRE_FALSE(s);
  CHECK(s.error().kind == PowerError::Kind::Unreadable);
  CHECK(s.error().message.find("no-such-scenario.toml: cannot read the battery scenario: no such file") != std::string::npos);
  auto bad = parse_scenario("period_s = nan", "bad.toml", presets());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == PowerError::Kind::Malformed);
}

TEST_CASE("strings echoed in a message cannot break it over lines") {
  check_one_line(error_of(with("regulator = \"ldo\"", "regulator = \"l\\ndo\"")), "(got \"l\\x0ado\")");
  check_one_line(error_of(with("[ambient]", "[ambient]\n\"a\\nb\" = 1")), "key 'ambient.a\\x0Ab' holds a control character (U+000A)"); // refused by the text check
  check_one_line(error_of(with("preset = \"cr2032\"", "preset = \"cr\\r\\n2032\"")), "unknown battery preset 'cr\\x0d\\x0a2032'");
  Scenario s = scenario(with("name = \"microphone\"", "name = \"micro\\nphone\""));
  s.loads[1].duration_s.reset();
  Projection p = project(s);
  std::string text = render_projection(s, p);
  CHECK(text.find("micro\\x0aphone") != std::string::npos);
  for (const auto &w : p.warnings) CHECK(w.message.find('\n') == std::string::npos);
}
