/// \file
/// Pricing a run's power counters with a device's power figures. The rules
/// (which row, the rail voltage, leakage, wake-ups, instruction classes) are
/// in docs/power.md, "Energy per run".
#include "power/energy.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace mcusim::power {

namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const char *location_word(CodeLocation l) { return l == CodeLocation::Ram ? "sram" : "flash"; }

std::string num(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

/// A name echoed in a message: printable ASCII only, so the message stays one line.
std::string shown(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02X", static_cast<unsigned char>(c));
      out += b;
    } else {
      out += c;
    }
  }
  return out;
}

std::string listed(const std::vector<std::string> &names) {
  std::string out;
  for (const auto &n : names) out += (out.empty() ? "" : ", ") + (n.empty() ? std::string("(unnamed)") : shown(n));
  return out;
}

/// The mode a run is priced in: the one asked for, else the figures' default, else the first row's.
std::string resolved_mode(const PowerDesc &p, const std::string &asked) {
  if (!asked.empty()) return asked;
  if (!p.default_mode.empty()) return p.default_mode;
  return p.run.empty() ? std::string() : p.run.front().mode;
}

std::vector<std::string> state_names(const PowerDesc &p) {
  std::vector<std::string> out;
  for (const auto &s : p.states) out.push_back(s.name);
  return out;
}

std::string with_source(std::string line, const std::string &source) {
  if (!source.empty()) line += " — " + source;
  return line;
}

} // namespace

double EnergyModel::state_ua(CoreState s, CodeLocation loc) const {
  switch (s) {
  case CoreState::Run: return run_ua[static_cast<unsigned>(loc)];
  case CoreState::Sleep: return sleep_ua;
  case CoreState::DeepSleep: return deep_sleep_ua;
  case CoreState::Wakeup: return wakeup_ua;
  }
  return 0;
}

const EnergyModel::DeepState *EnergyModel::deep_state(const std::string &name) const {
  for (const auto &d : deep_states)
    if (same_name(d.name, name)) return &d;
  return nullptr;
}

namespace {
/// µJ of `cycles` at `ua` (µA x V = µW; µW x s = µJ).
double uj_at(const EnergyModel &m, double ua, uint64_t cycles) { return m.mhz > 0 ? ua * m.voltage_v * double(cycles) / (m.mhz * 1e6) : 0; }
double deep_ua(const EnergyModel &m, const std::string &name) {
  const EnergyModel::DeepState *d = m.deep_state(name);
  return d ? d->ua : m.deep_sleep_ua;
}
} // namespace

double deep_sleep_uj(const EnergyModel &m, const PowerCounters &c) {
  double uj = 0;
  uint64_t counted = 0;
  for (const auto &d : c.deep_states) {
    uj += uj_at(m, deep_ua(m, d.name), d.cycles);
    counted += d.cycles;
  }
  return uj + uj_at(m, m.deep_sleep_ua, c.deep_sleep_cycles - std::min(counted, c.deep_sleep_cycles));
}

double deep_sleep_uj(const EnergyModel &m, const PowerCounters &c, const PowerSegment &seg) {
  double uj = 0;
  uint64_t counted = 0;
  for (size_t i = 0; i < c.deep_states.size() && i < kMaxDeepStates; ++i) {
    uj += uj_at(m, deep_ua(m, c.deep_states[i].name), seg.deep_state_cycles[i]);
    counted += seg.deep_state_cycles[i];
  }
  return uj + uj_at(m, m.deep_sleep_ua, seg.deep_sleep_cycles - std::min(counted, seg.deep_sleep_cycles));
}

double EnergyModel::state_uj(CoreState s, uint64_t cycles, CodeLocation loc) const {
  // µA x V = µW; µW x s = µJ.
  return mhz > 0 ? state_ua(s, loc) * voltage_v * double(cycles) / (mhz * 1e6) : 0;
}

double run_uj(const EnergyModel &model, uint64_t cycles, CodeLocation loc) { return model.state_uj(CoreState::Run, cycles, loc); }

double leakage_factor(const PowerDesc &p, double temperature_c) {
  return p.leakage_doubling_c > 0 && temperature_c > p.reference_c ? std::exp2((temperature_c - p.reference_c) / p.leakage_doubling_c)
                                                                    : 1.0;
}

double low_power_ua(const PowerDesc &p, const LowPowerState &s, double mhz, double temperature_c) {
  return s.fixed_ua * leakage_factor(p, temperature_c) + (s.kind == PowerStateKind::Sleep ? s.ua_per_mhz * mhz : 0);
}

PowerExpected<EnergyModel> make_energy_model(const Device &device, const EnergyOptions &o) {
  const std::string dev = shown(device.name);
  if (!device.power) return power_error(PowerError::Kind::NoFigures, dev + " has no [power] section (no power figures)");
  const PowerDesc &p = *device.power;
  const double mhz = o.mhz > 0 ? o.mhz : device.default_mhz;
  if (!std::isfinite(mhz) || mhz <= 0) return power_error(PowerError::Kind::Malformed, dev + ": the clock must be greater than 0 MHz");
  const double volts = o.voltage_v.value_or(p.voltage_v);
  if (!std::isfinite(volts) || volts <= 0)
    return power_error(PowerError::Kind::Malformed, dev + ": the rail voltage must be greater than 0 V (got " + num(volts) + ")");
  if (!std::isfinite(o.temperature_c))
    return power_error(PowerError::Kind::Malformed, dev + ": the temperature must be a finite number of °C");

  EnergyModel m;
  m.device = device.name;
  m.mhz = mhz;
  m.voltage_v = volts;
  m.temperature_c = o.temperature_c;
  m.weights = p.weights;
  if (!p.source.empty()) m.sources.push_back("source: " + p.source);

  // Run current by code location.
  const std::string mode = resolved_mode(p, o.mode);
  const RunCurrent *flash = p.run_row(CodeLocation::Flash, mhz, mode);
  if (!flash) {
    auto modes = p.modes();
    if (std::any_of(modes.begin(), modes.end(), [&](const std::string &x) { return same_name(x, mode); }))
      return power_error(PowerError::Kind::NoRunCurrent, dev + ": no run current for code in flash in mode '" + shown(mode) + "'");
    return power_error(PowerError::Kind::UnknownMode,
                       dev + ": unknown power mode '" + shown(mode) + "' (modes: " + (modes.empty() ? "none" : listed(modes)) + ")");
  }
  m.mode = flash->mode;
  for (CodeLocation loc : {CodeLocation::Flash, CodeLocation::Ram}) {
    // PowerDesc::run_row: code in SRAM without rows of its own is priced as code in flash;
    // a clock above every row gives the last row, which does not cover it.
    const RunCurrent *row = p.run_row(loc, mhz, mode);
    const bool fallback = row->location != loc;
    if (!row->covers(mhz))
      return power_error(PowerError::Kind::NoRunCurrent, dev + ": no run current for code in " + location_word(loc) + " at " + num(mhz) +
                                                             " MHz in mode '" + shown(m.mode) + "' (its figures go up to " +
                                                             num(row->max_mhz) + " MHz)");
    const double ua = row->fixed_ua + row->ua_per_mhz * mhz;
    m.run_ua[static_cast<unsigned>(loc)] = ua;
    std::string line = std::string("run from ") + location_word(loc) + ": ";
    if (fallback) line += "no figures for code in SRAM, priced as code in flash (" + num(ua) + " µA)";
    else
      line = with_source(line + num(row->fixed_ua) + " µA + " + num(row->ua_per_mhz) + " µA/MHz x " + num(mhz) + " MHz = " + num(ua) +
                             " µA" + (row->mode.empty() ? "" : " (" + row->mode + ")"),
                         row->source);
    m.sources.push_back(std::move(line));
  }

  // Leakage: the fixed current of the low-power states doubles every
  // leakage_doubling_c above the reference temperature (not reduced below it).
  const double leak = leakage_factor(p, o.temperature_c);
  auto low_power_ua = [&](const LowPowerState &s, const char *what) {
    const double ua = power::low_power_ua(p, s, mhz, o.temperature_c);
    std::string line = std::string(what) + " '" + s.name + "': " + num(s.fixed_ua) + " µA";
    if (leak != 1.0)
      line += " x 2^((" + num(o.temperature_c) + " - " + num(p.reference_c) + ")/" + num(p.leakage_doubling_c) + ")";
    if (s.ua_per_mhz != 0) line += " + " + num(s.ua_per_mhz) + " µA/MHz x " + num(mhz) + " MHz";
    if (leak != 1.0 || s.ua_per_mhz != 0) line += " = " + num(ua) + " µA";
    line += ", wake-up " + num(s.wakeup_us) + " µs";
    m.sources.push_back(with_source(std::move(line), s.source));
    return ua;
  };
  const LowPowerState *sleep = p.sleep_state();
  if (!sleep) return power_error(PowerError::Kind::UnknownState, dev + ": the power figures have no sleep state");
  m.sleep_ua = low_power_ua(*sleep, "sleep");
  m.sleep_wakeup_us = sleep->wakeup_us;

  const std::string deep_name = o.deep_sleep.empty() ? p.deep_sleep : o.deep_sleep;
  const LowPowerState *deep = deep_name.empty() ? sleep : p.state(deep_name);
  if (!deep)
    return power_error(PowerError::Kind::UnknownState,
                       dev + ": unknown low-power state '" + shown(deep_name) + "' (states: " + listed(state_names(p)) + ")");
  m.deep_sleep_name = deep->name;
  m.deep_sleep_ua = low_power_ua(*deep, deep_name.empty() ? "deep sleep (none named: the sleep state)" : "deep sleep");
  m.deep_wakeup_us = deep->wakeup_us;
  // Every stop/standby state, for runs whose firmware selects another one (PWR_CR1.LPMS).
  for (const auto &s : p.states) {
    if (s.kind == PowerStateKind::Sleep) continue;
    const size_t before = m.sources.size();
    EnergyModel::DeepState d{s.name, low_power_ua(s, "deep sleep"), s.wakeup_us, ""};
    d.source = m.sources.back();
    m.sources.resize(before);
    m.deep_states.push_back(std::move(d));
  }

  m.wakeup_ua = m.run_ua[static_cast<unsigned>(CodeLocation::Flash)];
  m.sources.push_back("wake-up: drawn at the run current from flash (" + num(m.wakeup_ua) + " µA)");
  if (leak != 1.0)
    m.sources.push_back(with_source("leakage: low-power fixed currents x " + num(leak) + " at " + num(o.temperature_c) + " °C (doubling every " +
                                        num(p.leakage_doubling_c) + " °C above " + num(p.reference_c) + " °C)",
                                    ""));
  if (std::fabs(volts - p.voltage_v) > 1e-12)
    m.sources.push_back("rail: " + num(volts) + " V (figures at " + num(p.voltage_v) +
                        " V; currents kept as given, power = current x rail voltage [ESTIMATE])");
  if (!p.weights.neutral())
    m.sources.push_back("instruction classes: MAC " + num(p.weights.mac_pj) + " pJ, FPU " + num(p.weights.fpu_pj) + " pJ, flash load " +
                        num(p.weights.flash_load_pj) + " pJ, SRAM access " + num(p.weights.sram_access_pj) + " pJ");
  return m;
}

namespace {

/// The counters' cycles as one part (every clock together).
PowerSegment whole_run(const PowerCounters &c) {
  PowerSegment s;
  s.run_cycles = c.run_cycles;
  s.sleep_cycles = c.sleep_cycles;
  s.deep_sleep_cycles = c.deep_sleep_cycles;
  s.sleep_wakeup_cycles = c.sleep_wakeup_cycles;
  s.deep_wakeup_cycles = c.deep_wakeup_cycles;
  for (size_t i = 0; i < c.deep_states.size() && i < kMaxDeepStates; ++i) s.deep_state_cycles[i] = c.deep_states[i].cycles;
  return s;
}

/// A state row summed over the parts of a run.
struct Row {
  std::string name;
  uint64_t cycles = 0;
  double seconds = 0, uj = 0, ua = 0;
  unsigned parts = 0; ///< parts with cycles in it (one: `ua` is its current; more: the average is shown)
  void add(const EnergyModel &m, double part_ua, uint64_t n) {
    if (!n) return;
    cycles += n;
    seconds += m.mhz > 0 ? double(n) / (m.mhz * 1e6) : 0;
    uj += uj_at(m, part_ua, n);
    ua = part_ua;
    ++parts;
  }
};

/// Energy in µJ of one part's cycles (a clock's, or a timeline segment's) at `m`, class energy aside.
double part_uj(const EnergyModel &m, const PowerCounters &c, const PowerSegment &p) {
  return m.state_uj(CoreState::Run, p.run_cycles[0], CodeLocation::Flash) + m.state_uj(CoreState::Run, p.run_cycles[1], CodeLocation::Ram) +
         m.state_uj(CoreState::Sleep, p.sleep_cycles) + deep_sleep_uj(m, c, p) +
         m.state_uj(CoreState::Wakeup, p.sleep_wakeup_cycles + p.deep_wakeup_cycles);
}

/// Prices `parts` (each at models[i]); `final_model` is the run's model in the report;
/// `by_clock`: the parts are the counters' clocks (timeline segments priced by their clock).
RunEnergy price_parts(const PowerCounters &c, const std::vector<PowerSegment> &parts, const std::vector<EnergyModel> &models,
                      size_t final_model, bool by_clock) {
  RunEnergy e;
  e.model = models[final_model];
  const EnergyModel &fm = e.model;
  const double volts = fm.voltage_v;

  std::vector<Row> rows;
  rows.push_back({"run (flash)"});
  rows.push_back({"run (sram)"});
  rows.push_back({"sleep"});
  const size_t deep_first = rows.size();
  for (const auto &d : c.deep_states) rows.push_back({"deep sleep (" + d.name + ")"});
  const size_t deep_rest = rows.size();
  rows.push_back({"deep sleep (" + fm.deep_sleep_name + ")"});
  rows.push_back({"wake-up"});
  const size_t wake_row = rows.size() - 1;

  const uint64_t all_run = c.run_cycles[0] + c.run_cycles[1];
  double class_uj = 0;
  if (c.classes) {
    const InstructionClassCounts &k = *c.classes;
    const PowerWeights &w = fm.weights;
    class_uj = (double(k.mac) * w.mac_pj + double(k.fpu) * w.fpu_pj + double(k.flash_loads) * w.flash_load_pj +
                double(k.sram_accesses) * w.sram_access_pj) *
               1e-6; // pJ -> µJ
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    const PowerSegment &p = parts[i];
    const EnergyModel &m = models[i];
    rows[0].add(m, m.run_ua[0], p.run_cycles[0]);
    rows[1].add(m, m.run_ua[1], p.run_cycles[1]);
    rows[2].add(m, m.sleep_ua, p.sleep_cycles);
    uint64_t counted = 0;
    for (size_t d = 0; d < c.deep_states.size() && d < kMaxDeepStates; ++d) {
      const EnergyModel::DeepState *priced = m.deep_state(c.deep_states[d].name);
      rows[deep_first + d].add(m, priced ? priced->ua : m.deep_sleep_ua, p.deep_state_cycles[d]);
      counted += p.deep_state_cycles[d];
    }
    rows[deep_rest].add(m, m.deep_sleep_ua, p.deep_sleep_cycles - std::min(counted, p.deep_sleep_cycles));
    const uint64_t wake = p.sleep_wakeup_cycles + p.deep_wakeup_cycles;
    rows[wake_row].add(m, m.wakeup_ua, wake);
    e.wakeup_uj += m.state_uj(CoreState::Wakeup, wake);
    const double hz = m.mhz * 1e6;
    const double seconds = hz > 0 ? double(p.total()) / hz : 0;
    e.seconds += seconds;
    if (by_clock) {
      const uint64_t run = p.run_cycles[0] + p.run_cycles[1];
      e.clocks.push_back({m.mhz, m.mode, p.total(), seconds, part_uj(m, c, p) + (all_run ? class_uj * double(run) / double(all_run) : 0)});
    }
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    Row &row = rows[r];
    if (!row.cycles) continue;
    StateEnergy st;
    st.state = row.name;
    st.cycles = row.cycles;
    st.seconds = row.seconds;
    st.uj = row.uj;
    st.current_ua = row.parts == 1 ? row.ua : row.seconds > 0 && volts > 0 ? row.uj / (volts * row.seconds) : row.ua;
    if (r >= deep_first && r < deep_rest) {
      const DeepSleepCounts &d = c.deep_states[r - deep_first];
      st.entries = d.entries;
      st.wakeup_us = d.wakeup_us;
    }
    e.energy_uj += st.uj;
    e.states.push_back(std::move(st));
  }
  // The figures of every state the run entered besides the model's own deep-sleep state.
  for (const auto &d : c.deep_states) {
    const EnergyModel::DeepState *priced = fm.deep_state(d.name);
    if (priced && !same_name(d.name, fm.deep_sleep_name) &&
        std::find(e.model.sources.begin(), e.model.sources.end(), priced->source) == e.model.sources.end())
      e.model.sources.push_back(priced->source);
  }
  e.sleep_entries = c.sleep_entries;
  e.deep_sleep_entries = c.deep_sleep_entries;
  e.class_uj = class_uj;
  e.energy_uj += e.class_uj;
  for (auto &st : e.states) st.share = e.energy_uj > 0 ? st.uj / e.energy_uj : 0;
  e.average_mw = e.seconds > 0 ? e.energy_uj / e.seconds * 1e-3 : 0; // µJ/s = µW
  e.average_ma = volts > 0 ? e.average_mw / volts : 0;

  // The timeline: each segment's energy over its length, at its own clock.
  // The instruction-class energy is spread over the run cycles (where they ran is not counted).
  double t = 0;
  const bool clock_by_clock = by_clock && parts.size() > 1;
  for (const auto &seg : c.timeline) {
    if (seg.end <= seg.start) continue;
    const EnergyModel &m = by_clock ? models[std::min<size_t>(seg.clock, models.size() - 1)] : models[0];
    const double hz = m.mhz * 1e6;
    const uint64_t len = seg.end - seg.start;
    const uint64_t run = seg.run_cycles[0] + seg.run_cycles[1];
    double uj = part_uj(m, c, seg);
    if (all_run) uj += e.class_uj * double(run) / double(all_run);
    PowerPoint pt;
    // One clock: the segment's bounds at it; several: the time so far, clock by clock.
    pt.start_s = clock_by_clock ? t : hz > 0 ? double(seg.start) / hz : 0;
    const double seconds = hz > 0 ? double(len) / hz : 0;
    t += seconds;
    pt.end_s = clock_by_clock ? t : hz > 0 ? double(seg.end) / hz : 0;
    pt.state = seg.state;
    pt.mw = uj / seconds * 1e-3;
    e.peak_mw = std::max(e.peak_mw, pt.mw);
    e.timeline.push_back(pt);
  }
  if (e.timeline.empty()) e.peak_mw = e.average_mw; // no timeline: the average is all that is known
  e.peak_ma = volts > 0 ? e.peak_mw / volts : 0;
  e.timeline_merged = c.merged;
  return e;
}

} // namespace

RunEnergy price_run(const PowerCounters &c, const EnergyModel &m) { return price_parts(c, {whole_run(c)}, {m}, 0, false); }

RunEnergy price_run(const PowerCounters &c, const std::vector<EnergyModel> &by_clock) {
  if (by_clock.empty()) return {};
  if (c.clocks.size() != by_clock.size() || c.clocks.size() < 1) return price_run(c, by_clock.back());
  std::vector<PowerSegment> parts;
  for (const auto &k : c.clocks) parts.push_back(k.cycles);
  const size_t final_clock = c.timeline.empty() ? by_clock.size() - 1 : std::min<size_t>(c.timeline.back().clock, by_clock.size() - 1);
  RunEnergy e = price_parts(c, parts, by_clock, final_clock, true);
  // The other clocks' run and sleep figures, after the final one's.
  for (size_t i = 0; i < by_clock.size(); ++i) {
    if (i == final_clock) continue;
    const EnergyModel &m = by_clock[i];
    for (const auto &line : m.sources)
      if (line.rfind("run from", 0) == 0 || line.rfind("sleep '", 0) == 0)
        e.model.sources.push_back("at " + num(m.mhz) + " MHz" + (m.mode.empty() ? "" : " (" + m.mode + ")") + ", " + line);
  }
  return e;
}

PowerExpected<std::vector<EnergyModel>> make_clock_models(const Device &device, const EnergyOptions &o, const PowerCounters &c) {
  std::vector<EnergyModel> out;
  if (c.clocks.empty()) {
    auto m = make_energy_model(device, o);
    if (!m) return tl::unexpected(m.error());
    out.push_back(std::move(*m));
    return out;
  }
  for (const auto &k : c.clocks) {
    EnergyOptions eo = o;
    eo.mhz = k.hz / 1e6;
    if (eo.mode.empty()) eo.mode = k.power_mode;
    auto m = make_energy_model(device, eo);
    if (!m) return tl::unexpected(m.error());
    out.push_back(std::move(*m));
  }
  return out;
}

} // namespace mcusim::power
