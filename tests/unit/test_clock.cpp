// The firmware's clock (docs/peripherals.md, "The clock"): the STM32L4R5
// bring-up retimes the core and its flash wait states; expected cycle
// differences come from the wait-state rule of docs/accuracy.md.
#include "base/device.h"
#include "core/simulator.h"
#include "image/elf_image.h"
#include "core/scheduler.h"
#include "peripherals/models.h"

#include <doctest/doctest.h>
#include <cstdio>
#include <string>

#include "firmware_run.h"
#include "helpers.h"

using namespace mcusim;

namespace {
using ClockRun = test::FirmwareRun;

ClockRun run_clockconfig(const std::string &args, double mhz = 0, std::optional<bool> caches = std::nullopt) {
  RunOptions o;
  o.mhz = mhz;
  o.caches = caches;
  ClockRun cr = test::run_firmware("clockconfig-stm32l4r5", "stm32l4r5", "clockconfig " + args, o);
  CHECK(cr.r.reason == StopReason::Exited);
  return cr;
}

using test::per_iteration;
} // namespace

TEST_CASE("the bring-up ends at 120 MHz with 5 wait states, and simulated time is the sum of cycles / frequency") {
  if (!test::have_firmware("clockconfig-stm32l4r5")) return;
  ClockRun c = run_clockconfig("");
  const auto &segs = c.r.clock_changes;
  REQUIRE(segs.size() >= 3);
  // Before the firmware writes RCC: the device's default clock and its table's wait states.
  CHECK(segs.front().cycle == 0);
  CHECK(segs.front().hz == 120e6);
  CHECK(segs.front().flash_ws == 5);
  // Its first write: the reset clock, MSI 4 MHz with latency 0.
  CHECK(segs[1].hz == 4e6);
  CHECK(segs[1].flash_ws == 0);
  CHECK(segs.back().hz == 120e6);
  CHECK(segs.back().flash_ws == 5);
  CHECK(c.r.hz == 120e6);
  double seconds = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    uint64_t end = i + 1 < segs.size() ? segs[i + 1].cycle : c.r.cycles;
    CHECK(end >= segs[i].cycle);
    seconds += double(end - segs[i].cycle) / segs[i].hz;
  }
  CHECK(c.r.simulated_seconds() == doctest::Approx(seconds).epsilon(1e-12));
  // Not the whole run at the final clock: the MSI stretch alone takes longer per cycle.
  CHECK(c.r.simulated_seconds() > double(c.r.cycles) / 120e6 * 1.4); // 1.50 when measured
  CHECK(c.r.clock_warning.empty());
}

TEST_CASE("a loop in flash costs the wait states in force: 5 more cycles per iteration at 120 MHz without the ART, none with it") {
  if (!test::have_firmware("clockconfig-stm32l4r5")) return;
  // docs/accuracy.md: without a cache, the entry line of a block costs the
  // wait states (a non-sequential fetch). SUBS/BNE sit in one 8-byte line and
  // every iteration is one block: + ws per iteration (0 at MSI, 5 at 120 MHz).
  ClockRun off = run_clockconfig("loops", 0, false);
  const long before = per_iteration(off.out, "at MSI 4 MHz, latency 0");
  const long after = per_iteration(off.out, "at PLL 120 MHz, latency 5");
  CHECK(after - before == 5);
  // SUBS 1 + BNE taken (1 + refill 2), cortex-m4 tables, at zero wait states.
  CHECK(before == 4);
  // With the ART: a line that hits costs nothing extra, and the warm loop always hits.
  ClockRun on = run_clockconfig("loops");
  CHECK(per_iteration(on.out, "at PLL 120 MHz, latency 5") == per_iteration(on.out, "at MSI 4 MHz, latency 0"));
}

TEST_CASE("too few wait states for the clock: one warning naming the register values") {
  if (!test::have_firmware("clockconfig-stm32l4r5")) return;
  ClockRun c = run_clockconfig("badws");
  CHECK(c.r.clock_warning ==
        "HCLK 120 MHz needs FLASH_ACR.LATENCY >= 5 (table in devices/stm32l4r5.toml), the firmware set 2: on hardware flash "
        "reads would be corrupt");
  CHECK(c.r.clock_changes.back().flash_ws == 2); // the cycle model uses what the firmware set
}

TEST_CASE("--mhz pins the clock: RCC writes do not retime the core") {
  if (!test::have_firmware("clockconfig-stm32l4r5")) return;
  ClockRun c = run_clockconfig("", 80);
  CHECK(c.r.clock_changes.size() == 1);
  CHECK(c.r.hz == 80e6);
  CHECK(c.r.clock_changes.front().flash_ws == 3); // the table's at 80 MHz
  CHECK(c.r.simulated_seconds() == doctest::Approx(double(c.r.cycles) / 80e6));
}

TEST_CASE("a clock change keeps a pending oscillator start-up at its length in seconds") {
  auto dev = find_device("stm32l4r5");
  REQUIRE(dev);
  Scheduler sched;
  uint64_t now = 0;
  PeripheralHost host{sched, [&] { return now; }, [](unsigned) {}, 4e6};
  auto space = peripherals::make_bus_factory(*dev, {false, [](const std::string &) {}})(host);
  REQUIRE(space);
  const uint32_t rcc_cr = 0x40021000;
  uint32_t cr = 0;
  REQUIRE((*space)->read(rcc_cr, 4, cr) == PeripheralAccess::Done);
  REQUIRE((*space)->write(rcc_cr, 4, cr | (1u << 16)) == PeripheralAccess::Done); // HSEON
  // HSE start-up: 2000 us = 8000 cycles at 4 MHz.
  CHECK(sched.next_time() == 8000);
  // Half-way (1000 us left), the core goes to 120 MHz: 1000 us are 120000 cycles there.
  now = 4000;
  (*space)->retime(now, 120e6 / 4e6);
  CHECK(sched.next_time() == 4000 + 120000);
}
