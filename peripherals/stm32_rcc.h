/// \file
/// The part the STM32 clock-tree models of the F4, G0, U5 and H7 share
/// (docs/peripherals.md, "Other STM32 families"): the oscillator enables in
/// RCC_CR with their ready flags (a flag rises a start-up time after its
/// enable, through the event scheduler, and drops at once when the enable is
/// cleared; ready flags ignore writes), the system clock switch (SW -> SWS once
/// the selected source is ready; SWS ignores writes), and the prescaler
/// encodings. A family's model gives the register layout, the oscillators,
/// which source each SW value selects and the frequency arithmetic.
#pragma once

#include "peripherals/peripheral.h"

#include <vector>

namespace mcusim::peripherals {

class Stm32Rcc : public Peripheral {
public:
  /// An oscillator or PLL: its enable and ready bits in RCC_CR and its start-up (lock) time.
  struct Oscillator {
    uint32_t on, ready;
    double start_us;
    Scheduler::EventId event = 0;
  };
  /// Where the switch is: CR and CFGR offsets, SW and SWS fields (shift, width mask).
  struct Layout {
    uint32_t cr, cfgr;
    unsigned sw_shift, sws_shift;
    uint32_t sw_mask; ///< unshifted: 3 (2 bits) or 7 (3 bits)
  };

  Stm32Rcc(const PeripheralDesc &desc, PeripheralHost &host, Layout layout, std::vector<Oscillator> oscillators,
           std::vector<uint32_t> modelled);

  void reset() override;
  bool models(uint32_t offset) const override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;

  /// SYSCLK from CFGR.SWS.
  virtual double sysclk_hz() const = 0;
  /// HCLK: the AHB clock.
  virtual double hclk_hz() const = 0;
  /// PCLK1 (`apb` 1) or PCLK2 (2).
  virtual double pclk_hz(unsigned apb) const = 0;
  /// The core clock: HCLK unless the family says otherwise (H7: the CPU clock).
  std::optional<double> core_clock_hz() const override { return hclk_hz(); }
  /// "SYSCLK", "HCLK", "PCLK1", "PCLK2", "LSI", "LSE".
  std::optional<double> clock_hz(std::string_view name) const override;

  /// AHB-style prescaler (4-bit HPRE, CDCPRE): 0xxx /1, 1000 /2 ... 1111 /512.
  static double ahb_divider(unsigned field);
  /// APB prescaler (3-bit PPRE): 0xx /1, 100 /2 ... 111 /16.
  static double apb_divider(unsigned field);

protected:
  /// Whether the source that SW value `sw` selects is ready.
  virtual bool source_ready(unsigned sw) const = 0;
  /// The LSI frequency (the family's RC).
  virtual double lsi_hz() const = 0;
  unsigned sws() const { return (regs_.read(layout_.cfgr) >> layout_.sws_shift) & layout_.sw_mask; }
  bool cr_bit(uint32_t bit) const { return regs_.read(layout_.cr) & bit; }
  static constexpr double kLseHz = 32768; ///< the usual 32.768 kHz crystal

private:
  void write_cr(uint32_t value, uint32_t mask);
  void update_switch();
  Layout layout_;
  std::vector<Oscillator> osc_;
  std::vector<uint32_t> modelled_;
};

} // namespace mcusim::peripherals
