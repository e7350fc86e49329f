/// \file
/// GPIO output pins seen from the host (docs/peripherals.md, "GPIO"): the
/// recorder behind RunOptions::peripheral_io.gpio_changed, the
/// `--gpio-trace FILE` output (text, or VCD for a FILE ending in .vcd) and
/// the `--gpio-phase NAME=PA5` phase markers (the pin's high intervals in the report).
#pragma once

#include "base/error.h"
#include "core/simulator.h"
#include "profiler/run_report.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mcusim::session {

/// One output level change, as the GPIO model reports it.
struct GpioEvent {
  uint64_t cycle = 0;
  std::string port; ///< "GPIOA"
  unsigned pin = 0;
  bool level = false;
};

/// A pin named the way boards and datasheets name it: "PA5" is GPIOA pin 5.
struct GpioPin {
  std::string port; ///< "GPIOA", or "P0" on the nRF
  unsigned pin = 0;
  std::string label() const; ///< "PA5", "P0.13"
};
/// "PA5", "pb12" -> GPIOA 5, GPIOB 12 (ports A..Z, pins 0..15); "P0.13" -> P0 13 (nRF ports, pins 0..31);
/// an error names what is wrong.
Expected<GpioPin> parse_gpio_pin(const std::string &text);

/// A --gpio-phase: the phase `name` is the time `pin` is high.
struct GpioPhaseSpec {
  std::string name;
  GpioPin pin;
};
/// "inference=PA5" -> {inference, PA5}; a one-line error (ErrorKind::Usage) otherwise.
Expected<GpioPhaseSpec> parse_gpio_phase(const std::string &text);

/// Collects the output changes of a run (connect() sets the PeripheralIo observer).
class GpioRecorder {
public:
  /// Sets io.gpio_changed to record into this recorder (which must outlive the run).
  void connect(PeripheralIo &io);
  const std::vector<GpioEvent> &events() const { return events_; }

private:
  std::vector<GpioEvent> events_;
};

/// Simulated microseconds at core cycle `cycle` of a run (its clock segments).
double cycle_us(const RunResult &run, uint64_t cycle);

/// The text trace: a header comment, then one line per change,
/// "time_us cycle port pin level" ("12.345000 1481 GPIOA 5 1").
std::string render_gpio_trace(const std::vector<GpioEvent> &events, const RunResult &run);
/// The same changes as a Value Change Dump (IEEE 1364 §18) with a 1 ps
/// timescale: one wire per pin that changed, named PA5..., all 0 at time 0.
std::string render_gpio_vcd(const std::vector<GpioEvent> &events, const RunResult &run);

/// The high intervals of each phase's pin: from a rising to the next falling
/// change (a pin still high when the run ends is not counted; `open` says so).
std::vector<RunReport::GpioPhase> gpio_phases(const std::vector<GpioEvent> &events, const std::vector<GpioPhaseSpec> &specs,
                                              const RunResult &run);

} // namespace mcusim::session
