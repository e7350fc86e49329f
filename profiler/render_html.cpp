/// \file
/// The HTML report: one self-contained page (inline CSS and SVG, no scripts
/// or external files) with bar charts of layers, hottest functions and memory,
/// and, when the run has energy, a power-over-time chart.
#include "profiler/run_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "base/format.h"

namespace mcusim {

namespace {
std::string esc(const std::string &s) { return text::html_escape(s); }
using text::thousands;
std::string fmt(const char *f, double v) { return text::number(f, v); }

struct Bar {
  std::string label, value;
  double fraction; ///< 0..1 of the bar's full width
  double mark = -1; ///< optional second fraction drawn as a thin line (capacity, limit)
};

/// A horizontal bar chart as inline SVG.
std::string bars(const std::vector<Bar> &rows, const char *color) {
  const int label_w = 300, bar_w = 420, value_w = 190, row_h = 22;
  std::ostringstream os;
  int h = int(rows.size()) * row_h + 4;
  os << "<svg class=\"chart\" width=\"" << label_w + bar_w + value_w << "\" height=\"" << h << "\" role=\"img\">\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Bar &b = rows[i];
    int y = int(i) * row_h + 2;
    double f = std::clamp(b.fraction, 0.0, 1.0);
    std::string label = b.label.size() > 44 ? b.label.substr(0, 41) + "..." : b.label;
    os << "<text x=\"" << label_w - 8 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\">" << esc(label) << "</text>";
    os << "<rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << bar_w << "\" height=\"" << row_h - 6
       << "\" fill=\"#eef1f5\"/>";
    os << "<rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << fmt("%.1f", f * bar_w) << "\" height=\"" << row_h - 6
       << "\" fill=\"" << color << "\"><title>" << esc(b.label + ": " + b.value) << "</title></rect>";
    os << "<text x=\"" << label_w + bar_w + 8 << "\" y=\"" << y + 15 << "\">" << esc(b.value) << "</text>\n";
  }
  os << "</svg>\n";
  return os.str();
}

/// The colour of a power state in the chart and its legend.
const char *state_color(CoreState s) {
  switch (s) {
  case CoreState::Run: return "#e07b39";
  case CoreState::Sleep: return "#3b7dd8";
  case CoreState::DeepSleep: return "#4c9a5f";
  case CoreState::Wakeup: return "#b3261e";
  }
  return "#888888";
}

/// An axis from 0 to at least v: the smallest tick step of 1, 2 or 5 times a
/// power of ten that reaches v in at most kMaxTicks steps, and the end that
/// many steps up (a 30 ms run gets 0..30 ms in steps of 5, not 0..50 ms).
struct Axis {
  double end = 1, step = 1;
  int ticks = 1;
};
constexpr int kMaxTicks = 8;
Axis nice_axis(double v) {
  if (!(v > 0) || !std::isfinite(v)) return {};
  const double p = std::pow(10.0, std::floor(std::log10(v / kMaxTicks)));
  for (double m : {1.0, 2.0, 5.0, 10.0, 20.0}) {
    const double step = m * p;
    const int ticks = std::max(1, int(std::ceil(v / step * (1 - 1e-12))));
    if (ticks <= kMaxTicks) return {ticks * step, step, ticks};
  }
  return {v, v, 1};
}

/// Power over time as inline SVG: the timeline's points as a step line (mW
/// over ms), the area under each stretch of one state filled in its colour.
std::string power_chart(const power::RunEnergy &e) {
  const int left = 70, plot_w = 800, right = 40, top = 12, plot_h = 200, bottom = 44;
  const int width = left + plot_w + right, height = top + plot_h + bottom;
  double end_s = e.seconds;
  double most = e.peak_mw;
  for (const auto &p : e.timeline) {
    end_s = std::max(end_s, p.end_s);
    most = std::max(most, p.mw);
  }
  const Axis x_axis = nice_axis(end_s * 1e3), y_axis = nice_axis(most);
  const double x_max_ms = x_axis.end, y_max = y_axis.end;
  auto x_at = [&](double s) { return left + plot_w * std::clamp(s * 1e3 / x_max_ms, 0.0, 1.0); };
  auto x = [&](double s) { return fmt("%.2f", x_at(s)); };
  auto y = [&](double mw) { return fmt("%.2f", top + plot_h * (1 - std::clamp(mw / y_max, 0.0, 1.0))); };
  std::ostringstream os;
  os << "<svg class=\"chart power\" width=\"" << width << "\" height=\"" << height << "\" role=\"img\">\n";
  os << "<title>power (mW) over time (ms)</title>\n";
  // Grid lines and labels at each tick of both axes.
  for (int i = 0; i <= y_axis.ticks; ++i) {
    const double mw = y_axis.step * i;
    os << "<line x1=\"" << left << "\" y1=\"" << y(mw) << "\" x2=\"" << left + plot_w << "\" y2=\"" << y(mw)
       << "\" stroke=\"#e3e8ee\"/>";
    os << "<text x=\"" << left - 6 << "\" y=\"" << y(mw) << "\" dy=\"4\" text-anchor=\"end\">" << fmt("%g", mw) << "</text>\n";
  }
  for (int i = 0; i <= x_axis.ticks; ++i) {
    const double ms = x_axis.step * i;
    os << "<text x=\"" << x(ms / 1e3) << "\" y=\"" << top + plot_h + 20 << "\" text-anchor=\"middle\">" << fmt("%g", ms)
       << "</text>\n";
  }
  os << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << height - 6 << "\" text-anchor=\"middle\">time (ms)</text>";
  os << "<text x=\"14\" y=\"" << top + plot_h / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 14 " << top + plot_h / 2
     << ")\">power (mW)</text>\n";
  // One filled area per stretch of consecutive points in one state, and a
  // strip of its colour under the axis (a state near 0 mW shows there).
  const auto &t = e.timeline;
  for (size_t i = 0; i < t.size();) {
    size_t j = i;
    std::ostringstream d;
    d << "M" << x(t[i].start_s) << "," << y(0);
    for (; j < t.size() && t[j].state == t[i].state; ++j)
      d << " L" << x(t[j].start_s) << "," << y(t[j].mw) << " L" << x(t[j].end_s) << "," << y(t[j].mw);
    d << " L" << x(t[j - 1].end_s) << "," << y(0) << " Z";
    os << "<path d=\"" << d.str() << "\" fill=\"" << state_color(t[i].state) << "\" fill-opacity=\"0.35\"><title>"
       << core_state_name(t[i].state) << "</title></path>\n";
    os << "<rect x=\"" << x(t[i].start_s) << "\" y=\"" << top + plot_h + 1 << "\" width=\""
       << fmt("%.2f", std::max(0.0, x_at(t[j - 1].end_s) - x_at(t[i].start_s))) << "\" height=\"5\" fill=\""
       << state_color(t[i].state) << "\"/>\n";
    i = j;
  }
  // The step line over all points.
  if (!t.empty()) {
    os << "<path class=\"step\" d=\"M" << x(t[0].start_s) << "," << y(t[0].mw);
    for (const auto &p : t) os << " L" << x(p.start_s) << "," << y(p.mw) << " L" << x(p.end_s) << "," << y(p.mw);
    os << "\" fill=\"none\" stroke=\"#1d2733\" stroke-width=\"1.2\"/>\n";
  }
  os << "<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\"" << top + plot_h << "\" stroke=\"#5b6b7c\"/>";
  os << "<line x1=\"" << left << "\" y1=\"" << top + plot_h << "\" x2=\"" << left + plot_w << "\" y2=\"" << top + plot_h
     << "\" stroke=\"#5b6b7c\"/>\n";
  os << "</svg>\n";
  // The legend: the states on the timeline, in enum order.
  bool seen[4] = {};
  for (const auto &p : t) seen[size_t(p.state)] = true;
  os << "<p class=\"legend\">";
  for (CoreState s : {CoreState::Run, CoreState::Sleep, CoreState::DeepSleep, CoreState::Wakeup})
    if (seen[size_t(s)])
      os << "<span><i style=\"background:" << state_color(s) << "\"></i>" << core_state_name(s) << "</span>";
  os << "</p>\n";
  return os.str();
}

/// The Energy section: totals, the model, the power states and the chart.
void energy_section(std::ostream &os, const RunReport &r) {
  const power::RunEnergy &e = *r.energy;
  const power::EnergyModel &m = e.model;
  os << "<h2>Energy</h2>\n";
  os << "<p class=\"sub\">" << esc(m.device) << (m.mode.empty() ? "" : ", mode " + esc(m.mode)) << " at " << fmt("%g", m.mhz)
     << " MHz, " << fmt("%g", m.voltage_v) << " V, " << fmt("%g", m.temperature_c) << " &deg;C</p>\n";
  os << "<div class=\"kpis\">";
  auto kpi = [&](const std::string &v, const std::string &l) {
    os << "<div class=\"kpi\"><b>" << esc(v) << "</b><span>" << esc(l) << "</span></div>";
  };
  kpi(fmt("%.3f mW", e.average_mw), "average power");
  kpi(fmt("%.3f mW", e.peak_mw), "peak power");
  kpi(fmt("%.3f \xC2\xB5J", e.energy_uj), "energy per run");
  if (r.uj_per_inference) kpi(fmt("%.3f \xC2\xB5J", *r.uj_per_inference), "energy per inference");
  kpi(fmt("%.3f mA", e.average_ma), "average current");
  os << "</div>\n";
  os << "<table><tr><th>state</th><th>time (ms)</th><th>cycles</th><th>energy (&micro;J)</th><th>share</th><th>current (&micro;A)</th></tr>\n";
  for (const auto &s : e.states)
    os << "<tr><td>" << esc(s.state) << "</td><td>" << fmt("%.3f", s.seconds * 1e3) << "</td><td>" << thousands(s.cycles) << "</td><td>"
       << fmt("%.3f", s.uj) << "</td><td>" << fmt("%.1f%%", 100 * s.share) << "</td><td>" << fmt("%.1f", s.current_ua) << "</td></tr>\n";
  os << "</table>\n";
  if (e.clocks.size() > 1) { // the run changed its clock or power mode: each stretch at its own figures
    os << "<table><tr><th>clock</th><th>time (ms)</th><th>cycles</th><th>energy (&micro;J)</th><th>share</th></tr>\n";
    for (const auto &k : e.clocks)
      os << "<tr><td>" << fmt("%g MHz", k.mhz) << (k.mode.empty() ? "" : " " + esc(k.mode)) << "</td><td>" << fmt("%.3f", k.seconds * 1e3)
         << "</td><td>" << thousands(k.cycles) << "</td><td>" << fmt("%.3f", k.uj) << "</td><td>"
         << fmt("%.1f%%", e.energy_uj > 0 ? 100 * k.uj / e.energy_uj : 0.0) << "</td></tr>\n";
    os << "</table>\n";
  }
  std::vector<std::string> notes;
  if (e.sleep_entries || e.deep_sleep_entries)
    notes.push_back(thousands(e.sleep_entries) + " sleep and " + thousands(e.deep_sleep_entries) + " deep-sleep entries, wake-ups " +
                    fmt("%.3f", e.wakeup_uj) + " &micro;J");
  if (e.class_uj != 0) notes.push_back("instruction classes " + fmt("%.3f", e.class_uj) + " &micro;J");
  if (!notes.empty()) {
    os << "<p>";
    for (size_t i = 0; i < notes.size(); ++i) os << (i ? "; " : "") << notes[i];
    os << ".</p>\n";
  }
  if (!m.sources.empty()) {
    os << "<details><summary class=\"note\">Figures used and their sources</summary><ul class=\"note\">";
    for (const auto &source : m.sources) os << "<li>" << esc(source) << "</li>";
    os << "</ul></details>\n";
  }
  if (e.timeline.empty()) {
    os << "<p class=\"sub\">No power timeline was recorded.</p>\n";
  } else {
    os << "<h3>Power over time</h3>\n";
    os << power_chart(e);
    if (e.timeline_merged)
      os << "<p class=\"note\">The timeline was merged to " << thousands(e.timeline.size())
         << " points to stay bounded: each point is the average power of its stretch, so short peaks are flattened.</p>\n";
  }
}
} // namespace

std::string render_html(const RunReport &r, size_t top) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mcusim: " << esc(r.firmware) << " on "
     << esc(r.device) << "</title>\n<style>\n"
     << "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:24px;color:#1d2733;max-width:960px}\n"
     << "h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d8dee6;padding-bottom:4px}\n"
     << ".sub{color:#5b6b7c;margin-top:0}.kpis{display:flex;gap:12px;flex-wrap:wrap}\n"
     << ".kpi{background:#f4f6f9;border-radius:6px;padding:10px 14px;min-width:130px}\n"
     << ".kpi b{display:block;font-size:20px}.kpi span{color:#5b6b7c;font-size:12px}\n"
     << ".chart text{font-size:12px;fill:#1d2733}table{border-collapse:collapse;font-size:13px}\n"
     << "td,th{padding:3px 10px;border-bottom:1px solid #e3e8ee;text-align:right}td:first-child,th:first-child{text-align:left}\n"
     << ".warn{color:#b3261e;font-weight:bold}pre{background:#fbeaea;padding:10px;overflow:auto}\n"
     << ".legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\n"
     << ".note{color:#5b6b7c;font-size:12px}\n</style></head><body>\n";
  os << "<h1>" << esc(r.firmware) << " on " << esc(r.device) << "</h1>\n";
  os << "<p class=\"sub\">" << esc(r.core) << " at " << fmt("%g", r.mhz) << " MHz &middot; " << esc(r.timing) << "</p>\n";
  std::string result = r.stop_reason + (r.stop_reason == "exited" ? " (" + std::to_string(r.exit_code) + ")" : "");
  os << "<div class=\"kpis\">";
  auto kpi = [&](const std::string &v, const std::string &l) { os << "<div class=\"kpi\"><b>" << esc(v) << "</b><span>" << esc(l) << "</span></div>"; };
  kpi(fmt("%.3f ms", r.simulated_seconds * 1e3), "simulated time");
  kpi(thousands(r.cycles), "cycles");
  kpi(thousands(r.instructions), "instructions");
  kpi(fmt("%.2f", r.cpi), "CPI");
  kpi(result, "result");
  os << "</div>\n";
  if (!r.fault.empty()) os << "<h2>Fault</h2><pre>" << esc(r.fault) << "</pre>\n";
  if (r.energy) energy_section(os, r);
  else if (!r.energy_note.empty()) os << "<p class=\"sub\">Energy: " << esc(r.energy_note) << "</p>\n";

  if (!r.profiled) os << "<p class=\"warn\">" << esc(not_profiled_line()) << "</p>\n";
  if (!r.layers.empty()) {
    os << "<h2>Layers <span class=\"sub\">(" << esc(layer_heading(r)) << ")</span></h2>\n";
    os << "<p class=\"sub\">Mean cycles of one invocation per layer; mean, min and max are per invocation.</p>\n";
    double most = 1;
    for (const auto &l : r.layers) most = std::max(most, l.mean_cycles);
    auto label = [](const RunReport::Layer &l) {
      std::string s = "#"; // appended: GCC 12 warns on "#" + std::string chains
      s += std::to_string(l.node);
      s += ' ';
      s += l.name.empty() ? l.op : l.name;
      if (!l.op.empty() && l.op != l.name && !l.name.empty()) {
        s += " (";
        s += l.op;
        s += ')';
      }
      return s;
    };
    std::vector<Bar> rows;
    for (const auto &l : r.layers)
      rows.push_back({label(l), thousands(uint64_t(std::llround(l.mean_cycles))) + " cyc, " + fmt("%.2f us", l.mean_us) + ", " +
                                    fmt("%.1f%%", 100 * l.share),
                      l.mean_cycles / most});
    os << bars(rows, "#3b7dd8");
    auto dash = [](const std::string &v) { return v.empty() ? std::string("-") : v; };
    os << "<table><tr><th>node</th><th>op</th><th>name</th><th>runs</th><th>total cycles</th><th>share</th><th>mean cycles</th>"
          "<th>min cycles</th><th>max cycles</th><th>mean &micro;s</th><th>min &micro;s</th><th>max &micro;s</th><th>MACs</th>"
          "<th>cycles/MAC</th>"
       << (r.energy ? "<th>&micro;J</th><th>mean &micro;J</th>" : "") << "</tr>\n";
    for (const auto &l : r.layers) {
      os << "<tr><td>" << l.node << "</td><td>" << esc(dash(l.op)) << "</td><td>" << esc(dash(l.name)) << "</td><td>" << l.invocations
         << "</td><td>" << thousands(l.cycles) << "</td><td>" << fmt("%.1f%%", 100 * l.share) << "</td><td>"
         << thousands(uint64_t(std::llround(l.mean_cycles))) << "</td><td>" << (l.min_cycles ? thousands(*l.min_cycles) : "-") << "</td><td>"
         << (l.max_cycles ? thousands(*l.max_cycles) : "-") << "</td><td>" << fmt("%.2f", l.mean_us) << "</td><td>"
         << (l.min_cycles ? fmt("%.2f", l.min_us) : "-") << "</td><td>" << (l.max_cycles ? fmt("%.2f", l.max_us) : "-") << "</td><td>"
         << (l.macs ? thousands(*l.macs) : "-") << "</td><td>" << (l.cycles_per_mac ? fmt("%.2f", *l.cycles_per_mac) : "-") << "</td>";
      if (r.energy) os << "<td>" << fmt("%.3f", l.uj) << "</td><td>" << fmt("%.3f", l.mean_uj) << "</td>";
      os << "</tr>\n";
    }
    os << "</table>\n";
    os << "<h3>Operators</h3>\n<table><tr><th>op</th><th>layers</th><th>runs</th><th>total cycles</th><th>ms</th><th>share</th>"
          "<th>cycles/MAC</th></tr>\n";
    for (const auto &o : r.layer_operators)
      os << "<tr><td>" << esc(dash(o.op)) << "</td><td>" << o.layers << "</td><td>" << o.invocations << "</td><td>" << thousands(o.cycles)
         << "</td><td>" << fmt("%.3f", o.ms) << "</td><td>" << fmt("%.1f%%", 100 * o.share) << "</td><td>"
         << (o.cycles_per_mac ? fmt("%.2f", *o.cycles_per_mac) : "-") << "</td></tr>\n";
    os << "</table>\n";
  }
  if (r.profiled && !r.functions.empty()) {
    os << "<h2>Hottest functions</h2>\n";
    std::vector<Bar> rows;
    for (size_t i = 0; i < r.functions.size() && i < top; ++i) {
      const auto &f = r.functions[i];
      rows.push_back({f.name, thousands(f.self_cycles) + " cyc, " + fmt("%.1f%%", 100 * f.self_share), f.self_share});
    }
    os << bars(rows, "#e07b39");
    os << "<table><tr><th>function</th><th>source</th><th>self cycles</th><th>share</th><th>inclusive</th><th>calls</th>"
       << (r.energy ? "<th>self &micro;J</th><th>inclusive &micro;J</th>" : "") << "</tr>\n";
    for (size_t i = 0; i < r.functions.size() && i < top; ++i) {
      const auto &f = r.functions[i];
      os << "<tr><td>" << esc(f.name) << "</td><td>" << esc(f.source) << "</td><td>" << thousands(f.self_cycles) << "</td><td>" << fmt("%.1f%%", 100 * f.self_share)
         << "</td><td>" << thousands(f.inclusive_cycles) << "</td><td>" << thousands(f.calls) << "</td>";
      if (r.energy) os << "<td>" << fmt("%.3f", f.self_uj) << "</td><td>" << fmt("%.3f", f.inclusive_uj) << "</td>";
      os << "</tr>\n";
    }
    os << "</table>\n";
  }
  os << "<h2>Memory</h2>\n";
  std::vector<Bar> mem;
  for (const auto &m : r.memory)
    mem.push_back({m.name + " (" + m.kind + ")", text::size(m.used) + " of " + text::size(m.capacity),
                   m.capacity ? double(m.used) / double(m.capacity) : 0});
  if (r.profiled) {
    uint32_t room = r.stack.initial_sp > r.stack.limit && r.stack.limit ? r.stack.initial_sp - r.stack.limit : 0;
    mem.push_back({"stack", std::to_string(r.stack.used) + (room ? " of " + std::to_string(room) + " B" : " B"),
                   room ? double(r.stack.used) / room : 0});
    if (!r.arena.symbol.empty())
      mem.push_back({"arena " + r.arena.symbol, std::to_string(r.arena.used) + " of " + std::to_string(r.arena.size) + " B",
                     r.arena.size ? double(r.arena.used) / r.arena.size : 0});
  }
  os << bars(mem, "#4c9a5f");
  if (r.profiled) {
    os << "<p>Heap: " << (r.heap.malloc_used ? "malloc used, " + thousands(r.heap.bytes) + " bytes from _sbrk" : std::string("no dynamic allocation"))
       << ".</p>\n";
    if (r.stack.overflow) os << "<p class=\"warn\">The stack went below its limit (into static data or the heap).</p>\n";
  }
  os << "</body></html>\n";
  return os.str();
}

} // namespace mcusim
