/// \file
/// The call tracker's frame stack, calling-context tree and profile.
#include "profiler/call_tracker.h"

#include "isa/thumb.h"

#include <algorithm>
#include <regex>

namespace mcusim {

bool CallTracker::init(std::vector<FunctionProfile> fns, uint32_t reset, const std::string &layer_pattern, std::string *error) {
  profiling = true;
  functions_ = std::move(fns);
  size_t n = functions_.size();
  f_layer_.assign(n, 0);
  if (!layer_pattern.empty()) {
    try {
      std::regex re(layer_pattern);
      for (size_t i = 1; i < n; ++i)
        if (std::regex_search(functions_[i].name, re)) f_layer_[i] = 1;
    } catch (const std::regex_error &e) {
      *error = "invalid --layer-pattern '" + layer_pattern + "': " + e.what();
      return false;
    }
  } else {
    for (size_t i = 1; i < n; ++i) {
      const std::string &nm = functions_[i].name;
      if (nm.find("MicroProfiler::BeginEvent(") != std::string::npos) f_layer_[i] = 2;
      else if (nm.find("MicroProfiler::EndEvent(") != std::string::npos) f_layer_[i] = 3;
      else if (nm.find("MicroInterpreterGraph::InvokeSubgraph(") != std::string::npos) invoke_func_ = uint32_t(i);
    }
  }
  for (size_t i = 1; i < n; ++i) {
    const std::string &nm = functions_[i].name;
    if (nm.find("MicroInterpreter::Invoke(") != std::string::npos) invocation_funcs_[0] = uint32_t(i);
    else if (nm.find("MicroInterpreterGraph::InvokeSubgraph(") != std::string::npos) invocation_funcs_[1] = uint32_t(i);
  }
  calls_.assign(n, 0);
  active_.assign(n, 0);
  special_.assign(n, kPlain);
  frame_bytes_.assign(n, 0);
  for (size_t i = 1; i < n; ++i) frame_bytes_[i] = prologue_bytes(functions_[i].addr);
  // The heap break moves in one function: _sbrk (increment in r0), else sbrk,
  // else the reentrant _sbrk_r (increment in r1). Only that one counts, so a
  // wrapper and the function it calls do not both add to the heap.
  uint32_t brk_func = 0;
  for (const char *name : {"_sbrk", "sbrk", "_sbrk_r"}) {
    for (size_t i = 1; i < n && !brk_func; ++i)
      if (functions_[i].name == name) brk_func = uint32_t(i), break_arg_reg_ = std::string(name) == "_sbrk_r" ? 1 : 0;
    if (brk_func) break;
  }
  if (brk_func) special_[brk_func] = kBreak;
  for (size_t i = 1; i < n; ++i) {
    const std::string &nm = functions_[i].name;
    if (nm == "malloc" || nm == "calloc" || nm == "realloc" || nm == "_malloc_r" || nm == "_calloc_r" || nm == "_realloc_r")
      special_[i] = kMalloc;
  }
  // The reset handler is the root frame: one call, its node the tree's root.
  uint32_t root = func_of(reset & ~1u);
  nodes_.push_back({root, UINT32_MAX, true});
  stats_.emplace_back();
  frames_.push_back({root, kNoReturn, kNoSp, 0, 0, -1, 0, 0, Kind::Root});
  call_records_.push_back({root, 0, 0, 0, false});
  bases_.push_back(0);
  ++calls_[root];
  ++active_[root];
  settle_top();
  return true;
}

uint32_t CallTracker::func_of(uint32_t addr) const {
  auto it = std::upper_bound(functions_.begin() + 1, functions_.end(), addr,
                             [](uint32_t a, const FunctionProfile &f) { return a < f.addr; });
  if (it == functions_.begin() + 1) return 0;
  --it;
  if (it->size && addr >= it->addr + it->size) return 0;
  return uint32_t(it - functions_.begin());
}

uint32_t CallTracker::prologue_bytes(uint32_t addr) {
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

std::string CallTracker::guest_cstring(uint32_t addr, size_t max) {
  std::string out;
  for (size_t i = 0; i < max; ++i) {
    auto c = probe->read8(addr + uint32_t(i));
    if (!c || !*c) break;
    out.push_back(char(*c));
  }
  return out;
}

std::string CallTracker::without_params(const std::string &n) {
  if (n.empty() || n.back() != ')') return n;
  int depth = 0;
  for (size_t i = n.size(); i-- > 0;) {
    if (n[i] == ')') ++depth;
    else if (n[i] == '(' && --depth == 0) return n.substr(0, i);
  }
  return n;
}

int32_t CallTracker::open_layer(std::string name, std::string op, uint64_t macs, uint64_t now, const char *source) {
  if (layer_source_.empty()) layer_source_ = source;
  LayerRecord l;
  l.name = std::move(name);
  l.op = std::move(op);
  l.macs = macs;
  l.start = l.end = now;
  l.depth = uint32_t(open_layers_.size());
  l.invocation = invocation_active_ ? invocation_count_ : 0;
  layers_.push_back(std::move(l));
  return int32_t(layers_.size() - 1);
}

void CallTracker::marker(unsigned port, uint32_t value, uint64_t now) {
  if (!profiling) return;
  if (port == 1) {
    auto name = probe->read32(value), op = probe->read32(value + 4), macs = probe->read32(value + 8);
    std::string n = name ? guest_cstring(*name) : "";
    open_layers_.push_back(open_layer(n.empty() ? "layer" : n, op && *op ? guest_cstring(*op) : "", macs.value_or(0), now, "markers"));
  } else if (!open_layers_.empty()) {
    layers_[size_t(open_layers_.back())].end = now;
    open_layers_.pop_back();
  }
}

uint32_t CallTracker::child_node(uint32_t parent, uint32_t func) {
  if (nodes_[parent].last_func == func) return nodes_[parent].last_child;
  uint32_t id = find_child(parent, func);
  nodes_[parent].last_func = func, nodes_[parent].last_child = id;
  return id;
}

uint32_t CallTracker::find_child(uint32_t parent, uint32_t func) {
  uint64_t key = uint64_t(parent) << 32 | func;
  auto it = children_.find(key);
  if (it != children_.end()) return it->second;
  // The node's path is the open frames' functions: an open frame of `func`
  // means an ancestor runs it (recursion), whose subtree already counts.
  nodes_.push_back({func, parent, active_[func] == 0, UINT32_MAX, 0});
  stats_.emplace_back();
  uint32_t id = uint32_t(nodes_.size() - 1);
  children_.emplace(key, id);
  return id;
}

void CallTracker::push_frame(Kind kind, uint32_t func, uint32_t ret, uint32_t sp, uint32_t cur_sp, uint64_t now, uint32_t caller,
                             int32_t layer) {
  uint32_t node = child_node(cur_node_, func);
  const uint32_t depth = uint32_t(frames_.size());
  int32_t record = -1;
  if (depth < ProfileData::kTraceDepth) {
    if (call_records_.size() < ProfileData::kTraceCalls) {
      record = int32_t(call_records_.size());
      call_records_.push_back({func, now, now, depth, kind == Kind::Exception});
    } else {
      calls_truncated_ = true;
    }
  }
  frames_.push_back({func, ret, sp, node, now, layer, 0, record, kind});
  if (kind == Kind::Exception) bases_.push_back(depth);
  Frame &f = frames_.back();
  if (kind != Kind::Exception && is_invocation_func(func) && invocation_active_++ == 0) ++invocation_count_;
  if (kind != Kind::Exception) {
    switch (f_layer_[func]) {
    case 1:
      if (f.layer < 0) f.layer = open_layer(without_params(functions_[func].name), "", 0, now, "pattern");
      break;
    case 2: // MicroProfiler::BeginEvent(this, const char *tag)
      tflm_events_seen_ = true;
      open_layers_.push_back(open_layer(guest_cstring(probe->reg(1)), "", 0, now, "tflm-profiler"));
      break;
    case 3:
      if (!open_layers_.empty()) {
        layers_[size_t(open_layers_.back())].end = now;
        open_layers_.pop_back();
      }
      break;
    default:
      if (f.layer < 0 && invoke_func_ && caller == invoke_func_ && !tflm_events_seen_)
        f.layer = open_layer(without_params(functions_[func].name), "", 0, now, "tflm-calls");
    }
  }
  ++active_[func];
  ++calls_[func];
  max_depth_ = std::max<uint32_t>(max_depth_, uint32_t(frames_.size() - 1));
  min_sp_ = std::min(min_sp_, cur_sp - frame_bytes_[func]); // after the callee's prologue
  if (special_[func] == kMalloc) malloc_used_ = true;
  else if (special_[func] == kBreak) f.arg = probe->reg(break_arg_reg_);
  settle_top();
}

void CallTracker::pop_frame(uint64_t now) {
  Frame f = frames_.back();
  frames_.pop_back();
  if (f.kind == Kind::Exception || f.kind == Kind::Root) bases_.pop_back();
  if (f.layer >= 0) layers_[size_t(f.layer)].end = now;
  if (f.record >= 0) call_records_[size_t(f.record)].end = now;
  if (f.kind != Kind::Exception && is_invocation_func(f.func) && invocation_active_) --invocation_active_;
  --active_[f.func];
  if (!frames_.empty()) settle_top();
}

void CallTracker::unwind(uint32_t address, uint32_t func, uint32_t sp, bool call, uint64_t now) {
  const size_t base = bases_.back();
  // Frames entered with the SP below the current one have returned, whatever
  // returned from them (a return past them, longjmp).
  while (frames_.size() - 1 > base && frames_.back().sp < sp) pop_frame(now);
  if (call) return;
  // A return: the return address of an open frame, with the SP back at that
  // frame's entry (a branch to the same address from inside the frame has
  // its stack still allocated), or elsewhere in its caller's function with
  // that SP (longjmp to a setjmp in the caller). The frames above it
  // returned with it.
  for (size_t k = frames_.size() - 1; k > base && frames_[k].sp <= sp; --k) {
    const Frame &f = frames_[k];
    bool to_ret = f.ret == address;
    // (A branch to the caller's entry is a tail call to it, not a landing.)
    if (!to_ret && !(func != top_func_ && frames_[k - 1].func == func && address != functions_[func].addr)) continue;
    if (to_ret && special_[f.func] == kBreak) {
      uint32_t old_break = probe->reg(0); // the break before the call, or -1
      if (old_break != 0xFFFFFFFFu) {
        int32_t inc = int32_t(f.arg);
        brk_low_ = std::min(brk_low_, old_break);
        brk_high_ = std::max(brk_high_, inc > 0 ? old_break + uint32_t(inc) : old_break);
      }
    }
    while (frames_.size() > k) pop_frame(now);
    break;
  }
}

void CallTracker::branch_into(uint32_t func, uint32_t caller, uint32_t sp, uint64_t now) {
  const Frame top = frames_.back();
  if (top.kind == Kind::Root || top.kind == Kind::Exception) {
    // From the reset handler or an exception handler: a frame above it, closed with it.
    push_frame(Kind::Tail, func, kNoReturn, kNoSp, sp, now, caller);
    return;
  }
  const Frame &below = frames_[frames_.size() - 2];
  if (top.kind == Kind::Tail && top.ret == kNoReturn && below.func == func &&
      (below.kind == Kind::Root || below.kind == Kind::Exception)) {
    pop_frame(now); // back into the handler's own code
    return;
  }
  // A tail call: the new function takes the frame's place, returns where it
  // would have, and carries on its layer.
  frames_.back().layer = -1;
  // Invoke tail-calling InvokeSubgraph stays one invocation.
  const bool same_invocation = is_invocation_func(top.func) && is_invocation_func(func);
  if (same_invocation) ++invocation_active_;
  pop_frame(now);
  push_frame(Kind::Tail, func, top.ret, top.sp, sp, now, caller, top.layer);
  if (same_invocation) --invocation_active_;
}

void CallTracker::transition(uint32_t prev_func, bool prev_called, uint32_t prev_ft, uint32_t address, uint32_t func,
                             uint64_t now) {
  // A BL/BLX not taken (conditional) falls through; one to the middle of its
  // own function is a long branch, not a call.
  bool call = prev_called && address != prev_ft && !(func && func == prev_func && address != functions_[func].addr);
  if (!call && func == top_func_ && address != top_ret_) return;
  uint32_t sp = probe->reg(13);
  unwind(address, func, sp, call, now);
  if (call) {
    push_frame(Kind::Call, func, prev_ft, sp, sp, now, prev_func);
    return;
  }
  if (func != top_func_) branch_into(func, prev_func, sp, now);
}

void CallTracker::block(uint32_t prev_func, bool prev_called, uint32_t prev_ft, uint32_t address, uint32_t func,
                        uint32_t branch, uint64_t spent, uint32_t insns, uint64_t start) {
  cur_->cycles += branch;
  transition(prev_func, prev_called, prev_ft, address, func, start + branch);
  Counters &n = *cur_;
  n.cycles += spent;
  n.insns += insns;
}

void CallTracker::exception_entry(uint32_t handler, uint64_t now) {
  if (!profiling) return;
  ++exceptions_taken_;
  push_frame(Kind::Exception, func_of(handler & ~1u), kNoReturn, kNoSp, probe->reg(13), now, 0);
}

void CallTracker::exception_return(uint64_t now) {
  if (!profiling || bases_.size() < 2) return; // the root frame never closes before the end
  size_t base = bases_.back();
  while (frames_.size() > base) pop_frame(now);
}

ProfileData CallTracker::finish(uint64_t cycles, uint32_t initial_sp) {
  while (!frames_.empty()) pop_frame(cycles);
  ProfileData d;
  d.functions = functions_;
  const size_t n = nodes_.size();
  // Inclusive cycles: each node's subtree (children are created after their
  // parents, so one backward pass sums them), counted once per function at
  // its outermost nodes.
  std::vector<uint64_t> subtree(n);
  for (size_t i = 0; i < n; ++i) subtree[i] = stats_[i].cycles;
  for (size_t i = n; i-- > 1;) subtree[nodes_[i].parent] += subtree[i];
  uint64_t attributed = 0;
  for (size_t i = 0; i < n; ++i) {
    FunctionProfile &f = d.functions[nodes_[i].func];
    f.self_cycles += stats_[i].cycles;
    f.self_instructions += stats_[i].insns;
    if (nodes_[i].outermost) f.inclusive_cycles += subtree[i];
    attributed += stats_[i].cycles;
  }
  for (size_t i = 0; i < d.functions.size(); ++i) d.functions[i].calls = calls_[i];
  d.unattributed_cycles = cycles > attributed ? cycles - attributed : 0;
  d.initial_sp = initial_sp;
  d.min_sp = min_sp_ == 0xFFFFFFFF ? initial_sp : min_sp_;
  d.malloc_used = malloc_used_;
  d.heap_bytes = brk_high_ > brk_low_ ? brk_high_ - brk_low_ : 0;
  d.max_call_depth = max_depth_;
  d.exceptions_taken = exceptions_taken_;
  for (int32_t i : open_layers_) layers_[size_t(i)].end = cycles;
  open_layers_.clear();
  d.layers = layers_;
  d.layer_source = layer_source_;
  // Flame-graph lines: a depth-first walk keeping the current path in one string.
  std::vector<uint32_t> first_child(n, UINT32_MAX), next_sibling(n, UINT32_MAX);
  for (size_t i = n; i-- > 1;) {
    next_sibling[i] = first_child[nodes_[i].parent];
    first_child[nodes_[i].parent] = uint32_t(i);
  }
  std::string path;
  std::vector<std::pair<uint32_t, size_t>> todo; // node, path length before it
  if (n) todo.push_back({0, 0});
  while (!todo.empty()) {
    auto [i, len] = todo.back();
    todo.pop_back();
    if (!subtree[i]) continue;
    path.resize(len);
    if (len) path += ';';
    path += functions_[nodes_[i].func].name;
    if (stats_[i].cycles) d.stacks.emplace_back(path, stats_[i].cycles);
    for (uint32_t c = first_child[i]; c != UINT32_MAX; c = next_sibling[c]) todo.push_back({c, path.size()});
  }
  std::sort(d.stacks.begin(), d.stacks.end());
  d.calls = std::move(call_records_); // opened in start order, an outer frame before the inner ones it opens
  d.calls_truncated = calls_truncated_;
  return d;
}

} // namespace mcusim
