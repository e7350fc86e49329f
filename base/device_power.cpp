/// \file
/// The `[power]` section of a device file: run currents, low-power states,
/// leakage and weights, read into Device::power and checked (docs/devices.md,
/// "`[power]`: power figures").
#include "base/device_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <initializer_list>

namespace mcusim::device_detail {

namespace {

// Bounds on the power figures. Anything outside them is a mistake in the file.
constexpr double kMaxVoltageV = 10;          ///< rail voltage
constexpr double kMinCelsius = -55, kMaxCelsius = 150; ///< reference temperature
constexpr double kMaxDoublingC = 200;        ///< leakage doubling interval, °C
constexpr double kMaxCurrentUa = 1e6;        ///< 1 A, excluded: currents are below it
constexpr double kMaxMhz = 10000;            ///< clock limit of a run row
constexpr double kMaxWakeupUs = 1e6;         ///< wake-up time of a state
constexpr double kMaxWeightPj = 1e6;         ///< per-instruction weights
constexpr size_t kMaxRunRows = 64;
constexpr size_t kMaxStates = 32;
constexpr size_t kMaxNameChars = 64;

std::string join(std::initializer_list<const char *> names) {
  std::string s;
  for (const char *n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

/// Refuses any key of `t` not in `known` ("unknown key 'power.x' (known: ...)").
void check_keys(const toml::table &t, std::initializer_list<const char *> known, const std::string &where, Reader &rd) {
  for (auto &&[k, v] : t) {
    const std::string key(k.str());
    if (std::none_of(known.begin(), known.end(), [&](const char *n) { return key == n; }))
      rd.fail("unknown key '" + where + key + "' (known: " + join(known) + ")", &v);
  }
}

/// A run mode or state name: letters, digits, '-', '_', '.'; at most 64 characters.
bool is_identifier(const std::string &s) {
  return s.size() <= kMaxNameChars && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         });
}

bool same_name(const std::string &a, const std::string &b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/// A current in µA: finite, at least 0, below 1 A.
std::optional<double> current(Reader &rd, const toml::table &t, const char *key, const std::string &where, bool required) {
  auto v = rd.get<double>(t, key, where.c_str(), required);
  if (v && !(*v >= 0 && *v < kMaxCurrentUa)) {
    rd.fail("'" + where + key + "' must be at least 0 and below 1000000 µA (1 A) (got " + number_text(*v) + ")",
            t.get(key));
    return std::nullopt;
  }
  return v;
}

std::string text(Reader &rd, const toml::table &t, const char *key, const std::string &where, bool required) {
  return rd.get<std::string>(t, key, where.c_str(), required).value_or("");
}

void read_run_rows(const toml::array &rows, PowerDesc &p, Reader &rd) {
  if (rows.size() > kMaxRunRows) rd.fail("more than " + std::to_string(kMaxRunRows) + " [[power.run]] rows", &rows);
  size_t i = 0;
  for (auto &node : rows) {
    const std::string where = "power.run[" + std::to_string(i++) + "].";
    auto t = node.as_table();
    if (!t) {
      rd.fail("[[power.run]] rows must be tables", &node);
      return;
    }
    check_keys(*t, {"location", "mode", "max_mhz", "fixed_ua", "ua_per_mhz", "source", "notes"}, where, rd);
    RunCurrent r;
    if (auto loc = rd.get<std::string>(*t, "location", where.c_str())) {
      if (*loc == "flash") r.location = CodeLocation::Flash;
      else if (*loc == "sram") r.location = CodeLocation::Ram;
      else rd.fail("'" + where + "location' must be \"flash\" or \"sram\" (got '" + *loc + "')", t->get("location"));
    }
    r.mode = text(rd, *t, "mode", where, false);
    if (!is_identifier(r.mode))
      rd.fail("'" + where + "mode' must be a name of letters, digits, '-', '_' and '.' (at most 64)", t->get("mode"));
    r.max_mhz = rd.number(*t, "max_mhz", where.c_str(), 0, false, kMaxMhz, false).value_or(0);
    r.fixed_ua = current(rd, *t, "fixed_ua", where, true).value_or(0);
    r.ua_per_mhz = current(rd, *t, "ua_per_mhz", where, true).value_or(0);
    r.source = text(rd, *t, "source", where, false);
    p.run.push_back(std::move(r));
  }
  // Within one location and mode, max_mhz rises from row to row; 0 (any clock) only last.
  for (size_t a = 0; a < p.run.size(); ++a)
    for (size_t b = a + 1; b < p.run.size(); ++b) {
      const RunCurrent &x = p.run[a], &y = p.run[b];
      if (x.location != y.location || !same_name(x.mode, y.mode)) continue;
      if (x.max_mhz == 0 || !(y.max_mhz == 0 || y.max_mhz > x.max_mhz))
        rd.fail("[[power.run]] rows for " + std::string(code_location_name(x.location)) + (x.mode.empty() ? "" : " in mode '" + x.mode + "'") +
                    " must have rising max_mhz (0, any clock, only in the last): row " + std::to_string(b) + " (max_mhz " +
                    number_text(y.max_mhz) + ") follows row " + std::to_string(a) + " (max_mhz " + number_text(x.max_mhz) + ")",
                rows.get(b));
    }
  if (std::none_of(p.run.begin(), p.run.end(), [](const RunCurrent &r) { return r.location == CodeLocation::Flash; }))
    rd.fail("[[power.run]] has no row with location = \"flash\"", &rows);
  for (const auto &mode : p.modes())
    if (std::none_of(p.run.begin(), p.run.end(),
                     [&](const RunCurrent &r) { return r.location == CodeLocation::Flash && same_name(r.mode, mode); }))
      rd.fail("[[power.run]] mode '" + mode + "' has no row with location = \"flash\"", &rows);
}

void read_states(const toml::array &rows, PowerDesc &p, Reader &rd) {
  if (rows.size() > kMaxStates) rd.fail("more than " + std::to_string(kMaxStates) + " [[power.state]] entries", &rows);
  size_t i = 0;
  for (auto &node : rows) {
    auto t = node.as_table();
    if (!t) {
      rd.fail("[[power.state]] entries must be tables", &node);
      return;
    }
    LowPowerState s;
    s.name = text(rd, *t, "name", "power.state[" + std::to_string(i++) + "].", true);
    if (s.name.empty() || !is_identifier(s.name))
      rd.fail("a power state's name must be a non-empty name of letters, digits, '-', '_' and '.' (at most 64)", t->get("name"));
    if (p.state(s.name)) rd.fail("two power states are named '" + s.name + "'", t->get("name"));
    const std::string where = "power.state." + s.name + ".";
    check_keys(*t, {"name", "kind", "fixed_ua", "ua_per_mhz", "wakeup_us", "source", "notes"}, where, rd);
    if (auto k = rd.get<std::string>(*t, "kind", where.c_str())) {
      if (*k == "sleep") s.kind = PowerStateKind::Sleep;
      else if (*k == "stop") s.kind = PowerStateKind::Stop;
      else if (*k == "standby") s.kind = PowerStateKind::Standby;
      else rd.fail("'" + where + "kind' must be \"sleep\", \"stop\" or \"standby\" (got '" + *k + "')", t->get("kind"));
    }
    s.fixed_ua = current(rd, *t, "fixed_ua", where, true).value_or(0);
    if (t->get("ua_per_mhz") && s.kind != PowerStateKind::Sleep)
      rd.fail("'" + where + "ua_per_mhz' is only for states of kind sleep (the clocks of a " + power_state_kind_name(s.kind) +
                  " state are stopped)",
              t->get("ua_per_mhz"));
    s.ua_per_mhz = current(rd, *t, "ua_per_mhz", where, false).value_or(0);
    s.wakeup_us = rd.number(*t, "wakeup_us", where.c_str(), 0, false, kMaxWakeupUs, true).value_or(0);
    s.source = text(rd, *t, "source", where, false);
    p.states.push_back(std::move(s));
  }
  const auto sleeps = std::count_if(p.states.begin(), p.states.end(), [](const LowPowerState &s) { return s.kind == PowerStateKind::Sleep; });
  if (sleeps > 1)
    rd.fail("[[power.state]] may have one state of kind \"sleep\" (has " + std::to_string(sleeps) + ")", &rows);
}

void read_weights(const toml::table &w, PowerDesc &p, Reader &rd) {
  check_keys(w, {"mac_pj", "fpu_pj", "flash_load_pj", "sram_access_pj", "source", "notes"}, "power.weights.", rd);
  auto weight = [&](const char *key) { return rd.number(w, key, "power.weights.", 0, false, kMaxWeightPj, false).value_or(0); };
  p.weights.mac_pj = weight("mac_pj");
  p.weights.fpu_pj = weight("fpu_pj");
  p.weights.flash_load_pj = weight("flash_load_pj");
  p.weights.sram_access_pj = weight("sram_access_pj");
  text(rd, w, "source", "power.weights.", false);
}

} // namespace

void read_power(const toml::table &root, Device &d, Reader &rd) {
  const toml::node *node = root.get("power");
  if (!node) return;
  const toml::table *t = node->as_table();
  if (!t) {
    rd.fail("'power' must be a table ([power])", node);
    return;
  }
  check_keys(*t,
             {"voltage_v", "reference_c", "leakage_doubling_c", "default_mode", "deep_sleep", "source", "notes", "run", "state",
              "weights"},
             "power.", rd);
  PowerDesc p;
  p.voltage_v = rd.number(*t, "voltage_v", "power.", 0, true, kMaxVoltageV, true).value_or(3.0);
  p.reference_c = rd.number(*t, "reference_c", "power.", kMinCelsius, false, kMaxCelsius, false).value_or(25);
  p.leakage_doubling_c = rd.number(*t, "leakage_doubling_c", "power.", 0, true, kMaxDoublingC, false).value_or(0);
  p.default_mode = text(rd, *t, "default_mode", "power.", false);
  p.deep_sleep = text(rd, *t, "deep_sleep", "power.", false);
  p.source = text(rd, *t, "source", "power.", false);
  p.notes = text(rd, *t, "notes", "power.", false);

  if (auto rows = t->get("run"); rows && rows->as_array()) read_run_rows(*rows->as_array(), p, rd);
  else if (rows) rd.fail("'power.run' must be an array of tables ([[power.run]])", rows);
  else rd.fail("missing [[power.run]] rows");

  if (auto rows = t->get("state"); rows && rows->as_array()) read_states(*rows->as_array(), p, rd);
  else if (rows) rd.fail("'power.state' must be an array of tables ([[power.state]])", rows);
  // No states: a file fitted from captures that never slept (mcusim calibrate).

  if (auto w = t->get("weights"); w && w->as_table()) read_weights(*w->as_table(), p, rd);
  else if (w) rd.fail("'power.weights' must be a table ([power.weights])", w);

  if (!p.default_mode.empty()) {
    const auto modes = p.modes();
    if (std::none_of(modes.begin(), modes.end(), [&](const std::string &m) { return same_name(m, p.default_mode); }))
      rd.fail("'power.default_mode' names no [[power.run]] mode ('" + p.default_mode + "')", t->get("default_mode"));
  }
  const bool has_deep = std::any_of(p.states.begin(), p.states.end(), [](const LowPowerState &s) { return s.kind != PowerStateKind::Sleep; });
  if (has_deep && !t->get("deep_sleep")) rd.fail("missing key 'power.deep_sleep' (the stop or standby state SLEEPDEEP enters)");
  if (t->get("deep_sleep")) {
    const LowPowerState *deep = p.deep_sleep_state();
    if (!deep) rd.fail("'power.deep_sleep' names no [[power.state]] ('" + p.deep_sleep + "')", t->get("deep_sleep"));
    else if (deep->kind == PowerStateKind::Sleep)
      rd.fail("'power.deep_sleep' must name a stop or standby state, not the sleep state '" + deep->name + "'", t->get("deep_sleep"));
  }
  // One Sleep wake-up time: [sleep] wakeup_us and the sleep state's agree, or
  // the sleep state gives it.
  if (const LowPowerState *sleep = p.sleep_state(); sleep && rd.error.empty()) {
    if (auto given = root["sleep"]["wakeup_us"].node()) {
      if (std::fabs(d.wakeup_us - sleep->wakeup_us) > 1e-9 * std::max(1.0, std::fabs(d.wakeup_us)))
        rd.fail("'power.state." + sleep->name + ".wakeup_us' (" + number_text(sleep->wakeup_us) +
                    ") differs from 'sleep.wakeup_us' (" + number_text(d.wakeup_us) + "); give one value",
                given);
    } else {
      d.wakeup_us = sleep->wakeup_us;
    }
  }
  d.power = std::move(p);
}

} // namespace mcusim::device_detail
