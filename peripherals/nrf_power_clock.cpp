/// \file
/// nRF52840 POWER and CLOCK: oscillator start tasks and events, System OFF.
#include "peripherals/nrf_power_clock.h"

namespace mcusim::peripherals {

namespace {
constexpr uint32_t kStateRunning = 1u << 16; // HFCLKSTAT/LFCLKSTAT.STATE
constexpr uint32_t kSrcXtal = 1;             // HFCLKSTAT.SRC
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &NrfPowerClock::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"TASKS_HFCLKSTART", TASKS_HFCLKSTART}, {"TASKS_HFCLKSTOP", TASKS_HFCLKSTOP},
      {"TASKS_LFCLKSTART", TASKS_LFCLKSTART}, {"TASKS_LFCLKSTOP", TASKS_LFCLKSTOP},
      {"EVENTS_HFCLKSTARTED", EVENTS_HFCLKSTARTED}, {"EVENTS_LFCLKSTARTED", EVENTS_LFCLKSTARTED},
      {"HFCLKSTAT", HFCLKSTAT}, {"LFCLKSTAT", LFCLKSTAT}, {"LFCLKSRC", LFCLKSRC}, {"SYSTEMOFF", SYSTEMOFF}};
  return regs;
}

NrfPowerClock::NrfPowerClock(const PeripheralDesc &desc, PeripheralHost &host)
    : NrfPeripheral(desc, host,
                    {RESETREAS, HFCLKRUN, HFCLKSTAT, LFCLKRUN, LFCLKSTAT, LFCLKSRCCOPY, SYSTEMOFF, POFCON, GPREGRET, GPREGRET2,
                     LFCLKSRC, DCDCEN, DCDCEN0}) {}

void NrfPowerClock::reset() {
  NrfPeripheral::reset();
  hf_event_ = lf_event_ = 0;
  constlat_ = false;
}

void NrfPowerClock::task(uint32_t offset) {
  switch (offset) {
  case TASKS_HFCLKSTART:
    regs_.set(HFCLKRUN, 1);
    if (hf_event_) return; // already starting
    // Already running: the event follows at once (the next cycle).
    hf_event_ = after(hfxo_running() ? 1 : cycles_in_us(kHfxoStartUs), [this] {
      hf_event_ = 0;
      regs_.set(HFCLKSTAT, kStateRunning | kSrcXtal);
      set_event(EVENTS_HFCLKSTARTED);
    });
    return;
  case TASKS_HFCLKSTOP:
    cancel(hf_event_);
    regs_.set(HFCLKRUN, 0);
    regs_.set(HFCLKSTAT, 0); // back to the HFINT, on demand of the CPU
    return;
  case TASKS_LFCLKSTART: {
    regs_.set(LFCLKRUN, 1);
    if (lf_event_) return;
    const uint32_t src = regs_.read(LFCLKSRC) & 3u;
    regs_.set(LFCLKSRCCOPY, regs_.read(LFCLKSRC));
    const double us = src == 1 ? kLfxoStartUs : src == 2 ? kLfsynthStartUs : kLfrcStartUs;
    lf_event_ = after(cycles_in_us(us), [this, src] {
      lf_event_ = 0;
      regs_.set(LFCLKSTAT, kStateRunning | src);
      set_event(EVENTS_LFCLKSTARTED);
    });
    return;
  }
  case TASKS_LFCLKSTOP:
    cancel(lf_event_);
    regs_.set(LFCLKRUN, 0);
    regs_.set(LFCLKSTAT, 0);
    return;
  case TASKS_CONSTLAT: constlat_ = true; return;
  case TASKS_LOWPWR: constlat_ = false; return;
  default: return; // TASKS_CAL, TASKS_CTSTART/STOP: calibration is not modelled
  }
}

void NrfPowerClock::write_owned(uint32_t offset, uint32_t value, uint32_t mask) {
  switch (offset) {
  case HFCLKRUN:
  case HFCLKSTAT:
  case LFCLKRUN:
  case LFCLKSTAT:
  case LFCLKSRCCOPY: return; // read-only
  case SYSTEMOFF:
    if (value & mask & 1u) {
      if (host_.power_off) host_.power_off("System OFF (POWER->SYSTEMOFF written 1): the device is off until a reset");
    }
    return;
  default: regs_.write(offset, value, mask); // RESETREAS (w1c in the data), LFCLKSRC, DCDCEN, POFCON, GPREGRET...
  }
}

std::optional<double> NrfPowerClock::clock_hz(std::string_view name) const {
  if (name == "HFCLK") return kHfclkHz;
  if (name == "LFCLK" && lfclk_running()) return kLfclkHz;
  return std::nullopt;
}

} // namespace mcusim::peripherals
