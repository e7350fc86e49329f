/// \file
/// STM32L4/L4+ real-time clock (model "stm32-rtc-l4", RM0432 'Real-time
/// clock (RTC)' for the STM32L4R5): what HAL's RTC init and wake-up timer
/// functions rely on.
///
/// - Write protection: RTC_WPR takes 0xCA then 0x53 to unlock; any other
///   value locks again. While locked, writes to TR, DR, CR, PRER, WUTR and
///   ISR[7:0] are ignored; the flags of ISR[13:8] can be cleared at any time.
/// - Initialisation mode: ISR.INIT = 1 sets ISR.INITF two RTCCLK periods
///   later; INIT = 0 clears INITF. ISR.RSF (rc_w0) is set again two RTCCLK
///   periods after firmware clears it (shadow registers synchronised).
/// - Wake-up timer: CR.WUTE = 0 sets ISR.WUTWF two RTCCLK periods later
///   (WUTR is writable only while WUTWF = 1); CR.WUTE = 1 clears WUTWF and
///   starts the down-counter: ISR.WUTF is set every (WUTR + 1) periods of
///   the clock CR.WUCKSEL selects (RTCCLK / 16, 8, 4, 2; ck_spre =
///   RTCCLK / ((PREDIV_A + 1)(PREDIV_S + 1)); ck_spre with 2^16 added to
///   WUTR), and with CR.WUTIE its interrupt line (irqs[0], RTC_WKUP through
///   EXTI line 20) is raised, which wakes the core from Stop. RTCCLK is the
///   RCC's "RTC" clock (BDCR.RTCSEL: LSE, LSI, HSE/32; 0 while not ready).
/// - SSR counts down from PREDIV_S at ck_apre, computed from the time on read.
/// - Backup domain: the state survives the Standby wake-up (standby_reset()).
///
/// - Calendar and alarms (peripherals/stm32_rtc_l4_calendar.cpp): TR/DR
///   count ck_spre seconds from the values written in init mode; Alarm A/B
///   (ALRMAR/ALRMBR with their MSKx bits) set ALRAF/ALRBF at the second
///   that matches, each one scheduler event at its cycle; with ALRAIE/ALRBIE
///   the RTC_Alarm line (irqs[1], EXTI line 18) is driven as a level.
///
/// Timestamps, tamper, smooth calibration, shift, the 12-hour format and the
/// sub-second alarm comparison (ALRMxSSR) are left to the register file.
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

class Stm32RtcL4 final : public Peripheral {
public:
  static constexpr uint32_t TR = 0x00, DR = 0x04, CR = 0x08, ISR = 0x0C, PRER = 0x10, WUTR = 0x14, WPR = 0x24, SSR = 0x28;
  static constexpr uint32_t ALRMAR = 0x1C, ALRMBR = 0x20;
  // ISR bits (RM0432).
  static constexpr uint32_t WUTWF = 1u << 2, RSF = 1u << 5, INITF = 1u << 6, INIT = 1u << 7, WUTF = 1u << 10;
  // CR bits (RM0432).
  static constexpr uint32_t WUTE = 1u << 10, WUTIE = 1u << 14;

  using Peripheral::Peripheral;
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  void reset() override;
  void standby_reset() override {} // the backup domain keeps running
  void connect(PeripheralBus &bus) override;
  bool models(uint32_t offset) const override;
  uint32_t read_register(uint32_t offset) override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;

  /// RTCCLK in Hz (the RCC's "RTC" clock), 0 when none runs.
  double rtcclk_hz() const;
  /// The wake-up period in seconds from WUTR and CR.WUCKSEL (0 without RTCCLK).
  double wakeup_period_s() const;
  bool unlocked() const { return wpr_ == 2; }

private:
  /// Core cycles of `seconds` at the run's clock (at least 1).
  uint64_t cycles_of(double seconds) const;
  /// `fn` after two RTCCLK periods (never, without RTCCLK).
  void after_two_ticks(Scheduler::EventId &id, std::function<void()> fn);
  void start_wakeup();
  void schedule_wakeup(uint64_t from);
  PeripheralBus *bus_ = nullptr;
  unsigned wpr_ = 0; ///< 0 locked, 1 after 0xCA, 2 unlocked
  Scheduler::EventId wut_ = 0, wutwf_ = 0, initf_ = 0, rsf_ = 0;
  double wut_fraction_ = 0; ///< the cycles' fractional part carried between periods
  uint64_t ssr_origin_ = 0; ///< core cycle at which SSR was PREDIV_S

  // --- calendar and alarms (stm32_rtc_l4_calendar.cpp) ---
public:
  /// The calendar now, in seconds since 2000-01-01 00:00:00 (year 00 of DR).
  uint64_t calendar_seconds() const;
  /// TR or DR as the calendar holds them now (24-hour format).
  uint32_t calendar_register(uint32_t offset) const;

private:
  /// Core cycles of one ck_spre second (0 without RTCCLK).
  double cycles_per_second() const;
  /// Whole seconds counted since ssr_origin_ (0 in init mode).
  uint64_t seconds_counted(uint64_t cycle) const;
  /// INIT set: the calendar stops with TR/DR holding the time reached; alarms cancelled.
  void calendar_freeze();
  /// INIT cleared: counting restarts from the TR/DR written (ssr_origin_ = now).
  void calendar_start();
  /// A CR write changed `before` to `cr`: ALRAWF/ALRBWF, the alarm events and the line.
  void alarm_control(uint32_t before, uint32_t cr);
  /// Whether ALRMAR/ALRMBR may be written now (RM0432: only while the alarm is disabled).
  bool alarm_writable(uint32_t offset) const;
  /// (Re)computes the next match of alarm `n` (0 = A, 1 = B) and schedules its event.
  void schedule_alarm(unsigned n);
  /// RTC_Alarm (irqs[1]): (ALRAF AND ALRAIE) OR (ALRBF AND ALRBIE).
  void alarm_line();
  uint64_t cal_base_ = 0;  ///< calendar seconds at ssr_origin_ (the TR/DR written in init mode)
  unsigned wdu_base_ = 1;  ///< weekday (1 = Monday .. 7) at ssr_origin_
  bool frozen_ = false;    ///< in init mode: TR/DR hold their values
  Scheduler::EventId alarm_[2] = {0, 0};
  bool alarm_level_ = false;
};

} // namespace mcusim::peripherals
