/// \file
/// The profiling listener the block hook feeds: the interface core calls
/// with block, call, exception and marker events, so core holds a listener
/// without knowing its kind. The profiler's CallTracker
/// (profiler/call_tracker.h) is the one in use; callers that profile hand
/// it to Simulator::create (RunOptions::profile_listener).
///
/// The hook's common case (same function, no call, no return) stays a
/// non-virtual inline test here: three comparisons and two adds through
/// `cur_`, the current node's counters. A derived listener keeps `top_func_`,
/// `top_ret_` and `cur_` up to date whenever its current node changes or the
/// storage holding the counters moves.
#pragma once

#include "core/profile.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim {

class ProfileListener {
public:
  /// What the listener may read of the guest: registers 0..15 and memory.
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

  virtual ~ProfileListener() = default;

  /// `fns`: the firmware's functions sorted by address, index 0 being
  /// "(no symbol)"; `reset`: the reset handler (the root frame).
  virtual bool init(std::vector<FunctionProfile> fns, uint32_t reset, const std::string &layer_pattern, std::string *error) = 0;

  /// The index of the function holding `addr` (0: none).
  virtual uint32_t func_of(uint32_t addr) const = 0;

  /// The common case of block(): no call, no return, the same function as
  /// the current frame's. False when block() must run instead.
  __attribute__((always_inline)) bool block_fast(uint32_t /*prev_func*/, bool prev_called, uint32_t address, uint32_t func,
                                                 uint32_t branch, uint64_t spent, uint32_t insns) {
    if (prev_called | (address == top_ret_) | (func != top_func_)) return false;
    Counters &n = *cur_;
    n.cycles += branch + spent;
    n.insns += insns;
    return true;
  }
  /// A block of function `func` ran: `branch` cycles settle the previous
  /// block's branch (charged where that block ran), `spent` are its own
  /// cycles, starting at `start`. The previous block (function `prev_func`,
  /// ending in BL/BLX or not, falling through to `prev_ft`) was followed by
  /// the block at `address`.
  virtual void block(uint32_t prev_func, bool prev_called, uint32_t prev_ft, uint32_t address, uint32_t func, uint32_t branch,
                     uint64_t spent, uint32_t insns, uint64_t start) = 0;
  /// A block starts: settle returns to it, open a frame if it was called or
  /// branched into from another function.
  virtual void transition(uint32_t prev_func, bool prev_called, uint32_t prev_ft, uint32_t address, uint32_t func,
                          uint64_t now) = 0;
  /// Cycles charged to the previous block's branch when the engine stopped.
  virtual void branch_only(uint32_t prev_func, uint32_t branch) = 0;
  virtual void exception_entry(uint32_t handler, uint64_t now) = 0;
  virtual void exception_return(uint64_t now) = 0;
  /// An ITM marker: port 1 opens a layer (value: address of {name, op, macs}), port 2 closes it.
  virtual void marker(unsigned port, uint32_t value, uint64_t now) = 0;
  /// Ends the run and builds the profile.
  virtual ProfileData finish(uint64_t cycles, uint32_t initial_sp) = 0;

  /// Return address of frames that have none (the root, exceptions, frames
  /// branched into from them): no block starts there.
  static constexpr uint32_t kNoReturn = 0xFFFFFFFFu;

protected:
  /// Self cycles and instructions of one calling context.
  struct Counters {
    uint64_t cycles = 0, insns = 0;
  };
  /// The current frame's function and return address, and its node's counters.
  uint32_t top_func_ = 0, top_ret_ = kNoReturn;
  Counters *cur_ = nullptr;
};

} // namespace mcusim
