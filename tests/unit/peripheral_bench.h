/// \file
/// A device's peripheral bus on a stand-in for the core, for the unit tests
/// of peripherals/: the event scheduler, a cycle the test sets, the NVIC
/// lines the models pend (with the cycle of each), and register access by
/// absolute address. A test derives from it, sets what it needs in
/// `host` (io.serial, io.gpio_changed, read_ram, ...), then calls build().
#pragma once

#include "base/device.h"
#include "core/peripheral_space.h"
#include "core/scheduler.h"
#include "peripherals/bus.h"
#include "peripherals/models.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mcusim::test {

struct PeripheralBench {
  Scheduler sched;
  uint64_t now = 0;
  std::vector<unsigned> irqs;                         ///< the NVIC lines pended, in order
  std::vector<std::pair<unsigned, uint64_t>> irq_log; ///< (line, cycle) of each
  std::vector<std::string> reports;                   ///< the bus's unmodelled-access lines
  PeripheralHost host;
  std::unique_ptr<peripherals::PeripheralBus> bus;

  /// The core at `hz` (cycles per second), at cycle 0.
  explicit PeripheralBench(double hz)
      : host{sched, [this] { return now; },
             [this](unsigned n) {
               irqs.push_back(n);
               irq_log.emplace_back(n, now);
             },
             hz} {}
  PeripheralBench(const PeripheralBench &) = delete;
  PeripheralBench &operator=(const PeripheralBench &) = delete;

  /// Builds the bus of the device named `device` (a bundled device file).
  void build(const char *device) {
    auto d = find_device(device);
    REQUIRE(d);
    build(*d);
  }
  void build(const Device &device) {
    auto made = peripherals::make_bus(device, host, {false, [this](const std::string &line) { reports.push_back(line); }});
    REQUIRE(made);
    bus = std::move(*made);
  }

  uint32_t rd(uint32_t addr) {
    uint32_t v = 0;
    REQUIRE(bus->read(addr, 4, v) == PeripheralAccess::Done);
    return v;
  }
  void wr(uint32_t addr, uint32_t v) { REQUIRE(bus->write(addr, 4, v) == PeripheralAccess::Done); }
  void set_bits(uint32_t addr, uint32_t bits) { wr(addr, rd(addr) | bits); }

  /// The clock jumps to cycle `t`; the events due by then run, all seen at `t`
  /// (as the core delivers them at a block boundary).
  void advance(uint64_t t) {
    now = t;
    sched.run_due(now);
  }
  /// Every event due by cycle `t` runs at its own cycle, then the clock stops at `t`.
  void step_to(uint64_t t) {
    while (sched.next_time() <= t) {
      now = sched.next_time();
      sched.run_due(now);
    }
    now = t;
  }
  /// Every pending event runs, each at its own cycle (oscillator start-ups, regulator settling).
  void settle() {
    while (!sched.empty()) {
      now = sched.next_time();
      sched.run_due(now);
    }
  }
  /// The cycles at which `line` was pended.
  std::vector<uint64_t> irq_cycles(unsigned line) const {
    std::vector<uint64_t> out;
    for (const auto &[n, c] : irq_log)
      if (n == line) out.push_back(c);
    return out;
  }
};

} // namespace mcusim::test
