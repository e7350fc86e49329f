/// \file
/// Folded stacks and Chrome trace output.
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

std::string render_trace(const ProfileData &p, double hz, const std::string &process_name) {
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
  ordered_json j = {{"traceEvents", events}, {"displayTimeUnit", "ns"}};
  if (p.calls_truncated) j["otherData"] = {{"note", "function activations truncated"}};
  return j.dump() + "\n";
}

} // namespace mcusim
