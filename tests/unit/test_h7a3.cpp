// The STM32H7A3's peripherals (docs/peripherals.md, "STM32H7A3"): the RCC's
// APB, timer and kernel clocks, EXTI in the H7 layout fed by GPIO through
// SYSCFG, PWR_CPUCR's Stop/Standby choice, and the `h7a3` firmware: a USART3
// transmit timed against the BRR arithmetic, TIM6/TIM2 interrupts at their
// programmed period, LPTIM1 waking the core from Stop (priced at the device's
// stop current), an EXTI software interrupt and a GPIO edge reaching EXTI0.
// Expected values are derived here from RM0455's rules and the register
// values the firmware writes, never from mcusim's output.
#include "base/device.h"
#include "core/power_timeline.h"
#include "core/simulator.h"
#include "peripherals/bus.h"
#include "peripherals/models.h"
#include "peripherals/stm32_rcc_h7.h"
#include "power/energy.h"

#include <doctest/doctest.h>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "firmware_run.h"
#include "helpers.h"
#include "peripheral_bench.h"

using namespace mcusim;

namespace {
constexpr uint32_t kRcc = 0x58024400, kPwr = 0x58024800, kExti = 0x58000000, kSyscfg = 0x58000400, kGpioB = 0x58020400;
constexpr double kHsiHz = 64e6;

struct Bench : test::PeripheralBench {
  Bench() : PeripheralBench(64e6) { build("stm32h7a3"); }
  double clock(const char *name) {
    auto hz = bus->clock_hz(name);
    REQUIRE(hz);
    return *hz;
  }
};

/// The number after `key` in `text` ("cycles" in "... 1555200 cycles").
unsigned long number_before(const std::string &text, const std::string &key) {
  size_t at = text.find(key);
  REQUIRE(at != std::string::npos);
  size_t start = text.rfind(' ', at - 2);
  return std::strtoul(text.c_str() + start + 1, nullptr, 10);
}

test::FirmwareRun run_h7a3(const std::string &args) {
  test::FirmwareRun fr = test::run_firmware("h7a3-stm32h7a3", "stm32h7a3", "h7a3 " + args);
  CHECK(fr.r.reason == StopReason::Exited);
  CHECK(fr.r.exit_code == 0);
  CHECK(fr.out.find("SystemCoreClock 280000000 Hz") != std::string::npos);
  for (const auto &line : fr.unmodelled) {
    // Every block the firmware drives is modelled (RCC enables and kernel-clock selections included).
    CAPTURE(line);
    CHECK(line.find("USART3") == std::string::npos);
    CHECK(line.find("TIM") == std::string::npos);
    CHECK(line.find("EXTI") == std::string::npos);
    CHECK(line.find("CPUCR") == std::string::npos);
  }
  return fr;
}
} // namespace

TEST_CASE("H7A3 RCC: APB clocks from CDCFGR2, the timer clock by TIMPRE, kernel clocks from CDCCIP2R") {
  Bench b;
  // Reset: HSI 64 MHz, every prescaler /1.
  CHECK(b.clock("PCLK1") == kHsiHz);
  CHECK(b.clock("USART1") == kHsiHz); // USART16910SEL = 000: rcc_pclk2
  CHECK(b.clock("USART3") == kHsiHz); // USART234578SEL = 000: rcc_pclk1
  // RM0455 timer clock rule, for each CDPPRE1 (/1, /2, /4, /8, /16) and TIMPRE.
  const unsigned div[5] = {1, 2, 4, 8, 16};
  for (unsigned timpre = 0; timpre < 2; ++timpre)
    for (unsigned k = 0; k < 5; ++k) {
      CAPTURE(timpre);
      CAPTURE(div[k]);
      b.wr(kRcc + 0x10, timpre << 15);                  // CFGR.TIMPRE (SW = HSI)
      b.wr(kRcc + 0x1C, (k == 0 ? 0u : 3u + k) << 4);   // CDCFGR2.CDPPRE1
      const double pclk1 = kHsiHz / div[k];
      CHECK(b.clock("PCLK1") == pclk1);
      const unsigned hclk_up_to = timpre ? 4 : 2; // the prescalers up to which the timers run at HCLK
      const double expected = div[k] <= hclk_up_to ? kHsiHz : (timpre ? 4 : 2) * pclk1;
      CHECK(b.clock("TIMPCLK1") == expected);
    }
  // APB2 /2 gives USART1 PCLK2 = 32 MHz; USART3 from HSI (011) or CSI (100, 0 until CSIRDY).
  b.wr(kRcc + 0x1C, 4u << 8);
  CHECK(b.clock("USART1") == kHsiHz / 2);
  b.wr(kRcc + 0x54, 3u);
  CHECK(b.clock("USART3") == kHsiHz);
  b.wr(kRcc + 0x54, 4u);
  CHECK(b.clock("USART3") == 0);
  // LPTIM1 from the LSI (LPTIM1SEL = 100): 0 until LSIRDY, then 32 kHz.
  b.wr(kRcc + 0x54, 4u << 28);
  CHECK(b.clock("LPTIM1") == 0);
  b.wr(kRcc + 0x74, 1u); // CSR.LSION
  CHECK((b.rd(kRcc + 0x74) & 2u) == 0);
  b.settle();
  CHECK((b.rd(kRcc + 0x74) & 2u) != 0); // LSIRDY
  CHECK(b.clock("LPTIM1") == peripherals::Stm32RccH7::kLsiHz);
  // From the LSE (LPTIM1SEL = 011): 0 until BDCR.LSERDY, then 32.768 kHz; the same LSE for USART3 (101).
  b.wr(kRcc + 0x54, 3u << 28);
  CHECK(b.clock("LPTIM1") == 0);
  b.wr(kRcc + 0x70, 1u); // BDCR.LSEON
  b.settle();
  CHECK((b.rd(kRcc + 0x70) & 2u) != 0); // LSERDY
  CHECK(b.clock("LPTIM1") == 32768);
  b.wr(kRcc + 0x54, 5u);
  CHECK(b.clock("USART3") == 32768);
  // The backup domain and the running LSI survive the Standby wake-up; the kernel-clock selection does not.
  b.bus->standby_reset();
  CHECK((b.rd(kRcc + 0x70) & 3u) == 3u);
  CHECK((b.rd(kRcc + 0x74) & 3u) == 3u);
  CHECK(b.rd(kRcc + 0x54) == 0);
}

TEST_CASE("H7A3 PWR_CPUCR: PDDS_SRD selects Stop or Standby, Standby's wake-up sets SBF, CSSF clears it") {
  Bench b;
  CHECK_FALSE(b.bus->low_power_state()); // never written: the device's deep_sleep
  b.wr(kPwr + 0x10, 0);
  REQUIRE(b.bus->low_power_state());
  CHECK(*b.bus->low_power_state() == "stop");
  b.wr(kPwr + 0x10, 1u); // RETDS_CD: the CD domain in DStop2, the system still in Stop
  CHECK(*b.bus->low_power_state() == "stop");
  b.wr(kPwr + 0x10, 1u << 2); // PDDS_SRD
  CHECK(*b.bus->low_power_state() == "standby");
  b.wr(kPwr + 0x10, (1u << 2) | (1u << 6)); // SBF ignores writes
  CHECK((b.rd(kPwr + 0x10) & (1u << 6)) == 0);
  b.bus->standby_reset();
  CHECK((b.rd(kPwr + 0x10) & (1u << 6)) != 0); // SBF
  CHECK_FALSE(b.bus->low_power_state());
  b.wr(kPwr + 0x10, 1u << 9); // CSSF
  CHECK((b.rd(kPwr + 0x10) & ((1u << 6) | (1u << 9))) == 0);
}

TEST_CASE("H7A3 EXTI: SWIER and routed GPIO edges set CPUPR for unmasked lines and raise EXTI0/EXTI9_5/EXTI15_10") {
  Bench b;
  CHECK(b.rd(kExti + 0x80) == 0xFFC00000u); // CPUIMR1 reset
  // Masked: SWIER sets no pending bit.
  b.wr(kExti + 0x08, 1u);
  CHECK(b.rd(kExti + 0x88) == 0);
  CHECK(b.irqs.empty());
  CHECK(b.rd(kExti + 0x08) == 1u); // the SWIER bit stays set until CPUPR is written (as the L4+'s PR)
  b.wr(kExti + 0x88, 1u);
  CHECK(b.rd(kExti + 0x08) == 0);
  // Unmasked line 0: SWIER pends it and raises IRQ 6; CPUPR write-1-to-clear clears SWIER too.
  b.wr(kExti + 0x80, b.rd(kExti + 0x80) | 1u);
  b.wr(kExti + 0x08, 1u);
  CHECK(b.rd(kExti + 0x88) == 1u);
  REQUIRE_FALSE(b.irqs.empty());
  CHECK(b.irqs.back() == 6u);
  b.wr(kExti + 0x88, 1u);
  CHECK(b.rd(kExti + 0x88) == 0);
  CHECK(b.rd(kExti + 0x08) == 0);
  // PB7 and PB12 as outputs, routed by SYSCFG_EXTICR2/EXTICR4 (port code 1 = B), rising edges selected.
  b.irqs.clear();
  b.wr(kGpioB + 0x00, (b.rd(kGpioB) & ~((3u << 14) | (3u << 24))) | (1u << 14) | (1u << 24));
  b.wr(kSyscfg + 0x0C, 1u << 12); // EXTI7 <- PB7
  b.wr(kSyscfg + 0x14, 1u << 0);  // EXTI12 <- PB12
  b.wr(kExti + 0x00, (1u << 7) | (1u << 12));
  b.wr(kExti + 0x80, b.rd(kExti + 0x80) | (1u << 7) | (1u << 12));
  b.wr(kGpioB + 0x18, 1u << 7);
  CHECK(b.rd(kExti + 0x88) == (1u << 7));
  REQUIRE(b.irqs.size() == 1);
  CHECK(b.irqs[0] == 23u); // EXTI9_5
  b.wr(kGpioB + 0x18, 1u << 12);
  CHECK(b.rd(kExti + 0x88) == ((1u << 7) | (1u << 12)));
  REQUIRE(b.irqs.size() >= 2);
  CHECK(b.irqs.back() == 40u); // EXTI15_10
  // A falling edge is not selected; a pin of another port is not routed.
  b.wr(kExti + 0x88, (1u << 7) | (1u << 12));
  b.wr(kGpioB + 0x18, 1u << (16 + 7));
  CHECK(b.rd(kExti + 0x88) == 0);
  // The GPIO ports have no BRR on the H7: offset 0x28 is not modelled.
  CHECK_FALSE(b.bus->block_at(kGpioB)->models(0x28));
}

TEST_CASE("h7a3 firmware: a USART3 transmit takes 64 characters of 10 x BRR kernel clocks, within one character") {
  if (!test::have_firmware("h7a3-stm32h7a3")) return;
  auto fr = run_h7a3("tx");
  // After the bring-up: CPU 280 MHz, PCLK1 = 280 / 2 = 140 MHz (RM0455 CDPPRE1 /2).
  REQUIRE(!fr.r.clock_changes.empty());
  const double cpu = fr.r.clock_changes.back().hz;
  CHECK(cpu == 280e6);
  const double pclk1 = 140e6;
  const unsigned long brr = std::lround(pclk1 / 115200); // HAL's UART_DIV_SAMPLING16: 1215
  CHECK(number_before(fr.out, ", PCLK1") == brr);
  // RM0455 USART baud rate: oversampling by 16, baud = f_ck / BRR; 8N1 = 10 bits a character.
  const double char_cycles = 10.0 * brr * cpu / pclk1;
  const double expected = 64 * char_cycles;
  const double measured = double(number_before(fr.out, "cycles\n"));
  CAPTURE(measured);
  CHECK(std::fabs(measured - expected) <= char_cycles);
}

TEST_CASE("h7a3 firmware: TIM6 and TIM2 interrupts come at (PSC + 1)(ARR + 1) / TIMCLK in simulated time") {
  if (!test::have_firmware("h7a3-stm32h7a3")) return;
  // The timer clock: CDPPRE1 = /2 with TIMPRE = 0 gives 2 x PCLK1 = HCLK = 280 MHz (RM0455 RCC timer clock rule).
  const double timclk = 280e6;
  struct Case {
    const char *args;
    unsigned n, psc, arr;
  } cases[] = {{"tim 10", 10, 279, 999}, {"tim2 20", 20, 0, 27999}};
  for (const auto &c : cases) {
    CAPTURE(c.args);
    auto fr = run_h7a3(c.args);
    const double cpu = fr.r.clock_changes.back().hz;
    const double period_s = double(c.psc + 1) * (c.arr + 1) / timclk; // 1 ms, 100 µs
    const double cycles = double(number_before(fr.out, "cycles,"));
    CHECK(cycles / cpu == doctest::Approx(c.n * period_s).epsilon(1e-9));
  }
}

TEST_CASE("h7a3 firmware: LPTIM1 wakes the core from Stop every (ARR + 1) x 32 / LSI, and the sleep is priced at the stop current") {
  if (!test::have_firmware("h7a3-stm32h7a3")) return;
  auto fr = run_h7a3("stop 3");
  CHECK(fr.out.find("stop: 3 wake-ups by LPTIM1 in 3 Stop entries") != std::string::npos);
  const double hz = fr.r.clock_changes.back().hz;
  const double period_s = 100 * 32.0 / peripherals::Stm32RccH7::kLsiHz; // ARR 99, PRESC /32
  std::vector<uint64_t> starts;
  for (const auto &s : fr.r.power.timeline)
    if (s.state == CoreState::Wakeup) starts.push_back(s.start);
  REQUIRE(starts.size() == 3);
  for (size_t i = 1; i < starts.size(); ++i) CHECK(double(starts[i] - starts[i - 1]) / hz == doctest::Approx(period_s).epsilon(1e-9));
  const PowerCounters &p = fr.r.power;
  REQUIRE(p.deep_states.size() == 1);
  CHECK(p.deep_states[0].name == "stop");
  CHECK(p.deep_states[0].entries == 3);
  // Energy: the device file's stop current x V x the time in Stop.
  auto dev = find_device("stm32h7a3");
  REQUIRE(dev);
  REQUIRE(dev->power);
  const LowPowerState *st = dev->power->state("stop");
  REQUIRE(st);
  power::EnergyOptions eo;
  eo.mhz = fr.r.hz / 1e6;
  auto model = power::make_energy_model(*dev, eo);
  REQUIRE(model);
  power::RunEnergy e = power::price_run(fr.r.power, *model);
  const power::StateEnergy *row = nullptr;
  for (const auto &s : e.states)
    if (s.state == "deep sleep (stop)") row = &s;
  REQUIRE(row);
  const double seconds = double(p.deep_states[0].cycles) / fr.r.hz;
  CHECK(seconds > 2 * period_s); // most of three periods asleep
  CHECK(row->current_ua == doctest::Approx(st->fixed_ua));
  CHECK(row->uj == doctest::Approx(st->fixed_ua * dev->power->voltage_v * seconds));
}

TEST_CASE("h7a3 firmware: an EXTI software interrupt and a routed PB0 rising edge reach the EXTI0 handler") {
  if (!test::have_firmware("h7a3-stm32h7a3")) return;
  auto fr = run_h7a3("exti");
  CHECK(fr.out.find("exti: software interrupt 1, PB0 rising edge 1, falling edge 0") != std::string::npos);
}

TEST_CASE("H7A3 LPTIM1 on the LSI: ARROK rises two kernel-clock periods after the ARR write, whatever PRESC") {
  Bench b; // the core at 64 MHz
  constexpr uint32_t kLptim = 0x40002400;
  b.wr(kRcc + 0x74, 1u); // LSION
  b.settle();
  b.wr(kRcc + 0x54, 4u << 28); // LPTIM1SEL = LSI
  b.wr(kLptim + 0x0C, 5u << 9); // CFGR.PRESC = /32 (written while disabled)
  b.wr(kLptim + 0x10, 1u);      // ENABLE
  const uint64_t t0 = 1000;
  b.step_to(t0);
  b.wr(kLptim + 0x18, 99); // ARR
  // RM0455 LPTIM: ARROK after the write has reached the kernel clock domain, two LSI periods.
  const uint64_t two_periods = uint64_t(std::llround(2 / peripherals::Stm32RccH7::kLsiHz * 64e6)); // 4000 cycles
  b.step_to(t0 + two_periods - 1);
  CHECK((b.rd(kLptim) & (1u << 4)) == 0);
  b.step_to(t0 + two_periods);
  CHECK((b.rd(kLptim) & (1u << 4)) != 0);
}

TEST_CASE("H7A3 TIM6: a new APB1 prescaler changes the timer clock ratio from the write on") {
  Bench b; // the core at HSI 64 MHz: CPU = HCLK = PCLK1 = timer clock
  constexpr uint32_t kTim6 = 0x40001000;
  b.wr(kTim6 + 0x28, 0);   // PSC
  b.wr(kTim6 + 0x2C, 999); // ARR: an update every 1000 timer clocks
  b.wr(kTim6 + 0x0C, 1u);  // DIER.UIE
  b.wr(kTim6 + 0x00, 1u);  // CEN at cycle 0
  b.step_to(1000);
  REQUIRE(b.irq_log.size() == 1);
  CHECK(b.irq_log[0] == std::make_pair(54u, uint64_t(1000)));
  b.step_to(1500);
  b.wr(kTim6 + 0x10, 0);      // clear UIF
  b.wr(kRcc + 0x1C, 6u << 4); // CDPPRE1 = /8: timer clock 2 x PCLK1 = 16 MHz, 4 core cycles a tick
  // 500 ticks done at 1 cycle each, 500 left at 4: the next update at 1500 + 2000, then every 4000.
  b.step_to(7500);
  REQUIRE(b.irq_log.size() == 3);
  CHECK(b.irq_log[1].second == 3500);
  CHECK(b.irq_log[2].second == 7500);
}
