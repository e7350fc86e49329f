/// \file
/// Energy of a run: the device's power figures (base/power_desc.h) priced over
/// the core's counters (core/power_counters.h). Run cycles cost the run
/// current of their code location at the clock; sleep and deep-sleep cycles
/// the state's current; wake-up cycles the run current of flash (the clock
/// and regulator restart draw about the run current: docs/power.md); extra
/// per-instruction-class energy when the weights are not neutral.
/// Energy = power integrated over the timeline. Formulas: docs/power.md.
#pragma once

#include "base/device.h"
#include "core/power_counters.h"
#include "power/power_error.h"

#include <optional>
#include <string>
#include <vector>

namespace mcusim::power {

/// What prices a run: the device's figures at one clock, mode, voltage and temperature.
struct EnergyOptions {
  double mhz = 0;              ///< core clock
  std::string mode;            ///< run mode ("" = the device's default)
  std::string deep_sleep;      ///< state SLEEPDEEP enters ("" = the device's)
  std::optional<double> voltage_v;   ///< rail voltage (default: the figures' own)
  double temperature_c = 25;   ///< ambient, for leakage
};

/// The currents a run is priced with (all at the rail, in µA).
struct EnergyModel {
  std::string device, mode, deep_sleep_name;
  double mhz = 0, voltage_v = 0, temperature_c = 25;
  double run_ua[kCodeLocations] = {}; ///< by CodeLocation
  double sleep_ua = 0, deep_sleep_ua = 0;
  double wakeup_ua = 0;               ///< drawn during wake-up
  double sleep_wakeup_us = 0, deep_wakeup_us = 0;
  PowerWeights weights;
  std::vector<std::string> sources;   ///< one line per figure used: "run flash: 100 µA/MHz ... (DS12023 ...)"
  /// Every stop/standby state of the device, priced: a run's deep sleep is
  /// priced by the state it entered (PowerCounters::deep_states).
  struct DeepState {
    std::string name;
    double ua = 0, wakeup_us = 0;
    std::string source; ///< its line for `sources` when a run enters it
  };
  std::vector<DeepState> deep_states;
  /// The state named `name` (case-insensitive), or nullptr.
  const DeepState *deep_state(const std::string &name) const;
  /// Energy in µJ of `cycles` in a state (Run needs the location).
  double state_uj(CoreState s, uint64_t cycles, CodeLocation loc = CodeLocation::Flash) const;
  double state_ua(CoreState s, CodeLocation loc = CodeLocation::Flash) const;
};

/// Builds the model; a device without a [power] section, an unknown mode or
/// deep-sleep state, or a clock above the device's rows is one clear line (PowerErrorKind).
PowerExpected<EnergyModel> make_energy_model(const Device &device, const EnergyOptions &options);

/// Time and energy in one state over the run.
struct StateEnergy {
  std::string state;      ///< "run (flash)", "run (sram)", "sleep", "deep sleep (stop2)", "wake-up"
  uint64_t cycles = 0;
  double seconds = 0, uj = 0, share = 0; ///< share of the run's energy
  double current_ua = 0;
  /// Deep-sleep rows counted by state (PowerCounters::deep_states): entries and the state's wake-up time.
  std::optional<uint64_t> entries;
  std::optional<double> wakeup_us;
};

/// One point of the power-over-time chart: a timeline segment's average.
struct PowerPoint {
  double start_s = 0, end_s = 0;
  double mw = 0;          ///< average power over the segment
  CoreState state = CoreState::Run;
};

/// One clock of a run (PowerCounters::clocks): its core clock and run mode,
/// its cycles (every state), their time at that clock and their energy
/// (the instruction-class energy shared out by run cycles).
struct ClockEnergy {
  double mhz = 0;
  std::string mode; ///< the mode its run rows were taken in
  uint64_t cycles = 0;
  double seconds = 0, uj = 0;
};

struct RunEnergy {
  /// The model of the clock in force at the end of the run (for a run at
  /// several clocks, its sources list the others' run and sleep figures too).
  EnergyModel model;
  /// Every clock of a run priced by clock (price_run with one model per clock), in first-use order.
  std::vector<ClockEnergy> clocks;
  double seconds = 0;
  double energy_uj = 0;       ///< the whole run
  double average_mw = 0;      ///< energy / time
  double peak_mw = 0, peak_ma = 0; ///< the highest segment average on the timeline
  double average_ma = 0;      ///< at the rail
  std::vector<StateEnergy> states;   ///< every state with cycles, in enum order (run flash, run sram, sleep, deep by state, wake-up)
  uint64_t sleep_entries = 0, deep_sleep_entries = 0;
  double wakeup_uj = 0;       ///< energy of all wake-ups
  double class_uj = 0;        ///< extra energy of the instruction-class weights
  std::vector<PowerPoint> timeline;
  bool timeline_merged = false;
};

/// Prices the counters of one run at one model (one clock and mode for every
/// cycle, whatever clocks the counters kept). energy_uj equals the sum over
/// states plus class_uj, and the integral of the timeline's power (the tests check both).
RunEnergy price_run(const PowerCounters &counters, const EnergyModel &model);

/// Prices a run clock by clock (docs/power.md, "The clock in force"):
/// `by_clock[i]` prices the cycles of counters.clocks[i] and the timeline
/// segments at that clock, and the run's time is the sum of each clock's
/// cycles / its frequency. Counters without clocks, or a count that does not
/// match, are priced at by_clock.back() as above. The same invariants hold.
RunEnergy price_run(const PowerCounters &counters, const std::vector<EnergyModel> &by_clock);

/// One model per clock of `counters` (counters.clocks, in order; one at
/// options.mhz when it kept none): the device's figures at that clock and in
/// options.mode when it names one (--power-mode), else in the mode the PWR
/// registers selected (ClockCounts::power_mode; "" = the device's default).
PowerExpected<std::vector<EnergyModel>> make_clock_models(const Device &device, const EnergyOptions &options, const PowerCounters &counters);

/// Leakage: the fixed current of a low-power state doubles every
/// leakage_doubling_c above the figures' reference temperature (never reduced below it).
double leakage_factor(const PowerDesc &p, double temperature_c);
/// A low-power state's current at the rail in µA at `mhz` and `temperature_c`:
/// its fixed current times the leakage factor, plus (Sleep only) µA/MHz x MHz.
double low_power_ua(const PowerDesc &p, const LowPowerState &s, double mhz, double temperature_c);

/// Energy in µJ of the deep sleep of `counters` (or of a timeline segment:
/// `by_state` indexed as counters.deep_states), each state at its own current;
/// cycles not counted by state at the model's deep_sleep_ua.
double deep_sleep_uj(const EnergyModel &model, const PowerCounters &counters);
double deep_sleep_uj(const EnergyModel &model, const PowerCounters &counters, const PowerSegment &seg);

/// Energy in µJ of `cycles` run cycles of code in `loc` (per-function and per-layer energy).
double run_uj(const EnergyModel &model, uint64_t cycles, CodeLocation loc);

} // namespace mcusim::power
