/// \file
/// Duty-cycle battery-life projection (see projection.h, docs/power.md).
#include "power/projection.h"
#include "power/toml_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace mcusim::power {

namespace {

constexpr double kNear = 0.8; // "near a rating" from 80% of it

std::string fmt(const char *f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

/// "12.3 µA" below 1 mA, "4.56 mA" above.
std::string current_text(double ma) {
  if (ma < 1.0) return fmt("%.3g µA", ma * 1e3);
  return fmt("%.3g mA", ma);
}

std::string percent_text(double fraction) { return fmt("%.0f%%", fraction * 100); }

struct Pulse {
  std::string name;
  double battery_ma = 0;
};

} // namespace

const char *severity_name(Severity s) {
  switch (s) {
  case Severity::Note: return "note";
  case Severity::Caution: return "caution";
  case Severity::Exceeded: return "exceeded";
  }
  return "?";
}

std::optional<Severity> Projection::worst() const {
  std::optional<Severity> w;
  for (const auto &x : warnings)
    if (!w || x.severity > *w) w = x.severity;
  return w;
}

Projection project(const Scenario &s) {
  Projection p;
  const Battery &b = s.battery;
  const Supply &sup = s.supply;
  p.battery_v = b.pack_nominal_v();
  p.rail_v = sup.rail_v(p.battery_v);
  const double T = s.period_s;
  auto warn = [&](Severity sev, const std::string &m) { p.warnings.push_back({sev, one_line(m)}); };

  // Charge per period at the battery, in mA·s, for each consumer.
  std::vector<std::pair<std::string, double>> charge;
  std::vector<Pulse> pulses;
  double background_ma = sup.quiescent_ua / 1e3; // drawn all the time, at the battery

  // The run: its rail charge is E / V_rail or I * t.
  const double run_rail_ma = s.run.energy_uj ? (*s.run.energy_uj / 1e3) / p.rail_v / s.run.duration_s
                                             : *s.run.current_ua / 1e3;
  const double run_bat_ma = sup.battery_ma(run_rail_ma, p.rail_v, p.battery_v);
  charge.emplace_back("run", run_bat_ma * s.run.duration_s);
  pulses.push_back({"the run", run_bat_ma});

  // Sleep between runs, at its own rail voltage.
  const double sleep_v = s.sleep.voltage_v.value_or(p.rail_v);
  const double sleep_bat_ma = sup.battery_ma(s.sleep.current_ua / 1e3, sleep_v, p.battery_v);
  charge.emplace_back(s.sleep.mode.empty() ? "sleep" : "sleep (" + s.sleep.mode + ")",
                      sleep_bat_ma * (T - s.run.duration_s));

  for (const Load &l : s.loads) {
    const double v = l.rail == Rail::Supply ? p.rail_v : p.battery_v;
    auto to_battery = [&](double ma) { return l.rail == Rail::Supply ? sup.battery_ma(ma, v, p.battery_v) : ma; };
    if (l.current_ua) {
      double ma = to_battery(*l.current_ua / 1e3);
      charge.emplace_back(l.name, ma * T);
      background_ma += ma;
    } else {
      double burst_mas = to_battery(*l.energy_mj / v); // mJ / V = mA·s
      charge.emplace_back(l.name, burst_mas / l.every_runs);
      if (l.duration_s) pulses.push_back({l.name, burst_mas / *l.duration_s});
      else
        warn(Severity::Note, "the peak current of '" + l.name + "' is not known: give its duration_ms");
    }
  }
  if (sup.quiescent_ua > 0) charge.emplace_back("regulator quiescent", sup.quiescent_ua / 1e3 * T);

  double total_mas = 0;
  for (auto &[n, q] : charge) total_mas += q;
  p.average_ma = total_mas / T;
  p.average_mw = p.average_ma * p.battery_v;

  const Pulse *top = &pulses.front();
  for (const Pulse &x : pulses)
    if (x.battery_ma > top->battery_ma) top = &x;
  p.peak_ma = std::max(top->battery_ma, sleep_bat_ma) + background_ma;

  // Capacity, self-discharge, life.
  p.rated_capacity_mah = b.rated_capacity_mah();
  p.capacity_mah = b.capacity_mah(p.average_ma);
  p.self_discharge_per_year = b.self_discharge_per_year(s.temperature_c);
  p.self_discharge_ma = p.self_discharge_per_year * p.capacity_mah / kHoursPerYear;
  const double drain_ma = p.average_ma + p.self_discharge_ma;
  const double inf = std::numeric_limits<double>::infinity();
  p.life_hours = drain_ma > 0 ? p.capacity_mah / drain_ma : inf;
  p.life_days = p.life_hours / 24;
  p.life_years = p.life_hours / kHoursPerYear;
  p.life_years_without_self_discharge = p.average_ma > 0 ? p.capacity_mah / p.average_ma / kHoursPerYear : inf;

  for (auto &[n, q] : charge) p.shares.push_back({n, q / T, drain_ma > 0 ? q / T / drain_ma : 0});
  if (p.self_discharge_ma > 0)
    p.shares.push_back({"self-discharge", p.self_discharge_ma, drain_ma > 0 ? p.self_discharge_ma / drain_ma : 0});
  if (drain_ma > 0) {
    auto it = std::max_element(p.shares.begin(), p.shares.end(),
                               [](const Share &a, const Share &c) { return a.fraction < c.fraction; });
    p.dominant = it->name;
  } else {
    warn(Severity::Note, "nothing drains the battery: the life is unbounded");
  }

  // The cell's ratings.
  if (auto pulse = b.pack_max_pulse_ma()) {
    double f = p.peak_ma / *pulse;
    std::string m = "peak current " + current_text(p.peak_ma) + " (" + top->name + ") is " + percent_text(f) +
                    " of the battery's " + current_text(*pulse) + " pulse rating";
    if (f > 1) warn(Severity::Exceeded, m + ": expect the voltage to sag below the cut-off and less capacity");
    else if (f >= kNear) warn(Severity::Caution, m + ": at its limit");
  } else if (auto cont = b.pack_max_continuous_ma(); cont && p.peak_ma > *cont) {
    warn(Severity::Caution, "peak current " + current_text(p.peak_ma) + " (" + top->name + ") is above the battery's " +
                                current_text(*cont) + " continuous rating (it gives no pulse rating)");
  }
  if (auto cont = b.pack_max_continuous_ma()) {
    double f = p.average_ma / *cont;
    std::string m = "average current " + current_text(p.average_ma) + " is " + percent_text(f) + " of the battery's " +
                    current_text(*cont) + " continuous rating";
    if (f > 1) warn(Severity::Exceeded, m);
    else if (f >= kNear) warn(Severity::Caution, m + ": at its limit");
  }
  if (b.beyond_rated_load(p.average_ma))
    warn(Severity::Caution, "average current " + current_text(p.average_ma) +
                                " is above the highest load the capacity table gives: the capacity used is optimistic");
  if (p.capacity_mah < 0.95 * p.rated_capacity_mah)
    warn(Severity::Caution, "capacity derated to " + fmt("%.4g", p.capacity_mah) + " mAh at " +
                                current_text(p.average_ma) + " average (rated " + fmt("%.4g", p.rated_capacity_mah) +
                                " mAh at " + current_text(b.rated_current_ma()) + ")");
  if (b.min_temperature_c && s.temperature_c < *b.min_temperature_c)
    warn(Severity::Exceeded, fmt("%g °C", s.temperature_c) + " is below the battery's operating range (from " +
                                 fmt("%g °C", *b.min_temperature_c) + ")");
  if (b.max_temperature_c && s.temperature_c > *b.max_temperature_c)
    warn(Severity::Exceeded, fmt("%g °C", s.temperature_c) + " is above the battery's operating range (up to " +
                                 fmt("%g °C", *b.max_temperature_c) + ")");
  if (s.temperature_c < 0)
    warn(Severity::Note, "capacity loss in the cold is not modelled: below 0 °C the life is shorter than shown");
  if (sup.regulator == RegulatorKind::Ldo && sup.voltage_v + sup.dropout_v > b.pack_cutoff_v())
    warn(Severity::Caution, "the LDO needs " + fmt("%.3g V", sup.voltage_v + sup.dropout_v) +
                                " but the battery is rated down to " + fmt("%.3g V", b.pack_cutoff_v()) +
                                ": the capacity below that is not usable, the life is shorter than shown");

  std::stable_sort(p.warnings.begin(), p.warnings.end(),
                   [](const Warning &a, const Warning &c) { return a.severity > c.severity; });
  return p;
}

std::string render_projection(const Scenario &s, const Projection &p) {
  const Battery &b = s.battery;
  std::string o;
  auto line = [&](const std::string &l) { o += l + "\n"; };
  std::string cells = b.series * b.parallel == 1
                          ? "1 cell"
                          : std::to_string(b.series) + "S" + std::to_string(b.parallel) + "P";
  const char *pad = "                "; // labels are 16 wide
  auto row = [&](const std::string &label, const std::string &value) {
    line(label + std::string(pad + std::min<size_t>(label.size(), 15)) + value);
  };
  row("battery", one_line(b.title.empty() ? b.name : b.title) + " (" + cells + ", " + fmt("%.3g V", p.battery_v) + " nominal, " +
                     fmt("%.4g", p.rated_capacity_mah) + " mAh rated)");
  std::string supply = s.supply.regulator == RegulatorKind::None
                           ? "none: the MCU runs at the battery's " + fmt("%.3g V", p.rail_v)
                           : std::string(regulator_name(s.supply.regulator)) + " to " + fmt("%.3g V", p.rail_v);
  if (s.supply.regulator == RegulatorKind::Smps) supply += ", " + percent_text(s.supply.efficiency) + " efficient";
  if (s.supply.quiescent_ua > 0) supply += ", " + current_text(s.supply.quiescent_ua / 1e3) + " quiescent";
  row("supply", supply);
  row("period", fmt("%g s", s.period_s) + " at " + fmt("%g °C", s.temperature_c));
  row("average", current_text(p.average_ma) + " at the battery, " + fmt("%.4g mW", p.average_mw));
  row("peak", current_text(p.peak_ma));
  row("capacity", fmt("%.4g mAh", p.capacity_mah) + " at that average load");
  row("self-discharge", fmt("%.3g %%/year", p.self_discharge_per_year * 100) + " (" + current_text(p.self_discharge_ma) +
                            " equivalent)");
  auto life_text = [](double years) {
    if (!std::isfinite(years)) return std::string("unbounded");
    if (years < 1) return fmt("%.1f days", years * kHoursPerYear / 24);
    return fmt("%.2f years", years);
  };
  row("life", life_text(p.life_years) + " (" + life_text(p.life_years_without_self_discharge) +
                  " without self-discharge)");
  line("where the charge goes");
  for (const Share &sh : p.shares)
    line("  " + one_line(sh.name) + std::string(sh.name.size() < 22 ? 22 - sh.name.size() : 1, ' ') +
         fmt("%5.1f%%", sh.fraction * 100) + "  " + current_text(sh.battery_ma));
  for (const Warning &w : p.warnings) line(std::string(severity_name(w.severity)) + ": " + w.message);
  return o;
}

} // namespace mcusim::power
