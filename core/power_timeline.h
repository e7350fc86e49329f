/// \file
/// The power-state timeline of a run (PowerCounters::timeline): the run loop
/// says when the core changes state; each closed segment gets the counters'
/// growth since it opened, so segments tile [0, cycles] and their cycles sum
/// to the counters. The run loop only calls this at state changes (sleep
/// entry, wake-up, running again, the end of the run), never per block.
#pragma once

#include "core/power_counters.h"

#include <cstdint>
#include <vector>

namespace mcusim {

/// (Each closed segment's cycles are also added to its clock's
/// PowerCounters::clocks entry, before any merge, so those stay exact.)
///
/// The counters' growth since `from` (run_cycles, sleep, deep sleep, wake-ups)
/// as a segment [start, end) in `state`.
PowerSegment power_segment(CoreState state, uint64_t start, uint64_t end, const PowerCounters &now, const PowerCounters &from);

/// Append `seg` to `c.timeline`: dropped when empty, joined to the last
/// segment when both are single-state segments of the same state, and when
/// the timeline is full (PowerCounters::kMaxSegments) adjacent pairs are
/// merged first (`c.merged` set), halving it. Cycle sums are kept exactly.
void append_power_segment(PowerCounters &c, const PowerSegment &seg);

/// Merge adjacent pairs of `timeline` (the last one alone when the count is
/// odd): each merged segment spans both, adds their cycles and takes the
/// state with the most cycles.
void merge_power_segments(std::vector<PowerSegment> &timeline);

/// Merge adjacent pairs of `timeline` at the same clock (PowerSegment::clock);
/// when that leaves more than 3/4 of it (the clocks change too often), merge
/// every pair as merge_power_segments() does and return true.
bool merge_power_segments_by_clock(std::vector<PowerSegment> &timeline);

/// The state a segment's cycles say it is in: the one with the most cycles
/// (Run, Sleep, DeepSleep, Wakeup order on a tie).
CoreState dominant_state(const PowerSegment &seg);

/// Keeps the open segment of a run.
class PowerTimeline {
public:
  /// The core enters `next` at cycle `now`: close the open segment (its cycles
  /// are the counters' growth since it opened) and open one in `next`.
  void change(CoreState next, uint64_t now, PowerCounters &c);
  /// The end of the run: close the open segment.
  void finish(uint64_t now, PowerCounters &c) { change(state_, now, c); }
  CoreState state() const { return state_; }
  /// From cycle `now` on the core runs at `hz` in `power_mode`: the open
  /// segment is closed at the old clock (when it changes) and later segments
  /// count at the new one, whose index in `c.clocks` (found or added) is returned.
  /// The first call before any cycle only names the clock.
  uint32_t set_clock(double hz, const std::string &power_mode, uint64_t now, PowerCounters &c);
  uint32_t clock() const { return clock_; }
  /// Segments closed so far (not reduced by merges).
  uint64_t closed() const { return closed_; }
  /// A cycle charge of `delta` (negative: a refund) to run cycles at `loc`
  /// that belongs at cycle `at`, in a segment closed before the open one
  /// (the exception exit that a tail-chain after SLEEPONEXIT's sleep
  /// replaces): that segment's end and run cycles move by delta, and every
  /// later segment, the open one included, moves by delta. The caller has
  /// already changed the counters and the cycle count.
  void recharge_closed(int64_t delta, CodeLocation loc, uint64_t at, PowerCounters &c);

private:
  CoreState state_ = CoreState::Run;
  uint64_t start_ = 0, closed_ = 0;
  uint32_t clock_ = 0; ///< index in PowerCounters::clocks of the open segment's clock
  PowerCounters from_; ///< the counters when the open segment opened (no timeline)
};

} // namespace mcusim
