/// \file
/// The table of a sweep and its renderings (see sweep_table.h).
#include "session/sweep_table.h"

#include "base/format.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace mcusim::session {

namespace {

std::string fmt(const char *format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}
std::string opt(const std::optional<double> &v, const char *format) { return v ? fmt(format, *v) : "-"; }
std::string years_text(const std::optional<double> &v) {
  if (!v) return "-";
  return std::isfinite(*v) ? fmt("%.2f", *v) : "no drain";
}

/// The row's best value of a metric (nothing when it has none).
using Metric = std::function<std::optional<double>(const SweepRow &)>;

/// The first row with the least (or, with `most`, the greatest) value among the good rows that have one.
std::optional<size_t> best_row(const std::vector<SweepRow> &rows, const Metric &metric, bool most) {
  std::optional<size_t> best;
  std::optional<double> best_v;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].ok()) continue;
    auto v = metric(rows[i]);
    if (!v || std::isnan(*v)) continue;
    if (!best_v || (most ? *v > *best_v : *v < *best_v)) {
      best = i;
      best_v = v;
    }
  }
  return best;
}

bool any_row(const std::vector<SweepRow> &rows, const Metric &metric) {
  for (const auto &r : rows)
    if (r.ok() && metric(r)) return true;
  return false;
}

std::string best_text(const SweepRow &r) {
  if (r.energy_optimal && r.latency_optimal) return "energy, latency";
  if (r.energy_optimal) return "energy";
  if (r.latency_optimal) return "latency";
  return "";
}

/// Display width of UTF-8 text (code points; "µ" is one).
size_t width(const std::string &s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
std::string pad(const std::string &s, size_t w, bool right) {
  size_t have = width(s);
  if (have >= w) return s;
  std::string fill(w - have, ' ');
  return right ? fill + s : s + fill;
}

std::string failure_text(const SweepRow &r) {
  std::string s = "failed (exit " + std::to_string(r.exit_code) + "): " + r.failure;
  if (r.run_id) s += " (run " + std::to_string(*r.run_id) + ")";
  return s;
}

std::string energy_value_text(const SweepTable &t, const SweepRow &r) {
  if (t.energy_basis == "battery life") return years_text(r.life_years) + " years";
  if (t.energy_basis == "µJ per inference") return opt(r.inference_uj, "%.3f") + " µJ per inference";
  return opt(r.run_uj, "%.3f") + " µJ per run";
}
std::string latency_value_text(const SweepTable &t, const SweepRow &r) {
  if (t.latency_basis == "ms per inference") return opt(r.inference_ms, "%.3f") + " ms per inference";
  return opt(r.run_ms, "%.3f") + " ms per run";
}

struct Column {
  std::string title;
  bool right;
  std::function<std::string(const SweepRow &)> cell;
};

/// The columns after the point's own (device, MHz, ws, cache): what a good run measured.
std::vector<Column> measure_columns(const SweepTable &t) {
  std::vector<Column> c = {
      {"cycles", true, [](const SweepRow &r) { return r.cycles ? text::thousands(*r.cycles) : "-"; }},
      {"ms/run", true, [](const SweepRow &r) { return opt(r.run_ms, "%.3f"); }},
      {"ms/inf", true, [](const SweepRow &r) { return opt(r.inference_ms, "%.3f"); }},
      {"µJ/run", true, [](const SweepRow &r) { return opt(r.run_uj, "%.3f"); }},
      {"µJ/inf", true, [](const SweepRow &r) { return opt(r.inference_uj, "%.3f"); }},
      {"mW", true, [](const SweepRow &r) { return opt(r.average_mw, "%.3f"); }},
  };
  if (t.battery) c.push_back({"years", true, [](const SweepRow &r) { return years_text(r.life_years); }});
  return c;
}

std::vector<Column> point_columns() {
  return {
      {"#", true, [](const SweepRow &r) { return std::to_string(r.index + 1); }},
      {"device", false, [](const SweepRow &r) { return r.device; }},
      {"MHz", true, [](const SweepRow &r) { return fmt("%g", r.mhz); }},
      {"ws", true, [](const SweepRow &r) { return std::to_string(r.flash_ws); }},
      {"cache", false, [](const SweepRow &r) { return r.cache; }},
  };
}

std::string html_escape(const std::string &s) { return text::html_escape(s); }
std::string md_escape(const std::string &s) {
  std::string o;
  for (char c : s) {
    if (c == '|') o += "\\|";
    else o += c;
  }
  return o;
}

std::string title_line(const SweepTable &t) {
  std::string s = "mcusim sweep: " + t.firmware + ", " + std::to_string(t.rows.size()) + (t.rows.size() == 1 ? " point" : " points");
  if (t.failed) s += ", " + std::to_string(t.failed) + " failed";
  return s;
}

/// Why points have no battery life: one line per reason, naming its points.
std::string battery_notes(const SweepTable &t) {
  std::vector<std::pair<std::string, std::vector<size_t>>> notes; // in the order first met
  size_t good = 0;
  for (const auto &r : t.rows) {
    if (!r.ok()) continue;
    ++good;
    if (!t.battery || r.life_years || r.life_note.empty()) continue;
    auto it = std::find_if(notes.begin(), notes.end(), [&](const auto &n) { return n.first == r.life_note; });
    if (it == notes.end()) notes.push_back({r.life_note, {r.index + 1}});
    else it->second.push_back(r.index + 1);
  }
  std::string out;
  for (const auto &[note, rows] : notes) {
    std::string which;
    if (rows.size() == good && good > 1) which = "every point";
    else
      for (size_t n : rows) which += (which.empty() ? "#" : ", #") + std::to_string(n);
    out += "battery life (" + which + "): " + note + "\n";
  }
  return out;
}

} // namespace

SweepTable build_sweep_table(const std::string &firmware, const std::vector<PointResult> &results, bool battery) {
  SweepTable t;
  t.firmware = firmware;
  t.battery = battery;
  t.exit_code = sweep_exit_code(results);
  for (const auto &pr : results) {
    SweepRow r;
    r.index = pr.point.index;
    r.device = pr.point.device_name;
    r.mhz = pr.point.mhz;
    r.flash_ws = pr.point.flash_ws;
    r.flash_ws_forced = pr.point.flash_ws_forced;
    r.cache = pr.point.cache_text;
    r.exit_code = pr.exit_code;
    r.failure = pr.failure;
    r.run_id = pr.run_id;
    r.life_years = pr.life_years;
    r.life_note = pr.life_note;
    if (!pr.ok()) ++t.failed;
    if (pr.report && pr.ok()) {
      const RunReport &rep = *pr.report;
      double hz = rep.mhz * 1e6;
      r.cycles = rep.cycles;
      r.run_ms = rep.simulated_seconds * 1e3;
      if (rep.layer_invocations > 0 && hz > 0) {
        r.inferences = rep.layer_invocations;
        r.inference_ms = double(rep.inference_cycles()) / double(rep.layer_invocations) / hz * 1e3;
      }
      if (rep.energy) {
        r.run_uj = rep.energy->energy_uj;
        r.average_mw = rep.energy->average_mw;
        r.inference_uj = rep.uj_per_inference;
      } else if (t.energy_missing.empty()) {
        t.energy_missing = rep.energy_note.empty() ? "the runs have no energy" : rep.energy_note;
      }
    }
    t.rows.push_back(std::move(r));
  }

  Metric life = [](const SweepRow &r) { return r.life_years; };
  Metric inf_uj = [](const SweepRow &r) { return r.inference_uj; };
  Metric run_uj = [](const SweepRow &r) { return r.run_uj; };
  Metric inf_ms = [](const SweepRow &r) { return r.inference_ms; };
  Metric run_ms = [](const SweepRow &r) { return r.run_ms; };
  if (battery && any_row(t.rows, life)) {
    t.energy_basis = "battery life";
    t.energy_best = best_row(t.rows, life, true);
  } else if (any_row(t.rows, inf_uj)) {
    t.energy_basis = "µJ per inference";
    t.energy_best = best_row(t.rows, inf_uj, false);
  } else if (any_row(t.rows, run_uj)) {
    t.energy_basis = "µJ per run";
    t.energy_best = best_row(t.rows, run_uj, false);
  }
  if (t.energy_best) t.energy_missing.clear();
  else if (t.energy_missing.empty()) t.energy_missing = "no point ran to the end";
  if (any_row(t.rows, inf_ms)) {
    t.latency_basis = "ms per inference";
    t.latency_best = best_row(t.rows, inf_ms, false);
  } else if (any_row(t.rows, run_ms)) {
    t.latency_basis = "ms per run";
    t.latency_best = best_row(t.rows, run_ms, false);
  }
  if (t.energy_best) t.rows[*t.energy_best].energy_optimal = true;
  if (t.latency_best) t.rows[*t.latency_best].latency_optimal = true;
  return t;
}

std::string point_label(const SweepRow &r) {
  std::string s = r.device + " @ " + fmt("%g", r.mhz) + " MHz (" + std::to_string(r.flash_ws) + " ws";
  if (r.cache != "-") s += ", cache " + r.cache;
  return s + ")";
}

std::string optimum_line(const SweepTable &t) {
  std::string s = "energy-optimal: ";
  if (t.energy_best) s += point_label(t.rows[*t.energy_best]) + ", " + energy_value_text(t, t.rows[*t.energy_best]);
  else s += "- (" + t.energy_missing + ")";
  s += "; latency-optimal: ";
  if (t.latency_best) s += point_label(t.rows[*t.latency_best]) + ", " + latency_value_text(t, t.rows[*t.latency_best]);
  else s += "- (no point ran to the end)";
  return s;
}

namespace {
/// The point's columns, the measures, the stored run and the optimum marker, in table order.
std::vector<Column> all_columns(const SweepTable &t) {
  std::vector<Column> cols = point_columns();
  std::vector<Column> measures = measure_columns(t);
  cols.insert(cols.end(), measures.begin(), measures.end());
  cols.push_back({"run", true, [](const SweepRow &r) { return r.run_id ? std::to_string(*r.run_id) : "-"; }});
  cols.push_back({"best", false, [](const SweepRow &r) { return best_text(r); }});
  return cols;
}
} // namespace

std::string render_sweep_text(const SweepTable &t) {
  const std::vector<Column> cols = all_columns(t);
  const size_t first_measure = point_columns().size();

  std::vector<size_t> w(cols.size());
  for (size_t c = 0; c < cols.size(); ++c) {
    w[c] = width(cols[c].title);
    for (const auto &r : t.rows)
      if (r.ok() || c < first_measure) w[c] = std::max(w[c], width(cols[c].cell(r)));
  }
  auto line = [&](const std::function<std::string(size_t)> &cell, size_t upto) {
    std::string s = " ";
    for (size_t c = 0; c < upto; ++c) {
      s += c ? "  " : " ";
      s += pad(cell(c), c + 1 == cols.size() ? 0 : w[c], cols[c].right);
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = title_line(t) + "\n";
  out += line([&](size_t c) { return cols[c].title; }, cols.size());
  for (const auto &r : t.rows) {
    if (r.ok()) {
      out += line([&](size_t c) { return cols[c].cell(r); }, cols.size());
    } else {
      std::string s = line([&](size_t c) { return cols[c].cell(r); }, first_measure);
      s.pop_back();
      out += s + "  " + failure_text(r) + "\n";
    }
  }
  out += battery_notes(t);
  out += optimum_line(t) + "\n";
  return out;
}

std::string render_sweep_markdown(const SweepTable &t) {
  const std::vector<Column> cols = all_columns(t);
  const size_t first_measure = point_columns().size();
  std::string out = "### " + md_escape(title_line(t)) + "\n\n|";
  for (const auto &c : cols) out.append(" ").append(c.title).append(" |");
  out += "\n|";
  for (const auto &c : cols) out += c.right ? " ---: |" : " --- |";
  out += "\n";
  for (const auto &r : t.rows) {
    out += "|";
    for (size_t c = 0; c < cols.size(); ++c) {
      std::string cell = cols[c].cell(r);
      if (!r.ok() && c >= first_measure) cell = c == first_measure ? md_escape(failure_text(r)) : "";
      out.append(" ").append(md_escape(cell)).append(" |");
    }
    out += "\n";
  }
  out += "\n" + md_escape(optimum_line(t)) + "\n";
  return out;
}

std::string render_sweep_html(const SweepTable &t) {
  const std::vector<Column> cols = all_columns(t);
  const size_t first_measure = point_columns().size();
  std::string out = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(title_line(t)) +
                    "</title>\n<style>body{font-family:sans-serif}table{border-collapse:collapse}"
                    "td,th{border:1px solid #ccc;padding:2px 8px}td.n{text-align:right}tr.best{background:#e8f5e9}"
                    "tr.failed{color:#b71c1c}</style></head><body>\n<h2>" +
                    html_escape(title_line(t)) + "</h2>\n<table>\n<tr>";
  for (const auto &c : cols) out += "<th>" + html_escape(c.title) + "</th>";
  out += "</tr>\n";
  for (const auto &r : t.rows) {
    const char *cls = !r.ok() ? " class=\"failed\"" : (r.energy_optimal || r.latency_optimal) ? " class=\"best\"" : "";
    out += std::string("<tr") + cls + ">";
    for (size_t c = 0; c < cols.size(); ++c) {
      if (!r.ok() && c >= first_measure) {
        out += "<td colspan=\"" + std::to_string(cols.size() - first_measure) + "\">" + html_escape(failure_text(r)) + "</td>";
        break;
      }
      out += std::string("<td") + (cols[c].right ? " class=\"n\"" : "") + ">" + html_escape(cols[c].cell(r)) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</table>\n<p>" + html_escape(optimum_line(t)) + "</p>\n</body></html>\n";
  return out;
}

std::string render_sweep_json(const SweepTable &t) {
  using nlohmann::json;
  auto num = [](const std::optional<double> &v) { return v && std::isfinite(*v) ? json(*v) : json(nullptr); };
  json points = json::array();
  for (const auto &r : t.rows) {
    json p = {{"index", r.index},
              {"device", r.device},
              {"mhz", r.mhz},
              {"flash_ws", r.flash_ws},
              {"flash_ws_forced", r.flash_ws_forced},
              {"cache", r.cache},
              {"exit_code", r.exit_code},
              {"ok", r.ok()},
              {"failure", r.failure.empty() ? json(nullptr) : json(r.failure)},
              {"cycles", r.cycles ? json(*r.cycles) : json(nullptr)},
              {"ms_per_run", num(r.run_ms)},
              {"ms_per_inference", num(r.inference_ms)},
              {"inferences", r.inferences},
              {"uj_per_run", num(r.run_uj)},
              {"uj_per_inference", num(r.inference_uj)},
              {"average_mw", num(r.average_mw)},
              {"battery_years", r.life_years && std::isinf(*r.life_years) ? json("infinite") : num(r.life_years)},
              {"battery_note", r.life_note.empty() ? json(nullptr) : json(r.life_note)},
              {"run_id", r.run_id ? json(*r.run_id) : json(nullptr)},
              {"energy_optimal", r.energy_optimal},
              {"latency_optimal", r.latency_optimal}};
    points.push_back(std::move(p));
  }
  json j = {{"sweep", 1},
            {"firmware", t.firmware},
            {"points", std::move(points)},
            {"failed", t.failed},
            {"exit_code", t.exit_code},
            {"energy_optimal", t.energy_best ? json(*t.energy_best) : json(nullptr)},
            {"energy_basis", t.energy_basis.empty() ? json(nullptr) : json(t.energy_basis)},
            {"energy_missing", t.energy_missing.empty() ? json(nullptr) : json(t.energy_missing)},
            {"latency_optimal", t.latency_best ? json(*t.latency_best) : json(nullptr)},
            {"latency_basis", t.latency_basis.empty() ? json(nullptr) : json(t.latency_basis)},
            {"summary", optimum_line(t)}};
  return j.dump(2) + "\n";
}

} // namespace mcusim::session
