/// \file
/// Layer rows from layer regions: invocations, nodes, per-invocation
/// statistics, the per-operator summary (docs/markers.md).
#include "profiler/layer_table.h"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

namespace mcusim {

namespace {

/// A region that is a layer: the invocation it ran in and its node index.
struct Placed {
  const LayerRecord *record;
  uint64_t invocation;
  uint32_t node;
};

/// Regions inside invocations of the interpreter, as the call tracker numbered
/// them: in each invocation the outermost regions (the least nesting depth
/// among its regions) are its layers; regions outside are set-up.
std::vector<Placed> by_interpreter(const std::vector<LayerRecord> &records, uint64_t &outside) {
  std::map<uint32_t, uint32_t> least_depth;
  for (const auto &r : records)
    if (r.invocation) {
      auto [it, added] = least_depth.try_emplace(r.invocation, r.depth);
      if (!added) it->second = std::min(it->second, r.depth);
    }
  std::vector<Placed> out;
  for (const auto &r : records) {
    if (!r.invocation) outside += r.depth == 0;
    else if (r.depth == least_depth[r.invocation]) out.push_back({&r, r.invocation, 0});
  }
  return out;
}

/// Outermost markers of op kInvokeOp are invocations; the regions directly
/// inside one are its layers; other outermost regions are set-up.
std::vector<Placed> by_invoke_marker(const std::vector<LayerRecord> &records, uint64_t &outside) {
  std::vector<Placed> out;
  uint64_t count = 0, current = 0;
  for (const auto &r : records) {
    if (r.depth == 0) {
      if (r.op == kInvokeOp) current = ++count;
      else current = 0, ++outside;
    } else if (r.depth == 1 && current) {
      out.push_back({&r, current, 0});
    }
  }
  return out;
}

/// No invocation markers: the outermost regions are the layers, and each
/// region with the first region's name and op starts an invocation (the
/// model's sequence of layers repeats once per inference).
std::vector<Placed> by_repeated_sequence(const std::vector<LayerRecord> &records) {
  std::vector<Placed> out;
  const LayerRecord *first = nullptr;
  uint64_t count = 0;
  for (const auto &r : records) {
    if (r.depth != 0) continue;
    if (!first) first = &r;
    if (r.name == first->name && r.op == first->op) ++count;
    out.push_back({&r, count, 0});
  }
  return out;
}

double per_second(double cycles, double hz, double scale) { return hz > 0 ? cycles / hz * scale : 0; }

} // namespace

LayerTable tabulate_layers(const std::vector<LayerRecord> &records, const std::string &source, double hz, uint64_t run_cycles) {
  LayerTable t;
  std::vector<Placed> placed;
  const bool interpreter = std::any_of(records.begin(), records.end(), [](const LayerRecord &r) { return r.invocation != 0; });
  const bool invoke_markers =
      std::any_of(records.begin(), records.end(), [](const LayerRecord &r) { return r.depth == 0 && r.op == kInvokeOp; });
  if (interpreter) placed = by_interpreter(records, t.outside), t.invocation_rule = "interpreter";
  else if (invoke_markers) placed = by_invoke_marker(records, t.outside), t.invocation_rule = "invoke-marker";
  else if (!records.empty()) placed = by_repeated_sequence(records), t.invocation_rule = "repeated-sequence";

  // Node index: the position of the layer within its invocation.
  std::map<uint64_t, uint32_t> next_node;
  for (auto &p : placed) p.node = next_node[p.invocation]++;
  t.invocations = next_node.size();
  // Invocation spans: the invoke marker's own region, else first start to last end of its layers.
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> span;
  for (const auto &p : placed) {
    auto [it, added] = span.try_emplace(p.invocation, p.record->start, p.record->end);
    if (!added) it->second = {std::min(it->second.first, p.record->start), std::max(it->second.second, p.record->end)};
  }
  if (invoke_markers && !interpreter) {
    uint64_t n = 0;
    for (const auto &r : records)
      if (r.depth == 0 && r.op == kInvokeOp && span.count(++n)) span[n] = {r.start, r.end};
  }
  for (const auto &[inv, se] : span) t.invocation_cycles += se.second - se.first;

  // One row per (node, name, op): a node whose layer differs between
  // invocations gets a row per layer seen there.
  const bool tflm = source.rfind("tflm", 0) == 0;
  std::map<std::tuple<uint32_t, std::string, std::string>, size_t> row_of;
  std::vector<uint64_t> total_macs;
  for (const auto &p : placed) {
    const LayerRecord &r = *p.record;
    std::string op = r.op.empty() && tflm ? r.name : r.op; // TFLM: the tag or kernel is the operator
    auto [it, added] = row_of.try_emplace({p.node, r.name, op}, t.rows.size());
    if (added) {
      RunReport::Layer row;
      row.node = p.node;
      row.name = r.name;
      row.op = op;
      row.min_cycles = std::numeric_limits<uint64_t>::max();
      t.rows.push_back(std::move(row));
      total_macs.push_back(0);
    }
    RunReport::Layer &row = t.rows[it->second];
    const uint64_t cycles = r.end - r.start;
    row.invocations += 1;
    row.cycles += cycles;
    row.min_cycles = std::min(*row.min_cycles, cycles);
    row.max_cycles = std::max(row.max_cycles.value_or(0), cycles);
    total_macs[it->second] += r.macs;
  }
  std::vector<size_t> order(t.rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return t.rows[a].node < t.rows[b].node; });
  std::vector<RunReport::Layer> sorted;
  std::vector<uint64_t> sorted_macs;
  for (size_t i : order) sorted.push_back(std::move(t.rows[i])), sorted_macs.push_back(total_macs[i]);
  t.rows = std::move(sorted);

  std::map<std::string, size_t> op_of;
  std::vector<uint64_t> op_macs;
  std::vector<bool> op_macs_known;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    RunReport::Layer &l = t.rows[i];
    l.mean_cycles = double(l.cycles) / double(l.invocations);
    l.ms = per_second(double(l.cycles), hz, 1e3);
    l.mean_us = per_second(l.mean_cycles, hz, 1e6);
    l.min_us = per_second(double(*l.min_cycles), hz, 1e6);
    l.max_us = per_second(double(*l.max_cycles), hz, 1e6);
    l.share = run_cycles ? double(l.cycles) / double(run_cycles) : 0;
    if (sorted_macs[i]) {
      l.macs = sorted_macs[i] / l.invocations; // per invocation
      l.cycles_per_mac = double(l.cycles) / double(sorted_macs[i]);
    }
    auto [it, added] = op_of.try_emplace(l.op, t.operators.size());
    if (added) {
      RunReport::LayerOperator o;
      o.op = l.op;
      t.operators.push_back(o);
      op_macs.push_back(0);
      op_macs_known.push_back(true);
    }
    RunReport::LayerOperator &o = t.operators[it->second];
    o.layers += 1;
    o.invocations += l.invocations;
    o.cycles += l.cycles;
    op_macs[it->second] += sorted_macs[i];
    if (!sorted_macs[i]) op_macs_known[it->second] = false;
  }
  for (size_t i = 0; i < t.operators.size(); ++i) {
    RunReport::LayerOperator &o = t.operators[i];
    o.ms = per_second(double(o.cycles), hz, 1e3);
    o.share = run_cycles ? double(o.cycles) / double(run_cycles) : 0;
    if (op_macs_known[i] && op_macs[i]) o.cycles_per_mac = double(o.cycles) / double(op_macs[i]);
  }
  std::stable_sort(t.operators.begin(), t.operators.end(),
                   [](const auto &a, const auto &b) { return a.cycles != b.cycles ? a.cycles > b.cycles : a.op < b.op; });
  return t;
}

} // namespace mcusim
