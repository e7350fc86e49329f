/// STM32 basic and general-purpose timers (peripherals/stm32_tim.h) on the
/// STM32L4R5's bus with its RCC. Expected cycles come from RM0432's
/// arithmetic, written out here: the counter steps every PSC + 1 timer
/// clocks, an update every ARR + 1 steps; the timer clock TIMCLK is PCLK1
/// when the APB1 prescaler is 1, else 2 x PCLK1; the core runs at HCLK, so a
/// timer clock lasts HCLK / TIMCLK core cycles.
#include "base/device.h"
#include "core/scheduler.h"
#include "core/simulator.h"
#include "image/elf_image.h"
#include "peripherals/bus.h"
#include "peripherals/models.h"
#include "peripherals/stm32_tim.h"

#include <doctest/doctest.h>
#include <cstdio>
#include <string>
#include <vector>

#include "firmware_run.h"
#include "helpers.h"
#include "peripheral_bench.h"

using namespace mcusim;
using namespace mcusim::peripherals;

namespace {

constexpr uint32_t RCC_CFGR = 0x40021008;
constexpr uint32_t TIM2 = 0x40000000, TIM3 = 0x40000400, TIM6 = 0x40001000;
constexpr uint32_t CR1 = 0x00, DIER = 0x0C, SR = 0x10, EGR = 0x14, CCMR1 = 0x18, CNT = 0x24, PSC = 0x28, ARR = 0x2C,
                   CCR1 = 0x34;
constexpr uint32_t CEN = 1, UDIS = 2, URS = 4, OPM = 8, DIR = 16, ARPE = 128;
constexpr unsigned kTim2Irq = 28, kTim6Irq = 54;
constexpr double kMsiHz = 4e6; // the reset clock (RM0432 §6.4.1: MSIRANGE 6)

/// The STM32L4R5's bus at its reset clock; step_to() runs events one at a time, so an IRQ is seen at its event's cycle.
struct Board : test::PeripheralBench {
  Board() : PeripheralBench(kMsiHz) { build("stm32l4r5"); }
  /// HAL_TIM_Base_Init + HAL_TIM_Base_Start_IT.
  void start_it(uint32_t tim, uint32_t psc, uint32_t arr, uint32_t cr1 = 0) {
    wr(tim + CR1, cr1);
    wr(tim + ARR, arr);
    wr(tim + PSC, psc);
    wr(tim + EGR, 1);
    if (rd(tim + SR) & 1) wr(tim + SR, ~1u);
    wr(tim + DIER, 1);
    wr(tim + CR1, cr1 | CEN);
  }
};

/// RM0432 arithmetic: core cycles per update with the APB1 prescaler `apb1_div` at HCLK `hclk`.
uint64_t rm_period_cycles(uint32_t psc, uint32_t arr, double hclk, unsigned apb1_div) {
  const double pclk1 = hclk / apb1_div;
  const double timclk = apb1_div == 1 ? pclk1 : 2 * pclk1;
  return uint64_t(psc + 1) * (arr + 1) * uint64_t(hclk / timclk);
}

} // namespace

TEST_CASE("timers: the update period in core cycles is (PSC+1)(ARR+1) HCLK/TIMCLK, for each APB1 prescaler") {
  // PPRE1 codes (RM0432 §6.4.3): 0xx /1, 100 /2, 101 /4, 110 /8, 111 /16.
  const std::pair<uint32_t, unsigned> ppre[] = {{0, 1}, {4, 2}, {5, 4}, {6, 8}, {7, 16}};
  for (const auto &entry : ppre) {
    const uint32_t code = entry.first;
    const unsigned div = entry.second; // a plain variable: clang 14 cannot CAPTURE a structured binding
    Board b;
    b.wr(RCC_CFGR, code << 8);
    b.start_it(TIM2, 9, 499);
    const uint64_t start = b.now;
    b.step_to(start + 10 * rm_period_cycles(9, 499, kMsiHz, div));
    auto at = b.irq_cycles(kTim2Irq);
    CAPTURE(div);
    REQUIRE(at.size() == 10);
    const uint64_t p = rm_period_cycles(9, 499, kMsiHz, div);
    for (size_t i = 0; i < at.size(); ++i) CHECK(at[i] == start + (i + 1) * p);
  }
}

TEST_CASE("timers: a new APB1 prescaler while counting keeps the count reached and goes on at the new timer clock") {
  Board b;
  b.start_it(TIM2, 0, 999); // one count per cycle at APB1 /1
  const uint64_t t0 = b.now;
  b.step_to(t0 + 400);
  b.wr(RCC_CFGR, 5u << 8); // PPRE1 /4: TIMCLK = 2 x HCLK / 4, two core cycles per count
  CHECK(b.rd(TIM2 + CNT) == 400);
  b.step_to(t0 + 400 + 2 * 600 + 2 * 1000);
  const uint64_t p4 = rm_period_cycles(0, 999, kMsiHz, 4);
  CHECK(p4 == 2000);
  CHECK(b.irq_cycles(kTim2Irq) == std::vector<uint64_t>{t0 + 400 + 600 * p4 / 1000, t0 + 400 + 600 * p4 / 1000 + p4});
}

TEST_CASE("timers: update interrupts over an interval, UIF rc_w0, UIE enabling a pending flag, UG and URS, UDIS") {
  Board b;
  b.start_it(TIM6, 3, 999); // 4000 cycles at 4 MHz
  CHECK(b.rd(TIM6 + SR) == 0); // HAL cleared the UIF that UG set
  b.step_to(1'000'000 - 1);
  CHECK(b.irq_cycles(kTim6Irq).size() == 1'000'000 / 4000 - 1); // the 250th is at cycle 1,000,000
  b.step_to(1'000'000);
  CHECK(b.irq_cycles(kTim6Irq).size() == 250);
  CHECK((b.rd(TIM6 + SR) & 1) == 1);
  b.wr(TIM6 + SR, 1); // writing 1 leaves the flag
  CHECK((b.rd(TIM6 + SR) & 1) == 1);
  b.wr(TIM6 + SR, ~1u); // writing 0 clears it
  CHECK((b.rd(TIM6 + SR) & 1) == 0);

  // UIE enabled while UIF is set pends the IRQ at once.
  b.wr(TIM6 + DIER, 0);
  b.wr(TIM6 + EGR, 1); // UG with URS = 0: UIF
  CHECK((b.rd(TIM6 + SR) & 1) == 1);
  b.irq_log.clear();
  b.wr(TIM6 + DIER, 1);
  CHECK(b.irq_cycles(kTim6Irq).size() == 1);
  b.wr(TIM6 + SR, 0);
  b.wr(TIM6 + CR1, CEN | URS); // URS: UG no longer sets UIF
  b.wr(TIM6 + EGR, 1);
  CHECK(b.rd(TIM6 + SR) == 0);
  b.wr(TIM6 + CR1, CEN | UDIS); // UDIS: the counter wraps, no update event, no UIF
  b.irq_log.clear();
  b.step_to(b.now + 40000);
  CHECK(b.irq_cycles(kTim6Irq).empty());
  CHECK(b.rd(TIM6 + SR) == 0);
  CHECK(b.rd(TIM6 + EGR) == 0); // write-only
  // UIFREMAP: CNT bit 31 is a copy of UIF.
  b.wr(TIM6 + CR1, 1u << 11);
  b.wr(TIM6 + EGR, 1);
  CHECK(b.rd(TIM6 + CNT) == 0x80000000u);
  b.wr(TIM6 + SR, 0);
  CHECK(b.rd(TIM6 + CNT) == 0);
}

TEST_CASE("timers: CNT read increases by one every PSC+1 timer clocks and wraps after ARR, and a CNT write restarts the count") {
  Board b;
  b.start_it(TIM3, 6, 99); // steps of 7 cycles, 100 counts
  const uint64_t t0 = b.now;
  uint32_t prev = 0, wraps = 0;
  for (uint64_t t = t0; t < t0 + 3 * 700 + 5; t += 3) {
    b.step_to(t);
    const uint32_t v = b.rd(TIM3 + CNT);
    CHECK(v == ((t - t0) / 7) % 100);
    CHECK(v <= 99);
    if (v < prev) ++wraps;
    prev = v;
  }
  CHECK(wraps == 3);
  b.wr(TIM3 + CNT, 90);
  const uint64_t t1 = b.now;
  b.step_to(t1 + 7 * 5 + 1);
  CHECK(b.rd(TIM3 + CNT) == 95);
  b.irq_log.clear();
  b.step_to(t1 + 7 * 10); // 90..99 then the update
  CHECK(b.irq_cycles(29) == std::vector<uint64_t>{t1 + 70});
  CHECK(b.rd(TIM3 + CNT) == 0);

  // TIM2 is 32-bit: ARR and CNT hold 32 bits; TIM3's hold 16.
  b.wr(TIM2 + ARR, 0x12345678);
  CHECK(b.rd(TIM2 + ARR) == 0x12345678);
  b.wr(TIM3 + ARR, 0x12345678);
  CHECK(b.rd(TIM3 + ARR) == 0x5678);
}

TEST_CASE("timers: PSC is preloaded (next update), ARR too with ARPE, at once without it") {
  Board b;
  b.start_it(TIM2, 3, 999); // 4000 cycles
  const uint64_t t0 = b.now;
  b.step_to(t0 + 6000);
  b.wr(TIM2 + PSC, 7); // the period in progress keeps PSC 3
  b.step_to(t0 + 8000 + 8000 * 2);
  auto at = b.irq_cycles(kTim2Irq);
  REQUIRE(at.size() == 4);
  CHECK(at[0] == t0 + 4000);
  CHECK(at[1] == t0 + 8000);
  CHECK(at[2] == t0 + 16000);
  CHECK(at[3] == t0 + 24000);

  // ARPE: ARR applies at the next update; without it, at once.
  Board c;
  c.start_it(TIM2, 0, 999, ARPE);
  const uint64_t s = c.now;
  c.step_to(s + 100);
  c.wr(TIM2 + ARR, 199);
  c.step_to(s + 1000 + 200);
  auto u = c.irq_cycles(kTim2Irq);
  REQUIRE(u.size() == 2);
  CHECK(u[0] == s + 1000);
  CHECK(u[1] == s + 1200);
  Board d;
  d.start_it(TIM2, 0, 999);
  const uint64_t r = d.now;
  d.step_to(r + 100);
  d.wr(TIM2 + ARR, 199);
  d.step_to(r + 200);
  CHECK(d.irq_cycles(kTim2Irq) == std::vector<uint64_t>{r + 200});
}

TEST_CASE("timers: one-pulse mode clears CEN at the update event, and down-counting underflows to ARR") {
  Board b;
  b.wr(TIM3 + CR1, OPM);
  b.wr(TIM3 + ARR, 499);
  b.wr(TIM3 + EGR, 1);
  b.wr(TIM3 + SR, 0);
  b.wr(TIM3 + CR1, OPM | CEN);
  const uint64_t t0 = b.now;
  b.step_to(t0 + 499);
  CHECK((b.rd(TIM3 + CR1) & CEN) == CEN);
  CHECK(b.rd(TIM3 + CNT) == 499);
  b.step_to(t0 + 500);
  CHECK((b.rd(TIM3 + CR1) & CEN) == 0);
  CHECK((b.rd(TIM3 + SR) & 1) == 1);
  b.step_to(t0 + 5000);
  CHECK(b.rd(TIM3 + CNT) == 0);

  Board c;
  c.wr(TIM2 + CR1, DIR);
  c.wr(TIM2 + ARR, 9);
  c.wr(TIM2 + EGR, 1); // down-counting: UG loads ARR into the counter
  CHECK(c.rd(TIM2 + CNT) == 9);
  c.wr(TIM2 + SR, 0);
  c.wr(TIM2 + DIER, 1);
  c.wr(TIM2 + CR1, DIR | CEN);
  const uint64_t s = c.now;
  c.step_to(s + 3);
  CHECK(c.rd(TIM2 + CNT) == 6);
  c.step_to(s + 10);
  CHECK(c.irq_cycles(kTim2Irq) == std::vector<uint64_t>{s + 10});
  CHECK(c.rd(TIM2 + CNT) == 9);
}

TEST_CASE("timers: output compare sets CCxIF when the counter reaches CCRx, with its interrupt when CCxIE") {
  Board b;
  b.wr(TIM2 + CCR1, 300);
  b.wr(TIM2 + CCR1 + 4, 700); // CCR2, interrupt not enabled: flag only
  b.wr(TIM2 + ARR, 999);
  b.wr(TIM2 + EGR, 1);
  b.wr(TIM2 + SR, 0);
  b.wr(TIM2 + DIER, 2); // CC1IE
  b.wr(TIM2 + CR1, CEN);
  const uint64_t t0 = b.now;
  b.step_to(t0 + 299);
  CHECK(b.rd(TIM2 + SR) == 0);
  b.step_to(t0 + 2000);
  CHECK(b.irq_cycles(kTim2Irq) == std::vector<uint64_t>{t0 + 300, t0 + 1300});
  CHECK(b.rd(TIM2 + SR) == 0x1F); // UIF, CC1IF, CC2IF, and CC3IF, CC4IF: CCR3 = CCR4 = 0 match at the wrap
  // Input capture channels (CCxS != 00) do not match.
  b.wr(TIM2 + SR, 0);
  b.wr(TIM2 + CCMR1, 1); // CC1S = 01: input
  b.irq_log.clear();
  b.step_to(t0 + 4000);
  CHECK(b.irq_cycles(kTim2Irq).empty());
  CHECK((b.rd(TIM2 + SR) & 2) == 0);
}

TEST_CASE("timers: reset stops the timers and cancels their events") {
  Board b;
  b.start_it(TIM2, 0, 99);
  CHECK_FALSE(b.sched.empty());
  b.bus->reset();
  CHECK(b.sched.empty());
  CHECK(b.rd(TIM2 + ARR) == 0xFFFFFFFF);
  CHECK(b.rd(TIM3 + ARR) == 0xFFFF);
  CHECK(b.rd(TIM2 + CNT) == 0);
}

namespace {
/// The number after `key` in `out`.
unsigned long number_after(const std::string &out, const std::string &key) {
  size_t at = out.find(key);
  REQUIRE_MESSAGE(at != std::string::npos, key);
  return std::stoul(out.substr(at + key.size()));
}
} // namespace

TEST_CASE("timers firmware: HAL-style base timer, one-pulse, CNT polling and the TIM6 HAL tick, across a clock switch") {
  if (!test::have_firmware("timers-stm32l4r5")) return;
  test::FirmwareRun fr = test::run_firmware("timers-stm32l4r5", "stm32l4r5", "");
  const RunResult &r = fr.r;
  const std::string &out = fr.out;
  const std::vector<std::string> &unmodelled = fr.unmodelled;
  INFO(out);
  REQUIRE(r.reason == StopReason::Exited);
  CHECK(r.exit_code == 0);
  CHECK(unmodelled.empty());

  // At MSI 4 MHz, APB1 /1: 4 x 1000 timer clocks of one core cycle each.
  CHECK(number_after(out, "base: PSC 3 ARR 999 period ") == rm_period_cycles(3, 999, kMsiHz, 1));
  CHECK(number_after(out, "interval 100000 cycles: ") == 100000 / rm_period_cycles(3, 999, kMsiHz, 1));
  CHECK(number_after(out, "apb1 /4: period ") == rm_period_cycles(3, 999, kMsiHz, 4));
  const size_t pre = out.find("psc preload: ");
  unsigned long p1 = 0, p2 = 0, p3 = 0;
  REQUIRE(std::sscanf(out.c_str() + pre, "psc preload: %lu %lu %lu", &p1, &p2, &p3) == 3);
  CHECK(p1 == rm_period_cycles(3, 999, kMsiHz, 1)); // PSC 7 written during this period: not yet in force
  CHECK(p2 == rm_period_cycles(7, 999, kMsiHz, 1)); // from the next update event on
  CHECK(p3 == rm_period_cycles(7, 999, kMsiHz, 1));

  CHECK(number_after(out, "one-pulse: CEN ") == 0);
  const unsigned long pulse = number_after(out, "after ");
  CHECK(pulse >= 500); // ARR + 1 = 500 counts of one cycle, then CEN is seen clear at the next poll
  CHECK(pulse < 500 + 40);
  CHECK(number_after(out, "UIF ") == 1);
  CHECK(number_after(out, ", CNT ") == 0);
  CHECK(number_after(out, "cnt: max ") == 999);
  CHECK(number_after(out, "wraps ") == 2);
  CHECK(number_after(out, "other decreases ") == 0);

  // HAL_Delay(10) waits 11 tick increments, the first at most one tick away: (10 ms, 11 ms].
  const unsigned long d4 = number_after(out, "HAL_Delay(10): ");
  CHECK(d4 > 10e-3 * kMsiHz);
  CHECK(d4 <= 11e-3 * kMsiHz + 100);

  // After the switch to HSI16 the timer clock is 16 MHz: the period in core cycles is the same,
  // a quarter of the time; the period across the switch too (not rescaled like a fixed-time event).
  const size_t sw = out.find("switch to HSI16:");
  REQUIRE(sw != std::string::npos);
  const std::string after = out.substr(sw);
  const double hsi = 16e6;
  const uint64_t p = rm_period_cycles(3, 999, hsi, 1);
  CHECK(number_after(after, "period ") <= p + 10); // the spanning one: wake-up latency differs by a few cycles
  CHECK(number_after(after, "period ") + 10 >= p);
  CHECK(number_after(after, "cycles, period ") == p);
  CHECK(double(p) / hsi == doctest::Approx(4.0 * 1000 / hsi));
  const unsigned long d16 = number_after(after, "HAL_Delay(10): ");
  CHECK(d16 > 10e-3 * hsi);
  CHECK(d16 <= 11e-3 * hsi + 100);
  // The run's clock segments say the same: the last is HSI16.
  REQUIRE_FALSE(r.clock_changes.empty());
  CHECK(r.clock_changes.back().hz == hsi);
}
