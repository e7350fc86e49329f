/// \file
/// Comparing two RunReports and rendering the comparison.
#include "profiler/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/format.h"

namespace mcusim {

std::optional<double> CompareRow::percent() const {
  if (a == 0) return b == 0 ? std::optional<double>(0.0) : std::nullopt;
  return 100.0 * (b - a) / a;
}

namespace {

using Unit = CompareRow::Unit;

RunComparison::Side side(const RunReport &r, const std::string &label) {
  return {label, r.firmware, r.device, r.core, r.timing, r.stop_reason, r.mhz, r.exit_code, r.profiled, r.energy.has_value(),
          r.energy_note};
}

/// Largest absolute change first; among equal changes the larger value, then by name.
void sort_rows(std::vector<CompareRow> &rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const CompareRow &x, const CompareRow &y) {
    double dx = std::fabs(x.delta()), dy = std::fabs(y.delta());
    if (dx != dy) return dx > dy;
    double mx = std::max(x.a, x.b), my = std::max(y.a, y.b);
    if (mx != my) return mx > my;
    return x.name < y.name;
  });
}

using text::thousands;

std::string fmt(const char *f, double v) { return text::number(f, v); }

bool integral(Unit u) { return u == Unit::Cycles || u == Unit::Instructions || u == Unit::Bytes; }

std::string value(const CompareRow &r, double v, bool present) {
  if (!present) return "-";
  if (!integral(r.unit)) return fmt("%.3f", v);
  return thousands(uint64_t(std::llround(v)));
}

std::string delta(const CompareRow &r) {
  double d = r.delta();
  if (!integral(r.unit)) return d == 0 ? "0.000" : fmt("%+.3f", d);
  if (d == 0) return "0";
  std::string out(1, d > 0 ? '+' : '-');
  out += thousands(uint64_t(std::llround(std::fabs(d))));
  return out;
}

std::string change(const CompareRow &r) {
  if (!r.in_b && r.in_a) return "gone";
  auto p = r.percent();
  if (!p) return "new";
  if (*p == 0) return "0.0%";
  return fmt("%+.1f%%", *p);
}

const char *unit_name(Unit u) {
  switch (u) {
  case Unit::Cycles: return "cycles";
  case Unit::Instructions: return "instructions";
  case Unit::Milliseconds: return "ms";
  case Unit::Bytes: return "bytes";
  case Unit::Microjoules: return "uJ";
  case Unit::Milliwatts: return "mW";
  }
  return "?";
}

std::string describe(const RunComparison::Side &s) {
  std::string out = s.label + ": " + s.firmware + " on " + s.device + " (" + s.core + ") at " + fmt("%g", s.mhz) + " MHz, " +
                    s.stop_reason;
  if (s.stop_reason == "exited") out.append(" ").append(std::to_string(s.exit_code)); // (not " " + ...: GCC 12's false -Wrestrict)
  return out;
}

std::string truncate(const std::string &s, size_t n) { return s.size() > n ? s.substr(0, n - 3) + "..." : s; }

/// The layers of both runs matched by name and order (compare.h).
std::vector<CompareRow> layer_rows(const RunReport &a, const RunReport &b) {
  auto keys = [](const RunReport &r) {
    std::map<std::string, int> seen;
    std::vector<std::string> out;
    for (const auto &l : r.layers) {
      const std::string &name = l.name.empty() ? l.op : l.name;
      std::string key = name;
      key += '\n';
      key += std::to_string(seen[name]++);
      out.push_back(std::move(key));
    }
    return out;
  };
  auto label = [](const RunReport::Layer &l) { // "#3 SVDF" (appended: GCC 12 warns on "#" + std::string chains)
    std::string out = "#";
    out += std::to_string(l.node);
    out += ' ';
    out += l.name.empty() ? l.op : l.name;
    return out;
  };
  std::vector<std::string> ka = keys(a), kb = keys(b);
  std::map<std::string, size_t> in_b;
  for (size_t i = 0; i < kb.size(); ++i) in_b[kb[i]] = i;
  std::vector<CompareRow> rows;
  std::vector<bool> matched(kb.size(), false);
  for (size_t i = 0; i < ka.size(); ++i) {
    CompareRow row{label(a.layers[i]), Unit::Cycles, a.layers[i].mean_cycles, 0, true, false};
    if (auto it = in_b.find(ka[i]); it != in_b.end()) {
      row.b = b.layers[it->second].mean_cycles;
      row.in_b = true;
      matched[it->second] = true;
    }
    rows.push_back(row);
  }
  for (size_t i = 0; i < kb.size(); ++i)
    if (!matched[i]) rows.push_back({label(b.layers[i]), Unit::Cycles, 0, b.layers[i].mean_cycles, false, true});
  return rows;
}

/// The energy rows (compare.h), when both runs have energy.
std::vector<CompareRow> energy_rows(const RunReport &a, const RunReport &b) {
  if (!a.energy || !b.energy) return {};
  std::vector<CompareRow> rows = {
      {"energy (\xC2\xB5J)", Unit::Microjoules, a.energy->energy_uj, b.energy->energy_uj},
      {"average power (mW)", Unit::Milliwatts, a.energy->average_mw, b.energy->average_mw},
      {"peak power (mW)", Unit::Milliwatts, a.energy->peak_mw, b.energy->peak_mw},
  };
  if (a.uj_per_inference && b.uj_per_inference)
    rows.push_back({"energy per inference (\xC2\xB5J)", Unit::Microjoules, *a.uj_per_inference, *b.uj_per_inference});
  return rows;
}

/// "energy: B has none (stm32f407 has no [power] section)" when only one run has energy.
std::string energy_missing(const RunComparison &c) {
  if (c.a.energy == c.b.energy) return {};
  const RunComparison::Side &none = c.a.energy ? c.b : c.a;
  std::string out = "energy: " + std::string(c.a.energy ? "B" : "A") + " has none";
  if (!none.energy_note.empty()) out += " (" + none.energy_note + ")";
  return out;
}

} // namespace

RunComparison compare_runs(const RunReport &a, const RunReport &b, const std::string &label_a, const std::string &label_b) {
  RunComparison c;
  c.a = side(a, label_a);
  c.b = side(b, label_b);
  if (a.firmware != b.firmware) c.differences.push_back("firmware");
  if (a.device != b.device) c.differences.push_back("device");
  if (a.core != b.core) c.differences.push_back("core");
  if (a.mhz != b.mhz) c.differences.push_back("clock");
  if (a.timing != b.timing) c.differences.push_back("timing");

  c.totals.push_back({"cycles", Unit::Cycles, double(a.cycles), double(b.cycles)});
  c.totals.push_back({"time (ms)", Unit::Milliseconds, a.simulated_seconds * 1e3, b.simulated_seconds * 1e3});
  c.totals.push_back({"instructions", Unit::Instructions, double(a.instructions), double(b.instructions)});
  c.energy = energy_rows(a, b);

  if (a.profiled && b.profiled) {
    std::map<std::string, CompareRow> fns;
    for (const auto &f : a.functions) {
      CompareRow &row = fns.try_emplace(f.name, CompareRow{f.name, Unit::Cycles, 0, 0, false, false}).first->second;
      row.a += double(f.self_cycles);
      row.in_a = true;
    }
    for (const auto &f : b.functions) {
      CompareRow &row = fns.try_emplace(f.name, CompareRow{f.name, Unit::Cycles, 0, 0, false, false}).first->second;
      row.b += double(f.self_cycles);
      row.in_b = true;
    }
    for (auto &[name, row] : fns) c.functions.push_back(row);
    sort_rows(c.functions);
    c.layers = layer_rows(a, b);
  }

  std::vector<std::string> order; // regions in A's order, then B's new ones
  std::map<std::string, CompareRow> regions;
  for (const auto &m : a.memory) {
    auto [it, added] = regions.try_emplace(m.name, CompareRow{m.name, Unit::Bytes, 0, 0, false, false});
    if (added) order.push_back(m.name);
    it->second.a += double(m.used);
    it->second.in_a = true;
  }
  for (const auto &m : b.memory) {
    auto [it, added] = regions.try_emplace(m.name, CompareRow{m.name, Unit::Bytes, 0, 0, false, false});
    if (added) order.push_back(m.name);
    it->second.b += double(m.used);
    it->second.in_b = true;
  }
  for (const auto &name : order) c.memory.push_back(regions[name]);
  if (a.profiled && b.profiled) {
    c.memory.push_back({"stack", Unit::Bytes, double(a.stack.used), double(b.stack.used)});
    c.memory.push_back({"heap", Unit::Bytes, double(a.heap.bytes), double(b.heap.bytes)});
  }
  sort_rows(c.memory);
  return c;
}

std::string render_comparison_text(const RunComparison &c, size_t top) {
  std::ostringstream os;
  os << "mcusim compare: A = " << c.a.label << ", B = " << c.b.label << "\n";
  os << "  A  " << describe(c.a) << "\n";
  os << "  B  " << describe(c.b) << "\n";
  if (!c.differences.empty()) {
    os << "  the runs differ in:";
    for (size_t i = 0; i < c.differences.size(); ++i) os << (i ? ", " : " ") << c.differences[i];
    os << "\n";
  }
  char line[256];
  auto row = [&](const CompareRow &r) {
    // Padded by characters, not bytes ("µ" is two bytes of UTF-8).
    std::string name = truncate(r.name, 40);
    size_t chars = 0;
    for (unsigned char ch : name) chars += (ch & 0xC0) != 0x80;
    name.append(chars < 40 ? 40 - chars : 0, ' ');
    std::snprintf(line, sizeof line, "  %s %15s %15s %15s %9s\n", name.c_str(), value(r, r.a, r.in_a).c_str(),
                  value(r, r.b, r.in_b).c_str(), delta(r).c_str(), change(r).c_str());
    os << line;
  };
  auto header = [&](const char *title) {
    std::snprintf(line, sizeof line, "\n%-42s %15s %15s %15s %9s\n", title, "A", "B", "delta", "change");
    os << line;
  };
  header("totals");
  for (const auto &r : c.totals) row(r);
  if (!c.energy.empty()) {
    header("energy");
    for (const auto &r : c.energy) row(r);
  } else if (auto missing = energy_missing(c); !missing.empty()) {
    os << "\n" << missing << "\n";
  }
  if (c.a.profiled && c.b.profiled) {
    header("functions (self cycles)");
    size_t n = 0;
    for (const auto &r : c.functions) {
      if (n++ >= top) break;
      row(r);
    }
    if (c.functions.size() > top) {
      size_t changed = 0;
      for (size_t i = top; i < c.functions.size(); ++i) changed += c.functions[i].delta() != 0;
      os << "  ... " << c.functions.size() - top << " more functions (" << changed << " of them changed)\n";
    }
  } else {
    os << "\nfunctions: " << (!c.a.profiled && !c.b.profiled ? "neither run was" : !c.a.profiled ? "A was not" : "B was not")
       << " profiled\n";
  }
  if (!c.layers.empty()) {
    header("layers (mean cycles per invocation)");
    for (const auto &r : c.layers) row(r);
  }
  header("memory (bytes)");
  for (const auto &r : c.memory) row(r);
  return os.str();
}

std::string render_comparison_json(const RunComparison &c) {
  using nlohmann::ordered_json;
  auto side_json = [](const RunComparison::Side &s) {
    return ordered_json{{"label", s.label},         {"firmware", s.firmware}, {"device", s.device},
                        {"core", s.core},           {"mhz", s.mhz},           {"timing", s.timing},
                        {"stop_reason", s.stop_reason}, {"exit_code", s.exit_code}, {"profiled", s.profiled},
                        {"energy", s.energy}};
  };
  auto rows_json = [](const std::vector<CompareRow> &rows) {
    ordered_json out = ordered_json::array();
    for (const auto &r : rows) {
      ordered_json j;
      j["name"] = r.name;
      j["unit"] = unit_name(r.unit);
      if (integral(r.unit)) {
        j["a"] = uint64_t(std::llround(r.a));
        j["b"] = uint64_t(std::llround(r.b));
        j["delta"] = int64_t(std::llround(r.b) - std::llround(r.a));
      } else {
        j["a"] = r.a;
        j["b"] = r.b;
        j["delta"] = r.delta();
      }
      auto p = r.percent();
      j["percent"] = p ? ordered_json(*p) : ordered_json(nullptr);
      j["in_a"] = r.in_a;
      j["in_b"] = r.in_b;
      out.push_back(std::move(j));
    }
    return out;
  };
  ordered_json j;
  j["schema"] = "mcusim-run-comparison";
  j["schema_version"] = RunComparison::kSchemaVersion;
  j["a"] = side_json(c.a);
  j["b"] = side_json(c.b);
  j["differences"] = c.differences;
  j["totals"] = rows_json(c.totals);
  j["energy"] = rows_json(c.energy);
  j["functions"] = rows_json(c.functions);
  j["memory"] = rows_json(c.memory);
  j["layers"] = rows_json(c.layers);
  return j.dump(2) + "\n";
}

std::string render_comparison_markdown(const RunComparison &c, size_t top) {
  std::ostringstream os;
  auto md_side = [](const RunComparison::Side &s) {
    std::string out = "`" + s.firmware + "` on " + s.device + " (" + s.core + ", " + fmt("%g", s.mhz) + " MHz), " + s.stop_reason;
    if (s.stop_reason == "exited") out += " (" + std::to_string(s.exit_code) + ")";
    return out;
  };
  os << "### mcusim compare: " << c.a.label << " → " << c.b.label << "\n\n";
  os << "- **A** (" << c.a.label << "): " << md_side(c.a) << "\n";
  os << "- **B** (" << c.b.label << "): " << md_side(c.b) << "\n";
  if (!c.differences.empty()) {
    os << "- the runs differ in:";
    for (size_t i = 0; i < c.differences.size(); ++i) os << (i ? ", " : " ") << c.differences[i];
    os << "\n";
  }
  auto row = [&](const CompareRow &r, bool code) {
    std::string name = code ? "`" + r.name + "`" : r.name;
    os << "| " << name << " | " << value(r, r.a, r.in_a) << " | " << value(r, r.b, r.in_b) << " | " << delta(r) << " | "
       << change(r) << " |\n";
  };
  os << "\n| metric | A | B | delta | change |\n|---|---:|---:|---:|---:|\n";
  for (const auto &r : c.totals) row(r, false);
  for (const auto &r : c.energy) row(r, false);
  for (const auto &r : c.memory) row({r.name + " (bytes)", r.unit, r.a, r.b, r.in_a, r.in_b}, false);
  if (auto missing = energy_missing(c); !missing.empty()) os << "\n" << missing << "\n";
  if (c.a.profiled && c.b.profiled && !c.functions.empty()) {
    os << "\n| function | A self cycles | B self cycles | delta | change |\n|---|---:|---:|---:|---:|\n";
    size_t n = 0;
    for (const auto &r : c.functions) {
      if (n++ >= top) break;
      row(r, true);
    }
    if (c.functions.size() > top) os << "\n" << c.functions.size() - top << " more functions not shown.\n";
  }
  if (!c.layers.empty()) {
    os << "\n| layer | A mean cycles | B mean cycles | delta | change |\n|---|---:|---:|---:|---:|\n";
    for (const auto &r : c.layers) row(r, false);
  }
  return os.str();
}

} // namespace mcusim
