/// \file
/// The call tracker: the profiling listener (core/profile_listener.h) the
/// block hook feeds. From block,
/// call, exception and marker events it keeps a calling-context tree (self
/// cycles and instructions per call path), per-function calls, function
/// activations (traces), layers, the stack's low-water mark and the heap
/// break's growth, and hands back ProfileData, whose per-function self and
/// inclusive cycles come from the tree. It knows nothing of reports; it reads
/// guest registers and memory only through a Probe, so tests can drive it with
/// synthetic event streams.
///
/// The frame stack follows the real stack: a BL/BLX opens a frame holding its
/// return address and the SP at entry; a branch into another function (a tail
/// call) replaces the current frame; the reset handler is the root frame and
/// each exception taken opens a frame its exception return closes. When
/// execution reaches a new function, every frame whose entry SP lies below the
/// current SP has returned (returns that skip frames, longjmp), and a frame
/// whose return address is reached with the SP back at its entry returns.
#pragma once

#include "core/profile_listener.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace mcusim {

class CallTracker final : public ProfileListener {
public:
  bool init(std::vector<FunctionProfile> fns, uint32_t reset, const std::string &layer_pattern, std::string *error) override;
  uint32_t func_of(uint32_t addr) const override;
  __attribute__((noinline)) void block(uint32_t prev_func, bool prev_called, uint32_t prev_ft, uint32_t address, uint32_t func,
                                       uint32_t branch, uint64_t spent, uint32_t insns, uint64_t start) override;
  void transition(uint32_t prev_func, bool prev_called, uint32_t prev_ft, uint32_t address, uint32_t func, uint64_t now) override;
  void branch_only(uint32_t /*prev_func*/, uint32_t branch) override { cur_->cycles += branch; }
  void exception_entry(uint32_t handler, uint64_t now) override;
  void exception_return(uint64_t now) override;
  void marker(unsigned port, uint32_t value, uint64_t now) override;
  /// Closes every frame and builds the profile; linear in the tree's size
  /// (plus sorting the flame-graph lines).
  ProfileData finish(uint64_t cycles, uint32_t initial_sp) override;

  /// The stack a function's prologue allocates, read from its first
  /// instructions, so the deepest (leaf) frames count in the stack high-water mark.
  uint32_t prologue_bytes(uint32_t addr);
  /// "ns::f(int, char*)" -> "ns::f": layers named after functions.
  static std::string without_params(const std::string &n);

  /// Entry SP of frames the SP never closes.
  static constexpr uint32_t kNoSp = 0xFFFFFFFFu;

private:
  enum class Kind : uint8_t { Root, Exception, Call, Tail };
  struct Frame {
    uint32_t func, ret, sp; ///< sp: SP at entry, before the prologue
    uint32_t node;          ///< its calling-context node
    uint64_t start;
    int32_t layer;          ///< index of the layer this activation opened, or -1
    uint32_t arg;           ///< the break function's increment
    int32_t record;         ///< its entry in call_records_, or -1
    Kind kind;
  };
  struct Node {
    uint32_t func, parent;
    bool outermost; ///< no ancestor runs the same function (its subtree counts in the inclusive cycles)
    uint32_t last_func = UINT32_MAX, last_child = 0; ///< the child found last (most calls repeat)
  };
  enum Special : uint8_t { kPlain = 0, kMalloc = 1, kBreak = 2 };

  std::vector<FunctionProfile> functions_; // index 0: "(no symbol)"
  std::vector<uint64_t> calls_;
  std::vector<uint32_t> active_;  // open frames per function
  std::vector<uint8_t> special_;
  std::vector<uint32_t> frame_bytes_; // stack bytes the function's prologue allocates
  int break_arg_reg_ = 0;             // register holding the break function's increment

  std::vector<Frame> frames_;
  std::vector<uint32_t> bases_; // indices of the root and exception frames, innermost last
  uint32_t cur_node_ = 0; // the current frame's node (its counters: cur_)

  std::vector<Node> nodes_;
  std::vector<Counters> stats_; // per node; cur_ points into it (settle_top() refreshes it after any growth)
  std::unordered_map<uint64_t, uint32_t> children_;

  std::vector<CallRecord> call_records_; // in start order (opened at push, ended at pop)
  bool calls_truncated_ = false;

  // Layers: marker pairs (ITM ports 1/2), calls to functions matching a
  // pattern, or the TFLM preset (MicroProfiler events, or each call made by
  // MicroInterpreterGraph::InvokeSubgraph).
  std::vector<LayerRecord> layers_;
  std::vector<int32_t> open_layers_; // marker/event layers, innermost last
  std::vector<uint8_t> f_layer_;     // 1 pattern layer, 2 BeginEvent, 3 EndEvent
  uint32_t invoke_func_ = 0;         // TFLM InvokeSubgraph (its callees are layers)
  // The interpreter's entry points (MicroInterpreter::Invoke,
  // MicroInterpreterGraph::InvokeSubgraph): a layer opened while one of them
  // is active is numbered with the invocation it belongs to.
  uint32_t invocation_funcs_[2] = {0, 0};
  uint32_t invocation_active_ = 0, invocation_count_ = 0;
  bool is_invocation_func(uint32_t f) const { return f && (f == invocation_funcs_[0] || f == invocation_funcs_[1]); }
  bool tflm_events_seen_ = false;
  std::string layer_source_;

  uint32_t min_sp_ = 0xFFFFFFFF, max_depth_ = 0;
  uint32_t brk_low_ = 0xFFFFFFFF, brk_high_ = 0;
  uint64_t exceptions_taken_ = 0;
  bool malloc_used_ = false;

  uint32_t child_node(uint32_t parent, uint32_t func);
  uint32_t find_child(uint32_t parent, uint32_t func);
  /// `cur_sp`: the SP now (for the stack's high-water mark).
  void push_frame(Kind kind, uint32_t func, uint32_t ret, uint32_t sp, uint32_t cur_sp, uint64_t now, uint32_t caller,
                  int32_t layer = -1);
  void pop_frame(uint64_t now);
  void settle_top() {
    const Frame &f = frames_.back();
    top_func_ = f.func, top_ret_ = f.ret, cur_node_ = f.node, cur_ = &stats_[f.node];
  }
  /// Pops the frames that have returned before the block at `address` (in `func`) with SP `sp`.
  void unwind(uint32_t address, uint32_t func, uint32_t sp, bool call, uint64_t now);
  /// Execution went from the current frame's function into `func` without a call.
  void branch_into(uint32_t func, uint32_t caller, uint32_t sp, uint64_t now);
  int32_t open_layer(std::string name, std::string op, uint64_t macs, uint64_t now, const char *source);
  std::string guest_cstring(uint32_t addr, size_t max = 96);
};

} // namespace mcusim
