#include "core/scheduler.h"

#include <doctest/doctest.h>
#include <vector>

using mcusim::Scheduler;

TEST_CASE("scheduler runs due events in time order, ties in scheduling order") {
  Scheduler s;
  std::vector<int> order;
  s.schedule(30, [&](uint64_t) { order.push_back(3); });
  s.schedule(10, [&](uint64_t) { order.push_back(1); });
  s.schedule(10, [&](uint64_t) { order.push_back(2); });
  auto late = s.schedule(100, [&](uint64_t) { order.push_back(9); });
  CHECK(s.next_time() == 10);
  s.run_due(9);
  CHECK(order.empty());
  s.run_due(30);
  CHECK(order == std::vector<int>{1, 2, 3});
  s.cancel(late);
  CHECK(s.empty());
  CHECK(s.next_time() == Scheduler::kNever);
}

TEST_CASE("events scheduled from a callback run in the same pass when already due") {
  Scheduler s;
  int runs = 0;
  std::function<void(uint64_t)> tick = [&](uint64_t now) {
    ++runs;
    if (runs < 5) s.schedule(now + 10, tick);
  };
  s.schedule(0, tick);
  s.run_due(25);
  CHECK(runs == 3); // at 0, 10, 20
  CHECK(s.next_time() == 30);
  uint64_t told = 0;
  s.on_schedule = [&](uint64_t when) { told = when; };
  s.schedule(7, [](uint64_t) {});
  CHECK(told == 7);
}
