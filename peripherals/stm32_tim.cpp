/// \file
/// STM32 basic and general-purpose timers: the time-base unit and the
/// output-compare flags, counted from the core cycle, never ticked.
#include "peripherals/stm32_tim.h"

#include "peripherals/bus.h"
#include "peripherals/stm32_rcc_h7.h"
#include "peripherals/stm32_rcc_l4.h"

#include <algorithm>
#include <cmath>

namespace mcusim::peripherals {

namespace {
constexpr unsigned kChannels = 4;
constexpr uint32_t kPscMask = 0xFFFF; // TIMx_PSC is 16-bit on every timer
constexpr uint32_t kTif = 1u << 6;    // TIMx_SR.TIF / TIMx_EGR.TG (general-purpose)
constexpr uint32_t kCcBits = 0xFu << 1; // CC1..CC4 in DIER, SR, EGR
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32Tim::required_basic() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"CR1", CR1}, {"DIER", DIER}, {"SR", SR}, {"EGR", EGR}, {"CNT", CNT}, {"PSC", PSC}, {"ARR", ARR}};
  return regs;
}

const std::vector<std::pair<const char *, uint32_t>> &Stm32Tim::required_general() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"CR1", CR1},   {"DIER", DIER}, {"SR", SR},     {"EGR", EGR},         {"CCMR1", CCMR1},     {"CCMR2", CCMR2},
      {"CNT", CNT},   {"PSC", PSC},   {"ARR", ARR},   {"CCR1", CCR1},       {"CCR2", CCR1 + 4},   {"CCR3", CCR1 + 8},
      {"CCR4", CCR1 + 12}};
  return regs;
}

Stm32Tim::Stm32Tim(const PeripheralDesc &desc, PeripheralHost &host, Kind kind) : Peripheral(desc, host), kind_(kind) {
  const PeripheralRegisterDesc *arr = desc_.register_at(ARR);
  max_ = arr && arr->reset > 0xFFFFu ? 0xFFFFFFFFu : 0xFFFFu;
  arr_ = regs_.read(ARR) & max_;
}

void Stm32Tim::reset() {
  Peripheral::reset(); // cancels the pending event
  event_ = 0;
  event_at_ = Scheduler::kNever;
  counting_ = false;
  t0_ = done_ = 0;
  c0_ = 0;
  psc_ = 0;
  arr_ = regs_.read(ARR) & max_;
  ratio_ = 1; // the RCC's reset prescalers; asked again when the counter starts
}

bool Stm32Tim::models(uint32_t offset) const {
  switch (offset) {
  case CR1:
  case DIER:
  case SR:
  case EGR:
  case CNT:
  case PSC:
  case ARR: return true;
  case CCMR1:
  case CCMR2:
  case CCR1:
  case CCR1 + 4:
  case CCR1 + 8:
  case CCR1 + 12: return kind_ == Kind::General;
  default: return false;
  }
}

void Stm32Tim::connect(PeripheralBus &bus) {
  bus_ = &bus;
  if (auto *rcc = dynamic_cast<Stm32RccL4 *>(bus.find("RCC"))) rcc->add_clock_listener([this] { clock_update(); });
  if (auto *rcc = dynamic_cast<Stm32RccH7 *>(bus.find("RCC"))) rcc->add_clock_listener([this] { clock_update(); });
  clock_update();
}

/// HCLK / TIMPCLK1: 1 with the APB1 prescaler at 1 or 2, else half the prescaler (RM0432 clock tree).
void Stm32Tim::clock_update() {
  uint64_t ratio = 1;
  if (bus_) {
    // The core's clock: HCLK, or on the STM32H7 the CPU clock (sys_cdcpre_ck), which HPRE may divide for HCLK.
    auto hclk = bus_->clock_hz("CPU"), tim = bus_->clock_hz(timer_clock());
    if (!hclk) hclk = bus_->clock_hz("HCLK");
    if (hclk && tim && *tim > 0) ratio = std::max<uint64_t>(1, uint64_t(std::llround(*hclk / *tim)));
  }
  if (ratio == ratio_) return;
  const uint64_t now = host_.now();
  advance(now);
  rebase(now);
  ratio_ = ratio;
  reschedule();
}

uint32_t Stm32Tim::count_at(uint64_t t) const {
  if (!counting_ || t <= t0_) return c0_;
  const uint64_t steps = (t - t0_) / cycles_per_step();
  if (down()) return uint32_t(c0_ - std::min<uint64_t>(steps, c0_));
  const uint32_t limit = c0_ <= arr_ ? arr_ : max_;
  return uint32_t(c0_ + std::min<uint64_t>(steps, limit - c0_));
}

uint64_t Stm32Tim::next_overflow() const {
  if (!counting_ || arr_ == 0) return Scheduler::kNever; // ARR = 0: the counter is blocked
  if (down()) return t0_ + (uint64_t(c0_) + 1) * cycles_per_step();
  const uint32_t limit = c0_ <= arr_ ? arr_ : max_; // above ARR: up to the counter's end, then 0
  return t0_ + (uint64_t(limit - c0_) + 1) * cycles_per_step();
}

bool Stm32Tim::output_channel(unsigned ch) const {
  const uint32_t ccmr = regs_.read(ch < 2 ? CCMR1 : CCMR2);
  return ((ccmr >> (ch % 2 ? 8 : 0)) & 3u) == 0; // CCxS = 00: output
}

uint64_t Stm32Tim::next_match(unsigned ch) const {
  if (kind_ != Kind::General || !counting_ || arr_ == 0 || !output_channel(ch)) return Scheduler::kNever;
  const uint32_t v = regs_.read(CCR1 + 4 * ch) & max_;
  uint64_t m;
  if (down()) {
    if (v >= c0_) return Scheduler::kNever;
    m = t0_ + uint64_t(c0_ - v) * cycles_per_step();
  } else {
    const uint32_t limit = c0_ <= arr_ ? arr_ : max_;
    if (v <= c0_ || v > limit) return Scheduler::kNever;
    m = t0_ + uint64_t(v - c0_) * cycles_per_step();
  }
  return m > done_ ? m : Scheduler::kNever;
}

void Stm32Tim::advance(uint64_t now) {
  for (;;) {
    uint64_t at = next_overflow();
    uint32_t matches = 0;
    for (unsigned ch = 0; ch < kChannels; ++ch) {
      const uint64_t m = next_match(ch);
      if (m < at) at = m, matches = 0;
      if (m == at && m != Scheduler::kNever) matches |= 2u << ch;
    }
    if (at == Scheduler::kNever || at > now) break;
    done_ = at;
    if (matches) set_flags(matches); // a match never falls on an overflow's cycle
    else overflow(at);
  }
  done_ = std::max(done_, now);
}

void Stm32Tim::rebase(uint64_t now) {
  if (!counting_ || now <= t0_) return;
  const uint64_t steps = (now - t0_) / cycles_per_step();
  c0_ = count_at(now);
  t0_ += steps * cycles_per_step();
}

void Stm32Tim::restart(uint64_t at, uint32_t count) {
  t0_ = at;
  c0_ = count;
}

/// RM0432 'Time-base unit', 'Counter modes': in upcounting mode the counter
/// goes from ARR to 0, in downcounting mode from 0 to ARR; both make an update
/// event unless UDIS, which loads the shadow registers and sets UIF; in
/// one-pulse mode the update event clears CEN.
void Stm32Tim::overflow(uint64_t at) {
  restart(at, 0);
  if (!(cr1() & UDIS)) {
    update_event(true);
    if (cr1() & OPM) {
      regs_.set_bits(CR1, CEN, false);
      counting_ = false;
    }
  }
  if (down()) c0_ = arr_;
  match_at_wrap();
}

void Stm32Tim::match_at_wrap() {
  if (kind_ != Kind::General || !counting_) return;
  uint32_t bits = 0;
  for (unsigned ch = 0; ch < kChannels; ++ch)
    if (output_channel(ch) && (regs_.read(CCR1 + 4 * ch) & max_) == c0_) bits |= 2u << ch;
  if (bits) set_flags(bits);
}

void Stm32Tim::update_event(bool flag) {
  psc_ = regs_.read(PSC) & kPscMask;
  arr_ = regs_.read(ARR) & max_;
  if (flag) set_flags(UIF);
}

void Stm32Tim::set_flags(uint32_t bits) {
  regs_.set(SR, regs_.read(SR) | bits);
  if (bits & regs_.read(DIER)) raise_irq(0);
}

void Stm32Tim::reschedule() {
  uint64_t at = next_overflow();
  const uint32_t dier = regs_.read(DIER);
  for (unsigned ch = 0; ch < kChannels; ++ch)
    if (dier & (2u << ch)) at = std::min(at, next_match(ch)); // a flag without its interrupt is found on read
  if (event_ && at == event_at_) return;
  cancel(event_);
  event_at_ = at;
  if (at == Scheduler::kNever) return;
  // The timer counts TIMPCLK, derived from HCLK: its distance in core cycles stays when the clock changes.
  event_ = this->at(
      at,
      [this](uint64_t due) {
        event_ = 0;
        event_at_ = Scheduler::kNever;
        advance(due);
        reschedule();
      },
      Timebase::CoreClock);
}

uint32_t Stm32Tim::read_register(uint32_t offset) {
  advance(host_.now());
  if (offset == EGR) return 0; // write-only
  if (offset == CNT) {
    uint32_t v = count_at(host_.now());
    if (cr1() & UIFREMAP) v = (v & 0x7FFFFFFFu) | ((regs_.read(SR) & UIF) << 31); // UIFCPY
    return v;
  }
  return regs_.read(offset);
}

void Stm32Tim::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  const uint64_t now = host_.now();
  advance(now);
  switch (offset) {
  case CR1: {
    const uint32_t before = cr1();
    rebase(now); // the count so far, in the old direction
    regs_.write(CR1, value, mask);
    const uint32_t after = cr1();
    if (!(before & CEN) && (after & CEN)) {
      clock_update(); // the APB prescaler as it is now (also after a reset of the RCC)
      counting_ = true;
      restart(now, c0_);
    } else if ((before & CEN) && !(after & CEN)) {
      counting_ = false;
    }
    break;
  }
  case DIER: {
    const uint32_t before = regs_.read(DIER);
    regs_.write(DIER, value, mask);
    if (regs_.read(DIER) & ~before & regs_.read(SR)) raise_irq(0); // enabled while its flag is set
    break;
  }
  case SR: // rc_w0: writing 0 clears a flag, 1 leaves it
    regs_.set(SR, regs_.read(SR) & (value | ~mask));
    return;
  case EGR: {
    const uint32_t v = value & mask;
    if (v & 1u) { // UG: counter and prescaler reinitialised; an update event unless UDIS
      if (!(cr1() & UDIS)) update_event(!(cr1() & URS));
      restart(now, down() ? arr_ : 0);
    }
    if (kind_ == Kind::General && (v & (kCcBits | kTif))) set_flags(v & (kCcBits | kTif)); // CCxG, TG
    break;
  }
  case CNT: // a write restarts the count from the value written
    regs_.set(CNT, count_at(now));
    regs_.write(CNT, value, mask);
    restart(now, regs_.read(CNT) & max_);
    break;
  case PSC: // preloaded: the active prescaler changes at the next update event
    regs_.write(PSC, value & kPscMask, mask);
    return;
  case ARR:
    regs_.write(ARR, value & max_, mask);
    if (!(cr1() & ARPE)) { // no preload: the new value is in force at once
      rebase(now);
      arr_ = regs_.read(ARR) & max_;
    }
    break;
  default: // CCMRx, CCRx: read at every match
    regs_.write(offset, offset >= CCR1 ? value & max_ : value, mask);
    break;
  }
  reschedule();
}

} // namespace mcusim::peripherals
