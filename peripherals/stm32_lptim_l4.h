/// \file
/// STM32L4/L4+ low-power timer (model "stm32-lptim-l4", RM0432 §39
/// 'Low-power timer (LPTIM)' for the STM32L4R5), counting its internal
/// kernel clock (the RCC's "LPTIM1" clock: CCIPR.LPTIM1SEL = PCLK1, LSI,
/// HSI16 or LSE) through CFGR.PRESC (1 .. 128):
///
/// - CR.ENABLE; CR.CNTSTRT (continuous) and CR.SNGSTRT (one shot) start the
///   counter from 0 while ENABLE = 1 (they read back 0). Clearing ENABLE
///   stops the counter and clears CNT.
/// - ARR and CMP are written only while ENABLE = 1; ISR.ARROK / ISR.CMPOK
///   rise two kernel-clock periods after the write (HAL polls ARROK).
/// - The counter counts 0 .. ARR; reaching ARR sets ISR.ARRM (and, with
///   IER.ARRMIE, raises irqs[0], LPTIM1), then it restarts from 0
///   (continuous) or stops at 0 (one shot): ARRM every (ARR + 1) periods.
/// - CNT is computed from the time on read; ICR clears ISR flags; IER and
///   CFGR are stored (writable only while ENABLE = 0, as on the chip).
///
/// Not modelled: CMPM events and the PWM output, external clock and
/// trigger inputs, encoder mode, the COUNTRST/RSTARE resets.
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

class Stm32LptimL4 final : public Peripheral {
public:
  static constexpr uint32_t ISR = 0x00, ICR = 0x04, IER = 0x08, CFGR = 0x0C, CR = 0x10, CMP = 0x14, ARR = 0x18, CNT = 0x1C;
  // ISR / ICR / IER bits (RM0432).
  static constexpr uint32_t CMPM = 1u << 0, ARRM = 1u << 1, CMPOK = 1u << 3, ARROK = 1u << 4;
  // CR bits (RM0432).
  static constexpr uint32_t ENABLE = 1u << 0, SNGSTRT = 1u << 1, CNTSTRT = 1u << 2;

  using Peripheral::Peripheral;
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  void reset() override;
  void connect(PeripheralBus &bus) override;
  bool models(uint32_t offset) const override;
  uint32_t read_register(uint32_t offset) override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;

  /// The counter's clock in Hz: the kernel clock / 2^CFGR.PRESC (0 when none runs).
  double count_hz() const;

private:
  uint64_t cycles_of(double seconds) const;
  void start(bool continuous);
  void stop();
  void schedule_match(uint64_t from, uint64_t ticks);
  PeripheralBus *bus_ = nullptr;
  bool running_ = false, continuous_ = false;
  uint64_t start_cycle_ = 0; ///< core cycle of the count's last 0
  double hz_at_start_ = 0;   ///< count_hz() when it started
  double fraction_ = 0;      ///< fractional cycles carried between periods
  Scheduler::EventId match_ = 0, arrok_ = 0, cmpok_ = 0;
};

} // namespace mcusim::peripherals
