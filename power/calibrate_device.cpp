/// \file
/// Reading a device file's [power] figures and writing the fitted device file.
#include "power/calibrate_device.h"
#include "power/toml_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <cstdio>
#include <sstream>

namespace mcusim::power {

namespace {

double number_at(const toml::table &t, const char *key) { return t[key].value<double>().value_or(0.0); }
std::string string_at(const toml::table &t, const char *key) { return t[key].value<std::string>().value_or(std::string()); }

/// A fitted figure rounded to six significant digits (the file shows it as written).
double rounded(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return std::strtod(buf, nullptr);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool bare_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

std::string key_text(std::string_view k) {
  if (bare_key(k)) return std::string(k);
  std::ostringstream os;
  os << toml::value<std::string>(std::string(k));
  return os.str();
}

/// A value in TOML syntax; tables and arrays inline.
std::string value_text(const toml::node &n);

/// Where a key the fit added goes among the other added keys (the schema's order).
int added_rank(std::string_view k) {
  static const char *const order[] = {"name", "kind", "location", "mode", "max_mhz", "voltage_v", "default_mode", "deep_sleep",
                                      "fixed_ua", "ua_per_mhz", "wakeup_us", "source", "notes"};
  for (int i = 0; i < int(std::size(order)); ++i)
    if (k == order[i]) return i;
  return int(std::size(order));
}

/// Entries in the order the file gives them; entries the fit added (no source position) last, in the schema's order.
std::vector<std::pair<const toml::key *, const toml::node *>> ordered(const toml::table &t) {
  auto v = in_file_order(t);
  auto added = std::stable_partition(v.begin(), v.end(), [](const auto &e) { return e.first->source().begin.line != 0; });
  std::stable_sort(added, v.end(), [](const auto &a, const auto &b) { return added_rank(a.first->str()) < added_rank(b.first->str()); });
  return v;
}

/// The shortest text that reads back as `v`, always with a point or an exponent (a TOML float).
std::string float_text(double v) {
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string out = buf;
  if (out.find_first_of(".eEni") == std::string::npos) out += ".0";
  return out;
}

std::string value_text(const toml::node &n) {
  if (const auto *t = n.as_table()) {
    std::string out = "{ ";
    bool first = true;
    for (const auto &[k, v] : ordered(*t)) {
      out += (first ? "" : ", ") + key_text(k->str()) + " = " + value_text(*v);
      first = false;
    }
    return out + (first ? "}" : " }");
  }
  if (const auto *a = n.as_array()) {
    std::string out = "[";
    for (size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + value_text(*a->get(i));
    return out + "]";
  }
  if (const auto *d = n.as_floating_point()) {
    double v = d->get();
    if (std::isfinite(v)) return float_text(v);
  }
  std::ostringstream os;
  n.visit([&](const auto &v) {
    if constexpr (toml::is_value<decltype(v)>) os << v;
  });
  return os.str();
}

void emit_entries(std::string &out, const toml::table &t) {
  for (const auto &[k, v] : ordered(t)) out += key_text(k->str()) + " = " + value_text(*v) + "\n";
}

/// The [power] section as TOML text: its own keys, then its tables and arrays of tables, in file order.
std::string emit_power(const toml::table &power) {
  std::string out = "[power]\n";
  auto entries = ordered(power);
  for (const auto &[k, v] : entries) {
    bool section = v->is_table() || (v->is_array() && v->as_array()->is_array_of_tables() && !v->as_array()->empty());
    if (!section) out += key_text(k->str()) + " = " + value_text(*v) + "\n";
  }
  for (const auto &[k, v] : entries) {
    const std::string name = "power." + key_text(k->str());
    if (const auto *t = v->as_table()) {
      out += "\n[" + name + "]\n";
      emit_entries(out, *t);
    } else if (const auto *a = v->as_array(); a && a->is_array_of_tables() && !a->empty()) {
      for (size_t i = 0; i < a->size(); ++i) {
        out += "\n[[" + name + "]]\n";
        emit_entries(out, *a->get(i)->as_table());
      }
    }
  }
  return out;
}

/// The first segment of a table header line ("[[power.run]]" -> "power"), or "" when the line is not one.
std::string header_first_segment(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() != '[') return {};
  line.remove_prefix(line.size() > 1 && line[1] == '[' ? 2 : 1);
  line = trim(line);
  if (line.empty()) return {};
  if (line.front() == '"' || line.front() == '\'') {
    char q = line.front();
    size_t end = line.find(q, 1);
    return end == std::string_view::npos ? std::string() : std::string(line.substr(1, end - 1));
  }
  size_t end = 0;
  while (end < line.size() && line[end] != '.' && line[end] != ']' && line[end] != ' ' && line[end] != '\t') ++end;
  return std::string(line.substr(0, end));
}

/// A top-level line that sets power through dotted keys or an inline table ("power.x = ", "power = {").
bool root_power_key(std::string_view line) {
  line = trim(line);
  if (line.substr(0, 5) != "power" && line.substr(0, 7) != "\"power\"") return false;
  line.remove_prefix(line.front() == '"' ? 7 : 5);
  line = trim(line);
  return !line.empty() && (line.front() == '.' || line.front() == '=');
}

/// Counts the multi-line string delimiters of a line (toggles the state for each).
void track_multiline(std::string_view line, bool &basic, bool &literal) {
  for (size_t i = 0; i + 3 <= line.size(); ++i) {
    if (!literal && line.compare(i, 3, "\"\"\"") == 0) {
      basic = !basic;
      i += 2;
    } else if (!basic && line.compare(i, 3, "'''") == 0) {
      literal = !literal;
      i += 2;
    } else if (!basic && !literal && line[i] == '#') {
      return; // a comment
    }
  }
}

toml::array &ensure_array(toml::table &parent, const char *key) {
  if (!parent[key].is_array()) parent.insert_or_assign(key, toml::array{});
  return *parent[key].as_array();
}

const char *kind_text(PowerStateKind k) { return k == PowerStateKind::Stop ? "stop" : k == PowerStateKind::Standby ? "standby" : "sleep"; }

} // namespace

PowerExpected<std::optional<PowerFigures>> read_power_figures(std::string_view toml_text, const std::string &file) {
  auto root = parse_toml(toml_text, file, "device file");
  if (!root) return tl::unexpected(root.error());
  const toml::table *power = (*root)["power"].as_table();
  if (!power) return std::optional<PowerFigures>();
  PowerFigures f;
  f.default_mode = string_at(*power, "default_mode");
  f.deep_sleep = string_at(*power, "deep_sleep");
  if (const auto *run = (*power)["run"].as_array()) {
    for (size_t i = 0; i < run->size(); ++i) {
      const auto *t = run->get(i)->as_table();
      if (!t) continue;
      FigureRun r;
      r.location = string_at(*t, "location") == "sram" ? CodeLocation::Ram : CodeLocation::Flash;
      r.mode = string_at(*t, "mode");
      r.max_mhz = number_at(*t, "max_mhz");
      r.fixed_ua = number_at(*t, "fixed_ua");
      r.ua_per_mhz = number_at(*t, "ua_per_mhz");
      r.index = i;
      f.run.push_back(r);
    }
  }
  if (const auto *states = (*power)["state"].as_array()) {
    for (size_t i = 0; i < states->size(); ++i) {
      const auto *t = states->get(i)->as_table();
      if (!t) continue;
      FigureState s;
      s.name = string_at(*t, "name");
      std::string kind = string_at(*t, "kind");
      s.kind = kind == "stop" ? PowerStateKind::Stop : kind == "standby" ? PowerStateKind::Standby : PowerStateKind::Sleep;
      s.fixed_ua = number_at(*t, "fixed_ua");
      s.ua_per_mhz = number_at(*t, "ua_per_mhz");
      s.index = i;
      f.states.push_back(s);
    }
  }
  return std::optional<PowerFigures>(std::move(f));
}

PowerExpected<std::string> write_fitted_device(std::string_view toml_text, const std::string &file, const CalibrationFit &fit,
                                               const std::string &source) {
  auto root = parse_toml(toml_text, file, "device file");
  if (!root) return tl::unexpected(root.error());
  bool had_power = (*root)["power"].is_table();
  toml::table power = had_power ? *(*root)["power"].as_table() : toml::table{};
  if (!had_power) {
    power.insert_or_assign("voltage_v", 3.0);
    power.insert_or_assign("source", source);
    power.insert_or_assign("notes", "written by mcusim calibrate for a device without power figures: voltage_v is a default "
                                    "(3.0 V), set it to the rail the captures were taken at");
  }

  auto set_figures = [&](toml::table &row, double fixed, std::optional<double> per_mhz) {
    row.insert_or_assign("fixed_ua", rounded(fixed));
    if (per_mhz) row.insert_or_assign("ua_per_mhz", rounded(*per_mhz));
    row.insert_or_assign("source", source);
  };
  for (const auto &r : fit.runs) {
    toml::array &run = ensure_array(power, "run");
    if (r.index && *r.index < run.size() && run.get(*r.index)->is_table()) {
      set_figures(*run.get(*r.index)->as_table(), r.fixed_ua, r.ua_per_mhz);
    } else {
      toml::table row;
      row.insert_or_assign("location", r.location == CodeLocation::Ram ? "sram" : "flash");
      if (!r.mode.empty()) row.insert_or_assign("mode", r.mode);
      set_figures(row, r.fixed_ua, r.ua_per_mhz);
      run.push_back(std::move(row));
    }
  }
  if (fit.state) {
    const auto &s = *fit.state;
    toml::array &states = ensure_array(power, "state");
    std::optional<double> per_mhz;
    if (s.kind == PowerStateKind::Sleep) per_mhz = s.ua_per_mhz;
    if (s.index && *s.index < states.size() && states.get(*s.index)->is_table()) {
      set_figures(*states.get(*s.index)->as_table(), s.fixed_ua, per_mhz);
    } else {
      toml::table row;
      row.insert_or_assign("name", s.name);
      row.insert_or_assign("kind", kind_text(s.kind));
      set_figures(row, s.fixed_ua, per_mhz);
      // A capture gives no wake-up time: the Sleep state takes the file's
      // [sleep] wakeup_us (the two must agree), a new deeper state 0.
      double wake = 0;
      if (s.kind == PowerStateKind::Sleep)
        if (auto w = (*root)["sleep"]["wakeup_us"].value<double>()) wake = *w;
      row.insert_or_assign("wakeup_us", wake);
      states.push_back(std::move(row));
      if (s.kind != PowerStateKind::Sleep && !power["deep_sleep"]) power.insert_or_assign("deep_sleep", s.name);
    }
  }

  // The text without its [power] tables.
  std::string kept;
  bool in_power = false, at_root = true, ml_basic = false, ml_literal = false;
  size_t pos = 0;
  while (pos < toml_text.size()) {
    size_t end = toml_text.find('\n', pos);
    size_t next = end == std::string_view::npos ? toml_text.size() : end + 1;
    std::string_view line = toml_text.substr(pos, next - pos);
    if (!ml_basic && !ml_literal) {
      std::string seg = header_first_segment(line);
      if (!seg.empty() || (!trim(line).empty() && trim(line).front() == '[')) {
        in_power = seg == "power";
        at_root = false;
      } else if (at_root && root_power_key(line)) {
        return power_error(PowerError::Kind::Malformed,
                           file + ": the power figures are given as dotted keys or an inline table at the top level; "
                                  "write them as a [power] table to calibrate this file");
      }
    }
    if (!in_power) kept.append(line);
    track_multiline(line, ml_basic, ml_literal);
    pos = next;
  }
  while (!kept.empty() && (kept.back() == '\n' || kept.back() == '\r' || kept.back() == ' ' || kept.back() == '\t')) kept.pop_back();
  std::string out = kept + (kept.empty() ? "" : "\n\n") + emit_power(power);

  // What was written must read back, with the same figures.
  auto check = parse_toml(out, file, "fitted device file");
  if (!check) return power_error(PowerError::Kind::Malformed, "the fitted device file does not read back: " + check.error().message);
  return out;
}

} // namespace mcusim::power
