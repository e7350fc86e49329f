/// \file
/// The STM32L4R5's advanced-control timers (TIM1/TIM8, TIM15/16/17), the RTC
/// calendar and alarms, SRAM lost in Standby, and the nRF52840's FICR/UICR.
/// Expected values come from the reference manuals' rules, written out here:
/// RM0432 'Repetition counter' (an update event every RCR + 1 overflows, each
/// overflow every (PSC + 1)(ARR + 1) timer clocks; TIMPCLK2 = PCLK2, or
/// 2 x PCLK2 when the APB2 prescaler is not 1), the RTC's ck_spre =
/// RTCCLK / ((PREDIV_A + 1)(PREDIV_S + 1)), and the nRF52840 Product
/// Specification's FICR values.
#include "base/device.h"
#include "core/scheduler.h"
#include "peripherals/bus.h"
#include "peripherals/stm32_tim_advanced.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "firmware_run.h"
#include "helpers.h"
#include "peripheral_bench.h"

using namespace mcusim;
using namespace mcusim::peripherals;

namespace {

constexpr uint32_t RCC_CFGR = 0x40021008;
constexpr uint32_t TIM1 = 0x40012C00, TIM8 = 0x40013400, TIM15 = 0x40014000, TIM16 = 0x40014400;
constexpr uint32_t CR1 = 0x00, DIER = 0x0C, SR = 0x10, EGR = 0x14, CNT = 0x24, PSC = 0x28, ARR = 0x2C, RCR = 0x30,
                   CCR1 = 0x34, BDTR = 0x44;
constexpr uint32_t CEN = 1;
constexpr unsigned kTim1Brk = 24, kTim1Up = 25, kTim1Cc = 27, kTim8Up = 44;
constexpr double kMsiHz = 4e6; // the STM32L4R5's reset clock (RM0432 §6.2: MSI range 6, 4 MHz)

struct Board : test::PeripheralBench {
  Board() : PeripheralBench(kMsiHz) { build("stm32l4r5"); }
  /// HAL_TIM_Base_Init (with RepetitionCounter) + HAL_TIM_Base_Start_IT.
  void start_it(uint32_t tim, uint32_t psc, uint32_t arr, uint32_t rcr) {
    wr(tim + ARR, arr);
    wr(tim + PSC, psc);
    wr(tim + RCR, rcr);
    wr(tim + EGR, 1); // UG: PSC, ARR and the repetition counter loaded
    wr(tim + SR, 0);
    wr(tim + DIER, 1);
    wr(tim + CR1, CEN);
  }
  std::vector<uint64_t> cycles_of(unsigned line) const {
    std::vector<uint64_t> out;
    for (const auto &[n, at] : irq_log)
      if (n == line) out.push_back(at);
    return out;
  }
};

/// RM0432 arithmetic: core cycles between update events of an APB2 timer.
uint64_t rm_update_cycles(uint32_t psc, uint32_t arr, uint32_t rcr, double hclk, unsigned apb2_div) {
  const double timclk = apb2_div == 1 ? hclk : 2 * hclk / apb2_div;
  return uint64_t(psc + 1) * (arr + 1) * (rcr + 1) * uint64_t(hclk / timclk);
}

} // namespace

TEST_CASE("l4extra: TIM1 updates every RCR + 1 overflows on TIM1_UP_TIM16") {
  Board b;
  b.start_it(TIM1, 3, 99, 4);
  const uint64_t period = rm_update_cycles(3, 99, 4, kMsiHz, 1);
  CHECK(period == 2000);
  b.step_to(5 * period + 10);
  auto ups = b.cycles_of(kTim1Up);
  REQUIRE(ups.size() >= 1);
  CHECK(ups[0] == period); // not after the first overflow (400 cycles): REP_CNT was 4
  // The firmware's handler clears UIF; the next update comes one period later.
  b.wr(TIM1 + SR, ~1u);
  b.irq_log.clear();
  b.step_to(7 * period + 10);
  ups = b.cycles_of(kTim1Up);
  REQUIRE(ups.size() == 1);
  CHECK(ups[0] == 6 * period);
  CHECK(b.cycles_of(kTim1Brk).empty());
}

TEST_CASE("l4extra: RCR is preloaded: a new value takes effect after the next update event") {
  Board b;
  b.start_it(TIM1, 0, 9, 0); // an update every 10 cycles
  b.wr(TIM1 + RCR, 2);       // REP_CNT is still 0: the next update at 10, then every 30
  std::vector<uint64_t> ups;
  for (uint64_t t = 1; t <= 80; ++t) {
    b.step_to(t);
    if (b.rd(TIM1 + SR) & 1) {
      ups.push_back(t);
      b.wr(TIM1 + SR, ~1u);
    }
  }
  CHECK(ups == std::vector<uint64_t>{10, 40, 70});
}

TEST_CASE("l4extra: TIM8 on APB2 / 4 counts TIMPCLK2 = 2 x PCLK2") {
  Board b;
  b.wr(RCC_CFGR, b.rd(RCC_CFGR) | (5u << 11)); // PPRE2 = 101: HCLK / 4
  b.start_it(TIM8, 1, 49, 1);
  const uint64_t period = rm_update_cycles(1, 49, 1, kMsiHz, 4);
  CHECK(period == 400); // 2 x 50 x 2 timer clocks of 2 core cycles
  b.step_to(period * 2 + 1);
  auto ups = b.cycles_of(kTim8Up);
  REQUIRE(!ups.empty());
  CHECK(ups[0] == period);
}

TEST_CASE("l4extra: TIM1 compare flags on TIM1_CC, break on TIM1_BRK_TIM15, BDTR stored") {
  Board b;
  b.wr(TIM1 + CCR1, 25);
  b.wr(TIM1 + ARR, 99);
  b.wr(TIM1 + DIER, 1u << 1); // CC1IE only
  b.wr(TIM1 + CR1, CEN);
  b.step_to(30);
  CHECK(b.cycles_of(kTim1Cc) == std::vector<uint64_t>{25});
  CHECK(b.cycles_of(kTim1Up).empty());
  CHECK((b.rd(TIM1 + SR) & 2u) != 0);
  b.wr(TIM1 + BDTR, 0x8000u | 0x2Au); // MOE, DTG
  CHECK(b.rd(TIM1 + BDTR) == 0x802Au);
  b.wr(TIM1 + DIER, (1u << 1) | (1u << 7)); // BIE
  b.wr(TIM1 + EGR, 1u << 7);                // BG
  CHECK((b.rd(TIM1 + SR) & (1u << 7)) != 0);
  CHECK(b.cycles_of(kTim1Brk).size() == 1);
}

TEST_CASE("l4extra: TIM15 has two channels, TIM16 one, both count with their repetition counter") {
  Board b;
  auto *t15 = dynamic_cast<Stm32TimAdvanced *>(b.bus->find("TIM15"));
  auto *t16 = dynamic_cast<Stm32TimAdvanced *>(b.bus->find("TIM16"));
  REQUIRE(t15);
  REQUIRE(t16);
  CHECK(t15->channels() == 2);
  CHECK(t16->channels() == 1);
  b.start_it(TIM16, 0, 99, 2);
  b.step_to(301);
  CHECK(b.cycles_of(25) == std::vector<uint64_t>{300}); // TIM1_UP_TIM16
  CHECK((b.rd(TIM16 + SR) & ~3u) == 0); // CC1IF (CCR1 = 0 matches at each wrap), no CC2..CC4 flags on a one-channel timer
  (void)TIM15;
  (void)CNT;
}

// --- RTC calendar and alarms ---------------------------------------------------------------

namespace {

constexpr uint32_t kRcc = 0x40021000, kRtc = 0x40002800;
constexpr uint32_t RTC_TR = 0x00, RTC_DR = 0x04, RTC_CR = 0x08, RTC_ISR = 0x0C, RTC_PRER = 0x10, RTC_ALRMAR = 0x1C,
                   RTC_ALRMBR = 0x20, RTC_WPR = 0x24;
constexpr uint32_t INITF = 1u << 6, INIT = 1u << 7, ALRAF = 1u << 8, ALRBF = 1u << 9;
constexpr uint32_t ALRAE = 1u << 8, ALRBE = 1u << 9, ALRAIE = 1u << 12, ALRBIE = 1u << 13;
constexpr uint32_t MSK1 = 1u << 7, MSK2 = 1u << 15, MSK3 = 1u << 23, MSK4 = 1u << 31, WDSEL = 1u << 30;
constexpr unsigned kRtcAlarmIrq = 41;
constexpr double kLseHz = 32768;

/// The RTC on the LSE, calendar set in init mode (HAL_RTC_Init, HAL_RTC_SetTime/SetDate): counting starts at `start`.
struct RtcBoard : Board {
  uint64_t start = 0;
  void set_calendar(uint32_t tr, uint32_t dr, uint32_t prer = 0x007F00FF) {
    wr(kRcc + 0x90, 1); // LSEON
    settle();
    wr(kRcc + 0x90, 1 | (1u << 8) | (1u << 15)); // RTCSEL = LSE, RTCEN
    wr(kRtc + RTC_WPR, 0xCA);
    wr(kRtc + RTC_WPR, 0x53);
    wr(kRtc + RTC_ISR, INIT);
    while (!(rd(kRtc + RTC_ISR) & INITF)) step_to(sched.next_time());
    wr(kRtc + RTC_PRER, prer);
    wr(kRtc + RTC_TR, tr);
    wr(kRtc + RTC_DR, dr);
    wr(kRtc + RTC_ISR, 0); // INIT = 0: counting restarts
    start = now;
  }
  /// Core cycles of `s` seconds of ck_spre with PREDIV_A = a, PREDIV_S = s_div (RM0432: ck_spre = LSE / ((a + 1)(s + 1))).
  static uint64_t cycles(double s, unsigned a = 127, unsigned s_div = 255) { return uint64_t(s * (a + 1) * (s_div + 1) / kLseHz * kMsiHz); }
  void enable_alarm(uint32_t reg, uint32_t value, uint32_t en_bits) {
    wr(kRtc + RTC_CR, rd(kRtc + RTC_CR) & ~(ALRAE | ALRBE));
    wr(kRtc + reg, value);
    wr(kRtc + RTC_CR, rd(kRtc + RTC_CR) | en_bits);
  }
};

} // namespace

TEST_CASE("l4extra: the RTC calendar counts ck_spre seconds from the time set in init mode, over a leap day") {
  RtcBoard b;
  b.set_calendar(0x235950, 0x246228); // 23:59:50, year 24, Wednesday, 02-28
  b.step_to(b.start + RtcBoard::cycles(9.999));
  CHECK(b.rd(kRtc + RTC_TR) == 0x235959);
  b.step_to(b.start + RtcBoard::cycles(20));
  CHECK(b.rd(kRtc + RTC_TR) == 0x000010);
  CHECK(b.rd(kRtc + RTC_DR) == 0x248229); // 2024 is a leap year: Thursday 02-29
  b.step_to(b.start + RtcBoard::cycles(20 + 86400));
  CHECK(b.rd(kRtc + RTC_DR) == 0x24A301); // Friday 03-01
}

TEST_CASE("l4extra: the calendar's rate follows PRER, and year 99 rolls over to 00") {
  RtcBoard b;
  b.set_calendar(0x235958, 0x99D231, 0x007F007F); // Saturday 2099-12-31 23:59:58; PREDIV_S = 127: 2 Hz
  b.step_to(b.start + RtcBoard::cycles(2, 127, 127)); // 2 calendar seconds = 1 s of LSE time
  CHECK(b.rd(kRtc + RTC_TR) == 0x000000);
  CHECK(b.rd(kRtc + RTC_DR) == 0x00E101); // Sunday, year 00, 01-01
  CHECK(b.now - b.start == uint64_t(kMsiHz)); // one second of core time at 4 MHz
}

TEST_CASE("l4extra: in init mode the calendar stops, TR/DR written there hold until INIT is cleared") {
  RtcBoard b;
  b.set_calendar(0x100000, 0x2101);
  b.step_to(b.start + RtcBoard::cycles(5));
  b.wr(kRtc + RTC_ISR, INIT);
  const uint32_t held = b.rd(kRtc + RTC_TR);
  CHECK(held == 0x100005);
  b.step_to(b.now + RtcBoard::cycles(3));
  CHECK(b.rd(kRtc + RTC_TR) == held);
}

TEST_CASE("l4extra: Alarm A fires at the programmed second, every minute with hours and date masked") {
  RtcBoard b;
  b.set_calendar(0x120000, 0x246228);
  b.wr(kRtc + RTC_ALRMAR, MSK4 | MSK3 | MSK2 | 0x07); // ALRAE = 0 after reset: writable
  b.wr(kRtc + RTC_CR, ALRAE | ALRAIE);
  CHECK((b.rd(kRtc + RTC_ISR) & 1u) == 0); // ALRAWF cleared while the alarm is on
  b.wr(kRtc + RTC_ALRMAR, 0x09); // ignored while ALRAE = 1
  CHECK(b.rd(kRtc + RTC_ALRMAR) == (MSK4 | MSK3 | MSK2 | 0x07));
  b.step_to(b.start + RtcBoard::cycles(8));
  auto fired = b.cycles_of(kRtcAlarmIrq);
  REQUIRE(fired.size() == 1);
  CHECK(fired[0] == b.start + RtcBoard::cycles(7)); // 12:00:07
  CHECK((b.rd(kRtc + RTC_ISR) & ALRAF) != 0);
  b.wr(kRtc + RTC_ISR, ~(ALRAF | INIT)); // the handler clears ALRAF (INIT written 0, as HAL does)
  b.step_to(b.start + RtcBoard::cycles(68));
  fired = b.cycles_of(kRtcAlarmIrq);
  REQUIRE(fired.size() == 2);
  CHECK(fired[1] == b.start + RtcBoard::cycles(67)); // 12:01:07
}

TEST_CASE("l4extra: Alarm B on a weekday and time, without ALRBIE the flag rises but no interrupt") {
  RtcBoard b;
  b.set_calendar(0x235959, 0x246228); // Wednesday 23:59:59
  // Thursday (WDSEL, 4) 00:00:30, seconds compared.
  b.enable_alarm(RTC_ALRMBR, WDSEL | (4u << 24) | 0x000030, ALRBE);
  b.step_to(b.start + RtcBoard::cycles(31) + 1);
  CHECK((b.rd(kRtc + RTC_ISR) & ALRBF) != 0);
  CHECK(b.cycles_of(kRtcAlarmIrq).empty());
  b.wr(kRtc + RTC_CR, b.rd(kRtc + RTC_CR) | ALRBIE); // enabled while its flag is set: the line rises now
  CHECK(b.cycles_of(kRtcAlarmIrq).size() == 1);
  // A date that never comes in the calendar (DT:DU = 3:F, an invalid BCD value): no event.
  b.wr(kRtc + RTC_ISR, ~(ALRBF | INIT));
  b.enable_alarm(RTC_ALRMAR, (0x3Fu << 24) | MSK3 | MSK2 | MSK1, ALRAE);
  CHECK(b.sched.next_time() == Scheduler::kNever);
  (void)ALRAIE;
}

// --- firmware: TIM1, calendar, alarm from Stop 2, SRAM in Standby ------------------------------

namespace {
test::FirmwareRun run_l4extra(const std::string &args) {
  auto fr = test::run_firmware("l4extra-stm32l4r5", "stm32l4r5", "l4extra " + args);
  INFO(fr.out);
  CHECK(fr.r.reason == StopReason::Exited);
  CHECK(fr.r.exit_code == 0);
  return fr;
}
bool has(const std::string &out, const std::string &text) { return out.find(text) != std::string::npos; }
} // namespace

TEST_CASE("l4extra firmware: TIM1 with RCR = 4 updates every (PSC + 1)(ARR + 1)(RCR + 1) timer clocks") {
  auto fr = run_l4extra("tim1 3 4");
  INFO(fr.out);
  // The reset clock: APB2 prescaler 1, TIMPCLK2 = HCLK: 4 x 1000 x 5 = 20000 core cycles.
  CHECK(has(fr.out, "tim1: 3 updates, RCR 4, " + std::to_string(rm_update_cycles(3, 999, 4, kMsiHz, 1)) + " cycles between updates"));
  auto fr0 = run_l4extra("tim1 3 0");
  CHECK(has(fr0.out, "RCR 0, " + std::to_string(rm_update_cycles(3, 999, 0, kMsiHz, 1)) + " cycles"));
}

TEST_CASE("l4extra firmware: the calendar set via INIT reads 20 s later across the leap day") {
  auto fr = run_l4extra("calendar 20");
  INFO(fr.out);
  CHECK(has(fr.out, "set: 2024-02-28 23:59:50 weekday 3"));
  CHECK(has(fr.out, "after: 2024-02-29 00:00:10 weekday 4"));
}

TEST_CASE("l4extra firmware: Alarm A wakes the core from Stop 2 at the programmed second") {
  auto fr = run_l4extra("alarm");
  INFO(fr.out);
  CHECK(has(fr.out, "alarm: 2024-02-28 12:00:07 weekday 3"));
  CHECK(has(fr.out, "alarm A after 1 stop2 entries"));
  REQUIRE(fr.r.power.deep_states.size() == 1);
  CHECK(fr.r.power.deep_states[0].name == "stop2");
  // Asleep for nearly all of the 7 s (less the time from INIT's exit to the WFI).
  const double asleep = double(fr.r.power.deep_states[0].cycles) / fr.r.hz;
  CHECK(asleep > 6.9);
  CHECK(asleep < 7.0);
}

TEST_CASE("l4extra firmware: Standby loses SRAM1 and SRAM2, keeps SRAM2 with PWR_CR3.RRS, keeps the backup registers") {
  auto lost = run_l4extra("sram");
  CHECK(has(lost.out, "entering standby, RRS 0"));
  CHECK(has(lost.out, "woke from standby: SRAM1 lost (0x00000000), SRAM2 lost (0x00000000), BKP1R 0xa5c3f00d"));
  auto kept = run_l4extra("sram rrs");
  CHECK(has(kept.out, "woke from standby: SRAM1 lost (0x00000000), SRAM2 kept (0xa5c3f00d), BKP1R 0xa5c3f00d"));
}

TEST_CASE("l4extra: the device file names the STM32L4R5's SRAM parts and which one RRS keeps") {
  auto dev = find_device("stm32l4r5");
  REQUIRE(dev);
  const MemoryRegionDesc *sram = dev->region_at(0x20000000);
  REQUIRE(sram);
  REQUIRE(sram->standby.size() == 3);
  CHECK(sram->standby[1].name == "SRAM2");
  CHECK(sram->standby[1].base == 0x20030000); // RM0432 memory map: after SRAM1's 192 KiB
  CHECK(sram->standby[1].kept_by == "PWR_CR3.RRS");
  CHECK(sram->standby[0].kept_by.empty());
}

// --- nRF52840 FICR/UICR -------------------------------------------------------------------

TEST_CASE("l4extra firmware: nrfx's SystemInit sequence runs on the nRF52840 and reads INFO.PART = 0x52840") {
  auto fr = test::run_firmware("nrf_systeminit-nrf52840", "nrf52840", "nrf_systeminit");
  INFO(fr.out);
  CHECK(fr.r.reason == StopReason::Exited);
  CHECK(fr.r.exit_code == 0);
  CHECK(has(fr.out, "errata part 0x08 rev 0x03, 3 workarounds")); // errata 36, 66, 136
  CHECK(has(fr.out, "INFO.PART 0x52840 variant AAD0 package 0x2004 RAM 256 kB flash 1024 kB"));
  CHECK(has(fr.out, "flash 1048576 bytes (256 pages of 4096)"));
  CHECK(has(fr.out, "UICR PSELRESET 0xffffffff 0xffffffff NFCPINS 0xffffffff REGOUT0 0xffffffff")); // erased
  CHECK(has(fr.out, "TEMP A0 0x320 (FICR 0x320)"));
  CHECK(std::none_of(fr.unmodelled.begin(), fr.unmodelled.end(),
                     [](const std::string &l) { return has(l, "FICR") || has(l, "UICR") || has(l, "NVMC"); }));
}

TEST_CASE("l4extra firmware: UICR programmed through the NVMC survives SystemInit's reset (pin reset, NFC pins as GPIOs)") {
  auto fr = test::run_firmware("nrf_systeminit-nrf52840", "nrf52840", "nrf_systeminit pinreset nfc");
  INFO(fr.out);
  CHECK(fr.r.reason == StopReason::Exited);
  CHECK(fr.r.exit_code == 0);
  CHECK(has(fr.out, "programming UICR.NFCPINS, resetting"));
  CHECK(has(fr.out, "programming UICR.PSELRESET, resetting"));
  CHECK(has(fr.out, "UICR PSELRESET 0x00000012 0x00000012 NFCPINS 0xfffffffe"));
}

TEST_CASE("l4extra: FICR ignores writes, UICR programs like flash (bits only cleared)") {
  test::PeripheralBench b(64e6);
  b.build("nrf52840");
  b.wr(0x10000100, 0x1234);
  CHECK(b.rd(0x10000100) == 0x52840);
  b.wr(0x10001080, 0xFFFF00FF);
  b.wr(0x10001080, 0x0F0F0F0F);
  CHECK(b.rd(0x10001080) == 0x0F0F000F);
  b.bus->reset(); // a system reset: UICR is non-volatile
  CHECK(b.rd(0x10001080) == 0x0F0F000F);
  CHECK(b.rd(0x4001E400) == 1); // NVMC READY
}
