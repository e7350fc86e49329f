/// \file
/// nRF52840 GPIO: output, direction and pin configuration, level changes to the host.
#include "peripherals/nrf_gpio.h"

namespace mcusim::peripherals {

namespace {
constexpr uint32_t kCnfDir = 1u << 0, kCnfInputDisconnect = 1u << 1;
constexpr unsigned kPullShift = 2; // PIN_CNF.PULL: 0 none, 1 pull-down, 3 pull-up
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &NrfGpio::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"OUT", OUT}, {"OUTSET", OUTSET}, {"OUTCLR", OUTCLR}, {"IN", IN}, {"DIR", DIR}, {"DIRSET", DIRSET}, {"DIRCLR", DIRCLR}};
  return regs;
}

NrfGpio::NrfGpio(const PeripheralDesc &desc, PeripheralHost &host) : Peripheral(desc, host) {}

void NrfGpio::reset() {
  Peripheral::reset();
  ext_ = level_ = 0;
}

bool NrfGpio::models(uint32_t offset) const {
  if (offset >= OUT && offset <= DETECTMODE) return true;
  return offset >= PIN_CNF0 && offset < PIN_CNF0 + 32 * 4 && regs_.describe(offset);
}

uint32_t NrfGpio::levels() const {
  const uint32_t dir = regs_.read(DIR);
  uint32_t pulled = 0;
  for (unsigned n = 0; n < 32; ++n)
    if (regs_.describe(PIN_CNF0 + 4 * n) && ((regs_.read(PIN_CNF0 + 4 * n) >> kPullShift) & 3u) == 3u) pulled |= 1u << n;
  return (regs_.read(OUT) & dir) | (~dir & (ext_ | pulled));
}

uint32_t NrfGpio::read_register(uint32_t offset) {
  switch (offset) {
  case OUTSET:
  case OUTCLR: return regs_.read(OUT);
  case DIRSET:
  case DIRCLR: return regs_.read(DIR);
  case IN: {
    uint32_t connected = 0;
    for (unsigned n = 0; n < 32; ++n)
      if (!regs_.describe(PIN_CNF0 + 4 * n) || !(regs_.read(PIN_CNF0 + 4 * n) & kCnfInputDisconnect)) connected |= 1u << n;
    return levels() & connected;
  }
  default: return regs_.read(offset);
  }
}

void NrfGpio::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  const uint32_t v = value & mask;
  switch (offset) {
  case OUT: regs_.write(OUT, value, mask); break;
  case OUTSET: regs_.set(OUT, regs_.read(OUT) | v); break;
  case OUTCLR: regs_.set(OUT, regs_.read(OUT) & ~v); break;
  case IN: return; // read-only
  case DIR: regs_.write(DIR, value, mask); sync_pin_cnf_dir(); break;
  case DIRSET: regs_.set(DIR, regs_.read(DIR) | v); sync_pin_cnf_dir(); break;
  case DIRCLR: regs_.set(DIR, regs_.read(DIR) & ~v); sync_pin_cnf_dir(); break;
  case LATCH: regs_.set(LATCH, regs_.read(LATCH) & ~v); return; // write 1 to clear
  default:
    regs_.write(offset, value, mask);
    if (offset >= PIN_CNF0) {
      const unsigned n = (offset - PIN_CNF0) / 4;
      regs_.set_bits(DIR, 1u << n, regs_.read(offset) & kCnfDir);
    }
    break;
  }
  report();
}

void NrfGpio::sync_pin_cnf_dir() {
  const uint32_t dir = regs_.read(DIR);
  for (unsigned n = 0; n < 32; ++n)
    if (regs_.describe(PIN_CNF0 + 4 * n)) regs_.set_bits(PIN_CNF0 + 4 * n, kCnfDir, dir >> n & 1u);
}

void NrfGpio::set_input(unsigned pin, bool level) {
  if (pin < 32) ext_ = level ? ext_ | (1u << pin) : ext_ & ~(1u << pin);
}

void NrfGpio::report() {
  const uint32_t dir = regs_.read(DIR), out = regs_.read(OUT);
  // A pin is reported when it is driven and its level differs from the last one reported (0 before any).
  const uint32_t changed = dir & (out ^ level_);
  level_ = (level_ & ~dir) | (out & dir);
  if (!changed || !host_.io.gpio_changed) return;
  const uint64_t now = host_.now();
  for (unsigned n = 0; n < 32; ++n)
    if (changed >> n & 1u) host_.io.gpio_changed(name(), n, out >> n & 1u, now);
}

} // namespace mcusim::peripherals
