// Low-power modes on the STM32L4R5 (docs/peripherals.md, "Low power"):
// PWR_CR1.LPMS selects the state SLEEPDEEP enters, each state is counted and
// priced by its own figures, the RTC wake-up timer and LPTIM1 wake the core
// from Stop at their exact period, and Standby ends in a reset with PWR_SR1.SBF.
// Expected values are derived here from the register values the firmware
// writes and from devices/stm32l4r5.toml.
#include "base/device.h"
#include "core/power_timeline.h"
#include "core/simulator.h"
#include "image/elf_image.h"
#include "peripherals/bus.h"
#include "peripherals/models.h"
#include "peripherals/stm32_lptim_l4.h"
#include "peripherals/stm32_pwr_l4.h"
#include "peripherals/stm32_rcc_l4.h"
#include "peripherals/stm32_rtc_l4.h"
#include "power/energy.h"

#include <doctest/doctest.h>
#include <cmath>
#include <string>
#include <vector>

#include "firmware_run.h"
#include "helpers.h"
#include "peripheral_bench.h"

using namespace mcusim;

namespace {
constexpr double kLseHz = 32768; // the NUCLEO-L4R5ZI crystal (Stm32RccL4::kLseHz)
constexpr double kLsiHz = 32000; // DS12023 LSI typical (Stm32RccL4::kLsiHz)

using LowPowerRun = test::FirmwareRun;

LowPowerRun run_lowpower(const std::string &args, const std::string &deep_sleep_state = "") {
  RunOptions o;
  o.deep_sleep_state = deep_sleep_state;
  LowPowerRun lr = test::run_firmware("lowpower-stm32l4r5", "stm32l4r5", "lowpower " + args, o);
  CHECK(lr.r.reason == StopReason::Exited);
  CHECK(lr.r.exit_code == 0);
  return lr;
}

/// The cycles at which the core began waking up (each Wakeup segment's start).
std::vector<uint64_t> wakeup_starts(const PowerCounters &p) {
  std::vector<uint64_t> out;
  for (const auto &s : p.timeline)
    if (s.state == CoreState::Wakeup) out.push_back(s.start);
  return out;
}

const power::StateEnergy *state_row(const power::RunEnergy &e, const std::string &name) {
  for (const auto &s : e.states)
    if (s.state == name) return &s;
  return nullptr;
}

power::RunEnergy priced(const RunResult &r) {
  auto dev = find_device("stm32l4r5");
  REQUIRE(dev);
  power::EnergyOptions eo;
  eo.mhz = r.hz / 1e6;
  auto model = power::make_energy_model(*dev, eo);
  REQUIRE(model);
  return power::price_run(r.power, *model);
}
} // namespace

TEST_CASE("Stop 2 wake-ups by the RTC come every (WUTR + 1) x 16 / LSE seconds, exactly") {
  if (!test::have_firmware("lowpower-stm32l4r5")) return;
  const unsigned n = 5, wutr = 5199;
  LowPowerRun lr = run_lowpower("stop2 5 5199");
  CHECK(lr.out.find("stop2: 5 wake-ups in 5 low-power entries") != std::string::npos);
  // The firmware never leaves the reset clock (MSI 4 MHz) once it writes the RCC.
  REQUIRE(lr.r.clock_changes.size() == 2);
  const double hz = lr.r.clock_changes.back().hz;
  CHECK(hz == 4e6);
  const double period_s = (wutr + 1) * 16.0 / kLseHz; // WUCKSEL = 000: RTCCLK / 16
  auto starts = wakeup_starts(lr.r.power);
  REQUIRE(starts.size() == n);
  for (size_t i = 1; i < starts.size(); ++i) {
    CAPTURE(i);
    CHECK(double(starts[i] - starts[i - 1]) / hz == doctest::Approx(period_s).epsilon(1e-12));
    CHECK(starts[i] - starts[i - 1] == uint64_t(std::llround(period_s * hz))); // 10,156,250 cycles: an integer here
  }
  const PowerCounters &p = lr.r.power;
  REQUIRE(p.deep_states.size() == 1);
  CHECK(p.deep_states[0].name == "stop2");
  CHECK(p.deep_states[0].entries == n);
  CHECK(p.deep_sleep_entries == n);
  CHECK(p.deep_states[0].cycles == p.deep_sleep_cycles);
  CHECK(p.deep_states[0].wakeup_cycles == p.deep_wakeup_cycles);
}

TEST_CASE("deep-sleep energy is the entered state's current x V x time, and LPMS decides the state") {
  if (!test::have_firmware("lowpower-stm32l4r5")) return;
  auto dev = find_device("stm32l4r5");
  REQUIRE(dev);
  REQUIRE(dev->power);
  const double volts = dev->power->voltage_v;
  double uj[2] = {};
  const char *states[2] = {"stop2", "stop0"};
  for (int k = 0; k < 2; ++k) {
    CAPTURE(states[k]);
    LowPowerRun lr = run_lowpower(std::string(states[k]) + " 3 5199");
    const PowerCounters &p = lr.r.power;
    REQUIRE(p.deep_states.size() == 1);
    CHECK(p.deep_states[0].name == states[k]);
    const LowPowerState *st = dev->power->state(states[k]);
    REQUIRE(st);
    CHECK(p.deep_states[0].wakeup_us == st->wakeup_us);
    CHECK(p.deep_states[0].wakeup_cycles == 3 * uint64_t(st->wakeup_us * lr.r.hz / 1e6));
    power::RunEnergy e = priced(lr.r);
    const power::StateEnergy *row = state_row(e, std::string("deep sleep (") + states[k] + ")");
    REQUIRE(row);
    const double seconds = double(p.deep_states[0].cycles) / lr.r.hz;
    CHECK(row->seconds == doctest::Approx(seconds));
    CHECK(row->current_ua == doctest::Approx(st->fixed_ua));
    CHECK(row->uj == doctest::Approx(st->fixed_ua * volts * seconds)); // µA x V x s = µJ
    REQUIRE(row->entries);
    CHECK(*row->entries == 3);
    uj[k] = row->uj;
    // The totals keep their invariants: the states sum to the run, and to the timeline's integral.
    double sum = e.class_uj, integral = 0;
    for (const auto &s : e.states) sum += s.uj;
    for (const auto &pt : e.timeline) integral += pt.mw * 1e3 * (pt.end_s - pt.start_s);
    CHECK(e.energy_uj == doctest::Approx(sum));
    CHECK(e.energy_uj == doctest::Approx(integral));
  }
  // Same time asleep, Stop 0 draws 114 µA against Stop 2's 1.2 µA (the device file's figures).
  CHECK(uj[1] / uj[0] == doctest::Approx(dev->power->state("stop0")->fixed_ua / dev->power->state("stop2")->fixed_ua).epsilon(1e-3));
}

TEST_CASE("RunOptions::deep_sleep_state overrides the state the firmware selects") {
  if (!test::have_firmware("lowpower-stm32l4r5")) return;
  LowPowerRun lr = run_lowpower("stop2 2 5199", "stop1");
  REQUIRE(lr.r.power.deep_states.size() == 1);
  CHECK(lr.r.power.deep_states[0].name == "stop1");
  CHECK(lr.r.power.deep_states[0].entries == 2);
}

TEST_CASE("LPTIM1 from the LSI wakes the core from Stop 2 every (ARR + 1) x 32 / LSI seconds") {
  if (!test::have_firmware("lowpower-stm32l4r5")) return;
  const unsigned arr = 99;
  LowPowerRun lr = run_lowpower("lptim 4 99");
  CHECK(lr.out.find("lptim: 4 wake-ups in 4 low-power entries") != std::string::npos);
  const double hz = lr.r.clock_changes.back().hz;
  const double period_s = (arr + 1) * 32.0 / kLsiHz; // PRESC = 101: /32
  auto starts = wakeup_starts(lr.r.power);
  REQUIRE(starts.size() == 4);
  for (size_t i = 1; i < starts.size(); ++i) CHECK(double(starts[i] - starts[i - 1]) / hz == doctest::Approx(period_s).epsilon(1e-12));
  REQUIRE(lr.r.power.deep_states.size() == 1);
  CHECK(lr.r.power.deep_states[0].name == "stop2");
}

TEST_CASE("Standby ends in a reset: the firmware starts again and sees PWR_SR1.SBF") {
  if (!test::have_firmware("lowpower-stm32l4r5")) return;
  LowPowerRun lr = run_lowpower("standby 3 5199");
  CHECK(lr.out.find("cold start, entering standby") != std::string::npos);
  CHECK(lr.out.find("woke from standby (SBF set), wake-up 1\n") != std::string::npos);
  CHECK(lr.out.find("woke from standby (SBF set), wake-up 3\n") != std::string::npos);
  CHECK(lr.out.find("standby wake-ups 3") != std::string::npos);
  CHECK(lr.out.find("did not reset") == std::string::npos);
  const PowerCounters &p = lr.r.power;
  REQUIRE(p.deep_states.size() == 1);
  CHECK(p.deep_states[0].name == "standby");
  CHECK(p.deep_states[0].entries == 3);
  // The RTC (backup domain) kept its period across the resets.
  auto starts = wakeup_starts(p);
  REQUIRE(starts.size() == 3);
  const double hz = lr.r.clock_changes.back().hz;
  for (size_t i = 1; i < starts.size(); ++i) CHECK(double(starts[i] - starts[i - 1]) / hz == doctest::Approx(5200 * 16.0 / kLseHz));
}

// --- the models on their own bus --------------------------------------------------------------

namespace {
struct Bench : test::PeripheralBench {
  Bench() : PeripheralBench(4e6) { build("stm32l4r5"); }
};
constexpr uint32_t kPwr = 0x40007000, kRcc = 0x40021000, kRtc = 0x40002800;
} // namespace

TEST_CASE("PWR_CR1.LPMS names the low-power state once the firmware writes CR1, and SCR.CSBF clears SBF") {
  Bench b;
  CHECK_FALSE(b.bus->low_power_state()); // never written: the device's deep_sleep
  const char *names[8] = {"stop0", "stop1", "stop2", "standby", "shutdown", "shutdown", "shutdown", "shutdown"};
  for (uint32_t lpms = 0; lpms < 8; ++lpms) {
    b.wr(kPwr + 0x00, 0x200 | lpms);
    REQUIRE(b.bus->low_power_state());
    CHECK(*b.bus->low_power_state() == names[lpms]);
  }
  b.wr(kPwr + 0x00, 0x203);
  b.bus->standby_reset();
  CHECK((b.rd(kPwr + 0x10) & (1u << 8)) != 0); // SBF
  CHECK_FALSE(b.bus->low_power_state());       // CR1 back to its reset value, not yet written
  b.wr(kPwr + 0x18, 1u << 8);
  CHECK((b.rd(kPwr + 0x10) & (1u << 8)) == 0);
  b.wr(kPwr + 0x00, 0x204); // shutdown: its exit does not set SBF
  b.bus->standby_reset();
  CHECK((b.rd(kPwr + 0x10) & (1u << 8)) == 0);
}

TEST_CASE("the RTC ignores writes until WPR gets 0xCA then 0x53, and INITF follows INIT two RTCCLK periods later") {
  Bench b;
  // LSE on, RTC from LSE.
  b.wr(kRcc + 0x90, 1);
  b.advance(b.now + uint64_t(peripherals::Stm32RccL4::kLseStartUs * 4) + 1);
  CHECK((b.rd(kRcc + 0x90) & 2u) != 0); // LSERDY
  b.wr(kRcc + 0x90, 1 | (1u << 8) | (1u << 15));
  CHECK(b.bus->clock_hz("RTC").value_or(0) == kLseHz);
  b.wr(kRtc + 0x14, 0x1234); // WUTR while locked: ignored
  CHECK(b.rd(kRtc + 0x14) == 0xFFFF);
  b.wr(kRtc + 0x24, 0xCA);
  b.wr(kRtc + 0x24, 0x11); // wrong key: locked again
  b.wr(kRtc + 0x24, 0x53);
  b.wr(kRtc + 0x14, 0x1234);
  CHECK(b.rd(kRtc + 0x14) == 0xFFFF);
  b.wr(kRtc + 0x24, 0xCA);
  b.wr(kRtc + 0x24, 0x53);
  b.wr(kRtc + 0x14, 0x1234); // WUTWF is set after reset: writable
  CHECK(b.rd(kRtc + 0x14) == 0x1234);
  b.wr(kRtc + 0x0C, 0xFFFFFFFF); // INIT
  CHECK((b.rd(kRtc + 0x0C) & (1u << 6)) == 0);
  const uint64_t two_ticks = uint64_t(std::llround(2.0 / kLseHz * 4e6));
  b.advance(b.now + two_ticks);
  CHECK((b.rd(kRtc + 0x0C) & (1u << 6)) != 0); // INITF
  // WUTE = 1 clears WUTWF; WUTR is then read-only; WUTF comes (WUTR + 1) x 16 / LSE later with the IRQ.
  b.wr(kRtc + 0x0C, 0xFFFFFF7F); // leave init mode
  b.wr(kRtc + 0x14, 99);
  b.wr(kRtc + 0x08, (1u << 10) | (1u << 14));
  CHECK((b.rd(kRtc + 0x0C) & (1u << 2)) == 0);
  b.wr(kRtc + 0x14, 7);
  CHECK(b.rd(kRtc + 0x14) == 99);
  const uint64_t start = b.now;
  const auto period = uint64_t(100 * 16.0 / kLseHz * 4e6); // 195,312.5 cycles: 195,312 then 195,313
  b.advance(start + period - 1);
  CHECK((b.rd(kRtc + 0x0C) & (1u << 10)) == 0);
  b.advance(start + period);
  CHECK((b.rd(kRtc + 0x0C) & (1u << 10)) != 0);
  REQUIRE(b.irqs.size() == 1);
  CHECK(b.irqs[0] == 3);
  b.advance(start + 2 * period + 1);
  CHECK(b.irqs.size() == 2);
  // The flag is cleared by writing 0 (rc_w0), also while locked.
  b.wr(kRtc + 0x24, 0xFF);
  b.wr(kRtc + 0x0C, ~(1u << 10));
  CHECK((b.rd(kRtc + 0x0C) & (1u << 10)) == 0);
}
