#include "core/power_timeline.h"

namespace mcusim {

PowerSegment power_segment(CoreState state, uint64_t start, uint64_t end, const PowerCounters &now, const PowerCounters &from) {
  PowerSegment s;
  s.start = start;
  s.end = end;
  s.state = state;
  for (unsigned l = 0; l < kCodeLocations; ++l) s.run_cycles[l] = now.run_cycles[l] - from.run_cycles[l];
  s.sleep_cycles = now.sleep_cycles - from.sleep_cycles;
  s.deep_sleep_cycles = now.deep_sleep_cycles - from.deep_sleep_cycles;
  s.sleep_wakeup_cycles = now.sleep_wakeup_cycles - from.sleep_wakeup_cycles;
  s.deep_wakeup_cycles = now.deep_wakeup_cycles - from.deep_wakeup_cycles;
  for (size_t i = 0; i < now.deep_states.size() && i < kMaxDeepStates; ++i)
    s.deep_state_cycles[i] = now.deep_states[i].cycles - (i < from.deep_states.size() ? from.deep_states[i].cycles : 0);
  return s;
}

CoreState dominant_state(const PowerSegment &seg) {
  const uint64_t run = seg.run_cycles[0] + seg.run_cycles[1];
  const uint64_t wake = seg.sleep_wakeup_cycles + seg.deep_wakeup_cycles;
  CoreState best = CoreState::Run;
  uint64_t most = run;
  if (seg.sleep_cycles > most) best = CoreState::Sleep, most = seg.sleep_cycles;
  if (seg.deep_sleep_cycles > most) best = CoreState::DeepSleep, most = seg.deep_sleep_cycles;
  if (wake > most) best = CoreState::Wakeup;
  return best;
}

namespace {
/// Only the cycles of its own state are non-zero.
bool single_state(const PowerSegment &s) {
  const uint64_t run = s.run_cycles[0] + s.run_cycles[1];
  const uint64_t wake = s.sleep_wakeup_cycles + s.deep_wakeup_cycles;
  const uint64_t total = s.total();
  switch (s.state) {
  case CoreState::Run: return run == total;
  case CoreState::Sleep: return s.sleep_cycles == total;
  case CoreState::DeepSleep: return s.deep_sleep_cycles == total;
  case CoreState::Wakeup: return wake == total;
  }
  return false;
}

void add_into(PowerSegment &a, const PowerSegment &b) {
  a.end = b.end;
  for (unsigned l = 0; l < kCodeLocations; ++l) a.run_cycles[l] += b.run_cycles[l];
  a.sleep_cycles += b.sleep_cycles;
  a.deep_sleep_cycles += b.deep_sleep_cycles;
  a.sleep_wakeup_cycles += b.sleep_wakeup_cycles;
  a.deep_wakeup_cycles += b.deep_wakeup_cycles;
  for (size_t i = 0; i < kMaxDeepStates; ++i) a.deep_state_cycles[i] += b.deep_state_cycles[i];
}
} // namespace

void merge_power_segments(std::vector<PowerSegment> &timeline) {
  size_t out = 0;
  for (size_t i = 0; i < timeline.size(); i += 2) {
    PowerSegment m = timeline[i];
    if (i + 1 < timeline.size()) {
      if (timeline[i + 1].total() > m.total()) m.clock = timeline[i + 1].clock;
      add_into(m, timeline[i + 1]);
      m.state = dominant_state(m);
    }
    timeline[out++] = m;
  }
  timeline.resize(out);
}

bool merge_power_segments_by_clock(std::vector<PowerSegment> &timeline) {
  const size_t before = timeline.size();
  size_t out = 0;
  for (size_t i = 0; i < timeline.size();) {
    PowerSegment m = timeline[i];
    if (i + 1 < timeline.size() && timeline[i + 1].clock == m.clock) {
      add_into(m, timeline[i + 1]);
      m.state = dominant_state(m);
      i += 2;
    } else {
      ++i;
    }
    timeline[out++] = m;
  }
  timeline.resize(out);
  if (timeline.size() > before - before / 4) { // too many clock changes to halve it: join across them
    merge_power_segments(timeline);
    return true;
  }
  return false;
}

void append_power_segment(PowerCounters &c, const PowerSegment &seg) {
  if (seg.end == seg.start && seg.total() == 0) return;
  if (!c.timeline.empty()) {
    PowerSegment &last = c.timeline.back();
    if (last.state == seg.state && last.clock == seg.clock && single_state(last) && single_state(seg)) {
      add_into(last, seg);
      return;
    }
  }
  if (c.timeline.size() >= PowerCounters::kMaxSegments) {
    c.clocks_merged = merge_power_segments_by_clock(c.timeline) || c.clocks_merged;
    c.merged = true;
  }
  c.timeline.push_back(seg);
}

namespace {
void add_cycles(PowerSegment &to, const PowerSegment &seg) {
  const uint64_t end = to.end;
  add_into(to, seg);
  to.end = end;
}
} // namespace

void PowerTimeline::change(CoreState next, uint64_t now, PowerCounters &c) {
  PowerSegment seg = power_segment(state_, start_, now, c, from_);
  seg.clock = clock_;
  if (clock_ < c.clocks.size()) add_cycles(c.clocks[clock_].cycles, seg);
  append_power_segment(c, seg);
  ++closed_;
  state_ = next;
  start_ = now;
  from_.run_cycles = c.run_cycles;
  from_.sleep_cycles = c.sleep_cycles;
  from_.deep_sleep_cycles = c.deep_sleep_cycles;
  from_.sleep_wakeup_cycles = c.sleep_wakeup_cycles;
  from_.deep_wakeup_cycles = c.deep_wakeup_cycles;
  from_.deep_states = c.deep_states;
}

uint32_t PowerTimeline::set_clock(double hz, const std::string &power_mode, uint64_t now, PowerCounters &c) {
  uint32_t index = 0;
  while (index < c.clocks.size() && !(c.clocks[index].hz == hz && c.clocks[index].power_mode == power_mode)) ++index;
  if (index == c.clocks.size()) c.clocks.push_back({hz, power_mode, {}});
  if (c.clocks.size() == 1 || index == clock_) {
    clock_ = index;
    return index;
  }
  change(state_, now, c); // the open segment ends at the old clock
  clock_ = index;
  return index;
}

void PowerTimeline::recharge_closed(int64_t delta, CodeLocation loc, uint64_t at, PowerCounters &c) {
  const uint64_t d = uint64_t(delta); // modular: adding it subtracts a refund
  for (size_t i = c.timeline.size(); i-- > 0;) {
    PowerSegment &s = c.timeline[i];
    if (s.start >= at) {
      s.start += d;
      s.end += d;
      continue;
    }
    s.end += d;
    s.run_cycles[size_t(loc)] += d;
    if (s.clock < c.clocks.size()) c.clocks[s.clock].cycles.run_cycles[size_t(loc)] += d;
    break;
  }
  start_ += d;
  from_.run_cycles[size_t(loc)] += d;
}

} // namespace mcusim
