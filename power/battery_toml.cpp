/// \file
/// Battery descriptions in TOML and the preset library (see battery_toml.h).
#include "power/battery_toml.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

namespace mcusim::power {

namespace fs = std::filesystem;

namespace {


std::string lower(std::string s) {
  for (char &c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool valid_preset_name(const std::string &s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

void read_voltage(TomlReader &r, const toml::table &t, const std::string &p, Battery &b) {
  for (auto [kp, np] : in_file_order(t)) {
    const std::string key(kp->str());
    if (key == "nominal_v") {
      if (auto v = r.number(*np, p + key, "volts", 0, 100, true)) b.nominal_v = *v;
    } else if (key == "cutoff_v") {
      if (auto v = r.number(*np, p + key, "volts", 0, 100, true)) b.cutoff_v = *v;
    } else if (key == "source" || key == "notes") {
      r.string(*np, p + key);
    } else {
      r.unknown(*kp, *np, p, {"nominal_v", "cutoff_v", "source", "notes"});
    }
    if (r.failed()) return;
  }
  if (!r.require(t, "nominal_v", p + "nominal_v", "the cell's nominal voltage in volts")) return;
  if (!r.require(t, "cutoff_v", p + "cutoff_v", "the end-of-discharge voltage in volts")) return;
  if (b.cutoff_v >= b.nominal_v)
    r.fail(t["cutoff_v"].node()->source(), "'" + p + "cutoff_v' (" + number_text(b.cutoff_v) +
                                               " V) must be below 'nominal_v' (" + number_text(b.nominal_v) + " V)");
}

void read_capacity(TomlReader &r, const toml::array &a, const std::string &p, Battery &b) {
  for (size_t i = 0; i < a.size(); ++i) {
    const toml::table &t = *a[i].as_table();
    const std::string ip = p + "[" + std::to_string(i) + "].";
    CapacityPoint pt;
    for (auto [kp, np] : in_file_order(t)) {
      const std::string key(kp->str());
      if (key == "current_ma") {
        if (auto v = r.number(*np, ip + key, "milliamperes", 0, 1e6, true)) pt.current_ma = *v;
      } else if (key == "capacity_mah") {
        if (auto v = r.number(*np, ip + key, "milliampere-hours", 0, 1e7, true)) pt.capacity_mah = *v;
      } else if (key == "source" || key == "notes") {
        r.string(*np, ip + key);
      } else {
        r.unknown(*kp, *np, ip, {"current_ma", "capacity_mah", "source", "notes"});
      }
      if (r.failed()) return;
    }
    if (!r.require(t, "current_ma", ip + "current_ma", "the constant load current of this point in mA")) return;
    if (!r.require(t, "capacity_mah", ip + "capacity_mah", "the capacity delivered at that load in mAh")) return;
    if (!b.capacity.empty()) {
      const CapacityPoint &prev = b.capacity.back();
      if (pt.current_ma <= prev.current_ma) {
        r.fail(t["current_ma"].node()->source(), "'" + ip + "current_ma' must be greater than the previous point's (" +
                                                     number_text(prev.current_ma) + " mA): list points by rising load");
        return;
      }
      if (pt.capacity_mah > prev.capacity_mah) {
        r.fail(t["capacity_mah"].node()->source(),
               "'" + ip + "capacity_mah' must not exceed the previous point's (" + number_text(prev.capacity_mah) +
                   " mAh): capacity does not rise with the load");
        return;
      }
    }
    b.capacity.push_back(pt);
  }
}

void read_self_discharge(TomlReader &r, const toml::table &t, const std::string &p, Battery &b) {
  for (auto [kp, np] : in_file_order(t)) {
    const std::string key(kp->str());
    if (key == "pct_per_year") {
      if (auto v = r.number(*np, p + key, "percent per year", 0, 100)) b.self_discharge_pct_per_year = *v;
    } else if (key == "reference_c") {
      if (auto v = r.number(*np, p + key, "degrees Celsius", -60, 100)) b.self_discharge_reference_c = *v;
    } else if (key == "source" || key == "notes") {
      r.string(*np, p + key);
    } else {
      r.unknown(*kp, *np, p, {"pct_per_year", "reference_c", "source", "notes"});
    }
    if (r.failed()) return;
  }
  r.require(t, "pct_per_year", p + "pct_per_year", "capacity lost per year on the shelf, in percent");
}

void read_limits(TomlReader &r, const toml::table &t, const std::string &p, Battery &b) {
  for (auto [kp, np] : in_file_order(t)) {
    const std::string key(kp->str());
    if (key == "max_continuous_ma") {
      if (auto v = r.number(*np, p + key, "milliamperes", 0, 1e6, true)) b.max_continuous_ma = *v;
    } else if (key == "max_pulse_ma") {
      if (auto v = r.number(*np, p + key, "milliamperes", 0, 1e6, true)) b.max_pulse_ma = *v;
    } else if (key == "source" || key == "notes") {
      r.string(*np, p + key);
    } else {
      r.unknown(*kp, *np, p, {"max_continuous_ma", "max_pulse_ma", "source", "notes"});
    }
    if (r.failed()) return;
  }
  if (b.max_continuous_ma && b.max_pulse_ma && *b.max_pulse_ma < *b.max_continuous_ma)
    r.fail(t["max_pulse_ma"].node()->source(), "'" + p + "max_pulse_ma' (" + number_text(*b.max_pulse_ma) +
                                                   " mA) must not be below 'max_continuous_ma' (" +
                                                   number_text(*b.max_continuous_ma) + " mA)");
}

void read_temperature(TomlReader &r, const toml::table &t, const std::string &p, Battery &b) {
  for (auto [kp, np] : in_file_order(t)) {
    const std::string key(kp->str());
    if (key == "min_c") {
      if (auto v = r.number(*np, p + key, "degrees Celsius", -100, 200)) b.min_temperature_c = *v;
    } else if (key == "max_c") {
      if (auto v = r.number(*np, p + key, "degrees Celsius", -100, 200)) b.max_temperature_c = *v;
    } else if (key == "source" || key == "notes") {
      r.string(*np, p + key);
    } else {
      r.unknown(*kp, *np, p, {"min_c", "max_c", "source", "notes"});
    }
    if (r.failed()) return;
  }
  if (b.min_temperature_c && b.max_temperature_c && *b.min_temperature_c >= *b.max_temperature_c)
    r.fail(t.source(), "'" + p + "min_c' (" + number_text(*b.min_temperature_c) + " °C) must be below 'max_c' (" +
                           number_text(*b.max_temperature_c) + " °C)");
}

} // namespace

bool read_battery(TomlReader &r, const toml::table &t, const std::string &prefix, Battery &b) {
  static const std::initializer_list<const char *> known = {
      "schema", "name", "title", "chemistry", "source", "notes", "series", "parallel",
      "voltage", "capacity", "self_discharge", "limits", "temperature"};
  for (auto [kp, np] : in_file_order(t)) {
    const std::string key(kp->str()), full = prefix + key;
    const toml::node &n = *np;
    if (key == "schema") {
      r.integer(n, full, 1, 1);
    } else if (key == "name") {
      if (auto s = r.string(n, full)) b.name = *s;
    } else if (key == "title") {
      if (auto s = r.string(n, full)) b.title = *s;
    } else if (key == "chemistry") {
      if (auto s = r.string(n, full)) b.chemistry = *s;
    } else if (key == "source" || key == "notes") {
      r.string(n, full);
    } else if (key == "series") {
      if (auto v = r.integer(n, full, 1, 1000)) b.series = int(*v);
    } else if (key == "parallel") {
      if (auto v = r.integer(n, full, 1, 1000)) b.parallel = int(*v);
    } else if (key == "voltage") {
      if (auto st = r.table(n, full)) read_voltage(r, *st, full + ".", b);
    } else if (key == "capacity") {
      if (auto a = r.array_of_tables(n, full)) read_capacity(r, *a, full, b);
    } else if (key == "self_discharge") {
      if (auto st = r.table(n, full)) read_self_discharge(r, *st, full + ".", b);
    } else if (key == "limits") {
      if (auto st = r.table(n, full)) read_limits(r, *st, full + ".", b);
    } else if (key == "temperature") {
      if (auto st = r.table(n, full)) read_temperature(r, *st, full + ".", b);
    } else {
      r.unknown(*kp, n, prefix, known);
    }
    if (r.failed()) return false;
  }
  if (!r.require(t, "voltage", prefix + "voltage", "a table with nominal_v and cutoff_v")) return false;
  if (!r.require(t, "capacity", prefix + "capacity",
                 "[[" + prefix + "capacity]] points of current_ma and capacity_mah"))
    return false;
  if (b.capacity.empty()) return r.fail(t.source(), "'" + prefix + "capacity' needs at least one point");
  if (!r.require(t, "self_discharge", prefix + "self_discharge", "a table with pct_per_year")) return false;
  return !r.failed();
}

PowerExpected<Battery> parse_battery(std::string_view text, const std::string &file) {
  auto root = parse_toml(text, file, "battery description");
  if (!root) return tl::unexpected(root.error());
  TomlReader r(file, "battery description");
  Battery b;
  if (!read_battery(r, *root, "", b)) return tl::unexpected(r.error());
  if (b.name.empty()) b.name = fs::path(file).stem().string();
  return b;
}

PowerExpected<Battery> load_battery_file(const fs::path &file) {
  auto text = read_text_file(file.string(), "battery description");
  if (!text) return tl::unexpected(text.error());
  return parse_battery(*text, file.string());
}

std::vector<fs::path> battery_preset_dirs() {
  std::vector<fs::path> dirs;
  if (const char *env = std::getenv("MCUSIM_BATTERIES_DIR"); env && *env) dirs.emplace_back(env);
  dirs.emplace_back(MCUSIM_POWER_INSTALL_BATTERIES_DIR);
  dirs.emplace_back(MCUSIM_POWER_SOURCE_BATTERIES_DIR);
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto &d : dirs)
    if (fs::is_directory(d, ec)) out.push_back(d);
  return out;
}

std::vector<std::string> battery_preset_names(const std::vector<fs::path> &dirs) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto &dir : dirs)
    for (const auto &entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".toml" && valid_preset_name(lower(entry.path().stem().string())))
        names.insert(lower(entry.path().stem().string()));
  return {names.begin(), names.end()};
}

PowerExpected<Battery> load_battery_preset(const std::string &name, const std::vector<fs::path> &dirs) {
  std::string want = lower(name);
  std::error_code ec;
  if (valid_preset_name(want))
    for (const auto &dir : dirs) {
      fs::path p = dir / (want + ".toml");
      if (fs::is_regular_file(p, ec)) {
        auto b = load_battery_file(p);
        if (b && lower(b->name) != want)
          return power_error(PowerError::Kind::Malformed,
                             one_line(p.string() + ": malformed battery description: 'name' is '" + b->name +
                                      "' but the file is named for '" + want + "'"));
        return b;
      }
    }
  std::string list;
  for (const auto &n : battery_preset_names(dirs)) list += (list.empty() ? "" : ", ") + n;
  if (list.empty()) list = "none found";
  return power_error(PowerError::Kind::Malformed,
                     one_line("unknown battery preset '" + name + "' (presets: " + list + ")"));
}

} // namespace mcusim::power
