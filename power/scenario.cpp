/// \file
/// Reading battery-life scenarios from TOML (see scenario.h).
#include "power/scenario.h"
#include "power/battery_toml.h"
#include "power/toml_reader.h"

#include <cmath>


namespace mcusim::power {

namespace fs = std::filesystem;

namespace {

constexpr double kTenYearsS = 10 * kHoursPerYear * 3600; // longest period accepted

struct ScenarioParser {
  TomlReader &r;
  std::string file;
  const std::vector<fs::path> &preset_dirs;

  void battery(const toml::table &t, Battery &b) {
    const toml::node *preset = t.get("preset");
    const toml::node *cell_file = t.get("file");
    if (!preset && !cell_file) {
      read_battery(r, t, "battery.", b);
      return;
    }
    if (preset && cell_file) {
      r.fail(cell_file->source(), "'battery.preset' and 'battery.file' both given: choose one");
      return;
    }
    const toml::node &n = preset ? *preset : *cell_file;
    auto name = r.string(n, preset ? "battery.preset" : "battery.file");
    if (!name) return;
    PowerExpected<Battery> loaded = tl::unexpected(PowerError{});
    if (preset) {
      loaded = load_battery_preset(*name, preset_dirs);
      if (!loaded && loaded.error().message.rfind("unknown battery preset", 0) == 0) {
        r.fail(n.source(), loaded.error().message);
        return;
      }
    } else {
      fs::path p(*name);
      if (p.is_relative()) p = fs::path(file).parent_path() / p;
      loaded = load_battery_file(p);
    }
    if (!loaded) {
      r.fail(n.source(), "battery: " + loaded.error().message);
      return;
    }
    b = std::move(*loaded);
    // With a preset or a file, only the cell arrangement may be changed here.
    for (auto [kp, np] : in_file_order(t)) {
      const std::string key(kp->str());
      if (key == "series") {
        if (auto v = r.integer(*np, "battery.series", 1, 1000)) b.series = int(*v);
      } else if (key == "parallel") {
        if (auto v = r.integer(*np, "battery.parallel", 1, 1000)) b.parallel = int(*v);
      } else if (key != "preset" && key != "file") {
        r.unknown(*kp, *np, "battery.", {"preset", "file", "series", "parallel"});
      }
      if (r.failed()) return;
    }
  }

  void supply(const toml::table &t, Supply &s) {
    const toml::node *eff = nullptr, *volt = nullptr, *drop = nullptr;
    bool have_regulator = false;
    for (auto [kp, np] : in_file_order(t)) {
      const std::string key(kp->str()), full = "supply." + key;
      if (key == "regulator") {
        if (auto v = r.string(*np, full)) {
          have_regulator = true;
          if (*v == "none") s.regulator = RegulatorKind::None;
          else if (*v == "ldo") s.regulator = RegulatorKind::Ldo;
          else if (*v == "smps" || *v == "dcdc") s.regulator = RegulatorKind::Smps;
          else r.fail(np->source(), "'" + full + "' must be \"none\", \"ldo\" or \"smps\" (got \"" + *v + "\")");
        }
      } else if (key == "voltage") {
        volt = np;
        if (auto v = r.number(*np, full, "volts", 0, 100, true)) s.voltage_v = *v;
      } else if (key == "efficiency") {
        eff = np;
        if (auto v = r.number(*np, full, "(a fraction)", 0, 1, true)) s.efficiency = *v;
      } else if (key == "quiescent_ua") {
        if (auto v = r.number(*np, full, "microamperes", 0, 1e6)) s.quiescent_ua = *v;
      } else if (key == "dropout_v") {
        drop = np;
        if (auto v = r.number(*np, full, "volts", 0, 10)) s.dropout_v = *v;
      } else {
        r.unknown(*kp, *np, "supply.", {"regulator", "voltage", "efficiency", "quiescent_ua", "dropout_v"});
      }
      if (r.failed()) return;
    }
    if (!have_regulator) {
      r.require(t, "regulator", "supply.regulator", "\"none\", \"ldo\" or \"smps\"");
      return;
    }
    const char *name = regulator_name(s.regulator);
    if (s.regulator == RegulatorKind::None) {
      if (volt) r.fail(volt->source(), "'supply.voltage' is the battery's own with regulator \"none\": remove it");
    } else if (!volt) {
      r.require(t, "voltage", "supply.voltage", std::string("the MCU's rail voltage after the ") + name);
    }
    if (r.failed()) return;
    if (s.regulator == RegulatorKind::Smps && !eff)
      r.require(t, "efficiency", "supply.efficiency", "the SMPS's power efficiency, e.g. 0.9");
    else if (s.regulator != RegulatorKind::Smps && eff)
      r.fail(eff->source(), std::string("'supply.efficiency' applies to \"smps\" only (") +
                                (s.regulator == RegulatorKind::Ldo ? "an LDO's efficiency is V_out/V_in" : "no regulator") +
                                ")");
    else if (s.regulator != RegulatorKind::Ldo && drop)
      r.fail(drop->source(), "'supply.dropout_v' applies to \"ldo\" only");
  }

  void run(const toml::table &t, RunPhase &p) {
    for (auto [kp, np] : in_file_order(t)) {
      const std::string key(kp->str()), full = "run." + key;
      if (key == "energy_uj") p.energy_uj = r.number(*np, full, "microjoules", 0, 1e12);
      else if (key == "current_ua") p.current_ua = r.number(*np, full, "microamperes", 0, 1e9);
      else if (key == "duration_ms") {
        if (auto v = r.number(*np, full, "milliseconds", 0, kTenYearsS * 1e3, true)) p.duration_s = *v / 1e3;
      } else r.unknown(*kp, *np, "run.", {"energy_uj", "current_ua", "duration_ms"});
      if (r.failed()) return;
    }
    if (p.energy_uj && p.current_ua) {
      r.fail(t.source(), "'run.energy_uj' and 'run.current_ua' both given: choose one");
      return;
    }
    if (!p.energy_uj && !p.current_ua) {
      r.fail(t.source(), "missing 'run.energy_uj' or 'run.current_ua' (what one run draws at the MCU's rail)");
      return;
    }
    r.require(t, "duration_ms", "run.duration_ms", "how long one run lasts, in milliseconds");
  }

  void duty(const toml::table &t, double &period_s) {
    for (auto [kp, np] : in_file_order(t)) {
      const std::string key(kp->str());
      if (key == "period_s") {
        if (auto v = r.number(*np, "duty.period_s", "seconds", 0, kTenYearsS, true)) period_s = *v;
      } else r.unknown(*kp, *np, "duty.", {"period_s"});
      if (r.failed()) return;
    }
    r.require(t, "period_s", "duty.period_s", "the time from one run to the next, in seconds");
  }

  void sleep(const toml::table &t, SleepPhase &s) {
    for (auto [kp, np] : in_file_order(t)) {
      const std::string key(kp->str()), full = "sleep." + key;
      if (key == "mode") {
        if (auto v = r.string(*np, full)) s.mode = *v;
      } else if (key == "current_ua") {
        if (auto v = r.number(*np, full, "microamperes", 0, 1e9)) s.current_ua = *v;
      } else if (key == "voltage") {
        s.voltage_v = r.number(*np, full, "volts", 0, 100, true);
      } else r.unknown(*kp, *np, "sleep.", {"mode", "current_ua", "voltage"});
      if (r.failed()) return;
    }
    r.require(t, "current_ua", "sleep.current_ua", "the current between runs, in microamperes");
  }

  void load(const toml::table &t, size_t index, Load &l) {
    const std::string p = "load[" + std::to_string(index) + "].";
    const toml::node *every = nullptr, *duration = nullptr;
    for (auto [kp, np] : in_file_order(t)) {
      const std::string key(kp->str()), full = p + key;
      if (key == "name") {
        if (auto v = r.string(*np, full)) l.name = *v;
      } else if (key == "current_ua") {
        l.current_ua = r.number(*np, full, "microamperes", 0, 1e9);
      } else if (key == "energy_mj") {
        l.energy_mj = r.number(*np, full, "millijoules", 0, 1e9);
      } else if (key == "every_runs") {
        every = np;
        if (auto v = r.integer(*np, full, 1, 1000000000)) l.every_runs = int(*v);
      } else if (key == "duration_ms") {
        duration = np;
        if (auto v = r.number(*np, full, "milliseconds", 0, kTenYearsS * 1e3, true)) l.duration_s = *v / 1e3;
      } else if (key == "rail") {
        if (auto v = r.string(*np, full)) {
          if (*v == "supply") l.rail = Rail::Supply;
          else if (*v == "battery") l.rail = Rail::Battery;
          else r.fail(np->source(), "'" + full + "' must be \"supply\" or \"battery\" (got \"" + *v + "\")");
        }
      } else {
        r.unknown(*kp, *np, p, {"name", "current_ua", "energy_mj", "every_runs", "duration_ms", "rail"});
      }
      if (r.failed()) return;
    }
    if (!r.require(t, "name", p + "name", "what the load is, e.g. \"radio\"")) return;
    if (l.current_ua && l.energy_mj) {
      r.fail(t.source(), "'" + p + "current_ua' and '" + p + "energy_mj' both given: a load is continuous or a burst");
    } else if (!l.current_ua && !l.energy_mj) {
      r.fail(t.source(), "missing '" + p + "current_ua' (a continuous load) or '" + p + "energy_mj' (a burst)");
    } else if (l.current_ua && (every || duration)) {
      r.fail((every ? every : duration)->source(),
             "'" + p + (every ? "every_runs" : "duration_ms") + "' applies to bursts (energy_mj) only");
    }
  }
};

} // namespace

PowerExpected<Scenario> parse_scenario(std::string_view text, const std::string &file,
                                       const std::vector<fs::path> &preset_dirs) {
  return parse_scenario(text, file, preset_dirs, ScenarioParts{});
}

PowerExpected<Scenario> parse_scenario(std::string_view text, const std::string &file,
                                       const std::vector<fs::path> &preset_dirs, const ScenarioParts &supplied) {
  auto root = parse_toml(text, file, "battery scenario");
  if (!root) return tl::unexpected(root.error());
  TomlReader r(file, "battery scenario");
  ScenarioParser p{r, file, preset_dirs};
  Scenario s;
  s.file = file;
  static const std::initializer_list<const char *> known = {"title", "battery", "supply", "run",
                                                            "duty",  "sleep",   "load",   "ambient"};
  for (auto [kp, np] : in_file_order(*root)) {
    const std::string key(kp->str());
    const toml::node &n = *np;
    if (key == "title") {
      if (auto v = r.string(n, key)) s.title = *v;
    } else if (key == "battery") {
      if (auto t = r.table(n, key)) p.battery(*t, s.battery);
    } else if (key == "supply") {
      if (auto t = r.table(n, key)) p.supply(*t, s.supply);
    } else if (key == "run") {
      if (auto t = r.table(n, key)) p.run(*t, s.run);
    } else if (key == "duty") {
      if (auto t = r.table(n, key)) p.duty(*t, s.period_s);
    } else if (key == "sleep") {
      if (auto t = r.table(n, key)) p.sleep(*t, s.sleep);
    } else if (key == "load") {
      if (auto a = r.array_of_tables(n, key))
        for (size_t i = 0; i < a->size() && !r.failed(); ++i) {
          Load l;
          p.load(*(*a)[i].as_table(), i, l);
          s.loads.push_back(std::move(l));
        }
    } else if (key == "ambient") {
      if (auto t = r.table(n, key)) {
        for (auto [akp, anp] : in_file_order(*t)) {
          if (akp->str() == "temperature_c") {
            if (auto v = r.number(*anp, "ambient.temperature_c", "degrees Celsius", -100, 200)) s.temperature_c = *v;
          } else r.unknown(*akp, *anp, "ambient.", {"temperature_c"});
          if (r.failed()) break;
        }
      }
    } else {
      r.unknown(*kp, n, "", known);
    }
    if (r.failed()) return tl::unexpected(r.error());
  }
  ScenarioParts &g = s.given;
  g.battery = root->contains("battery");
  g.supply = root->contains("supply");
  g.run = root->contains("run");
  g.duty = root->contains("duty");
  g.sleep = root->contains("sleep");
  g.ambient = root->contains("ambient");
  const struct {
    const char *key;
    bool needed;
    const char *hint;
  } required[] = {
      {"battery", !supplied.battery, "[battery] with preset = \"...\", file = \"...\" or the cell's own figures"},
      {"supply", !supplied.supply, "[supply] with regulator = \"none\", \"ldo\" or \"smps\""},
      {"run", !supplied.run, "[run] with energy_uj or current_ua, and duration_ms"},
      {"duty", !supplied.duty, "[duty] with period_s"},
      {"sleep", !supplied.sleep, "[sleep] with current_ua"}};
  for (const auto &req : required)
    if (req.needed && !root->contains(req.key)) {
      r.fail_at_line(0, "missing '" + std::string(req.key) + "' (" + req.hint + ")");
      return tl::unexpected(r.error());
    }
  if (g.run && g.duty && s.run.duration_s > s.period_s)
    r.fail((*root)["run"]["duration_ms"].node()->source(),
           "'run.duration_ms' (" + number_text(s.run.duration_s * 1e3) + " ms) is longer than 'duty.period_s' (" +
               number_text(s.period_s) + " s)");
  for (size_t i = 0; g.duty && i < s.loads.size() && !r.failed(); ++i)
    if (s.loads[i].duration_s && *s.loads[i].duration_s > s.period_s * s.loads[i].every_runs)
      r.fail_at_line(0, "'load[" + std::to_string(i) + "].duration_ms' is longer than the time between its bursts");
  if (g.supply && g.battery && s.supply.regulator == RegulatorKind::Ldo && s.supply.voltage_v > 0 &&
      s.supply.voltage_v + s.supply.dropout_v > s.battery.pack_nominal_v())
    r.fail((*root)["supply"]["voltage"].node()->source(),
           "an LDO cannot make " + number_text(s.supply.voltage_v) + " V (dropout " + number_text(s.supply.dropout_v) +
               " V) from a " + number_text(s.battery.pack_nominal_v()) + " V battery: use \"smps\" or a higher-voltage battery");
  if (r.failed()) return tl::unexpected(r.error());
  return s;
}

PowerExpected<Scenario> load_scenario(const fs::path &file, const std::vector<fs::path> &preset_dirs) {
  return load_scenario(file, preset_dirs, ScenarioParts{});
}

PowerExpected<Scenario> load_scenario(const fs::path &file, const std::vector<fs::path> &preset_dirs,
                                      const ScenarioParts &supplied) {
  auto text = read_text_file(file.string(), "battery scenario");
  if (!text) return tl::unexpected(text.error());
  return parse_scenario(*text, file.string(), preset_dirs, supplied);
}

tl::expected<void, PowerError> check_scenario(const Scenario &s) {
  const std::string where = (s.file.empty() ? std::string("battery scenario") : s.file) + ": impossible battery scenario: ";
  auto bad = [&](const std::string &m) { return tl::unexpected(PowerError{PowerError::Kind::Malformed, one_line(where + m)}); };
  auto finite_non_negative = [](double v) { return std::isfinite(v) && v >= 0; };
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  if (!positive(s.period_s)) return bad("the period must be greater than 0 seconds (got " + number_text(s.period_s) + " s)");
  if (s.period_s > kTenYearsS) return bad("the period " + number_text(s.period_s) + " s is longer than ten years");
  if (s.run.energy_uj.has_value() == s.run.current_ua.has_value())
    return bad("the run needs either its energy or its average current");
  if (s.run.energy_uj && !finite_non_negative(*s.run.energy_uj))
    return bad("the run's energy must be a finite number of microjoules, not negative (got " + number_text(*s.run.energy_uj) + ")");
  if (s.run.current_ua && !finite_non_negative(*s.run.current_ua))
    return bad("the run's current must be a finite number of microamperes, not negative (got " + number_text(*s.run.current_ua) + ")");
  if (!positive(s.run.duration_s)) return bad("the run must last longer than 0 s (got " + number_text(s.run.duration_s) + " s)");
  if (s.run.duration_s > s.period_s)
    return bad("the run (" + number_text(s.run.duration_s * 1e3) + " ms) is longer than the period (" + number_text(s.period_s) +
               " s): it cannot happen once every period");
  if (!finite_non_negative(s.sleep.current_ua))
    return bad("the sleep current must be a finite number of microamperes, not negative (got " + number_text(s.sleep.current_ua) + ")");
  if (s.sleep.voltage_v && !positive(*s.sleep.voltage_v)) return bad("the sleep voltage must be greater than 0 V");
  const Battery &b = s.battery;
  if (!positive(b.nominal_v) || !positive(b.cutoff_v) || b.series < 1 || b.parallel < 1 || b.capacity.empty())
    return bad("the battery '" + b.name + "' has no usable figures (voltages, cells, capacity)");
  const Supply &sup = s.supply;
  if (sup.regulator != RegulatorKind::None && !positive(sup.voltage_v))
    return bad(std::string("the ") + regulator_name(sup.regulator) + " needs the MCU's rail voltage, greater than 0 V");
  if (sup.regulator == RegulatorKind::Smps && !(std::isfinite(sup.efficiency) && sup.efficiency > 0 && sup.efficiency <= 1))
    return bad("the SMPS efficiency must be in (0, 1] (got " + number_text(sup.efficiency) + ")");
  if (!finite_non_negative(sup.quiescent_ua)) return bad("the regulator's quiescent current must not be negative");
  if (sup.regulator == RegulatorKind::Ldo && sup.voltage_v + sup.dropout_v > b.pack_nominal_v())
    return bad("an LDO cannot make " + number_text(sup.voltage_v) + " V (dropout " + number_text(sup.dropout_v) + " V) from a " +
               number_text(b.pack_nominal_v()) + " V battery: use \"smps\" or a higher-voltage battery");
  for (const Load &l : s.loads) {
    if (l.name.empty()) return bad("a load without a name");
    if (l.current_ua.has_value() == l.energy_mj.has_value())
      return bad("load '" + l.name + "' needs either a continuous current or a burst energy");
    if (l.current_ua && !finite_non_negative(*l.current_ua)) return bad("load '" + l.name + "': the current must not be negative");
    if (l.energy_mj && !finite_non_negative(*l.energy_mj)) return bad("load '" + l.name + "': the energy must not be negative");
    if (l.every_runs < 1) return bad("load '" + l.name + "': a burst comes once every 1 or more runs");
    if (l.duration_s && !positive(*l.duration_s)) return bad("load '" + l.name + "': the burst must last longer than 0 s");
    if (l.duration_s && *l.duration_s > s.period_s * l.every_runs)
      return bad("load '" + l.name + "': the burst (" + number_text(*l.duration_s * 1e3) +
                 " ms) is longer than the time between its bursts (" + number_text(s.period_s * l.every_runs) + " s)");
  }
  if (!std::isfinite(s.temperature_c) || s.temperature_c < -100 || s.temperature_c > 200)
    return bad("the temperature must be between -100 and 200 degrees Celsius (got " + number_text(s.temperature_c) + ")");
  return {};
}

} // namespace mcusim::power
