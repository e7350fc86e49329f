/// \file
/// STM32L4/L4+ RTC calendar (TR/DR) and Alarm A/B (RM0432 'Real-time clock
/// (RTC)': 'Calendar', 'Programmable alarms', 'RTC initialization and
/// configuration'). The calendar is never ticked: TR/DR are computed on read
/// from the core cycle, one second per ck_spre period, (PREDIV_A + 1) x
/// (PREDIV_S + 1) RTCCLK periods; an enabled alarm is one scheduler event at
/// the cycle of the second its fields (with their MSKx bits) match next.
///
/// The calendar is the 24-hour format (CR.FMT = 0) of years 00..99, a leap
/// year every fourth (RM0432: 'leap years are managed automatically', years
/// divisible by 4); the weekday counts on from the WDU written.
#include "peripherals/stm32_rtc_l4.h"

#include "peripherals/bus.h"

#include <algorithm>
#include <cmath>

namespace mcusim::peripherals {

namespace {
// RTC_ISR / RTC_CR alarm bits (RM0432 RTC_ISR, RTC_CR).
constexpr uint32_t kAlrawf = 1u << 0; // ALRAWF; ALRBWF is bit 1
constexpr uint32_t kAlraf = 1u << 8;  // ALRAF; ALRBF is bit 9
constexpr uint32_t kAlrae = 1u << 8;  // CR.ALRAE; ALRBE is bit 9
constexpr uint32_t kAlraie = 1u << 12; // CR.ALRAIE; ALRBIE is bit 13
constexpr uint64_t kDay = 86400;
constexpr uint64_t kCenturyDays = 36525; // 2000-01-01 .. 2099-12-31 (every fourth year leap)
constexpr unsigned kSearchDays = 4 * 366 + 62; // a date alarm (the 29th, 31st) recurs within this

unsigned bcd(uint32_t v) { return (v >> 4) * 10 + (v & 0xFu); }
uint32_t to_bcd(unsigned v) { return ((v / 10) << 4) | (v % 10); }
bool leap(unsigned yy) { return yy % 4 == 0; }
unsigned month_days(unsigned yy, unsigned mm) {
  static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return mm == 2 && leap(yy) ? 29 : days[(mm - 1) % 12];
}

struct Date {
  unsigned yy = 0, mm = 1, dd = 1;
};

/// Days since 2000-01-01 of `d` (fields out of range are clamped).
uint64_t days_of(Date d) {
  d.yy %= 100;
  d.mm = d.mm < 1 ? 1 : d.mm > 12 ? 12 : d.mm;
  d.dd = d.dd < 1 ? 1 : d.dd;
  uint64_t days = uint64_t(d.yy) * 365 + (d.yy + 3) / 4; // leap days of the years before
  for (unsigned m = 1; m < d.mm; ++m) days += month_days(d.yy, m);
  return days + d.dd - 1;
}

Date date_of(uint64_t days) {
  days %= kCenturyDays; // year 99 rolls over to 00
  Date d;
  while (days >= (leap(d.yy) ? 366u : 365u)) days -= leap(d.yy) ? 366u : 365u, ++d.yy;
  while (days >= month_days(d.yy, d.mm)) days -= month_days(d.yy, d.mm), ++d.mm;
  d.dd = unsigned(days) + 1;
  return d;
}
} // namespace

double Stm32RtcL4::cycles_per_second() const {
  const double rtc = rtcclk_hz();
  if (rtc <= 0 || host_.hz <= 0) return 0;
  const uint32_t prer = regs_.read(PRER);
  return (((prer >> 16) & 0x7Fu) + 1.0) * ((prer & 0x7FFFu) + 1.0) / rtc * host_.hz;
}

uint64_t Stm32RtcL4::seconds_counted(uint64_t cycle) const {
  const double cps = cycles_per_second();
  if (frozen_ || cps <= 0 || cycle <= ssr_origin_) return 0;
  return uint64_t(std::floor(double(cycle - ssr_origin_) / cps + 1e-9));
}

uint64_t Stm32RtcL4::calendar_seconds() const { return cal_base_ + seconds_counted(now()); }

uint32_t Stm32RtcL4::calendar_register(uint32_t offset) const {
  if (frozen_) return regs_.read(offset);
  const uint64_t t = calendar_seconds();
  if (offset == TR) {
    const uint64_t sod = t % kDay;
    return (to_bcd(unsigned(sod / 3600)) << 16) | (to_bcd(unsigned(sod / 60 % 60)) << 8) | to_bcd(unsigned(sod % 60));
  }
  const Date d = date_of(t / kDay);
  const unsigned wdu = unsigned((wdu_base_ - 1 + (t / kDay - cal_base_ / kDay)) % 7) + 1;
  return (to_bcd(d.yy) << 16) | (wdu << 13) | (to_bcd(d.mm) << 8) | to_bcd(d.dd);
}

void Stm32RtcL4::calendar_freeze() {
  if (frozen_) return;
  regs_.set(TR, calendar_register(TR));
  regs_.set(DR, calendar_register(DR));
  frozen_ = true;
  cancel(alarm_[0]);
  cancel(alarm_[1]);
}

void Stm32RtcL4::calendar_start() {
  frozen_ = false;
  const uint32_t tr = regs_.read(TR), dr = regs_.read(DR);
  const uint64_t sod = uint64_t(bcd((tr >> 16) & 0x3Fu)) * 3600 + bcd((tr >> 8) & 0x7Fu) * 60 + bcd(tr & 0x7Fu);
  const Date d{bcd((dr >> 16) & 0xFFu), bcd((dr >> 8) & 0x1Fu), bcd(dr & 0x3Fu)};
  cal_base_ = days_of(d) * kDay + sod;
  wdu_base_ = (dr >> 13) & 7u;
  if (wdu_base_ == 0) wdu_base_ = 1; // 000 is forbidden (RM0432 RTC_DR.WDU)
  schedule_alarm(0);
  schedule_alarm(1);
  alarm_line();
}

bool Stm32RtcL4::alarm_writable(uint32_t offset) const {
  const unsigned n = offset == ALRMAR ? 0 : 1;
  return !(regs_.read(CR) & (kAlrae << n)); // RM0432: ALRMxR is written while ALRxE = 0 (ALRxWF = 1)
}

void Stm32RtcL4::alarm_control(uint32_t before, uint32_t cr) {
  for (unsigned n = 0; n < 2; ++n) {
    const uint32_t en = kAlrae << n;
    if ((before & en) && !(cr & en)) {
      cancel(alarm_[n]);
      regs_.set_bits(ISR, kAlrawf << n, true); // the alarm registers may be written again
    } else if (!(before & en) && (cr & en)) {
      regs_.set_bits(ISR, kAlrawf << n, false);
      schedule_alarm(n);
    }
  }
  alarm_line();
}

/// RM0432 'Programmable alarms': the alarm flag is set when the calendar's
/// seconds, minutes, hours and date (or weekday, WDSEL) equal ALRMxR's, the
/// fields whose MSKx bit is 1 not compared (with ALRMxSSR.MASKSS = 0 the
/// flag rises as the seconds unit increments).
void Stm32RtcL4::schedule_alarm(unsigned n) {
  cancel(alarm_[n]);
  if (frozen_ || !(regs_.read(CR) & (kAlrae << n))) return;
  const double cps = cycles_per_second();
  if (cps <= 0) return; // no RTCCLK: the calendar does not count
  const uint32_t a = regs_.read(n ? ALRMBR : ALRMAR);
  const bool any_sec = a & (1u << 7), any_min = a & (1u << 15), any_hour = a & (1u << 23), any_day = a & (1u << 31);
  const unsigned sec = bcd(a & 0x7Fu), min = bcd((a >> 8) & 0x7Fu), hour = bcd((a >> 16) & 0x3Fu);
  const bool wdsel = a & (1u << 30);
  const unsigned day = wdsel ? (a >> 24) & 0xFu : bcd((a >> 24) & 0x3Fu);

  const uint64_t from = calendar_seconds() + 1; // the next second the calendar reaches
  const uint64_t base_day = cal_base_ / kDay;
  uint64_t found = 0;
  bool ok = false;
  for (uint64_t d = from / kDay; d < from / kDay + kSearchDays && !ok; ++d) {
    if (!any_day) {
      const unsigned have = wdsel ? unsigned((wdu_base_ - 1 + (d - base_day)) % 7) + 1 : date_of(d).dd;
      if (have != day) continue;
    }
    const uint64_t start = d == from / kDay ? from % kDay : 0;
    for (uint64_t h = start / 3600; h < 24 && !ok; ++h) {
      if (!any_hour && h != hour) continue;
      const uint64_t m0 = h == start / 3600 ? start / 60 % 60 : 0;
      for (uint64_t m = m0; m < 60 && !ok; ++m) {
        if (!any_min && m != min) continue;
        const uint64_t s0 = (h == start / 3600 && m == start / 60 % 60) ? start % 60 : 0;
        for (uint64_t s = s0; s < 60; ++s) {
          if (!any_sec && s != sec) continue;
          found = d * kDay + h * 3600 + m * 60 + s;
          ok = true;
          break;
        }
      }
    }
  }
  if (!ok) return; // fields that never match (an invalid BCD value): the flag never rises
  const uint64_t when = ssr_origin_ + uint64_t(std::ceil(double(found - cal_base_) * cps));
  alarm_[n] = at(std::max(when, now() + 1), [this, n](uint64_t) {
    alarm_[n] = 0;
    regs_.set_bits(ISR, kAlraf << n, true);
    alarm_line();
    schedule_alarm(n); // the next match (every second, minute, day, ... as the masks say)
  });
}

void Stm32RtcL4::alarm_line() {
  const uint32_t isr = regs_.read(ISR), cr = regs_.read(CR);
  const bool active = ((isr & kAlraf) && (cr & kAlraie)) || ((isr & (kAlraf << 1)) && (cr & (kAlraie << 1)));
  if (active == alarm_level_) return;
  alarm_level_ = active;
  set_irq_level(1, active); // RTC_Alarm (EXTI line 18)
}

} // namespace mcusim::peripherals
