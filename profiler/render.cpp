/// \file
/// Renderers of the RunReport: text (terminal), JSON (versioned schema),
/// Markdown (a pull-request comment).
#include "profiler/run_report.h"

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
} // namespace

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
  os << "  instructions  " << thousands(r.instructions) << "  (CPI " << fmt("%.2f", r.cpi) << ")\n";
  if (r.profiled) {
    os << "\nhottest functions (self cycles):\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-40s %14s %7s %14s %10s  %s\n", "function", "self", "share", "inclusive", "calls", "source");
    os << line;
    size_t n = 0;
    for (const auto &f : r.functions) {
      if (n++ >= top) break;
      std::string name = f.name.size() > 40 ? f.name.substr(0, 37) + "..." : f.name;
      std::snprintf(line, sizeof line, "  %-40s %14s %7s %14s %10s  %s\n", name.c_str(), thousands(f.self_cycles).c_str(),
                    pct(f.self_cycles, r.cycles).c_str(), thousands(f.inclusive_cycles).c_str(), thousands(f.calls).c_str(), f.source.c_str());
      os << line;
    }
    if (r.other_cycles) {
      std::snprintf(line, sizeof line, "  %-40s %14s %7s\n", "(exceptions, sleep, idle)", thousands(r.other_cycles).c_str(),
                    pct(r.other_cycles, r.cycles).c_str());
      os << line;
    }
  }
  if (!r.layers.empty()) {
    os << "\nlayers (" << r.layer_source << "):\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-40s %-16s %6s %14s %10s %7s %10s\n", "layer", "op", "runs", "cycles", "ms", "share", "cyc/MAC");
    os << line;
    for (const auto &l : r.layers) {
      std::string name = l.name.size() > 40 ? l.name.substr(0, 37) + "..." : l.name;
      std::string op = l.op.size() > 16 ? l.op.substr(0, 13) + "..." : l.op;
      std::snprintf(line, sizeof line, "  %-40s %-16s %6s %14s %10s %7s %10s\n", name.c_str(), op.c_str(), thousands(l.invocations).c_str(),
                    thousands(l.cycles).c_str(), fmt("%.3f", l.ms).c_str(), fmt("%.1f%%", 100 * l.share).c_str(),
                    l.macs ? fmt("%.2f", l.cycles_per_mac).c_str() : "-");
      os << line;
    }
  }
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
      os << "  arena     " << r.arena.used << " of " << r.arena.size << " bytes used (" << r.arena.symbol << ")\n";
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
  j["totals"] = {{"cycles", r.cycles},
                 {"instructions", r.instructions},
                 {"sleep_cycles", r.sleep_cycles},
                 {"cpi", r.cpi},
                 {"simulated_seconds", r.simulated_seconds}};
  ordered_json fns = ordered_json::array();
  for (const auto &f : r.functions)
    fns.push_back({{"name", f.name},
                   {"source", f.source},
                   {"address", f.addr},
                   {"self_cycles", f.self_cycles},
                   {"inclusive_cycles", f.inclusive_cycles},
                   {"calls", f.calls},
                   {"instructions", f.instructions},
                   {"self_share", f.self_share}});
  ordered_json lay = ordered_json::array();
  for (const auto &l : r.layers)
    lay.push_back({{"name", l.name}, {"op", l.op}, {"invocations", l.invocations}, {"cycles", l.cycles}, {"ms", l.ms},
                   {"share", l.share}, {"macs", l.macs}, {"cycles_per_mac", l.cycles_per_mac}});
  j["layers"] = {{"source", r.layer_source}, {"rows", lay}};
  j["profile"] = {{"profiled", r.profiled}, {"functions", fns}, {"other_cycles", r.other_cycles},
                  {"max_call_depth", r.max_call_depth}, {"exceptions_taken", r.exceptions_taken}};
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
                 {"arena", {{"symbol", r.arena.symbol}, {"size", r.arena.size}, {"used", r.arena.used}}}};
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
  if (r.profiled) {
    os << "| stack | " << r.stack.used << " B" << (r.stack.overflow ? " (overflow!)" : "") << " |\n";
    os << "| heap | " << (r.heap.malloc_used ? std::to_string(r.heap.bytes) + " B (malloc used)" : std::string("none")) << " |\n";
    if (!r.arena.symbol.empty()) os << "| arena | " << r.arena.used << " of " << r.arena.size << " B |\n";
    if (!r.layers.empty()) {
      os << "\n| layer | op | runs | cycles | ms | share | cycles/MAC |\n|---|---|---:|---:|---:|---:|---:|\n";
      for (const auto &l : r.layers)
        os << "| " << l.name << " | " << l.op << " | " << l.invocations << " | " << thousands(l.cycles) << " | " << fmt("%.3f", l.ms)
           << " | " << fmt("%.1f%%", 100 * l.share) << " | " << (l.macs ? fmt("%.2f", l.cycles_per_mac) : std::string("-")) << " |\n";
    }
    os << "\n| function | self cycles | share | inclusive | calls |\n|---|---:|---:|---:|---:|\n";
    size_t n = 0;
    for (const auto &f : r.functions) {
      if (n++ >= top) break;
      os << "| `" << f.name << "` | " << thousands(f.self_cycles) << " | " << pct(f.self_cycles, r.cycles) << " | "
         << thousands(f.inclusive_cycles) << " | " << thousands(f.calls) << " |\n";
    }
  }
  return os.str();
}

} // namespace mcusim
