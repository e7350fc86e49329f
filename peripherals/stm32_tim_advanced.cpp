/// \file
/// STM32 advanced-control timers and TIM15/16/17: the repetition counter,
/// APB2 clock, per-flag interrupt lines, on top of Stm32Tim's time base.
#include "peripherals/stm32_tim_advanced.h"

namespace mcusim::peripherals {

namespace {
constexpr uint32_t kCcFlags = 0xFu << 1; // CC1IF..CC4IF (RM0432 §30.4.5)
constexpr uint32_t kBreakFlags = Stm32TimAdvanced::BIF | Stm32TimAdvanced::B2IF | Stm32TimAdvanced::SBIF;
constexpr uint32_t kBie = 1u << 7;    // DIER.BIE enables BIF, B2IF and SBIF (RM0432 §30.4.4)
constexpr uint32_t kComg = 1u << 5, kBg = 1u << 7, kB2g = 1u << 8; // EGR (RM0432 §30.4.6)
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32TimAdvanced::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"CR1", CR1}, {"DIER", DIER}, {"SR", SR},   {"EGR", EGR},   {"CCMR1", CCMR1}, {"CNT", CNT},
      {"PSC", PSC}, {"ARR", ARR},   {"RCR", RCR}, {"CCR1", CCR1}, {"BDTR", BDTR}};
  return regs;
}

Stm32TimAdvanced::Stm32TimAdvanced(const PeripheralDesc &desc, PeripheralHost &host) : Stm32Tim(desc, host, Kind::General) {
  channels_ = desc_.register_at(CCR1 + 12) ? 4 : desc_.register_at(CCR1 + 4) ? 2 : 1;
  rcr_mask_ = channels_ == 4 ? 0xFFFFu : 0xFFu; // RM0432 §30.4.13 REP[15:0]; §32.5.13 REP[7:0]
}

void Stm32TimAdvanced::reset() {
  Stm32Tim::reset();
  rep_ = 0;
  update_lines(); // SR is 0 again: every line the block drove goes inactive
}

void Stm32TimAdvanced::drive(size_t line, bool active) {
  const unsigned bit = 1u << line;
  if (bool(levels_ & bit) == active) return;
  levels_ = active ? levels_ | bit : levels_ & ~bit;
  set_irq_level(line, active);
}

bool Stm32TimAdvanced::models(uint32_t offset) const {
  if (offset == RCR || offset == BDTR) return true;
  if (offset >= CCR1 && offset < CCR1 + 16) return offset < CCR1 + 4 * channels_;
  if (offset == CCMR2) return channels_ > 2;
  return Stm32Tim::models(offset);
}

bool Stm32TimAdvanced::output_channel(unsigned ch) const { return ch < channels_ && Stm32Tim::output_channel(ch); }

/// RM0432 §30.3.3: REP_CNT counts down at each overflow; the update event
/// comes at the overflow that finds it at 0, and reloads it from RCR.
void Stm32TimAdvanced::overflow(uint64_t at) {
  if (rep_ == 0) return Stm32Tim::overflow(at); // the update event (unless UDIS); update_event reloads rep_
  --rep_;
  restart(at, 0); // the counter wraps without an update event
  if (down()) c0_ = arr_;
  match_at_wrap();
}

void Stm32TimAdvanced::update_event(bool flag) {
  rep_ = regs_.read(RCR) & rcr_mask_; // RCR is preloaded: in force from this update event
  Stm32Tim::update_event(flag);
}

void Stm32TimAdvanced::set_flags(uint32_t bits) {
  regs_.set(SR, regs_.read(SR) | bits);
  update_lines();
}

uint32_t Stm32TimAdvanced::enabled_flags() const {
  const uint32_t dier = regs_.read(DIER);
  return (dier & (UIF | kCcFlags | COMIF | TIF)) | ((dier & kBie) ? kBreakFlags : 0u);
}

void Stm32TimAdvanced::update_lines() {
  const uint32_t active = regs_.read(SR) & enabled_flags();
  if (desc_.irqs.size() < 4) {
    drive(0, active != 0);
    return;
  }
  drive(kBrk, (active & kBreakFlags) != 0);
  drive(kUp, (active & UIF) != 0);
  drive(kTrgCom, (active & (COMIF | TIF)) != 0);
  drive(kCc, (active & kCcFlags) != 0);
}

void Stm32TimAdvanced::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  switch (offset) {
  case DIER:
    Stm32Tim::read_register(SR); // flags due by now first
    regs_.write(DIER, value, mask);
    update_lines();
    reschedule();
    return;
  case SR: // rc_w0
    Stm32Tim::read_register(SR);
    regs_.set(SR, regs_.read(SR) & (value | ~mask));
    update_lines();
    return;
  case RCR: // preloaded: REP_CNT takes it at the next update event
    regs_.write(RCR, value & rcr_mask_, mask);
    return;
  case BDTR: // stored (the LOCK write-once protection is not modelled)
    regs_.write(BDTR, value, mask);
    return;
  case EGR: {
    Stm32Tim::write_register(EGR, value, mask); // UG, CCxG, TG
    const uint32_t v = value & mask;
    uint32_t bits = 0;
    if (v & kComg) bits |= COMIF;
    if (v & kBg) bits |= BIF;
    if ((v & kB2g) && channels_ == 4) bits |= B2IF;
    if (bits) set_flags(bits);
    return;
  }
  default: Stm32Tim::write_register(offset, value, mask); return;
  }
}

} // namespace mcusim::peripherals
