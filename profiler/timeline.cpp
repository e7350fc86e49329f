/// \file
/// Folded stacks and Chrome trace output (with the power counter track).
#include "profiler/timeline.h"

#include <nlohmann/json.hpp>

namespace mcusim {

std::string render_folded(const ProfileData &p) {
  std::string out;
  for (const auto &[path, cycles] : p.stacks) {
    std::string line = path;
    for (auto &c : line)
      if (c == ' ') c = '_'; // the count is separated by the last space
    out += line + " " + std::to_string(cycles) + "\n";
  }
  return out;
}

namespace {
constexpr const char *kPowerCounter = "power (mW)";

/// The power counter track: a step per timeline point, held to the end of the last.
void power_counter(nlohmann::ordered_json &events, const power::RunEnergy &e) {
  const auto &t = e.timeline;
  for (const auto &p : t)
    events.push_back({{"name", kPowerCounter}, {"cat", "power"}, {"ph", "C"}, {"pid", 1}, {"ts", p.start_s * 1e6}, {"args", {{"mW", p.mw}}}});
  if (!t.empty())
    events.push_back(
        {{"name", kPowerCounter}, {"cat", "power"}, {"ph", "C"}, {"pid", 1}, {"ts", t.back().end_s * 1e6}, {"args", {{"mW", t.back().mw}}}});
}
} // namespace

std::string render_trace(const ProfileData &p, double hz, const std::string &process_name, const power::RunEnergy *energy) {
  using nlohmann::ordered_json;
  const double us_per_cycle = hz > 0 ? 1e6 / hz : 1.0;
  ordered_json events = ordered_json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 1}, {"args", {{"name", process_name}}}});
  events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 1}, {"args", {{"name", "layers"}}}});
  events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 2}, {"args", {{"name", "functions"}}}});
  for (const auto &l : p.layers) {
    ordered_json args = {{"cycles", l.end - l.start}};
    if (!l.op.empty()) args["op"] = l.op;
    if (l.macs) args["macs"] = l.macs;
    events.push_back({{"name", l.name}, {"cat", "layer"}, {"ph", "X"}, {"pid", 1}, {"tid", 1},
                      {"ts", double(l.start) * us_per_cycle}, {"dur", double(l.end - l.start) * us_per_cycle}, {"args", args}});
  }
  for (const auto &c : p.calls) {
    const std::string &name = c.func < p.functions.size() ? p.functions[c.func].name : std::string("?");
    events.push_back({{"name", name}, {"cat", c.exception ? "exception" : "function"}, {"ph", "X"}, {"pid", 1}, {"tid", 2},
                      {"ts", double(c.start) * us_per_cycle}, {"dur", double(c.end - c.start) * us_per_cycle},
                      {"args", {{"cycles", c.end - c.start}}}});
  }
  if (energy) power_counter(events, *energy);
  ordered_json j = {{"traceEvents", events}, {"displayTimeUnit", "ns"}};
  std::vector<std::string> notes;
  if (p.calls_truncated) notes.push_back("function activations truncated");
  if (energy && energy->timeline_merged) notes.push_back("power timeline merged");
  if (!notes.empty()) {
    std::string note = notes[0];
    for (size_t i = 1; i < notes.size(); ++i) note += "; " + notes[i];
    j["otherData"] = {{"note", note}};
  }
  return j.dump() + "\n";
}

} // namespace mcusim
