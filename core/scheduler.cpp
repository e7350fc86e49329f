/// \file
/// Event queue: a sorted vector (a handful of events at a time).
#include "core/scheduler.h"

#include <algorithm>

namespace mcusim {

Scheduler::EventId Scheduler::schedule(uint64_t when, Callback cb) {
  EventId id = next_id_++;
  Event ev{when, id, std::move(cb)};
  auto pos = std::upper_bound(events_.begin(), events_.end(), ev,
                              [](const Event &a, const Event &b) { return a.when < b.when || (a.when == b.when && a.id < b.id); });
  events_.insert(pos, std::move(ev));
  if (on_schedule) on_schedule(when);
  return id;
}

void Scheduler::cancel(EventId id) {
  auto it = std::find_if(events_.begin(), events_.end(), [&](const Event &e) { return e.id == id; });
  if (it != events_.end()) events_.erase(it);
}

uint64_t Scheduler::when(EventId id) const {
  auto it = std::find_if(events_.begin(), events_.end(), [&](const Event &e) { return e.id == id; });
  return it == events_.end() ? kNever : it->when;
}

bool Scheduler::retime(EventId id, uint64_t when) {
  auto it = std::find_if(events_.begin(), events_.end(), [&](const Event &e) { return e.id == id; });
  if (it == events_.end()) return false;
  Event ev = std::move(*it);
  events_.erase(it);
  ev.when = when;
  auto pos = std::upper_bound(events_.begin(), events_.end(), ev,
                              [](const Event &a, const Event &b) { return a.when < b.when || (a.when == b.when && a.id < b.id); });
  events_.insert(pos, std::move(ev));
  if (on_schedule) on_schedule(when);
  return true;
}

void Scheduler::run_due(uint64_t now) {
  while (!events_.empty() && events_.front().when <= now) {
    Event ev = std::move(events_.front());
    events_.erase(events_.begin());
    ev.cb(ev.when); // the time it was due, so periodic events do not drift
  }
}

} // namespace mcusim
