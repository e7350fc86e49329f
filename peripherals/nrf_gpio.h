/// \file
/// nRF52840 GPIO port P0 or P1 (model "nrf-gpio", nRF52840 PS, "GPIO - General purpose input/output"):
/// OUT, OUTSET, OUTCLR, IN, DIR, DIRSET, DIRCLR, LATCH, DETECTMODE and
/// PIN_CNF[0..31] (PIN_CNF.DIR and DIR are the same bits).
///
/// The PS places P0 at 0x50000000 and P1 at 0x50000300 with OUT at offset
/// 0x504, so the two ports' register sets interleave in one 4 KiB page (P0:
/// 0x50000504-0x5000077F, P1: 0x50000804-0x50000A7F). A block therefore
/// starts at the port's base + 0x500, and the offsets here are the PS
/// offsets - 0x500 (OUT = 0x004, PIN_CNF[n] = 0x200 + 4n).
///
/// A pin is driven when its DIR bit is set: a change of its level (OUT) is
/// reported through PeripheralIo::gpio_changed with the block's name as the
/// port ("P0", "P1"). IN reads, for each pin whose input buffer is connected
/// (PIN_CNF.INPUT = 0), the driven level of an output, the level set by
/// set_input() for an input, else its pull (pull-up 1, otherwise 0).
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

class NrfGpio final : public Peripheral {
public:
  static constexpr uint32_t OUT = 0x004, OUTSET = 0x008, OUTCLR = 0x00C, IN = 0x010, DIR = 0x014, DIRSET = 0x018,
                            DIRCLR = 0x01C, LATCH = 0x020, DETECTMODE = 0x024, PIN_CNF0 = 0x200;

  NrfGpio(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  void reset() override;
  bool models(uint32_t offset) const override;
  uint32_t read_register(uint32_t offset) override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;

  /// An external level on input pin `pin` (another model, a test).
  void set_input(unsigned pin, bool level);
  /// The level of every pin as IN would read it with all input buffers connected.
  uint32_t levels() const;

private:
  /// DIR changed through DIR/DIRSET/DIRCLR: the PIN_CNF.DIR bits follow.
  void sync_pin_cnf_dir();
  /// Report the driven pins whose level changed.
  void report();
  uint32_t ext_ = 0;     ///< levels set by set_input()
  uint32_t level_ = 0;   ///< levels of driven pins as last reported
};

} // namespace mcusim::peripherals
