/// \file
/// Battery life from a run (see battery.h).
#include "session/battery.h"

#include "power/energy.h"
#include "session/exit_codes.h"

#include "base/device.h"
#include "base/format.h"
#include "power/battery_toml.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace mcusim::session {

using namespace mcusim::cli; // the exit codes

namespace {

BatteryError error(int code, std::string message) { return BatteryError{code, std::move(message)}; }
tl::unexpected<BatteryError> fail(int code, std::string message) { return tl::unexpected(error(code, std::move(message))); }

std::string fmt(const char *f, double v) { return text::number(f, v); }

/// "12.3 µA" below 1 mA, "4.56 mA" from 1 mA.
std::string current_text(double ua) { return ua < 1000 ? fmt("%.3g µA", ua) : fmt("%.3g mA", ua / 1e3); }
/// "812 µJ", "3.4 mJ" from 1 mJ.
std::string energy_text(double uj) { return uj < 1000 ? fmt("%.4g µJ", uj) : fmt("%.4g mJ", uj / 1e3); }
/// "40.2 ms", "1.5 s".
std::string time_text(double s) { return s < 1 ? fmt("%.4g ms", s * 1e3) : fmt("%.4g s", s); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A finite number at the start of `text`; the rest is left in `rest`.
std::optional<double> leading_number(std::string_view text, std::string_view &rest) {
  size_t n = 0;
  while (n < text.size() && (std::isdigit(static_cast<unsigned char>(text[n])) || text[n] == '.' || text[n] == '-' ||
                             text[n] == '+' || ((text[n] == 'e' || text[n] == 'E') && n > 0 && n + 1 < text.size() &&
                                                (std::isdigit(static_cast<unsigned char>(text[n + 1])) || text[n + 1] == '-' ||
                                                 text[n + 1] == '+'))))
    ++n;
  if (n == 0) return std::nullopt;
  std::string number(text.substr(0, n));
  char *end = nullptr;
  double v = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(v)) return std::nullopt;
  rest = text.substr(n);
  return v;
}

/// A time with a unit; `bare` is the unit of a bare number, in seconds.
tl::expected<double, std::string> parse_time(std::string_view text, double bare, const char *what) {
  std::string_view unit;
  auto v = leading_number(text, unit);
  const std::string shown(text);
  if (!v) return tl::unexpected("'" + shown + "' is not a " + what + " (a number with s, ms, min or h: 1s, 250ms, 5min, 2h)");
  double scale = 0;
  if (unit.empty()) scale = bare;
  else if (unit == "s") scale = 1;
  else if (unit == "ms") scale = 1e-3;
  else if (unit == "us" || unit == "µs") scale = 1e-6;
  else if (unit == "min") scale = 60;
  else if (unit == "h") scale = 3600;
  else return tl::unexpected("'" + shown + "': unknown unit '" + std::string(unit) + "' (s, ms, min or h)");
  double s = *v * scale;
  if (!(s > 0) || !std::isfinite(s)) return tl::unexpected("the " + std::string(what) + " must be greater than 0 (got '" + shown + "')");
  return s;
}

/// A finite number, not negative, the whole of `text`.
std::optional<double> plain_number(std::string_view text) {
  std::string_view rest;
  auto v = leading_number(text, rest);
  if (!v || !rest.empty() || *v < 0) return std::nullopt;
  return v;
}

/// NAME=VALUE: the name and the value's text.
tl::expected<std::pair<std::string, std::string_view>, std::string> name_value(std::string_view text, const char *form) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return tl::unexpected("'" + std::string(text) + "' is not " + form);
  return std::pair{std::string(text.substr(0, eq)), text.substr(eq + 1)};
}

int power_error_code(const power::PowerError &e) {
  return e.kind == power::PowerError::Kind::Unreadable ? kExitNoInput : kExitBadScenario;
}

/// The states' names, for messages.
std::string state_names(const PowerDesc &p) {
  std::string s;
  for (const auto &st : p.states) s += (s.empty() ? "" : ", ") + st.name;
  return s.empty() ? "none" : s;
}

} // namespace

// --- Option values ---------------------------------------------------------

tl::expected<double, std::string> parse_period(std::string_view text) { return parse_time(text, 1, "period"); }

tl::expected<double, std::string> parse_burst_duration(std::string_view text) {
  return parse_time(text, 1e-3, "burst duration");
}

tl::expected<power::Load, std::string> parse_load_option(std::string_view text) {
  auto nv = name_value(text, "NAME=UA (a continuous load in µA, e.g. sensor=150)");
  if (!nv) return tl::unexpected(nv.error());
  auto ua = plain_number(nv->second);
  if (!ua)
    return tl::unexpected("'" + std::string(text) + "': the load's current must be a number of µA, not negative (e.g. sensor=150)");
  power::Load l;
  l.name = nv->first;
  l.current_ua = *ua;
  return l;
}

tl::expected<power::Load, std::string> parse_burst_option(std::string_view text) {
  const char *form = "NAME=MJ/EVERY[/DURATION] (a burst of MJ millijoules every EVERY runs, e.g. radio=0.3/10/3ms)";
  auto nv = name_value(text, form);
  if (!nv) return tl::unexpected(nv.error());
  std::vector<std::string_view> parts;
  std::string_view rest = nv->second;
  for (size_t slash; (slash = rest.find('/')) != std::string_view::npos; rest = rest.substr(slash + 1))
    parts.push_back(rest.substr(0, slash));
  parts.push_back(rest);
  if (parts.size() < 2 || parts.size() > 3) return tl::unexpected("'" + std::string(text) + "' is not " + form);
  power::Load l;
  l.name = nv->first;
  auto mj = plain_number(parts[0]);
  if (!mj) return tl::unexpected("'" + std::string(text) + "': the burst's energy must be a number of mJ, not negative");
  l.energy_mj = *mj;
  int every = 0;
  auto [p, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), every);
  if (ec != std::errc() || p != parts[1].data() + parts[1].size() || every < 1)
    return tl::unexpected("'" + std::string(text) + "': EVERY must be a whole number of runs, 1 or more");
  l.every_runs = every;
  if (parts.size() == 3) {
    auto d = parse_burst_duration(parts[2]);
    if (!d) return tl::unexpected("'" + std::string(text) + "': " + d.error());
    l.duration_s = *d;
  }
  return l;
}

tl::expected<power::RegulatorKind, std::string> parse_regulator(std::string_view text) {
  std::string t = lower(text);
  if (t == "none") return power::RegulatorKind::None;
  if (t == "ldo") return power::RegulatorKind::Ldo;
  if (t == "smps" || t == "dcdc") return power::RegulatorKind::Smps;
  return tl::unexpected("unknown supply '" + std::string(text) + "' (none, ldo or smps)");
}

// --- The scenario ------------------------------------------------------------

BatteryExpected<power::Scenario> prepare_battery_scenario(const BatteryOptions &o) {
  const auto dirs = o.preset_dirs.empty() ? power::battery_preset_dirs() : o.preset_dirs;
  power::Scenario s;
  // Everything may come from the options or the run: only what the file has is read from it.
  // The run comes from the report and the sleep current from the device unless
  // the file gives one; the battery, the supply and the period may come from
  // the options instead of the file.
  power::ScenarioParts supplied;
  supplied.run = supplied.sleep = true;
  supplied.battery = !o.battery_preset.empty() || !o.battery_file.empty();
  supplied.supply = true; // regulator "none" unless the file or the options say otherwise
  supplied.duty = o.period_s.has_value();
  if (!o.scenario_file.empty()) {
    auto loaded = power::load_scenario(o.scenario_file, dirs, supplied);
    if (!loaded) return fail(power_error_code(loaded.error()), loaded.error().message);
    s = std::move(*loaded);
  }
  // The battery.
  if (!o.battery_preset.empty() && !o.battery_file.empty())
    return fail(kExitUsage, "--battery and --battery-file both given: choose one");
  if (!o.battery_preset.empty()) {
    auto b = power::load_battery_preset(o.battery_preset, dirs);
    if (!b) return fail(kExitBadScenario, b.error().message);
    s.battery = std::move(*b);
    s.given.battery = true;
  } else if (!o.battery_file.empty()) {
    auto b = power::load_battery_file(o.battery_file);
    if (!b) return fail(power_error_code(b.error()), b.error().message);
    s.battery = std::move(*b);
    s.given.battery = true;
  }
  if (!s.given.battery) {
    std::string names;
    for (const auto &n : power::battery_preset_names(dirs)) names += (names.empty() ? "" : ", ") + n;
    return fail(kExitUsage, "no battery: give --battery PRESET (" + names + "), --battery-file FILE or a [battery] in --scenario");
  }
  // The supply path.
  power::Supply &sup = s.supply;
  const bool file_smps = s.given.supply && sup.regulator == power::RegulatorKind::Smps;
  if (o.regulator) {
    if (*o.regulator != sup.regulator) sup = power::Supply{}; // another regulator: none of the file's figures apply
    sup.regulator = *o.regulator;
  }
  if (o.supply_v) sup.voltage_v = *o.supply_v;
  if (o.efficiency) sup.efficiency = *o.efficiency;
  if (o.quiescent_ua) sup.quiescent_ua = *o.quiescent_ua;
  const char *reg = power::regulator_name(sup.regulator);
  if (sup.regulator == power::RegulatorKind::None && o.supply_v)
    return fail(kExitUsage, "--supply-v needs --supply ldo or smps (with no regulator the MCU runs at the battery's voltage)");
  if (sup.regulator != power::RegulatorKind::None && !(sup.voltage_v > 0))
    return fail(kExitUsage, std::string("--supply ") + reg + " needs --supply-v (the MCU's rail voltage)");
  if (sup.regulator != power::RegulatorKind::Smps && o.efficiency)
    return fail(kExitUsage, "--efficiency applies to --supply smps only");
  if (sup.regulator == power::RegulatorKind::Smps && !o.efficiency && !(file_smps && (!o.regulator || *o.regulator == sup.regulator)))
    return fail(kExitUsage, "--supply smps needs --efficiency (its power efficiency, e.g. 0.9)");
  if (o.efficiency && !(*o.efficiency > 0 && *o.efficiency <= 1))
    return fail(kExitUsage, "--efficiency must be in (0, 1] (got " + fmt("%g", *o.efficiency) + ")");
  s.given.supply = true;
  // The period.
  if (o.period_s) {
    if (!(*o.period_s > 0) || !std::isfinite(*o.period_s))
      return fail(kExitUsage, "--every must be greater than 0 (got " + fmt("%g", *o.period_s) + " s)");
    s.period_s = *o.period_s;
    s.given.duty = true;
  }
  if (!s.given.duty) return fail(kExitUsage, "no period: give --every (1s, 250ms, 5min, 2h) or a [duty] period_s in --scenario");
  // Between runs.
  if (o.sleep_ua && !o.sleep_state.empty()) return fail(kExitUsage, "--sleep and --sleep-ua both given: choose one");
  if (o.sleep_ua) {
    if (!(*o.sleep_ua >= 0) || !std::isfinite(*o.sleep_ua)) return fail(kExitUsage, "--sleep-ua must not be negative");
    s.sleep = power::SleepPhase{};
    s.sleep.current_ua = *o.sleep_ua;
    s.given.sleep = true;
  } else if (!o.sleep_state.empty()) {
    s.given.sleep = false; // the device's state, instead of the file's [sleep]
  }
  for (const auto &l : o.loads) s.loads.push_back(l);
  if (o.temperature_c) {
    s.temperature_c = *o.temperature_c;
    s.given.ambient = true;
  }
  return s;
}

BatteryExpected<BatteryProjection> project_run(const RunReport &r, power::Scenario s, const BatteryOptions &o,
                                               const PowerDesc *device_power) {
  BatteryProjection out;
  out.source = r.firmware + " on " + r.device + " at " + fmt("%g", r.mhz) + " MHz";
  if (!r.energy) {
    std::string why = r.energy_note.empty() ? "" : " (" + r.energy_note + ")";
    return fail(kExitNoPower, r.firmware + " on " + r.device + ": the run has no energy: " + r.device +
                                  " has no power figures ([power] in its device file)" + why);
  }
  const power::RunEnergy &e = *r.energy;
  const bool has_inferences = r.uj_per_inference && r.layer_invocations > 0;
  BatteryPer per = o.per;
  if (per == BatteryPer::Auto) per = has_inferences ? BatteryPer::Inference : BatteryPer::Run;
  if (per == BatteryPer::Inference && !has_inferences)
    return fail(kExitUsage, r.firmware + " has no model invocations (no layers), so no energy per inference: use --per run");
  out.per = per;

  // The run phase: energy and time, as an average current at the rail.
  double uj = 0, seconds = 0;
  std::string what;
  if (per == BatteryPer::Inference) {
    uj = *r.uj_per_inference;
    seconds = r.mhz > 0 ? double(r.inference_cycles()) / double(r.layer_invocations) / (r.mhz * 1e6) : 0;
    if (!(seconds > 0)) seconds = e.seconds / double(r.layer_invocations);
    what = "one inference (" + std::to_string(r.layer_invocations) + " in the run)";
  } else {
    uj = e.energy_uj;
    seconds = e.seconds > 0 ? e.seconds : r.simulated_seconds;
    what = "the whole run";
  }
  const double rail_v = e.model.voltage_v > 0 ? e.model.voltage_v : device_power ? device_power->voltage_v : 0;
  if (!(seconds > 0) || !(rail_v > 0))
    return fail(kExitNoPower, r.firmware + " on " + r.device + ": the run's energy has no duration or voltage to project");
  if (s.given.run)
    out.notes.push_back("the scenario's [run] is replaced by " + std::string(per == BatteryPer::Inference ? "one inference of the run" : "the run"));
  s.run = power::RunPhase{};
  s.run.current_ua = uj / (rail_v * seconds); // µJ / (V · s) = µA
  s.run.duration_s = seconds;
  s.given.run = true;
  out.run_phase = what + ": " + energy_text(uj) + " in " + time_text(seconds) + ", " + current_text(*s.run.current_ua) +
                  " at " + fmt("%g V", rail_v);

  // The temperature: the scenario's, else the one the run was priced at.
  if (!s.given.ambient) s.temperature_c = e.model.temperature_c;

  // Between runs: the scenario's or the options' current, else the device's state at the temperature.
  if (!s.given.sleep) {
    if (!device_power)
      return fail(kExitNoPower, r.device + " has no power figures ([power] in its device file): give the current between runs with --sleep-ua");
    const LowPowerState *st = device_power->state(o.sleep_state.empty() ? std::string_view(device_power->deep_sleep) : std::string_view(o.sleep_state));
    if (!st) {
      if (o.sleep_state.empty())
        return fail(kExitNoPower, r.device + " names no deep-sleep state (states: " + state_names(*device_power) +
                                      "): choose one with --sleep STATE or give --sleep-ua");
      return fail(kExitNoPower, "unknown low-power state '" + o.sleep_state + "' of " + r.device + " (states: " +
                                    state_names(*device_power) + ")");
    }
    // Each period leaves the state once: its wake-up time at the run current
    // (as the run itself prices wake-ups, power/energy.h) joins the run phase.
    if (st->wakeup_us > 0) {
      const double wake_s = st->wakeup_us * 1e-6;
      const double wake_uj = e.model.wakeup_ua * rail_v * wake_s; // µA · V · s = µJ
      s.run.current_ua = (uj + wake_uj) / (rail_v * (seconds + wake_s));
      s.run.duration_s = seconds + wake_s;
      out.run_phase += "; + the wake-up from " + st->name + ": " + energy_text(wake_uj) + " in " + time_text(wake_s);
    }
    s.sleep = power::SleepPhase{};
    s.sleep.mode = st->name;
    s.sleep.current_ua = power::low_power_ua(*device_power, *st, r.mhz, s.temperature_c);
    s.sleep.voltage_v.reset();
    out.sleep_phase = st->name + (o.sleep_state.empty() ? " (" + r.device + "'s deep-sleep state)" : std::string()) + " at " +
                      fmt("%g °C", s.temperature_c) + ": " + current_text(s.sleep.current_ua);
  } else {
    out.sleep_phase = (s.sleep.mode.empty() ? std::string("sleep") : s.sleep.mode) + ": " + current_text(s.sleep.current_ua) +
                      (o.sleep_ua ? " (--sleep-ua)" : " (the scenario's)");
  }
  s.given.sleep = true;
  if (s.file.empty()) s.file = "battery scenario";
  if (auto ok = power::check_scenario(s); !ok) return fail(kExitBadScenario, ok.error().message);
  out.projection = power::project(s);
  out.scenario = std::move(s);
  return out;
}

BatteryExpected<BatteryProjection> project_run(const RunReport &report, power::Scenario scenario, const BatteryOptions &options) {
  std::optional<Device> device;
  if (report.energy && !scenario.given.sleep) {
    auto d = find_device(report.device);
    if (!d)
      return fail(kExitBadDevice, "the report's device: " + d.error().message + " (give the current between runs with --sleep-ua)");
    device = std::move(*d);
  }
  return project_run(report, std::move(scenario), options, device && device->power ? &*device->power : nullptr);
}

// --- Output ----------------------------------------------------------------

namespace {

std::string life_text(double years) {
  if (!std::isfinite(years)) return "unbounded";
  return fmt("%.1f days", years * power::kHoursPerYear / 24) + " = " + fmt("%.2f years", years);
}

const char *per_name(BatteryPer p) { return p == BatteryPer::Inference ? "inference" : "run"; }

std::string dominant_text(const power::Projection &p) {
  for (const auto &sh : p.shares)
    if (sh.name == p.dominant) return sh.name + " (" + fmt("%.1f%%", sh.fraction * 100) + " of the drain)";
  return p.dominant.empty() ? "nothing" : p.dominant;
}

/// NaN and infinities as null.
nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

} // namespace

std::string render_battery_text(const BatteryProjection &b) {
  const auto &p = b.projection;
  std::string o = "mcusim battery: " + b.source + ", one " + per_name(b.per) + " every " + fmt("%g s", b.scenario.period_s) + "\n";
  auto row = [&](const std::string &label, const std::string &value) {
    o += label + std::string(label.size() < 16 ? 16 - label.size() : 1, ' ') + value + "\n";
  };
  row("run phase", b.run_phase);
  row("sleep phase", b.sleep_phase);
  row("dominant", dominant_text(p));
  row("life in days", life_text(p.life_years));
  o += power::render_projection(b.scenario, p);
  for (const auto &n : b.notes) o += "note: " + n + "\n";
  return o;
}

std::string render_battery_json(const BatteryProjection &b) {
  using nlohmann::json;
  const auto &s = b.scenario;
  const auto &p = b.projection;
  json j;
  j["schema"] = "mcusim-battery";
  j["schema_version"] = 1;
  j["source"] = b.source;
  j["per"] = per_name(b.per);
  j["period_s"] = s.period_s;
  j["temperature_c"] = s.temperature_c;
  j["run"] = {{"description", b.run_phase},
              {"current_ua", number_or_null(s.run.current_ua.value_or(0))},
              {"duration_s", s.run.duration_s}};
  j["sleep"] = {{"description", b.sleep_phase}, {"state", s.sleep.mode}, {"current_ua", s.sleep.current_ua}};
  j["battery"] = {{"name", s.battery.name},
                  {"title", s.battery.title},
                  {"series", s.battery.series},
                  {"parallel", s.battery.parallel},
                  {"nominal_v", p.battery_v},
                  {"rated_capacity_mah", p.rated_capacity_mah}};
  j["supply"] = {{"regulator", power::regulator_name(s.supply.regulator)},
                 {"rail_v", p.rail_v},
                 {"efficiency", s.supply.efficiency},
                 {"quiescent_ua", s.supply.quiescent_ua}};
  json loads = json::array();
  for (const auto &l : s.loads) {
    json x = {{"name", l.name}, {"rail", l.rail == power::Rail::Battery ? "battery" : "supply"}};
    if (l.current_ua) x["current_ua"] = *l.current_ua;
    if (l.energy_mj) {
      x["energy_mj"] = *l.energy_mj;
      x["every_runs"] = l.every_runs;
      x["duration_s"] = l.duration_s ? json(*l.duration_s) : json(nullptr);
    }
    loads.push_back(x);
  }
  j["loads"] = loads;
  j["average_ma"] = p.average_ma;
  j["average_mw"] = p.average_mw;
  j["peak_ma"] = p.peak_ma;
  j["capacity_mah"] = p.capacity_mah;
  j["self_discharge_per_year"] = p.self_discharge_per_year;
  j["self_discharge_ma"] = p.self_discharge_ma;
  j["life_hours"] = number_or_null(p.life_hours);
  j["life_days"] = number_or_null(p.life_days);
  j["life_years"] = number_or_null(p.life_years);
  j["life_years_without_self_discharge"] = number_or_null(p.life_years_without_self_discharge);
  j["dominant"] = p.dominant;
  json shares = json::array();
  for (const auto &sh : p.shares) shares.push_back({{"name", sh.name}, {"battery_ma", sh.battery_ma}, {"fraction", sh.fraction}});
  j["shares"] = shares;
  json warnings = json::array();
  for (const auto &w : p.warnings) warnings.push_back({{"severity", power::severity_name(w.severity)}, {"message", w.message}});
  j["warnings"] = warnings;
  j["notes"] = b.notes;
  return j.dump(2) + "\n";
}

std::string render_battery_markdown(const BatteryProjection &b) {
  const auto &s = b.scenario;
  const auto &p = b.projection;
  auto cell = [](std::string t) {
    std::string o;
    for (char c : t) o += c == '|' ? std::string("\\|") : std::string(1, c);
    return o;
  };
  std::string o = "### Battery life: " + cell(b.source) + "\n\n| | |\n| --- | --- |\n";
  auto row = [&](const std::string &k, const std::string &v) { o += "| " + k + " | " + cell(v) + " |\n"; };
  row("battery", (s.battery.title.empty() ? s.battery.name : s.battery.title) + ", " + fmt("%.3g V", p.battery_v) + ", " +
                     fmt("%.4g mAh", p.rated_capacity_mah) + " rated");
  row("supply", std::string(power::regulator_name(s.supply.regulator)) + ", rail " + fmt("%.3g V", p.rail_v));
  row("period", std::string("one ") + per_name(b.per) + " every " + fmt("%g s", s.period_s) + " at " + fmt("%g °C", s.temperature_c));
  row("run phase", b.run_phase);
  row("sleep phase", b.sleep_phase);
  row("average", current_text(p.average_ma * 1e3) + ", " + fmt("%.4g mW", p.average_mw));
  row("peak", current_text(p.peak_ma * 1e3));
  row("life", "**" + life_text(p.life_years) + "**");
  row("dominant", dominant_text(p));
  o += "\n| where the charge goes | share | current |\n| --- | ---: | ---: |\n";
  for (const auto &sh : p.shares)
    o += "| " + cell(sh.name) + " | " + fmt("%.1f%%", sh.fraction * 100) + " | " + current_text(sh.battery_ma * 1e3) + " |\n";
  if (!p.warnings.empty()) {
    o += "\n";
    for (const auto &w : p.warnings) o += "- **" + std::string(power::severity_name(w.severity)) + "**: " + cell(w.message) + "\n";
  }
  for (const auto &n : b.notes) o += "- note: " + cell(n) + "\n";
  return o;
}

} // namespace mcusim::session
