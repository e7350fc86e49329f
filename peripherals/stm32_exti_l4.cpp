/// \file
/// STM32L4/L4+ EXTI: edges, software interrupts and pending bits.
#include "peripherals/stm32_exti_l4.h"

namespace mcusim::peripherals {

namespace {
uint32_t bank_offset(unsigned line) { return line < 32 ? 0 : Stm32ExtiL4::kBank2; }
uint32_t bit_of(unsigned line) { return 1u << (line % 32); }
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32ExtiL4::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"IMR1", 0x00}, {"EMR1", 0x04}, {"RTSR1", 0x08}, {"FTSR1", 0x0C}, {"SWIER1", 0x10}, {"PR1", 0x14},
      {"IMR2", 0x20}, {"EMR2", 0x24}, {"RTSR2", 0x28}, {"FTSR2", 0x2C}, {"SWIER2", 0x30}, {"PR2", 0x34}};
  return regs;
}

std::optional<size_t> Stm32ExtiL4::irq_index(unsigned line) {
  // RM0432 NVIC vector table: EXTI0..EXTI4 have a line each, EXTI9_5 and EXTI15_10 share one.
  if (line <= 4) return line;
  if (line <= 9) return 5;
  if (line <= 15) return 6;
  if (line == 16) return 7; // PVD/PVM
  if (line == 20) return 8; // RTC wake-up timer
  return std::nullopt;
}

void Stm32ExtiL4::pend(unsigned line) {
  const uint32_t bank = bank_offset(line), bit = bit_of(line);
  // RM0432 §14.3.4: the pending bit is set, and the interrupt requested, for an unmasked line.
  if (!(regs_.read(bank + IMR1) & bit)) return;
  regs_.set_bits(bank + PR1, bit, true);
  if (auto i = irq_index(line)) raise_irq(*i);
}

void Stm32ExtiL4::trigger(unsigned line, bool rising) {
  if (line >= kLines) return;
  const uint32_t bank = bank_offset(line), bit = bit_of(line);
  if (regs_.read(bank + (rising ? RTSR1 : FTSR1)) & bit) pend(line);
}

void Stm32ExtiL4::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  const uint32_t bank = offset < kBank2 ? 0 : kBank2, reg = offset - bank;
  value &= mask;
  if (reg == PR1) {
    // Write 1 to clear; the line's software interrupt bit clears with it (RM0432 §14.5.5, §14.5.6).
    regs_.set_bits(offset, value, false);
    regs_.set_bits(bank + SWIER1, value, false);
    return;
  }
  if (reg == SWIER1) {
    // Writing 1 where the bit is 0 sets it and, for an unmasked line, the pending bit (RM0432 §14.5.5).
    const uint32_t rising = value & ~regs_.read(offset);
    regs_.set_bits(offset, value, true);
    for (unsigned b = 0; b < 32; ++b)
      if (rising & (1u << b)) pend(b + (bank ? 32 : 0));
    return;
  }
  regs_.write(offset, value, mask);
}

} // namespace mcusim::peripherals
