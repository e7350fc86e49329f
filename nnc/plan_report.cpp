#include "nnc/plan_report.h"

#include <cstdio>

#include "base/format.h"

namespace mcusim::nnc {
namespace {

std::string shape_text(const std::vector<int32_t> &shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(shape[i]);
  }
  return s.empty() ? "scalar" : s;
}

std::string quant_text(const Quantization &q) {
  if (q.scale.empty()) return "-";
  if (q.per_channel()) return std::to_string(q.scale.size()) + " channels (axis " + std::to_string(q.axis) + ")";
  char buf[64];
  std::snprintf(buf, sizeof buf, "s=%.6g z=%lld", static_cast<double>(q.scale[0]),
                static_cast<long long>(q.zero_point.empty() ? 0 : q.zero_point[0]));
  return buf;
}

std::string line(const char *fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// The converter names a fused tensor after every op folded into it
// ("a/Relu;a/BiasAdd;..."): the first is enough to recognise it.
std::string short_name(const std::string &name) {
  std::string s = name.substr(0, name.find(';'));
  if (s.size() > 40) s = "..." + s.substr(s.size() - 37);
  return s;
}

} // namespace

std::string plan_report(const std::string &model_name, const Model &model, const ArenaPlan &plan) {
  std::string out;
  size_t constants = 0;
  for (const auto &t : model.tensors) constants += t.constant ? 1 : 0;
  out += line("%s: %zu operators, %zu tensors (%zu constant), %zu input(s), %zu output(s)\n", model_name.c_str(),
              model.operators.size(), model.tensors.size(), constants, model.inputs.size(), model.outputs.size());

  out += "\narena tensors (offsets are multiples of " + std::to_string(kArenaAlignment) +
         " bytes; live = first..last operator)\n";
  out += line("  %4s  %-40s %-14s %-8s %10s %10s  %-9s %s\n", "id", "name", "shape", "type", "offset", "size",
              "live", "quantization");
  for (const auto &p : plan.tensors) {
    const Tensor &t = model.tensors[static_cast<size_t>(p.tensor)];
    std::string live = std::to_string(p.first_op) + ".." + std::to_string(p.last_op);
    std::string q = quant_text(t.quant);
    if (p.alias_of >= 0) q += " [view of " + std::to_string(p.alias_of) + "]";
    out += line("  %4d  %-40s %-14s %-8s %10s %10s  %-9s %s\n", p.tensor, short_name(t.name).c_str(), shape_text(t.shape).c_str(),
                std::string(dtype_name(t.type)).c_str(), text::thousands(p.offset).c_str(),
                text::thousands(p.size).c_str(), live.c_str(), q.c_str());
  }

  out += "\noperators\n";
  out += line("  %4s  %-18s %3s  %-16s %-10s %12s\n", "#", "operator", "v", "inputs", "outputs", "MACs");
  uint64_t total_macs = 0;
  for (const auto &op : model.operators) {
    std::string ins, outs;
    for (int id : op.inputs) (ins.empty() ? ins : ins += ',') += std::to_string(id);
    for (int id : op.outputs) (outs.empty() ? outs : outs += ',') += std::to_string(id);
    const uint64_t m = macs(model, op);
    total_macs += m;
    out += line("  %4d  %-18s %3d  %-16s %-10s %12s\n", op.index, op_name(op.code).c_str(), op.version, ins.c_str(),
                outs.c_str(), m ? text::thousands(m).c_str() : "-");
  }

  out += "\n";
  out += "MACs          " + text::thousands(total_macs) + "\n";
  out += "weight bytes  " + text::thousands(model.weight_bytes()) + "\n";
  out += "arena peak    " + text::thousands(plan.peak) + " B, lower bound " + text::thousands(plan.lower_bound) +
         " B (at operator " + std::to_string(plan.lower_bound_op) + "): " + plan.explanation() + "\n";
  return out;
}

} // namespace mcusim::nnc
