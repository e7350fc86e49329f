/// \file
/// STM32 general-purpose I/O port (model "stm32-gpio", RM0432 §8 'GPIO'):
/// MODER, OTYPER, OSPEEDR, PUPDR, IDR, ODR, BSRR, AFRL/AFRH, BRR (when listed).
///
/// A pin's level: in output mode (MODER = 01) the ODR bit (open-drain with
/// ODR = 1 releases the pin: its input level); in input and alternate-function
/// mode the level another model drives through set_input(), else the pull
/// (PUPDR 01: high, 10: low, 00: floating, read as low); analog pins read 0.
/// IDR is computed on read from these levels. Every change of an output
/// pin's level is told to PeripheralHost::io.gpio_changed (port name, pin,
/// level, cycle), and every level change of a pin routed to an EXTI line by
/// SYSCFG_EXTICRx is an edge for the EXTI model (connect()). LCKR is left to
/// the register file (the lock sequence is not modelled).
#pragma once

#include "peripherals/peripheral.h"

#include <cstdint>

namespace mcusim::peripherals {

class Stm32ExtiL4;
class Stm32ExtiH7;
class Stm32SyscfgL4;

class Stm32Gpio final : public Peripheral {
public:
  static constexpr uint32_t MODER = 0x00, OTYPER = 0x04, OSPEEDR = 0x08, PUPDR = 0x0C, IDR = 0x10, ODR = 0x14, BSRR = 0x18,
                            LCKR = 0x1C, AFRL = 0x20, AFRH = 0x24, BRR = 0x28;
  static constexpr unsigned kPins = 16;
  Stm32Gpio(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  void reset() override;
  /// BRR only where the device file lists it (the STM32H7 and F4 ports have none).
  bool models(uint32_t offset) const override { return offset <= BRR && offset != LCKR && (offset != BRR || has_brr_); }
  uint32_t read_register(uint32_t offset) override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;
  void connect(PeripheralBus &bus) override;

  /// Another model drives `pin` (0..15) to `level` (a sensor's data-ready
  /// line, a button): it is the pin's level while the pin is not an output.
  void set_input(unsigned pin, bool level);
  /// Stop driving `pin`: its level is the pull's again.
  void release_input(unsigned pin);
  /// The level of every pin (bit n = pin n), as IDR reads it.
  uint16_t levels() const;
  /// The port's index: GPIOA 0, GPIOB 1, ... (from the block's name; SYSCFG_EXTICRx's code).
  unsigned port_index() const { return port_index_; }

private:
  unsigned mode(unsigned pin) const { return (regs_.read(MODER) >> (2 * pin)) & 3; }
  /// After any change: tell the observers about every pin whose level moved from `before`.
  void update(uint16_t before);

  unsigned port_index_ = 0;
  uint16_t driven_ = 0;   ///< pins another model drives (set_input)
  uint16_t external_ = 0; ///< their levels
  bool has_brr_ = false;
  Stm32ExtiL4 *exti_ = nullptr;
  Stm32ExtiH7 *exti_h7_ = nullptr; ///< the STM32H7 layout's EXTI, when the device has that one
  Stm32SyscfgL4 *syscfg_ = nullptr;
};

} // namespace mcusim::peripherals
