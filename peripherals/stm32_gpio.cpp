/// \file
/// STM32 GPIO port: pin levels, output changes and EXTI edges.
#include "peripherals/stm32_gpio.h"

#include "peripherals/bus.h"
#include "peripherals/stm32_exti_h7.h"
#include "peripherals/stm32_exti_l4.h"
#include "peripherals/stm32_syscfg_l4.h"

namespace mcusim::peripherals {

Stm32Gpio::Stm32Gpio(const PeripheralDesc &desc, PeripheralHost &host) : Peripheral(desc, host) {
  // "GPIOA" -> 0, "GPIOB" -> 1, ...: the code SYSCFG_EXTICRx uses for the port (RM0432 §9.2.3).
  const char last = desc.name.empty() ? 'A' : desc.name.back();
  port_index_ = last >= 'A' && last <= 'Z' ? unsigned(last - 'A') : 0;
  const PeripheralRegisterDesc *brr = desc.register_at(BRR);
  has_brr_ = brr && brr->name == "BRR";
}

const std::vector<std::pair<const char *, uint32_t>> &Stm32Gpio::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"MODER", MODER}, {"OTYPER", OTYPER}, {"OSPEEDR", OSPEEDR}, {"PUPDR", PUPDR}, {"IDR", IDR},   {"ODR", ODR},
      {"BSRR", BSRR},   {"LCKR", LCKR},     {"AFRL", AFRL},       {"AFRH", AFRH}};
  return regs;
}

void Stm32Gpio::reset() {
  Peripheral::reset();
  driven_ = external_ = 0;
}

void Stm32Gpio::connect(PeripheralBus &bus) {
  exti_ = dynamic_cast<Stm32ExtiL4 *>(bus.find("EXTI"));
  exti_h7_ = dynamic_cast<Stm32ExtiH7 *>(bus.find("EXTI"));
  syscfg_ = dynamic_cast<Stm32SyscfgL4 *>(bus.find("SYSCFG"));
}

uint16_t Stm32Gpio::levels() const {
  const uint32_t odr = regs_.read(ODR), pupdr = regs_.read(PUPDR), otyper = regs_.read(OTYPER);
  uint16_t out = 0;
  for (unsigned pin = 0; pin < kPins; ++pin) {
    const uint32_t bit = 1u << pin;
    const unsigned m = mode(pin);
    if (m == 3) continue; // analog: the Schmitt trigger is off, IDR reads 0
    bool level;
    if (m == 1 && !((otyper & bit) && (odr & bit))) level = odr & bit; // push-pull, or open-drain pulling low
    else if (driven_ & bit) level = external_ & bit;
    else level = ((pupdr >> (2 * pin)) & 3) == 1; // pull-up high; pull-down and floating low
    if (level) out |= uint16_t(bit);
  }
  return out;
}

uint32_t Stm32Gpio::read_register(uint32_t offset) {
  switch (offset) {
  case IDR: return levels();
  case BSRR:
  case BRR: return 0; // write-only
  default: return regs_.read(offset);
  }
}

void Stm32Gpio::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  const uint16_t before = levels();
  value &= mask;
  switch (offset) {
  case IDR: return; // read-only
  case BSRR: {
    // RM0432 §8.4.7: "If both BSx and BRx are set, BSx has priority."
    const uint32_t set = value & 0xFFFF, clear = value >> 16;
    regs_.set(ODR, ((regs_.read(ODR) & ~clear) | set) & 0xFFFF);
    break;
  }
  case BRR: regs_.set(ODR, regs_.read(ODR) & ~(value & 0xFFFF)); break;
  case ODR:
  case OTYPER: regs_.write(offset, value & 0xFFFF, mask); break;
  default: regs_.write(offset, value, mask); break;
  }
  update(before);
}

void Stm32Gpio::set_input(unsigned pin, bool level) {
  if (pin >= kPins) return;
  const uint16_t before = levels();
  driven_ |= uint16_t(1u << pin);
  external_ = level ? uint16_t(external_ | (1u << pin)) : uint16_t(external_ & ~(1u << pin));
  update(before);
}

void Stm32Gpio::release_input(unsigned pin) {
  if (pin >= kPins) return;
  const uint16_t before = levels();
  driven_ &= uint16_t(~(1u << pin));
  update(before);
}

void Stm32Gpio::update(uint16_t before) {
  const uint16_t now = levels(), changed = before ^ now;
  if (!changed) return;
  for (unsigned pin = 0; pin < kPins; ++pin) {
    if (!(changed & (1u << pin))) continue;
    const bool level = now & (1u << pin);
    if (mode(pin) == 1 && host_.io.gpio_changed) host_.io.gpio_changed(name(), pin, level, host_.now());
    // The EXTI sees the pin through its input buffer, in input and output mode alike (RM0432 §8.3.9, §14.3).
    if (syscfg_ && syscfg_->exti_port(pin) == port_index_) {
      if (exti_) exti_->trigger(pin, level);
      if (exti_h7_) exti_h7_->trigger(pin, level);
    }
  }
}

} // namespace mcusim::peripherals
