/// \file
/// Cycle-ordered event queue. Peripherals schedule callbacks at absolute
/// simulated cycle counts; the run loop executes guest code until the next
/// event is due (stopping at a block boundary) and then runs the due events.
/// Nothing ticks per instruction.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace mcusim {

class Scheduler {
public:
  using EventId = uint64_t;
  using Callback = std::function<void(uint64_t now)>;
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

  /// Schedule `cb` to run once the cycle count reaches `when`.
  EventId schedule(uint64_t when, Callback cb);
  /// Remove a scheduled event; unknown or already-run ids are ignored.
  void cancel(EventId id);
  /// Move a scheduled event to `when` (keeping its id and callback); false if
  /// the id is unknown or already run.
  bool retime(EventId id, uint64_t when);
  /// When a scheduled event is due, or kNever if the id is unknown or already run.
  uint64_t when(EventId id) const;
  /// Cycle count of the earliest event, or kNever.
  uint64_t next_time() const { return events_.empty() ? kNever : events_.front().when; }
  /// Run every event with when <= now, earliest first (ties in scheduling order);
  /// each callback gets the cycle it was due at.
  /// Events may schedule further events; those that are already due run too.
  void run_due(uint64_t now);
  bool empty() const { return events_.empty(); }
  /// Told the time of every newly scheduled event (the run loop uses it to
  /// stop the engine early when an event lands before its current deadline).
  std::function<void(uint64_t when)> on_schedule;
  size_t size() const { return events_.size(); }

private:
  struct Event {
    uint64_t when;
    EventId id;
    Callback cb;
  };
  std::vector<Event> events_; // sorted by (when, id)
  EventId next_id_ = 1;
};

} // namespace mcusim
