/// \file
/// Renderers of the RunReport: text (terminal), JSON (versioned schema),
/// Markdown (a pull-request comment).
#include "profiler/run_report.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/format.h"

namespace mcusim {

namespace {
using text::hex;
using text::thousands;
std::string fmt(const char *f, double v) { return text::number(f, v); }
std::string pct(uint64_t part, uint64_t whole) { return whole ? fmt("%.1f%%", 100.0 * double(part) / double(whole)) : "-"; }
std::string opt(const std::optional<uint64_t> &v) { return v ? thousands(*v) : "-"; }
std::string opt(const char *f, const std::optional<double> &v) { return v ? fmt(f, *v) : "-"; }
/// A table cell: "-" when empty, cut to `width` characters.
std::string cell(const std::string &s, size_t width) {
  if (s.empty()) return "-";
  return s.size() > width ? s.substr(0, width - 3) + "..." : s;
}
std::string uj(double v) { return fmt("%.3f", v); }
/// A right-aligned µJ cell of a text table, after a space ("" without energy).
std::string uj_cell(bool energy, double v) { return energy ? fmt(" %11.3f", v) : std::string(); }

/// The text report's energy section (docs/power.md, "Energy per run").
void energy_text(std::ostream &os, const RunReport &r) {
  const power::RunEnergy &e = *r.energy;
  const power::EnergyModel &m = e.model;
  os << "\nenergy (" << m.device << (m.mode.empty() ? "" : ", mode " + m.mode) << ", " << fmt("%g", m.mhz) << " MHz, "
     << fmt("%g", m.voltage_v) << " V, " << fmt("%g", m.temperature_c) << " °C, deep sleep " << m.deep_sleep_name << "):\n";
  os << "  average       " << fmt("%.3f", e.average_mw) << " mW  (" << fmt("%.3f", e.average_ma) << " mA)\n";
  os << "  peak          " << fmt("%.3f", e.peak_mw) << " mW  (" << fmt("%.3f", e.peak_ma) << " mA, highest of "
     << thousands(e.timeline.size()) << " timeline segment" << (e.timeline.size() == 1 ? "" : "s")
     << (e.timeline_merged ? ", merged" : "") << ")\n";
  os << "  per run       " << uj(e.energy_uj) << " µJ in " << fmt("%.6f", e.seconds) << " s\n";
  if (r.uj_per_inference)
    os << "  per inference " << uj(*r.uj_per_inference) << " µJ  (invocation spans of " << thousands(r.layer_invocations) << " invocation"
       << (r.layer_invocations == 1 ? "" : "s") << ")\n";
  os << "  sleep         " << thousands(e.sleep_entries) << " sleep entr" << (e.sleep_entries == 1 ? "y" : "ies") << ", "
     << thousands(e.deep_sleep_entries) << " deep-sleep entr" << (e.deep_sleep_entries == 1 ? "y" : "ies") << "; wake-ups "
     << uj(e.wakeup_uj) << " µJ\n";
  std::string by_state;
  for (const auto &st : e.states)
    if (st.entries)
      by_state += (by_state.empty() ? "" : "; ") + st.state.substr(st.state.find('(') + 1, st.state.size() - st.state.find('(') - 2) + " " +
                  thousands(*st.entries) + " entr" + (*st.entries == 1 ? "y" : "ies") + ", wake-up " + fmt("%g", st.wakeup_us.value_or(0)) + " µs";
  if (!by_state.empty()) os << "  deep states   " << by_state << "\n";
  if (e.class_uj != 0) os << "  classes       " << uj(e.class_uj) << " µJ from the instruction-class weights\n";
  char line[256];
  if (e.clocks.size() > 1) { // the run changed its clock or power mode: each stretch at its own figures
    std::snprintf(line, sizeof line, "  %-26s %14s %12s %13s %7s\n", "clock", "cycles", "time s", "energy µJ", "share");
    os << line;
    for (const auto &k : e.clocks) {
      const std::string name = fmt("%g MHz", k.mhz) + (k.mode.empty() ? "" : " " + k.mode);
      std::snprintf(line, sizeof line, "  %-26s %14s %12s %12s %7s\n", cell(name, 26).c_str(), thousands(k.cycles).c_str(),
                    fmt("%.6f", k.seconds).c_str(), uj(k.uj).c_str(), fmt("%.1f%%", e.energy_uj > 0 ? 100 * k.uj / e.energy_uj : 0.0).c_str());
      os << line;
    }
  }
  std::snprintf(line, sizeof line, "  %-26s %14s %12s %13s %13s %7s\n", "state", "cycles", "time s", "current µA", "energy µJ", "share");
  os << line;
  for (const auto &st : e.states) {
    std::snprintf(line, sizeof line, "  %-26s %14s %12s %12s %12s %7s\n", cell(st.state, 26).c_str(), thousands(st.cycles).c_str(),
                  fmt("%.6f", st.seconds).c_str(), fmt("%.2f", st.current_ua).c_str(), uj(st.uj).c_str(), fmt("%.1f%%", 100 * st.share).c_str());
    os << line;
  }
  if (!m.sources.empty()) {
    os << "  figures:\n";
    for (const auto &src : m.sources) os << "    " << src << "\n";
  }
}

/// The text report's GPIO phase markers (docs/peripherals.md, "GPIO pins as phase markers").
void gpio_phases_text(std::ostream &os, const RunReport &r) {
  os << "\ngpio phases (high intervals of the pins):\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-20s %-5s %7s %14s %14s %14s %12s\n", "phase", "pin", "count", "total cyc", "mean cyc", "total us",
                "mean us");
  os << line;
  for (const auto &p : r.gpio_phases) {
    std::snprintf(line, sizeof line, "  %-20s %-5s %7s %14s %14s %14s %12s%s\n", cell(p.name, 20).c_str(), p.pin.c_str(),
                  thousands(p.count).c_str(), thousands(p.cycles).c_str(), fmt("%.1f", p.mean_cycles).c_str(), fmt("%.3f", p.us).c_str(),
                  fmt("%.3f", p.mean_us).c_str(), p.open ? "  (still high at the end, not counted)" : "");
    os << line;
  }
}
} // namespace

std::string layer_heading(const RunReport &r) {
  std::string h = r.layer_source;
  if (r.layer_invocations) h += ", " + std::to_string(r.layer_invocations) + (r.layer_invocations == 1 ? " invocation" : " invocations");
  if (r.layer_setup) h += ", " + std::to_string(r.layer_setup) + " set-up region" + (r.layer_setup == 1 ? "" : "s") + " outside them not shown";
  return h;
}

std::string not_profiled_line() {
  return "not profiled (a plain run stores only its totals and memory; 'mcusim run --report' or '--db FILE' profiles)";
}

std::string render_text(const RunReport &r, size_t top) {
  std::ostringstream os;
  os << "mcusim report: " << r.firmware << " on " << r.device << " (" << r.core << ") at " << fmt("%g", r.mhz) << " MHz\n";
  os << "  timing        " << r.timing << "\n";
  os << "  result        " << r.stop_reason;
  if (r.stop_reason == "exited") os << " with code " << r.exit_code;
  if (!r.message.empty()) os << " (" << r.message << ")";
  os << "\n";
  os << "  cycles        " << thousands(r.cycles) << "  (" << fmt("%.6f", r.simulated_seconds) << " s at " << fmt("%g", r.mhz) << " MHz";
  if (r.sleep_cycles) os << ", " << thousands(r.sleep_cycles) << " asleep";
  os << ")\n";
  if (!r.clock_changes.empty()) {
    // The firmware set the clock: where each stretch began, at what clock and wait states.
    os << "  clock        ";
    for (size_t i = 0; i < r.clock_changes.size(); ++i) {
      const auto &c = r.clock_changes[i];
      os << (i ? ", " : " ") << fmt("%g", c.mhz) << " MHz " << c.flash_ws << " WS from cycle " << thousands(c.cycle);
    }
    if (r.energy) os << (r.energy->clocks.size() > 1 ? "; energy priced clock by clock" : "; energy priced at one clock");
    os << "\n";
  }
  os << "  instructions  " << thousands(r.instructions) << "  (CPI " << fmt("%.2f", r.cpi) << ")\n";
  if (!r.profiled) os << "  profile       " << not_profiled_line() << "\n";
  if (!r.energy && !r.energy_note.empty()) os << "  energy        none: " << r.energy_note << "\n";
  const bool energy = r.energy.has_value();
  if (r.profiled) {
    os << "\nhottest functions (self cycles" << (energy ? ", self energy" : "") << "):\n";
    char line[320];
    // "µ" takes two bytes: its column is one byte wider.
    std::snprintf(line, sizeof line, "  %-40s %14s %7s%s %14s %10s  %s\n", "function", "self", "share", energy ? "     self µJ" : "",
                  "inclusive", "calls", "source");
    os << line;
    size_t n = 0;
    for (const auto &f : r.functions) {
      if (n++ >= top) break;
      std::string name = f.name.size() > 40 ? f.name.substr(0, 37) + "..." : f.name;
      std::string e = uj_cell(energy, f.self_uj);
      std::snprintf(line, sizeof line, "  %-40s %14s %7s%s %14s %10s  %s\n", name.c_str(), thousands(f.self_cycles).c_str(),
                    pct(f.self_cycles, r.cycles).c_str(), e.c_str(), thousands(f.inclusive_cycles).c_str(), thousands(f.calls).c_str(),
                    f.source.c_str());
      os << line;
    }
    if (r.other_cycles || (energy && r.other_uj > 0)) {
      std::string e = uj_cell(energy, r.other_uj);
      std::snprintf(line, sizeof line, "  %-40s %14s %7s%s\n", "(exceptions, sleep, idle)", thousands(r.other_cycles).c_str(),
                    pct(r.other_cycles, r.cycles).c_str(), e.c_str());
      os << line;
    }
  }
  if (!r.layers.empty()) {
    os << "\nlayers (" << layer_heading(r) << "):\n";
    char line[400];
    std::snprintf(line, sizeof line, "  %4s  %-18s %-26s %5s %13s %6s %11s %10s %10s %9s %9s %9s %8s%s\n", "node", "op", "name", "runs",
                  "total cyc", "share", "mean cyc", "min cyc", "max cyc", "mean us", "min us", "max us", "cyc/MAC",
                  energy ? "    total µJ     mean µJ" : "");
    os << line;
    for (const auto &l : r.layers) {
      std::string e = uj_cell(energy, l.uj) + uj_cell(energy, l.mean_uj);
      std::snprintf(line, sizeof line, "  %4u  %-18s %-26s %5s %13s %6s %11s %10s %10s %9s %9s %9s %8s%s\n", l.node,
                    cell(l.op, 18).c_str(), cell(l.name, 26).c_str(), thousands(l.invocations).c_str(), thousands(l.cycles).c_str(),
                    fmt("%.1f%%", 100 * l.share).c_str(), thousands(uint64_t(std::llround(l.mean_cycles))).c_str(), opt(l.min_cycles).c_str(),
                    opt(l.max_cycles).c_str(), fmt("%.2f", l.mean_us).c_str(), l.min_cycles ? fmt("%.2f", l.min_us).c_str() : "-",
                    l.max_cycles ? fmt("%.2f", l.max_us).c_str() : "-", opt("%.2f", l.cycles_per_mac).c_str(), e.c_str());
      os << line;
    }
    if (!r.layer_operators.empty()) {
      os << "\noperators (all layers of each op type):\n";
      std::snprintf(line, sizeof line, "  %-32s %6s %6s %14s %10s %6s %8s\n", "op", "layers", "runs", "total cyc", "ms", "share", "cyc/MAC");
      os << line;
      for (const auto &o : r.layer_operators) {
        std::snprintf(line, sizeof line, "  %-32s %6s %6s %14s %10s %6s %8s\n", cell(o.op, 32).c_str(), thousands(o.layers).c_str(),
                      thousands(o.invocations).c_str(), thousands(o.cycles).c_str(), fmt("%.3f", o.ms).c_str(), fmt("%.1f%%", 100 * o.share).c_str(),
                      opt("%.2f", o.cycles_per_mac).c_str());
        os << line;
      }
    }
  }
  if (energy) energy_text(os, r);
  if (!r.gpio_phases.empty()) gpio_phases_text(os, r);
  os << "\nmemory:\n";
  for (const auto &m : r.memory)
    os << "  " << m.name << std::string(m.name.size() < 10 ? 10 - m.name.size() : 1, ' ') << text::size(m.used)
       << " of " << text::size(m.capacity) << " (" << pct(m.used, m.capacity) << ")\n";
  if (r.profiled) {
    os << "  stack     " << r.stack.used << " bytes used (SP " << hex(r.stack.initial_sp) << " down to " << hex(r.stack.lowest_sp) << ")";
    if (r.stack.overflow) os << "  WARNING: below the stack limit " << hex(r.stack.limit) << " (into static data or heap)";
    os << "\n";
    os << "  heap      " << (r.heap.malloc_used ? "malloc used, " : "no dynamic allocation, ") << r.heap.bytes << " bytes from _sbrk\n";
    if (!r.arena.symbol.empty())
      os << "  arena     " << r.arena.used << " of " << r.arena.size << " bytes used (" << r.arena.symbol << "): head " << r.arena.head
         << " + tail " << r.arena.tail << "\n";
  }
  if (!r.top_symbols.empty()) {
    os << "  largest symbols:";
    size_t n = 0;
    for (const auto &s : r.top_symbols) {
      if (n++ >= 5) break;
      os << (n == 1 ? " " : ", ") << s.name << " " << s.size << " B";
    }
    os << "\n";
  }
  if (!r.fault.empty()) os << "\nfault:\n" << r.fault << "\n";
  return os.str();
}

namespace {
/// The "energy" object of the JSON report (docs/report.md).
nlohmann::ordered_json energy_json(const power::RunEnergy &e, const std::optional<double> &per_inference) {
  using nlohmann::ordered_json;
  const power::EnergyModel &m = e.model;
  ordered_json states = ordered_json::array();
  for (const auto &s : e.states) {
    states.push_back({{"state", s.state}, {"cycles", s.cycles}, {"seconds", s.seconds}, {"current_ua", s.current_ua}, {"uj", s.uj},
                      {"share", s.share}});
    // Deep sleep counted by the state entered: its entries and wake-up time.
    if (s.entries) states.back()["entries"] = *s.entries;
    if (s.wakeup_us) states.back()["wakeup_us"] = *s.wakeup_us;
  }
  ordered_json timeline = ordered_json::array();
  for (const auto &p : e.timeline)
    timeline.push_back({{"start_s", p.start_s}, {"end_s", p.end_s}, {"state", core_state_name(p.state)}, {"mw", p.mw}});
  ordered_json model = {{"device", m.device},
                        {"mode", m.mode},
                        {"deep_sleep", m.deep_sleep_name},
                        {"mhz", m.mhz},
                        {"voltage_v", m.voltage_v},
                        {"temperature_c", m.temperature_c},
                        {"run_flash_ua", m.run_ua[0]},
                        {"run_sram_ua", m.run_ua[1]},
                        {"sleep_ua", m.sleep_ua},
                        {"deep_sleep_ua", m.deep_sleep_ua},
                        {"wakeup_ua", m.wakeup_ua},
                        {"sleep_wakeup_us", m.sleep_wakeup_us},
                        {"deep_wakeup_us", m.deep_wakeup_us},
                        {"weights_pj", {{"mac", m.weights.mac_pj}, {"fpu", m.weights.fpu_pj}, {"flash_load", m.weights.flash_load_pj},
                                        {"sram_access", m.weights.sram_access_pj}}},
                        {"sources", m.sources}};
  ordered_json out = {{"model", model},
          {"seconds", e.seconds},
          {"uj", e.energy_uj},
          {"uj_per_inference", per_inference ? ordered_json(*per_inference) : ordered_json(nullptr)},
          {"average_mw", e.average_mw},
          {"average_ma", e.average_ma},
          {"peak_mw", e.peak_mw},
          {"peak_ma", e.peak_ma},
          {"sleep_entries", e.sleep_entries},
          {"deep_sleep_entries", e.deep_sleep_entries},
          {"wakeup_uj", e.wakeup_uj},
          {"class_uj", e.class_uj},
          {"states", states},
          {"timeline_merged", e.timeline_merged},
          {"timeline", timeline}};
  if (e.clocks.size() > 1) { // a run at several clocks: each one's share (absent otherwise, as before)
    ordered_json clocks = ordered_json::array();
    for (const auto &k : e.clocks)
      clocks.push_back({{"mhz", k.mhz}, {"mode", k.mode}, {"cycles", k.cycles}, {"seconds", k.seconds}, {"uj", k.uj}});
    out["clocks"] = clocks;
  }
  return out;
}
} // namespace

std::string render_json(const RunReport &r) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["schema"] = "mcusim-run-report";
  j["schema_version"] = RunReport::kSchemaVersion;
  j["firmware"] = r.firmware;
  j["device"] = r.device;
  j["core"] = r.core;
  j["timing"] = r.timing;
  j["mhz"] = r.mhz;
  j["result"] = {{"stop_reason", r.stop_reason}, {"exit_code", r.exit_code}, {"message", r.message}, {"fault", r.fault}};
  // Only when there are some: reports of runs touching no unmodelled register read as before.
  if (!r.unmodelled_registers.empty()) j["result"]["unmodelled_registers"] = r.unmodelled_registers;
  if (!r.clock_changes.empty()) {
    ordered_json cs = ordered_json::array();
    for (const auto &c : r.clock_changes) cs.push_back({{"cycle", c.cycle}, {"mhz", c.mhz}, {"flash_ws", c.flash_ws}});
    j["result"]["clock_changes"] = cs;
  }
  j["totals"] = {{"cycles", r.cycles},
                 {"instructions", r.instructions},
                 {"sleep_cycles", r.sleep_cycles},
                 {"cpi", r.cpi},
                 {"simulated_seconds", r.simulated_seconds}};
  ordered_json fns = ordered_json::array();
  const bool energy = r.energy.has_value(); // energy fields only then: reports without figures read as before
  for (const auto &f : r.functions) {
    fns.push_back({{"name", f.name},
                   {"source", f.source},
                   {"address", f.addr},
                   {"self_cycles", f.self_cycles},
                   {"inclusive_cycles", f.inclusive_cycles},
                   {"calls", f.calls},
                   {"instructions", f.instructions},
                   {"self_share", f.self_share}});
    if (energy) {
      fns.back()["self_uj"] = f.self_uj;
      fns.back()["inclusive_uj"] = f.inclusive_uj;
    }
  }
  auto u64_or_null = [](const std::optional<uint64_t> &v) { return v ? ordered_json(*v) : ordered_json(nullptr); };
  auto double_or_null = [](const std::optional<double> &v) { return v ? ordered_json(*v) : ordered_json(nullptr); };
  ordered_json lay = ordered_json::array();
  for (const auto &l : r.layers)
    lay.push_back({{"node", l.node},
                   {"name", l.name},
                   {"op", l.op},
                   {"invocations", l.invocations},
                   {"cycles", l.cycles},
                   {"ms", l.ms},
                   {"share", l.share},
                   {"mean_cycles", l.mean_cycles},
                   {"min_cycles", u64_or_null(l.min_cycles)},
                   {"max_cycles", u64_or_null(l.max_cycles)},
                   {"mean_us", l.mean_us},
                   {"min_us", l.min_cycles ? ordered_json(l.min_us) : ordered_json(nullptr)},
                   {"max_us", l.max_cycles ? ordered_json(l.max_us) : ordered_json(nullptr)},
                   {"macs", u64_or_null(l.macs)},
                   {"cycles_per_mac", double_or_null(l.cycles_per_mac)}});
  if (energy)
    for (size_t i = 0; i < r.layers.size(); ++i) {
      lay[i]["uj"] = r.layers[i].uj;
      lay[i]["mean_uj"] = r.layers[i].mean_uj;
    }
  ordered_json ops = ordered_json::array();
  for (const auto &o : r.layer_operators)
    ops.push_back({{"op", o.op}, {"layers", o.layers}, {"invocations", o.invocations}, {"cycles", o.cycles}, {"ms", o.ms},
                   {"share", o.share}, {"cycles_per_mac", double_or_null(o.cycles_per_mac)}});
  j["layers"] = {{"source", r.layer_source}, {"invocations", r.layer_invocations}, {"invocation_rule", r.invocation_rule},
                 {"invocation_cycles", r.invocation_cycles}, {"setup_regions", r.layer_setup}, {"rows", lay}, {"operators", ops}};
  j["profile"] = {{"profiled", r.profiled}, {"functions", fns}, {"other_cycles", r.other_cycles},
                  {"max_call_depth", r.max_call_depth}, {"exceptions_taken", r.exceptions_taken}};
  if (energy) j["profile"]["other_uj"] = r.other_uj;
  ordered_json mem = ordered_json::array();
  for (const auto &m : r.memory) mem.push_back({{"region", m.name}, {"kind", m.kind}, {"used", m.used}, {"capacity", m.capacity}});
  ordered_json secs = ordered_json::array();
  for (const auto &s : r.sections) secs.push_back({{"name", s.name}, {"address", s.addr}, {"size", s.size}, {"region", s.region}});
  ordered_json syms = ordered_json::array();
  for (const auto &s : r.top_symbols) syms.push_back({{"name", s.name}, {"kind", s.kind}, {"address", s.addr}, {"size", s.size}});
  j["memory"] = {{"regions", mem},
                 {"sections", secs},
                 {"top_symbols", syms},
                 {"stack", {{"initial_sp", r.stack.initial_sp}, {"lowest_sp", r.stack.lowest_sp}, {"used", r.stack.used},
                            {"limit", r.stack.limit}, {"overflow", r.stack.overflow}}},
                 {"heap", {{"malloc_used", r.heap.malloc_used}, {"bytes", r.heap.bytes}}},
                 {"arena", {{"symbol", r.arena.symbol}, {"size", r.arena.size}, {"used", r.arena.used},
                            {"head", r.arena.head}, {"tail", r.arena.tail}}}};
  if (energy) j["energy"] = energy_json(*r.energy, r.uj_per_inference);
  // Only with --gpio-phase: other reports read as before.
  if (!r.gpio_phases.empty()) {
    ordered_json ph = ordered_json::array();
    for (const auto &p : r.gpio_phases)
      ph.push_back({{"name", p.name}, {"pin", p.pin}, {"count", p.count}, {"cycles", p.cycles}, {"us", p.us},
                    {"mean_cycles", p.mean_cycles}, {"mean_us", p.mean_us}, {"open", p.open}});
    j["gpio_phases"] = ph;
  }
  j["host"] = {{"wall_seconds", r.wall_seconds}, {"mips", r.mips}};
  return j.dump(2) + "\n";
}

std::string render_markdown(const RunReport &r, size_t top) {
  std::ostringstream os;
  os << "### mcusim: `" << r.firmware << "` on " << r.device << " (" << r.core << ", " << fmt("%g", r.mhz) << " MHz)\n\n";
  os << "| metric | value |\n|---|---:|\n";
  os << "| result | " << r.stop_reason << (r.stop_reason == "exited" ? " (" + std::to_string(r.exit_code) + ")" : "") << " |\n";
  os << "| cycles | " << thousands(r.cycles) << " |\n";
  os << "| time | " << fmt("%.3f ms", r.simulated_seconds * 1e3) << " |\n";
  os << "| instructions | " << thousands(r.instructions) << " |\n";
  os << "| CPI | " << fmt("%.2f", r.cpi) << " |\n";
  for (const auto &m : r.memory) os << "| " << m.name << " | " << text::size(m.used) << " of " << text::size(m.capacity) << " |\n";
  if (!r.profiled) os << "| profile | " << not_profiled_line() << " |\n";
  const bool energy = r.energy.has_value();
  if (energy) {
    const power::RunEnergy &e = *r.energy;
    os << "| average power | " << fmt("%.3f mW", e.average_mw) << " (" << fmt("%.3f mA", e.average_ma) << ") |\n";
    os << "| peak power | " << fmt("%.3f mW", e.peak_mw) << " (" << fmt("%.3f mA", e.peak_ma) << ") |\n";
    os << "| energy per run | " << fmt("%.3f µJ", e.energy_uj) << " |\n";
    if (r.uj_per_inference) os << "| energy per inference | " << fmt("%.3f µJ", *r.uj_per_inference) << " |\n";
  } else if (!r.energy_note.empty()) {
    os << "| energy | none: " << r.energy_note << " |\n";
  }
  if (r.profiled) {
    os << "| stack | " << r.stack.used << " B" << (r.stack.overflow ? " (overflow!)" : "") << " |\n";
    os << "| heap | " << (r.heap.malloc_used ? std::to_string(r.heap.bytes) + " B (malloc used)" : std::string("none")) << " |\n";
    if (!r.arena.symbol.empty()) os << "| arena | " << r.arena.used << " of " << r.arena.size << " B |\n";
    if (!r.layers.empty()) {
      auto md = [](const std::string &v) { return v.empty() ? std::string("-") : v; };
      os << "\nLayers (" << layer_heading(r) << "); mean, min and max are per invocation:\n";
      os << "\n| node | op | name | runs | total cycles | share | mean cycles | min cycles | max cycles | mean µs | min µs | max µs | "
            "cycles/MAC |"
         << (energy ? " total µJ | mean µJ |" : "") << "\n|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
         << (energy ? "---:|---:|" : "") << "\n";
      for (const auto &l : r.layers) {
        os << "| " << l.node << " | " << md(l.op) << " | " << md(l.name) << " | " << l.invocations << " | " << thousands(l.cycles) << " | "
           << fmt("%.1f%%", 100 * l.share) << " | " << thousands(uint64_t(std::llround(l.mean_cycles))) << " | " << opt(l.min_cycles) << " | "
           << opt(l.max_cycles) << " | " << fmt("%.2f", l.mean_us) << " | " << (l.min_cycles ? fmt("%.2f", l.min_us) : "-") << " | "
           << (l.max_cycles ? fmt("%.2f", l.max_us) : "-") << " | " << opt("%.2f", l.cycles_per_mac) << " |";
        if (energy) os << " " << uj(l.uj) << " | " << uj(l.mean_uj) << " |";
        os << "\n";
      }
      os << "\n| op | layers | runs | total cycles | ms | share | cycles/MAC |\n|---|---:|---:|---:|---:|---:|---:|\n";
      for (const auto &o : r.layer_operators)
        os << "| " << md(o.op) << " | " << o.layers << " | " << o.invocations << " | " << thousands(o.cycles) << " | " << fmt("%.3f", o.ms)
           << " | " << fmt("%.1f%%", 100 * o.share) << " | " << opt("%.2f", o.cycles_per_mac) << " |\n";
    }
    os << "\n| function | self cycles | share | inclusive | calls |" << (energy ? " self µJ | inclusive µJ |" : "")
       << "\n|---|---:|---:|---:|---:|" << (energy ? "---:|---:|" : "") << "\n";
    size_t n = 0;
    for (const auto &f : r.functions) {
      if (n++ >= top) break;
      os << "| `" << f.name << "` | " << thousands(f.self_cycles) << " | " << pct(f.self_cycles, r.cycles) << " | "
         << thousands(f.inclusive_cycles) << " | " << thousands(f.calls) << " |";
      if (energy) os << " " << uj(f.self_uj) << " | " << uj(f.inclusive_uj) << " |";
      os << "\n";
    }
  }
  if (energy) {
    const power::RunEnergy &e = *r.energy;
    const power::EnergyModel &m = e.model;
    os << "\nEnergy by power state (" << m.device << (m.mode.empty() ? "" : ", mode " + m.mode) << ", " << fmt("%g", m.mhz) << " MHz, "
       << fmt("%g", m.voltage_v) << " V, " << fmt("%g", m.temperature_c) << " °C); " << e.sleep_entries << " sleep and "
       << e.deep_sleep_entries << " deep-sleep entries, wake-ups " << uj(e.wakeup_uj) << " µJ"
       << (e.class_uj != 0 ? ", instruction classes " + uj(e.class_uj) + " µJ" : std::string()) << ":\n";
    os << "\n| state | cycles | time | current | energy | share |\n|---|---:|---:|---:|---:|---:|\n";
    for (const auto &st : e.states)
      os << "| " << st.state << " | " << thousands(st.cycles) << " | " << fmt("%.3f ms", st.seconds * 1e3) << " | "
         << fmt("%.2f µA", st.current_ua) << " | " << fmt("%.3f µJ", st.uj) << " | " << fmt("%.1f%%", 100 * st.share) << " |\n";
    if (!m.sources.empty()) {
      os << "\nFigures:\n\n";
      for (const auto &src : m.sources) os << "- " << src << "\n";
    }
  }
  return os.str();
}

} // namespace mcusim
