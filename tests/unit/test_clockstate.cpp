// The firmware's clock state in the energy model and the cycle model
// (docs/power.md "The clock in force", docs/peripherals.md "The clock"):
// energy priced clock by clock and in the power mode the PWR registers
// select, and the FLASH_ACR cache / prefetch enables followed by the block
// pricer. Expected values come from the device files' figures and from the
// documented fetch rule (docs/accuracy.md), never from mcusim's own output.
#include "base/device.h"
#include "core/power_timeline.h"
#include "core/simulator.h"
#include "power/energy.h"

#include <doctest/doctest.h>
#include <cmath>
#include <string>
#include <vector>

#include "firmware_run.h"
#include "helpers.h"
#include "memory/memory_system.h"
#include "peripheral_bench.h"

using namespace mcusim;

namespace {

double timeline_uj(const power::RunEnergy &e) {
  double uj = 0;
  for (const auto &p : e.timeline) uj += p.mw * (p.end_s - p.start_s) * 1e3;
  return uj;
}

double states_uj(const power::RunEnergy &e) {
  double uj = e.class_uj;
  for (const auto &s : e.states) uj += s.uj;
  return uj;
}

const power::StateEnergy *state_row(const power::RunEnergy &e, const std::string &name) {
  for (const auto &s : e.states)
    if (s.state == name) return &s;
  return nullptr;
}

/// The device file's run current for code in flash at `mhz` in `mode` (µA): fixed + per MHz x MHz.
double run_ua(const Device &d, double mhz, const std::string &mode = "") {
  const RunCurrent *row = d.power->run_row(CodeLocation::Flash, mhz, mode);
  REQUIRE(row);
  REQUIRE(row->covers(mhz));
  return row->fixed_ua + row->ua_per_mhz * mhz;
}

/// "<what>: N per iteration" in cachectl's output -> N.
long per_iteration(const std::string &out, const std::string &what) {
  size_t at = out.find(what + ":");
  REQUIRE_MESSAGE(at != std::string::npos, what);
  size_t end = out.find(" per iteration", at);
  REQUIRE(end != std::string::npos);
  size_t start = out.rfind(' ', end - 1);
  return std::stol(out.substr(start + 1, end - start - 1));
}

/// A run's energy priced clock by clock, as `mcusim run` prices it.
power::RunEnergy priced_by_clock(const Device &d, const RunResult &r, power::EnergyOptions eo = {}) {
  eo.mhz = r.hz / 1e6;
  eo.temperature_c = d.power->reference_c;
  auto models = power::make_clock_models(d, eo, r.power);
  REQUIRE_MESSAGE(models, models.error().message);
  return power::price_run(r.power, *models);
}

} // namespace

TEST_CASE("hand-built counters at two clocks and two modes are priced each at its own figures") {
  auto dev = find_device("stm32l4r5");
  REQUIRE(dev);
  REQUIRE(dev->power);
  const double v = dev->power->voltage_v;
  PowerCounters c;
  PowerTimeline tl;
  tl.set_clock(120e6, "range1", 0, c);
  c.run_cycles[0] = 1'200'000; // 10 ms at 120 MHz
  tl.set_clock(4e6, "range2", 1'200'000, c);
  c.run_cycles[0] += 400'000; // 100 ms at 4 MHz
  tl.change(CoreState::Sleep, 1'600'000, c);
  c.sleep_cycles = 100'000; // 25 ms asleep at 4 MHz
  tl.finish(1'700'000, c);
  REQUIRE(c.clocks.size() == 2);
  CHECK(c.clocks[0].cycles.total() == 1'200'000);
  CHECK(c.clocks[1].cycles.total() == 500'000);
  REQUIRE(c.timeline.size() == 3); // split at the clock change and at the sleep
  CHECK(c.timeline[0].clock == 0);
  CHECK(c.timeline[1].clock == 1);
  CHECK(c.timeline[2].clock == 1);

  auto models = power::make_clock_models(*dev, {}, c);
  REQUIRE(models);
  REQUIRE(models->size() == 2);
  power::RunEnergy e = power::price_run(c, *models);
  const LowPowerState *sleep = dev->power->sleep_state();
  REQUIRE(sleep);
  const double run_uj = run_ua(*dev, 120, "range1") * v * 0.010 + run_ua(*dev, 4, "range2") * v * 0.100;
  const double sleep_uj = (sleep->fixed_ua + sleep->ua_per_mhz * 4) * v * 0.025;
  CHECK(e.seconds == doctest::Approx(0.135).epsilon(1e-12));
  REQUIRE(state_row(e, "run (flash)"));
  CHECK(state_row(e, "run (flash)")->uj == doctest::Approx(run_uj).epsilon(1e-12));
  CHECK(state_row(e, "run (flash)")->seconds == doctest::Approx(0.110).epsilon(1e-12));
  CHECK(state_row(e, "sleep")->uj == doctest::Approx(sleep_uj).epsilon(1e-12));
  CHECK(e.energy_uj == doctest::Approx(run_uj + sleep_uj).epsilon(1e-12));
  CHECK(e.energy_uj == doctest::Approx(states_uj(e)).epsilon(1e-12));
  CHECK(timeline_uj(e) == doctest::Approx(e.energy_uj).epsilon(1e-9));
  REQUIRE(e.timeline.size() == 3);
  CHECK(e.timeline.back().end_s == doctest::Approx(0.135).epsilon(1e-12));
  REQUIRE(e.clocks.size() == 2);
  CHECK(e.clocks[0].mhz == 120);
  CHECK(e.clocks[0].mode == "range1");
  CHECK(e.clocks[1].mode == "range2");
  CHECK(e.clocks[0].uj + e.clocks[1].uj == doctest::Approx(e.energy_uj).epsilon(1e-12));
  CHECK(e.model.mhz == 4); // the clock in force at the end

  // --power-mode overrides the registers' mode at every clock.
  power::EnergyOptions forced;
  forced.mode = "range1";
  auto r1 = power::make_clock_models(*dev, forced, c);
  REQUIRE(r1);
  power::RunEnergy e1 = power::price_run(c, *r1);
  CHECK(state_row(e1, "run (flash)")->uj ==
        doctest::Approx(run_ua(*dev, 120, "range1") * v * 0.010 + run_ua(*dev, 4, "range1") * v * 0.100).epsilon(1e-12));

  // One model for every cycle (the old pricing) gets the time wrong when the clock changed.
  power::RunEnergy one = power::price_run(c, models->back());
  CHECK(one.seconds == doctest::Approx(1'700'000 / 4e6));
}

TEST_CASE("a clock change splits the timeline, and a full timeline merges within a clock first") {
  PowerCounters c;
  PowerTimeline tl;
  tl.set_clock(16e6, "", 0, c);
  uint64_t now = 0;
  // Alternate two clocks 10 times, running 100 cycles at each.
  for (int i = 0; i < 10; ++i) {
    c.run_cycles[0] += 100;
    now += 100;
    tl.set_clock(i % 2 ? 16e6 : 64e6, "", now, c);
  }
  tl.finish(now, c);
  REQUIRE(c.clocks.size() == 2); // by key, not by time
  CHECK(c.clocks[0].cycles.total() == 500);
  CHECK(c.clocks[1].cycles.total() == 500);
  CHECK(c.timeline.size() == 10);
  // Merging: pairs at one clock join; a timeline where every neighbour differs is joined across clocks (flagged).
  std::vector<PowerSegment> same(8);
  for (size_t i = 0; i < same.size(); ++i) same[i] = PowerSegment{.start = i * 10, .end = i * 10 + 10, .clock = uint32_t(i / 4)};
  for (auto &s : same) s.run_cycles[0] = 10;
  CHECK_FALSE(merge_power_segments_by_clock(same));
  CHECK(same.size() == 4);
  std::vector<PowerSegment> alternating(8);
  for (size_t i = 0; i < alternating.size(); ++i)
    alternating[i] = PowerSegment{.start = i * 10, .end = i * 10 + 10, .clock = uint32_t(i % 2)};
  for (auto &s : alternating) s.run_cycles[0] = 10;
  CHECK(merge_power_segments_by_clock(alternating));
  CHECK(alternating.size() == 4);
}

TEST_CASE("lowpower on the STM32L4R5: energy time is the simulated time, run energy the per-clock sum") {
  if (!test::have_firmware("lowpower-stm32l4r5")) return;
  auto dev = find_device("stm32l4r5");
  REQUIRE(dev);
  RunOptions o;
  test::FirmwareRun lr = test::run_firmware("lowpower-stm32l4r5", "stm32l4r5", "lowpower stop2 3 5199", o);
  REQUIRE(lr.r.reason == StopReason::Exited);
  const auto &segs = lr.r.clock_changes;
  REQUIRE(segs.size() == 2); // the default 120 MHz until the first RCC write, then MSI 4 MHz
  CHECK(segs[0].hz == 120e6);
  CHECK(segs[1].hz == 4e6);
  CHECK(segs[0].power_mode == "range1"); // PWR_CR1.VOS resets to Range 1 (RM0432 §5.4.1)
  CHECK(segs[1].power_mode == "range1");
  power::RunEnergy e = priced_by_clock(*dev, lr.r);
  CHECK(e.seconds == doctest::Approx(lr.r.simulated_seconds()).epsilon(1e-12));
  // Every cycle before the switch runs (from flash) at 120 MHz; the rest at 4 MHz.
  const PowerCounters &p = lr.r.power;
  REQUIRE(p.clocks.size() == 2);
  const uint64_t before = segs[1].cycle;
  CHECK(p.clocks[0].cycles.run_cycles[0] == before);
  CHECK(p.clocks[0].cycles.total() == before);
  const uint64_t run_after = p.run_cycles[0] - before;
  const double v = dev->power->voltage_v;
  const double expected = (run_ua(*dev, 120) * double(before) / 120e6 + run_ua(*dev, 4) * double(run_after) / 4e6) * v;
  REQUIRE(state_row(e, "run (flash)"));
  CHECK(state_row(e, "run (flash)")->uj == doctest::Approx(expected).epsilon(1e-12));
  CHECK(e.energy_uj == doctest::Approx(states_uj(e)).epsilon(1e-12));
  CHECK(timeline_uj(e) == doctest::Approx(e.energy_uj).epsilon(1e-9));
  REQUIRE(e.clocks.size() == 2);
  CHECK(e.clocks[0].seconds == doctest::Approx(double(before) / 120e6).epsilon(1e-12));
}

TEST_CASE("PWR_CR1.VOS = Range 2 prices the cycles after it with the range2 figures") {
  if (!test::have_firmware("cachectl-stm32l4r5")) return;
  auto dev = find_device("stm32l4r5");
  REQUIRE(dev);
  test::FirmwareRun fr = test::run_firmware("cachectl-stm32l4r5", "stm32l4r5", "cachectl range2");
  REQUIRE(fr.r.reason == StopReason::Exited);
  const auto &segs = fr.r.clock_changes;
  REQUIRE(segs.size() == 2);
  CHECK(segs[1].hz == 4e6);
  CHECK(segs[1].power_mode == "range2");
  power::RunEnergy e = priced_by_clock(*dev, fr.r);
  const PowerCounters &p = fr.r.power;
  REQUIRE(p.clocks.size() == 2);
  const uint64_t before = segs[1].cycle, after = p.run_cycles[0] - before;
  const double v = dev->power->voltage_v;
  CHECK(state_row(e, "run (flash)")->uj ==
        doctest::Approx((run_ua(*dev, 120, "range1") * double(before) / 120e6 + run_ua(*dev, 4, "range2") * double(after) / 4e6) * v)
            .epsilon(1e-12));
  REQUIRE(e.clocks.size() == 2);
  CHECK(e.clocks[1].mode == "range2");
  // --power-mode range1 overrides the registers.
  power::EnergyOptions forced;
  forced.mode = "range1";
  power::RunEnergy f = priced_by_clock(*dev, fr.r, forced);
  CHECK(state_row(f, "run (flash)")->uj ==
        doctest::Approx((run_ua(*dev, 120, "range1") * double(before) / 120e6 + run_ua(*dev, 4, "range1") * double(after) / 4e6) * v)
            .epsilon(1e-12));
}

TEST_CASE("a family bring-up: the cycles after the PLL switch are priced at the PLL clock's figure") {
  struct Fam {
    const char *image, *device;
  };
  for (Fam f : {Fam{"clock_f4-stm32f407", "stm32f407"}, Fam{"clock_g0-stm32g0b1", "stm32g0b1"}, Fam{"clock_u5-stm32u575", "stm32u575"},
                Fam{"clock_h7-stm32h7a3", "stm32h7a3"}}) {
    CAPTURE(f.image);
    if (!test::have_firmware(f.image)) continue;
    auto dev = find_device(f.device);
    REQUIRE(dev);
    REQUIRE(dev->power);
    test::FirmwareRun fr = test::run_firmware(f.image, f.device, std::string(f.image));
    REQUIRE(fr.r.reason == StopReason::Exited);
    const auto &segs = fr.r.clock_changes;
    REQUIRE(segs.size() >= 3);
    power::RunEnergy e = priced_by_clock(*dev, fr.r);
    // The bring-up never sleeps: the run energy is each clock stretch's cycles at its own run figure.
    CHECK(fr.r.power.sleep_cycles + fr.r.power.deep_sleep_cycles == 0);
    double expected = 0;
    for (size_t i = 0; i < segs.size(); ++i) {
      const uint64_t end = i + 1 < segs.size() ? segs[i + 1].cycle : fr.r.cycles;
      const double mhz = segs[i].hz / 1e6;
      expected += run_ua(*dev, mhz, segs[i].power_mode) * dev->power->voltage_v * double(end - segs[i].cycle) / segs[i].hz;
    }
    double run = 0;
    for (const auto &st : e.states) run += st.uj;
    CHECK(run == doctest::Approx(expected).epsilon(1e-9));
    CHECK(e.seconds == doctest::Approx(fr.r.simulated_seconds()).epsilon(1e-12));
    CHECK(e.model.mhz == segs.back().hz / 1e6); // the final PLL clock's model is the run's
  }
}

TEST_CASE("FLASH_ACR.ICEN and PRFTEN written by the firmware switch the cache and the prefetch buffer") {
  // docs/accuracy.md: without a cache a block's entry line costs the wait states (a non-sequential
  // fetch) and each further line what the prefetch buffer cannot hide, ws + 1 - cycles per line (0
  // here: 16 NOPs, SUBS, BNE are at least 18 cycles over the lines), or ws without prefetch; with the
  // instruction cache a line that hit costs nothing. The firmware sets LATENCY = 2.
  struct Dev {
    const char *image, *device;
    unsigned long_loop_lines; ///< the 36-byte loop body from a 32-byte boundary over the flash lines ([flash] line_bytes)
  };
  const unsigned ws = 2;
  for (Dev d : {Dev{"cachectl-stm32l4r5", "stm32l4r5", 5}, Dev{"cachectl-stm32f407", "stm32f407", 3}}) {
    CAPTURE(d.image);
    if (!test::have_firmware(d.image)) continue;
    auto dev = find_device(d.device);
    REQUIRE(dev);
    CHECK((36 + dev->flash.line_bytes - 1) / dev->flash.line_bytes == d.long_loop_lines);
    test::FirmwareRun fr = test::run_firmware(d.image, d.device, "cachectl");
    REQUIRE(fr.r.reason == StopReason::Exited);
    CHECK(fr.r.clock_changes.back().flash_ws == ws);
    const long on = per_iteration(fr.out, "icache on"), off = per_iteration(fr.out, "icache off"),
               again = per_iteration(fr.out, "icache on again");
    CHECK(off - on == long(ws)); // the one-line loop's entry line, every iteration
    CHECK(again == on);
    const long pf_on = per_iteration(fr.out, "prefetch on, icache off"), pf_off = per_iteration(fr.out, "prefetch off, icache off");
    CHECK(pf_off - pf_on == long((d.long_loop_lines - 1) * ws));

    // --cache pins the caches: the firmware's ICEN writes change nothing (prefetch still follows PRFTEN).
    RunOptions pinned;
    pinned.caches = true;
    test::FirmwareRun p = test::run_firmware(d.image, d.device, "cachectl", pinned);
    CHECK(per_iteration(p.out, "icache off") == per_iteration(p.out, "icache on"));
    CHECK(per_iteration(p.out, "icache on") == on);
  }
}

TEST_CASE("SCB->CCR.IC written by the firmware switches the Cortex-M7 L1 instruction cache") {
  if (!test::have_firmware("cachectl-stm32h7a3")) return;
  test::FirmwareRun fr = test::run_firmware("cachectl-stm32h7a3", "stm32h7a3", "cachectl");
  REQUIRE(fr.r.reason == StopReason::Exited);
  REQUIRE(fr.r.clock_changes.size() == 1); // no clock-tree write: the default clock and its table's wait states
  const unsigned ws = fr.r.clock_changes.back().flash_ws;
  CHECK(ws > 0);
  const long on = per_iteration(fr.out, "icache on"), off = per_iteration(fr.out, "icache off"),
             again = per_iteration(fr.out, "icache on again");
  CHECK(off - on == long(ws)); // docs/accuracy.md: the one-line loop's entry line costs the wait states without a cache
  CHECK(again == on);
  RunOptions pinned;
  pinned.caches = true;
  test::FirmwareRun p = test::run_firmware("cachectl-stm32h7a3", "stm32h7a3", "cachectl", pinned);
  CHECK(per_iteration(p.out, "icache off") == per_iteration(p.out, "icache on"));
}

TEST_CASE("the PWR registers name the power mode and FLASH_ACR the enables the firmware changed") {
  struct Chip : test::PeripheralBench {
    explicit Chip(const char *name) : PeripheralBench(16e6) { build(name); }
    CoreClock clock() {
      auto c = bus->core_clock();
      REQUIRE(c);
      return *c;
    }
  };
  {
    Chip c("stm32l4r5");
    const uint32_t CR1 = 0x40007000, ACR = 0x40022000;
    CHECK(c.clock().power_mode == "range1"); // RM0432 §5.4.1: VOS resets to 01, Range 1
    c.wr(CR1, (c.rd(CR1) & ~(3u << 9)) | (2u << 9));
    CHECK(c.clock().power_mode == "range2");
    CHECK_FALSE(c.clock().accel); // ACR untouched: the device file's choice
    c.wr(ACR, c.rd(ACR) | 4u);    // LATENCY only (ICEN, DCEN stay 1 as at reset, PRFTEN 0)
    CHECK_FALSE(c.clock().accel);
    c.wr(ACR, c.rd(ACR) & ~(1u << 9)); // ICEN off
    REQUIRE(c.clock().accel);
    CHECK(c.clock().accel->icache == false);
    CHECK_FALSE(c.clock().accel->prefetch);
    CHECK_FALSE(c.clock().accel->dcache);
    c.wr(ACR, c.rd(ACR) | (1u << 8)); // PRFTEN on
    CHECK(c.clock().accel->prefetch == true);
  }
  {
    Chip c("stm32g0b1");
    const uint32_t CR1 = 0x40007000;
    c.wr(CR1, (c.rd(CR1) & ~(3u << 9)) | (1u << 9));
    CHECK(c.clock().power_mode == "range1"); // RM0444 §4.4.1: VOS 01 Range 1, 10 Range 2
    c.wr(CR1, (c.rd(CR1) & ~(3u << 9)) | (2u << 9));
    CHECK(c.clock().power_mode == "range2");
  }
  {
    Chip c("stm32u575");
    const uint32_t CR3 = 0x46020808;
    CHECK_FALSE(c.clock().power_mode); // until the firmware chooses its regulator: the device's default
    c.wr(CR3, 1u << 1);                // RM0456 §10.10.3: REGSEL = 1, SMPS
    CHECK(c.clock().power_mode == "smps");
    c.wr(CR3, 0);
    CHECK(c.clock().power_mode == "ldo");
  }
}

TEST_CASE("the memory system follows the enables, except the caches under --cache, and restores the device's") {
  auto dev = find_device("stm32l4r5");
  REQUIRE(dev);
  REQUIRE(dev->accelerator);
  MemorySystem m(*dev, 120);
  CHECK(m.icache());
  CHECK(m.dcache());
  CHECK(m.prefetch() == dev->flash.prefetch);
  CHECK(m.fetch_line_bytes() == dev->accelerator->line_bytes);
  CHECK(m.set_enables(false, false, std::nullopt));
  CHECK_FALSE(m.icache());
  CHECK(m.dcache());
  CHECK_FALSE(m.prefetch());
  CHECK(m.fetch_line_bytes() == dev->flash.line_bytes); // no cache: the flash's own read width
  CHECK_FALSE(m.set_enables(false, false, std::nullopt)); // nothing changed
  CHECK(m.restore_enables());
  CHECK(m.icache());
  CHECK(m.prefetch() == dev->flash.prefetch);
  MemorySystem pinned(*dev, 120, MemoryTimingOptions{std::nullopt, true});
  CHECK(pinned.caches_forced());
  CHECK_FALSE(pinned.set_enables(std::nullopt, false, false));
  CHECK(pinned.icache());
}
