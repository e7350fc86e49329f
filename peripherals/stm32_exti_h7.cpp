/// \file
/// STM32H7 EXTI: edges, software interrupts, CPU pending bits, level interrupt lines.
#include "peripherals/stm32_exti_h7.h"

#include <algorithm>

namespace mcusim::peripherals {

namespace {
uint32_t bit_of(unsigned line) { return 1u << (line % 32); }
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32ExtiH7::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"RTSR1", RTSR1},     {"FTSR1", FTSR1},     {"SWIER1", SWIER1},   {"RTSR2", 0x20},      {"FTSR2", 0x24},
      {"SWIER2", 0x28},     {"RTSR3", 0x40},      {"FTSR3", 0x44},      {"SWIER3", 0x48},     {"CPUIMR1", CPUIMR1},
      {"CPUEMR1", CPUEMR1}, {"CPUPR1", CPUPR1},   {"CPUIMR2", 0x90},    {"CPUEMR2", 0x94},    {"CPUPR2", 0x98},
      {"CPUIMR3", 0xA0},    {"CPUEMR3", 0xA4},    {"CPUPR3", 0xA8}};
  return regs;
}

void Stm32ExtiH7::reset() {
  Peripheral::reset();
  update_irqs();
}

bool Stm32ExtiH7::models(uint32_t offset) const {
  if (offset < kBanks * kBank) return offset % kBank <= SWIER1;
  if (offset >= CPUIMR1 && offset < CPUIMR1 + kBanks * kCpuBank) return (offset - CPUIMR1) % kCpuBank <= CPUPR1 - CPUIMR1;
  return false;
}

std::optional<size_t> Stm32ExtiH7::irq_index(unsigned line) {
  // RM0455 NVIC vector table: EXTI0..EXTI4 have a line each, EXTI9_5 and EXTI15_10 share one.
  if (line <= 4) return line;
  if (line <= 9) return 5;
  if (line <= 15) return 6;
  return std::nullopt;
}

void Stm32ExtiH7::update_irqs() {
  bool level[kIrqs] = {};
  const uint32_t active = regs_.read(CPUPR1) & regs_.read(CPUIMR1);
  for (unsigned line = 0; line < 16; ++line)
    if (active & bit_of(line)) level[*irq_index(line)] = true;
  const size_t n = std::min(kIrqs, desc_.irqs.size());
  for (size_t i = 0; i < n; ++i) set_irq_level(i, level[i]);
}

void Stm32ExtiH7::pend(unsigned line) {
  const uint32_t bank = line / 32, bit = bit_of(line);
  // RM0455 EXTI 'EXTI event input mapping' / interrupt path: the CPU pending bit is set for a line unmasked in CPUIMR.
  if (!(regs_.read(CPUIMR1 + bank * kCpuBank) & bit)) return;
  regs_.set_bits(CPUPR1 + bank * kCpuBank, bit, true);
  update_irqs();
}

void Stm32ExtiH7::trigger(unsigned line, bool rising) {
  if (line >= 32 * kBanks) return;
  const uint32_t bank = line / 32;
  if (regs_.read(bank * kBank + (rising ? RTSR1 : FTSR1)) & bit_of(line)) pend(line);
}

void Stm32ExtiH7::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  value &= mask;
  if (offset >= CPUIMR1) {
    const uint32_t bank = (offset - CPUIMR1) / kCpuBank, reg = CPUIMR1 + (offset - CPUIMR1) % kCpuBank;
    if (reg == CPUPR1) {
      // Write 1 to clear; the line's SWIER bit clears with it (RM0455 EXTI_CPUPRx, EXTI_SWIERx).
      regs_.set_bits(offset, value, false);
      regs_.set_bits(bank * kBank + SWIER1, value, false);
    } else {
      regs_.write(offset, value, mask); // CPUIMR, CPUEMR
    }
    update_irqs();
    return;
  }
  const uint32_t bank = offset / kBank;
  if (offset % kBank == SWIER1) {
    // Writing 1 where the bit is 0 sets it and, for an unmasked line, the pending bit (RM0455 EXTI_SWIERx).
    const uint32_t rising = value & ~regs_.read(offset);
    regs_.set_bits(offset, value, true);
    for (unsigned b = 0; b < 32; ++b)
      if (rising & (1u << b)) pend(b + 32 * bank);
    return;
  }
  regs_.write(offset, value, mask);
}

} // namespace mcusim::peripherals
