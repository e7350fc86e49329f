/// \file
/// The call tracker: the profiling listener the block hook feeds. From block,
/// call, exception and marker events it keeps per-function self and
/// inclusive cycles, calls, a calling-context tree (flame graphs), function
/// activations (traces), layers, the stack's low-water mark and heap growth,
/// and hands back ProfileData. It knows nothing of reports; it reads guest
/// registers and memory only through a Probe, so tests can drive it with
/// synthetic event streams.
#pragma once

#include "core/profile.h"

#include <algorithm>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "isa/thumb.h"

namespace mcusim {

class CallTracker {
public:
  /// What the tracker may read of the guest: registers 0..15 and memory.
  class Probe {
  public:
    virtual ~Probe() = default;
    virtual uint32_t reg(int r) = 0;
    virtual std::optional<uint8_t> read8(uint32_t addr) = 0;
    virtual std::optional<uint16_t> read16(uint32_t addr) = 0;
    virtual std::optional<uint32_t> read32(uint32_t addr) = 0;
  };
  Probe *probe = nullptr;

  bool profiling = false;
  std::vector<FunctionProfile> functions; // index 0: "(no symbol)"
  std::vector<uint64_t> f_self, f_insns, f_incl, f_calls;
  std::vector<uint32_t> f_active;
  std::vector<uint8_t> f_special; // 1 malloc-like, 2 _sbrk (increment in r0), 3 _sbrk_r (in r1)
  std::vector<uint32_t> f_frame;  // stack bytes the function's prologue allocates (PUSH, VPUSH, SUB SP)

  /// The stack a function's prologue allocates, read from its first
  /// instructions, so the deepest (leaf) frames count in the stack high-water mark.
  uint32_t prologue_bytes(uint32_t addr) {
    uint32_t bytes = 0, a = addr & ~1u;
    for (int i = 0; i < 16; ++i) {
      auto h1 = probe->read16(a);
      if (!h1) break;
      uint16_t h2 = probe->read16(a + 2).value_or(0);
      bool wide = isa::is32(*h1);
      if (!wide && (*h1 & 0xFE00) == 0xB400) bytes += 4u * unsigned(__builtin_popcount((*h1 & 0xFF) | ((*h1 & 0x100) ? 0x100 : 0)));
      else if (!wide && (*h1 & 0xFF80) == 0xB080) bytes += (*h1 & 0x7Fu) * 4u; // SUB SP, SP, #imm7*4
      else if (wide && *h1 == 0xE92D) bytes += 4u * unsigned(__builtin_popcount(h2));       // PUSH.W {list}
      else if (wide && *h1 == 0xF84D && (h2 & 0x0FFF) == 0x0D04) bytes += 4;                 // STR Rt, [SP, #-4]!
      else if (wide && (*h1 & 0xFFBF) == 0xED2D) bytes += (h2 & 0xFFu) * 4u;                  // VPUSH
      else if (wide && (*h1 & 0xFBFF) == 0xF2AD && (h2 & 0x8F00) == 0x0D00)                  // SUBW SP, SP, #imm12
        bytes += ((*h1 >> 10) & 1u) << 11 | ((h2 >> 12) & 7u) << 8 | (h2 & 0xFFu);
      else if (wide && (*h1 & 0xFBEF) == 0xF1AD && (h2 & 0x8F00) == 0x0D00) {                // SUB.W SP, SP, #const
        uint32_t imm12 = ((*h1 >> 10) & 1u) << 11 | ((h2 >> 12) & 7u) << 8 | (h2 & 0xFFu);
        uint32_t v = (imm12 >> 10) == 0 ? (h2 & 0xFFu) : ((0x80u | (h2 & 0x7Fu)) >> ((imm12 >> 7) & 31u)) |
                                                           ((0x80u | (h2 & 0x7Fu)) << (32u - ((imm12 >> 7) & 31u)));
        bytes += v;
      } else if (!wide && ((*h1 & 0xF000) == 0xD000 || (*h1 & 0xF800) == 0xE000 || (*h1 & 0xFF00) == 0x4700))
        break; // a branch ends the prologue
      else if (wide && (*h1 & 0xF800) == 0xF000 && (h2 & 0x8000))
        break;
      a += wide ? 4 : 2;
    }
    return bytes;
  }
  struct Frame {
    uint32_t func, ret;
    uint64_t start;
    bool exception;
    int32_t layer;      ///< index of the layer this call opened, or -1
    uint32_t saved_node; ///< calling-context node to return to
  };
  // Calling-context tree: one node per distinct call path; self cycles per node.
  struct Node {
    uint32_t func, parent;
  };
  std::vector<Node> nodes;
  std::vector<uint64_t> node_self;
  std::unordered_map<uint64_t, uint32_t> node_children;
  uint32_t cur_node = 0;
  std::vector<CallRecord> call_records;
  bool calls_truncated = false;
  uint32_t child_node(uint32_t parent, uint32_t func) {
    uint64_t key = uint64_t(parent) << 32 | func;
    auto it = node_children.find(key);
    if (it != node_children.end()) return it->second;
    nodes.push_back({func, parent});
    node_self.push_back(0);
    uint32_t id = uint32_t(nodes.size() - 1);
    node_children.emplace(key, id);
    return id;
  }
  // Layers: marker pairs (ITM ports 1/2), calls to functions matching a
  // pattern, or the TFLM preset (MicroProfiler events, or each call made by
  // MicroInterpreterGraph::InvokeSubgraph).
  std::vector<LayerRecord> layers;
  std::vector<int32_t> open_layers;  ///< marker/event layers, innermost last
  std::vector<uint8_t> f_layer;      ///< 1 pattern layer, 2 BeginEvent, 3 EndEvent
  uint32_t invoke_func = 0;          ///< TFLM InvokeSubgraph (its callees are layers)
  /// The interpreter's entry points (MicroInterpreter::Invoke,
  /// MicroInterpreterGraph::InvokeSubgraph): a layer opened while one of them
  /// is active is numbered with the invocation it belongs to.
  uint32_t invocation_funcs[2] = {0, 0};
  uint32_t invocation_active = 0, invocation_count = 0;
  bool is_invocation_func(uint32_t f) const { return f && (f == invocation_funcs[0] || f == invocation_funcs[1]); }
  bool tflm_events_seen = false;
  std::string layer_source;
  std::vector<Frame> frames;
  uint32_t min_sp = 0xFFFFFFFF, max_depth = 0;
  uint64_t heap_bytes = 0, exceptions_taken = 0;
  bool malloc_used = false;

  /// `fns`: the firmware's functions sorted by address, index 0 being
  /// "(no symbol)"; `reset`: the reset handler (the call tree's root).
  bool init(std::vector<FunctionProfile> fns, uint32_t reset, const std::string &layer_pattern, std::string *error) {
    profiling = true;
    functions = std::move(fns);
    f_layer.assign(functions.size(), 0);
    nodes.push_back({func_of(reset & ~1u), UINT32_MAX}); // the reset handler is the root
    node_self.push_back(0);
    if (!layer_pattern.empty()) {
      try {
        std::regex re(layer_pattern);
        for (size_t i = 1; i < functions.size(); ++i)
          if (std::regex_search(functions[i].name, re)) f_layer[i] = 1;
      } catch (const std::regex_error &e) {
        *error = "invalid --layer-pattern '" + layer_pattern + "': " + e.what();
        return false;
      }
    } else {
      for (size_t i = 1; i < functions.size(); ++i) {
        const std::string &n = functions[i].name;
        if (n.find("MicroProfiler::BeginEvent(") != std::string::npos) f_layer[i] = 2;
        else if (n.find("MicroProfiler::EndEvent(") != std::string::npos) f_layer[i] = 3;
        else if (n.find("MicroInterpreterGraph::InvokeSubgraph(") != std::string::npos) invoke_func = uint32_t(i);
      }
    }
    for (size_t i = 1; i < functions.size(); ++i) {
      const std::string &n = functions[i].name;
      if (n.find("MicroInterpreter::Invoke(") != std::string::npos) invocation_funcs[0] = uint32_t(i);
      else if (n.find("MicroInterpreterGraph::InvokeSubgraph(") != std::string::npos) invocation_funcs[1] = uint32_t(i);
    }
    size_t n = functions.size();
    f_self.assign(n, 0), f_insns.assign(n, 0), f_incl.assign(n, 0), f_calls.assign(n, 0), f_active.assign(n, 0);
    f_special.assign(n, 0);
    f_frame.assign(n, 0);
    for (size_t i = 1; i < n; ++i) f_frame[i] = prologue_bytes(functions[i].addr);
    for (size_t i = 1; i < n; ++i) {
      const std::string &nm = functions[i].name;
      if (nm == "malloc" || nm == "calloc" || nm == "realloc" || nm == "_malloc_r" || nm == "_calloc_r" || nm == "_realloc_r")
        f_special[i] = 1;
      else if (nm == "_sbrk" || nm == "sbrk") f_special[i] = 2;
      else if (nm == "_sbrk_r") f_special[i] = 3;
    }
    return true;
  }
  std::string guest_cstring(uint32_t addr, size_t max = 96) {
    std::string out;
    for (size_t i = 0; i < max; ++i) {
      auto c = probe->read8(addr + uint32_t(i));
      if (!c || !*c) break;
      out.push_back(char(*c));
    }
    return out;
  }
  /// "ns::f(int, char*)" -> "ns::f": layers named after functions.
  static std::string without_params(const std::string &n) {
    if (n.empty() || n.back() != ')') return n;
    int depth = 0;
    for (size_t i = n.size(); i-- > 0;) {
      if (n[i] == ')') ++depth;
      else if (n[i] == '(' && --depth == 0) return n.substr(0, i);
    }
    return n;
  }
  int32_t open_layer(std::string name, std::string op, uint64_t macs, uint64_t now, const char *source) {
    if (layer_source.empty()) layer_source = source;
    LayerRecord l;
    l.name = std::move(name);
    l.op = std::move(op);
    l.macs = macs;
    l.start = l.end = now;
    l.depth = uint32_t(open_layers.size());
    l.invocation = invocation_active ? invocation_count : 0;
    layers.push_back(std::move(l));
    return int32_t(layers.size() - 1);
  }
  void marker(unsigned port, uint32_t value, uint64_t now) {
    if (!profiling) return;
    if (port == 1) {
      auto name = probe->read32(value), op = probe->read32(value + 4), macs = probe->read32(value + 8);
      std::string n = name ? guest_cstring(*name) : "";
      open_layers.push_back(open_layer(n.empty() ? "layer" : n, op && *op ? guest_cstring(*op) : "", macs.value_or(0), now, "markers"));
    } else if (!open_layers.empty()) {
      layers[size_t(open_layers.back())].end = now;
      open_layers.pop_back();
    }
  }
  uint32_t func_of(uint32_t addr) const {
    auto it = std::upper_bound(functions.begin() + 1, functions.end(), addr,
                               [](uint32_t a, const FunctionProfile &f) { return a < f.addr; });
    if (it == functions.begin() + 1) return 0;
    --it;
    if (it->size && addr >= it->addr + it->size) return 0;
    return uint32_t(it - functions.begin());
  }
  /// `caller`: the function holding the call site (not the frame below, which
  /// differs after a tail call).
  void push_frame(uint32_t func, uint32_t ret, uint64_t now, bool exception, uint32_t caller = 0) {
    frames.push_back({func, ret, now, exception, -1, cur_node});
    cur_node = child_node(cur_node, func);
    if (!exception && is_invocation_func(func) && invocation_active++ == 0) ++invocation_count;
    if (!exception) {
      switch (f_layer[func]) {
      case 1: frames.back().layer = open_layer(without_params(functions[func].name), "", 0, now, "pattern"); break;
      case 2: // MicroProfiler::BeginEvent(this, const char *tag)
        tflm_events_seen = true;
        open_layers.push_back(open_layer(guest_cstring(probe->reg(1)), "", 0, now, "tflm-profiler"));
        break;
      case 3:
        if (!open_layers.empty()) {
          layers[size_t(open_layers.back())].end = now;
          open_layers.pop_back();
        }
        break;
      default:
        if (invoke_func && caller == invoke_func && !tflm_events_seen)
          frames.back().layer = open_layer(without_params(functions[func].name), "", 0, now, "tflm-calls");
      }
    }
    ++f_active[func];
    ++f_calls[func];
    max_depth = std::max<uint32_t>(max_depth, uint32_t(frames.size()));
    uint32_t sp = probe->reg(13) - f_frame[func]; // after the callee's prologue
    min_sp = std::min(min_sp, sp);
    switch (f_special[func]) {
    case 1: malloc_used = true; break;
    case 2: {
      int32_t inc = int32_t(probe->reg(0));
      if (inc > 0) heap_bytes += uint32_t(inc);
      break;
    }
    case 3: {
      int32_t inc = int32_t(probe->reg(1));
      if (inc > 0) heap_bytes += uint32_t(inc);
      break;
    }
    default: break;
    }
  }
  void pop_frame(uint64_t now) {
    Frame f = frames.back();
    frames.pop_back();
    if (f.layer >= 0) layers[size_t(f.layer)].end = now;
    if (!f.exception && is_invocation_func(f.func) && invocation_active) --invocation_active;
    cur_node = f.saved_node;
    if (frames.size() < ProfileData::kTraceDepth) {
      if (call_records.size() < ProfileData::kTraceCalls)
        call_records.push_back({f.func, f.start, now, uint32_t(frames.size()), f.exception});
      else
        calls_truncated = true;
    }
    if (--f_active[f.func] == 0) f_incl[f.func] += now - f.start;
  }
  /// A block starts: settle returns to it, open a frame if it was called.
  /// The previous block (function `prev_func`, ending in a call or not,
  /// falling through to `prev_ft`) was followed by the block at `address`.
  void transition(uint32_t prev_func, bool prev_called, uint32_t prev_ft, uint32_t address, uint32_t func, uint64_t now) {
    while (!frames.empty() && frames.back().ret == address && !frames.back().exception) pop_frame(now);
    if (prev_called) push_frame(func, prev_ft, now, false, prev_func);
  }
  /// A block of function `func` ran: `branch` cycles settle the previous
  /// block's branch, `spent` are its own cycles, starting at `start`.
  __attribute__((noinline)) void block(uint32_t prev_func, bool prev_called, uint32_t prev_ft, uint32_t address,
                                            uint32_t func, uint32_t branch, uint64_t spent, uint32_t insns, uint64_t start) {
    f_self[prev_func] += branch;
    f_self[func] += spent;
    f_insns[func] += insns;
    node_self[cur_node] += branch;
    transition(prev_func, prev_called, prev_ft, address, func, start + branch);
    // A function reached without a call (a tail call) gets its own node under the frame.
    node_self[nodes[cur_node].func == func ? cur_node : child_node(cur_node, func)] += spent;
  }
  /// The common case of block(): no call, no return, the same function as
  /// the frame's. False when block() must run instead.
  __attribute__((always_inline)) bool block_fast(uint32_t prev_func, bool prev_called, uint32_t address, uint32_t func,
                                                 uint32_t branch, uint64_t spent, uint32_t insns) {
    if (prev_called || (!frames.empty() && frames.back().ret == address) || nodes[cur_node].func != func) return false;
    f_self[prev_func] += branch;
    f_self[func] += spent;
    f_insns[func] += insns;
    node_self[cur_node] += branch + spent;
    return true;
  }
  /// Cycles charged to the previous block's branch when the engine stopped.
  void branch_only(uint32_t prev_func, uint32_t branch) {
    f_self[prev_func] += branch;
    node_self[cur_node] += branch;
  }
  void exception_entry(uint32_t handler, uint64_t now) {
    if (!profiling) return;
    ++exceptions_taken;
    push_frame(func_of(handler & ~1u), 0, now, true);
  }
  void exception_return(uint64_t now) {
    if (!profiling) return;
    while (!frames.empty()) {
      bool exc = frames.back().exception;
      pop_frame(now);
      if (exc) break;
    }
  }
  ProfileData finish(uint64_t cycles, uint32_t initial_sp) {
    while (!frames.empty()) pop_frame(cycles);
    ProfileData d;
    d.functions = functions;
    uint64_t attributed = 0;
    for (size_t i = 0; i < functions.size(); ++i) {
      d.functions[i].self_cycles = f_self[i];
      d.functions[i].self_instructions = f_insns[i];
      d.functions[i].inclusive_cycles = f_incl[i];
      d.functions[i].calls = f_calls[i];
      attributed += f_self[i];
    }
    d.unattributed_cycles = cycles > attributed ? cycles - attributed : 0;
    d.initial_sp = initial_sp;
    d.min_sp = min_sp == 0xFFFFFFFF ? initial_sp : min_sp;
    d.malloc_used = malloc_used;
    d.heap_bytes = heap_bytes;
    d.max_call_depth = max_depth;
    d.exceptions_taken = exceptions_taken;
    for (int32_t i : open_layers) layers[size_t(i)].end = cycles;
    open_layers.clear();
    d.layers = layers;
    d.layer_source = layer_source;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (!node_self[i]) continue;
      std::vector<std::string> path;
      for (uint32_t n = uint32_t(i); n != UINT32_MAX; n = nodes[n].parent) path.push_back(functions[nodes[n].func].name);
      std::string line;
      for (auto it = path.rbegin(); it != path.rend(); ++it) line += (line.empty() ? "" : ";") + *it;
      d.stacks.emplace_back(std::move(line), node_self[i]);
    }
    std::sort(d.stacks.begin(), d.stacks.end());
    d.calls = std::move(call_records);
    std::sort(d.calls.begin(), d.calls.end(), [](const CallRecord &a, const CallRecord &b) {
      return a.start != b.start ? a.start < b.start : a.depth < b.depth;
    });
    d.calls_truncated = calls_truncated;
    return d;
  }

};

} // namespace mcusim
