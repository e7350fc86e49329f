/// \file
/// nRF52840 POWER and CLOCK (model "nrf-power-clock"): the two share one
/// 4 KiB slot (ID 0, 0x40000000, IRQ POWER_CLOCK) and one INTENSET/INTENCLR
/// (nRF52840 PS, "POWER - Power supply" and "CLOCK - Clock control").
///
/// CLOCK: TASKS_HFCLKSTART starts the HFXO; EVENTS_HFCLKSTARTED and
/// HFCLKSTAT (SRC = Xtal, STATE = Running) follow after its start-up time
/// (event scheduler). TASKS_HFCLKSTOP returns to the HFINT (HFCLKSTAT 0).
/// TASKS_LFCLKSTART copies LFCLKSRC into LFCLKSRCCOPY and, after the start-up
/// time of that source (RC, Xtal or Synth), sets EVENTS_LFCLKSTARTED and
/// LFCLKSTAT; TASKS_LFCLKSTOP stops it. HFCLKRUN/LFCLKRUN say whether the
/// start task was triggered. The core runs at 64 MHz from either HF source:
/// the HFXO only changes the clock's accuracy, which is not modelled.
///
/// POWER: TASKS_CONSTLAT / TASKS_LOWPWR select the System ON sub-mode
/// (constant_latency(), stored: it does not change the wake-up time),
/// SYSTEMOFF = 1 enters System OFF, which ends the run
/// (PeripheralHost::power_off), RESETREAS reads as after a power-on reset
/// (0, cleared by writing 1), DCDCEN/DCDCEN0, POFCON and GPREGRET stored.
#pragma once

#include "peripherals/nrf_peripheral.h"

namespace mcusim::peripherals {

class NrfPowerClock final : public NrfPeripheral {
public:
  // CLOCK and POWER registers (PS register tables).
  static constexpr uint32_t TASKS_HFCLKSTART = 0x000, TASKS_HFCLKSTOP = 0x004, TASKS_LFCLKSTART = 0x008, TASKS_LFCLKSTOP = 0x00C;
  static constexpr uint32_t TASKS_CONSTLAT = 0x078, TASKS_LOWPWR = 0x07C;
  static constexpr uint32_t EVENTS_HFCLKSTARTED = 0x100, EVENTS_LFCLKSTARTED = 0x104;
  static constexpr uint32_t RESETREAS = 0x400, HFCLKRUN = 0x408, HFCLKSTAT = 0x40C, LFCLKRUN = 0x414, LFCLKSTAT = 0x418,
                            LFCLKSRCCOPY = 0x41C, SYSTEMOFF = 0x500, POFCON = 0x510, GPREGRET = 0x51C, GPREGRET2 = 0x520,
                            LFCLKSRC = 0x518, DCDCEN = 0x578, DCDCEN0 = 0x580;
  /// Start-up times in microseconds (nRF52840 PS: tSTART,HFXO typical with
  /// the reference crystal; tSTART,LFXO, tSTART,LFRC, tSTART,LFSYNT; see docs/peripherals.md).
  static constexpr double kHfxoStartUs = 360, kLfxoStartUs = 250000, kLfrcStartUs = 600, kLfsynthStartUs = 100;
  /// The LFCLK (all sources are 32.768 kHz) and the HFCLK the core runs at.
  static constexpr double kLfclkHz = 32768, kHfclkHz = 64e6;

  NrfPowerClock(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  void reset() override;

  bool hfxo_running() const { return regs_.read(HFCLKSTAT) == ((1u << 16) | 1u); }
  bool lfclk_running() const { return regs_.read(LFCLKSTAT) & (1u << 16); }
  /// TASKS_CONSTLAT was triggered last (TASKS_LOWPWR: false, the reset sub-mode).
  bool constant_latency() const { return constlat_; }
  bool dcdc_enabled() const { return regs_.read(DCDCEN) & 1u; }
  /// "HFCLK" (64 MHz), "LFCLK" (32.768 kHz, once started).
  std::optional<double> clock_hz(std::string_view name) const override;

protected:
  void task(uint32_t offset) override;
  void write_owned(uint32_t offset, uint32_t value, uint32_t mask) override;

private:
  Scheduler::EventId hf_event_ = 0, lf_event_ = 0;
  bool constlat_ = false;
};

} // namespace mcusim::peripherals
