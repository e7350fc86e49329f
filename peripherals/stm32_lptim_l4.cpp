/// \file
/// STM32L4/L4+ LPTIM: continuous and one-shot counting to ARR, ARRM, ARROK/CMPOK.
#include "peripherals/stm32_lptim_l4.h"

#include "peripherals/bus.h"

#include <cmath>

namespace mcusim::peripherals {

const std::vector<std::pair<const char *, uint32_t>> &Stm32LptimL4::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {{"ISR", ISR},   {"ICR", ICR}, {"IER", IER}, {"CFGR", CFGR},
                                                                      {"CR", CR},     {"CMP", CMP}, {"ARR", ARR}, {"CNT", CNT}};
  return regs;
}

void Stm32LptimL4::reset() {
  Peripheral::reset();
  running_ = continuous_ = false;
  start_cycle_ = 0;
  hz_at_start_ = fraction_ = 0;
  match_ = arrok_ = cmpok_ = 0;
}

void Stm32LptimL4::connect(PeripheralBus &bus) { bus_ = &bus; }

bool Stm32LptimL4::models(uint32_t offset) const {
  switch (offset) {
  case ISR:
  case ICR:
  case IER:
  case CFGR:
  case CR:
  case CMP:
  case ARR:
  case CNT: return true;
  default: return false;
  }
}

double Stm32LptimL4::count_hz() const {
  auto kernel = bus_ ? bus_->clock_hz(name()) : std::nullopt;
  if (!kernel || *kernel <= 0) return 0;
  return *kernel / double(1u << ((regs_.read(CFGR) >> 9) & 7u)); // PRESC
}

uint64_t Stm32LptimL4::cycles_of(double seconds) const { return std::max<uint64_t>(1, uint64_t(std::llround(seconds * host_.hz))); }

uint32_t Stm32LptimL4::read_register(uint32_t offset) {
  if (offset == CNT) {
    if (!running_ || hz_at_start_ <= 0 || host_.hz <= 0) return 0;
    const auto ticks = uint64_t(double(now() - start_cycle_) / host_.hz * hz_at_start_);
    const uint64_t arr = regs_.read(ARR) & 0xFFFFu;
    return uint32_t(continuous_ ? ticks % (arr + 1) : std::min<uint64_t>(ticks, arr));
  }
  if (offset == ICR) return 0; // write-only
  return regs_.read(offset);
}

void Stm32LptimL4::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  const bool enabled = regs_.read(CR) & ENABLE;
  // One period of the kernel clock (count_hz() is the kernel clock already divided by 2^PRESC).
  const double kernel_period = count_hz() > 0 ? 1.0 / (count_hz() * double(1u << ((regs_.read(CFGR) >> 9) & 7u))) : 0;
  switch (offset) {
  case ISR:
  case CNT: return; // read-only
  case ICR: regs_.set(ISR, regs_.read(ISR) & ~(value & mask & 0x7Fu)); return;
  case IER:
  case CFGR:
    if (!enabled) regs_.write(offset, value, mask); // RM0432: written only while ENABLE = 0
    return;
  case ARR:
  case CMP: {
    if (!enabled) return; // written only while ENABLE = 1
    regs_.write(offset, value, mask);
    const uint32_t ok = offset == ARR ? ARROK : CMPOK;
    Scheduler::EventId &ev = offset == ARR ? arrok_ : cmpok_;
    cancel(ev);
    if (kernel_period <= 0) return; // no kernel clock: the write never completes
    ev = after(cycles_of(2 * kernel_period), [this, ok, &ev] {
      ev = 0;
      regs_.set_bits(ISR, ok, true);
      if (regs_.read(IER) & ok) raise_irq(0);
    });
    return;
  }
  case CR: {
    const uint32_t v = (regs_.read(CR) & ~mask) | (value & mask);
    regs_.set(CR, v & ~(SNGSTRT | CNTSTRT)); // the start bits read back 0
    if (!(v & ENABLE)) {
      stop();
      return;
    }
    if (v & CNTSTRT) start(true);
    else if (v & SNGSTRT) start(false);
    return;
  }
  default: regs_.write(offset, value, mask);
  }
}

void Stm32LptimL4::stop() {
  running_ = false;
  cancel(match_);
}

void Stm32LptimL4::start(bool continuous) {
  cancel(match_);
  running_ = true;
  continuous_ = continuous;
  start_cycle_ = now();
  hz_at_start_ = count_hz();
  fraction_ = 0;
  // The first match is ARR periods after the start (the count 0 .. ARR).
  schedule_match(start_cycle_, regs_.read(ARR) & 0xFFFFu);
}

void Stm32LptimL4::schedule_match(uint64_t from, uint64_t ticks) {
  if (hz_at_start_ <= 0 || host_.hz <= 0 || ticks == 0) return;
  const double exact = double(ticks) / hz_at_start_ * host_.hz + fraction_;
  const uint64_t whole = std::max<uint64_t>(1, uint64_t(std::floor(exact)));
  fraction_ = exact - double(whole);
  match_ = at(from + whole, [this](uint64_t due) {
    cancel(match_);
    if (!running_) return;
    regs_.set_bits(ISR, ARRM, true);
    if (regs_.read(IER) & ARRM) raise_irq(0);
    if (!continuous_) {
      running_ = false;
      return;
    }
    // The count wraps to 0 one period after ARR, so the next ARR is ARR + 1 periods later
    // (CNT on read stays ticks since the start modulo ARR + 1).
    schedule_match(due, (regs_.read(ARR) & 0xFFFFu) + 1);
  });
}

} // namespace mcusim::peripherals
