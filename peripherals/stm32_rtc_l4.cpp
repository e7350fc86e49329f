/// \file
/// STM32L4/L4+ RTC: write protection, INIT/INITF, RSF, the wake-up timer, SSR.
#include "peripherals/stm32_rtc_l4.h"

#include "peripherals/bus.h"

#include <cmath>

namespace mcusim::peripherals {

namespace {
constexpr uint32_t kIsrFlags = 0x0001FF00u;   // ISR[16:8]: event flags, rc_w0, not write-protected [UNVERIFIED]
constexpr uint32_t kIsrControl = 0x000000FFu; // ISR[7:0]: INIT is the only writable one
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32RtcL4::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {{"TR", TR},     {"DR", DR},     {"CR", CR},   {"ISR", ISR},
                                                                      {"PRER", PRER}, {"WUTR", WUTR}, {"WPR", WPR}, {"SSR", SSR}};
  return regs;
}

void Stm32RtcL4::reset() {
  Peripheral::reset();
  wpr_ = 0;
  wut_ = wutwf_ = initf_ = rsf_ = 0;
  wut_fraction_ = 0;
  ssr_origin_ = 0;
  alarm_[0] = alarm_[1] = 0; // cancelled with the other events
  calendar_start(); // the calendar counts from its reset values (and the alarm line drops)
}

void Stm32RtcL4::connect(PeripheralBus &bus) { bus_ = &bus; }

bool Stm32RtcL4::models(uint32_t offset) const {
  switch (offset) {
  case TR:
  case DR:
  case CR:
  case ISR:
  case PRER:
  case WUTR:
  case WPR:
  case SSR:
  case ALRMAR:
  case ALRMBR: return true;
  default: return false;
  }
}

double Stm32RtcL4::rtcclk_hz() const {
  auto hz = bus_ ? bus_->clock_hz("RTC") : std::nullopt;
  return hz ? *hz : 0.0;
}

double Stm32RtcL4::wakeup_period_s() const {
  const double rtc = rtcclk_hz();
  if (rtc <= 0) return 0;
  const uint32_t cr = regs_.read(CR), prer = regs_.read(PRER);
  const double wut = double(regs_.read(WUTR) & 0xFFFFu) + 1;
  const unsigned sel = cr & 7u; // WUCKSEL (RM0432)
  if (sel < 4) return wut * double(16u >> sel) / rtc; // RTC/16, /8, /4, /2
  const double spre = rtc / ((((prer >> 16) & 0x7Fu) + 1.0) * ((prer & 0x7FFFu) + 1.0)); // ck_spre
  return (wut + (sel >= 6 ? 65536.0 : 0.0)) / spre;
}

uint64_t Stm32RtcL4::cycles_of(double seconds) const {
  return std::max<uint64_t>(1, uint64_t(std::llround(seconds * host_.hz)));
}

void Stm32RtcL4::after_two_ticks(Scheduler::EventId &id, std::function<void()> fn) {
  cancel(id);
  const double rtc = rtcclk_hz();
  if (rtc <= 0) return; // no RTCCLK: the flag never rises (HAL times out, as on the chip)
  id = after(cycles_of(2.0 / rtc), std::move(fn));
}

uint32_t Stm32RtcL4::read_register(uint32_t offset) {
  if (offset == TR || offset == DR) return calendar_register(offset);
  if (offset == SSR) {
    // SSR counts down from PREDIV_S at ck_apre = RTCCLK / (PREDIV_A + 1).
    const uint32_t prer = regs_.read(PRER);
    const double rtc = rtcclk_hz();
    if (rtc <= 0 || host_.hz <= 0 || (regs_.read(ISR) & INITF)) return regs_.read(SSR);
    const uint64_t prediv_s = prer & 0x7FFFu;
    const double apre = rtc / (((prer >> 16) & 0x7Fu) + 1.0);
    const auto ticks = uint64_t(double(now() - ssr_origin_) / host_.hz * apre);
    return uint32_t(prediv_s - ticks % (prediv_s + 1));
  }
  return regs_.read(offset);
}

void Stm32RtcL4::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  if (offset == WPR) {
    const uint32_t key = value & mask & 0xFFu;
    wpr_ = key == 0xCA ? 1 : (key == 0x53 && wpr_ == 1) ? 2 : 0;
    return;
  }
  if (offset == SSR) return; // read-only
  if (offset == ISR) {
    const uint32_t isr = regs_.read(ISR);
    // Flags: a 0 written clears, a 1 keeps (rc_w0). INIT only while unlocked.
    uint32_t next = isr & ~((kIsrFlags | RSF) & mask & ~value); // RSF is rc_w0 too
    if (unlocked() && (mask & INIT)) next = (next & ~INIT) | (value & INIT);
    regs_.set(ISR, next);
    if ((next & INIT) && !(isr & INIT)) calendar_freeze();
    if ((next & INIT) && !(isr & INIT)) after_two_ticks(initf_, [this] {
        initf_ = 0;
        if (regs_.read(ISR) & INIT) regs_.set_bits(ISR, INITF, true);
      });
    if (!(next & INIT) && (isr & INIT)) {
      cancel(initf_);
      regs_.set_bits(ISR, INITF, false);
      ssr_origin_ = now(); // the counters restart from the values written in init mode
      calendar_start();
    }
    // The shadow registers are synchronised again two RTCCLK periods later (outside init mode).
    if (!(next & RSF) && !(next & INIT) && !rsf_) after_two_ticks(rsf_, [this] {
        rsf_ = 0;
        if (!(regs_.read(ISR) & INIT)) regs_.set_bits(ISR, RSF, true);
      });
    (void)kIsrControl;
    alarm_line(); // ALRAF/ALRBF cleared by the write withdraw the request
    return;
  }
  if (!unlocked()) return; // write-protected (RM0432 'RTC register write protection')
  if (offset == WUTR && !(regs_.read(ISR) & WUTWF)) return; // writable only while WUTWF = 1
  if ((offset == TR || offset == DR || offset == PRER) && !(regs_.read(ISR) & INITF)) return; // init mode only
  if ((offset == ALRMAR || offset == ALRMBR) && !alarm_writable(offset)) return;
  const uint32_t before = regs_.read(CR);
  regs_.write(offset, value, mask);
  if (offset != CR) return;
  const uint32_t cr = regs_.read(CR);
  alarm_control(before, cr);
  if ((before & WUTE) && !(cr & WUTE)) {
    cancel(wut_);
    after_two_ticks(wutwf_, [this] {
      wutwf_ = 0;
      if (!(regs_.read(CR) & WUTE)) regs_.set_bits(ISR, WUTWF, true);
    });
  } else if (!(before & WUTE) && (cr & WUTE)) {
    cancel(wutwf_);
    regs_.set_bits(ISR, WUTWF, false);
    start_wakeup();
  }
}

void Stm32RtcL4::start_wakeup() {
  cancel(wut_);
  wut_fraction_ = 0;
  schedule_wakeup(now());
}

/// The next WUTF, (WUTR + 1) wake-up clock periods after `from`; the
/// fractional cycles are carried so the period holds exactly on average.
void Stm32RtcL4::schedule_wakeup(uint64_t from) {
  const double period = wakeup_period_s();
  if (period <= 0 || host_.hz <= 0) return; // no RTCCLK: the timer does not count
  const double exact = period * host_.hz + wut_fraction_;
  const uint64_t whole = std::max<uint64_t>(1, uint64_t(std::floor(exact)));
  wut_fraction_ = exact - double(whole);
  wut_ = at(from + whole, [this](uint64_t due) {
    cancel(wut_); // forget the fired event
    if (!(regs_.read(CR) & WUTE)) return;
    regs_.set_bits(ISR, WUTF, true);
    if (regs_.read(CR) & WUTIE) raise_irq(0); // RTC_WKUP (EXTI line 20)
    schedule_wakeup(due);
  });
}

} // namespace mcusim::peripherals
