/// \file
/// Calibration: a device's run and sleep currents fitted to captures of the
/// real board running the same firmware. A capture is split into active and
/// sleep stretches (segment_capture); each capture, paired with the simulated
/// run at its clock, gives one CalibrationPoint; fit_calibration fits the run
/// current per code location (fixed + per MHz) and the sleep state's current
/// by least squares and reports the residual. Plain inputs: no simulator here.
/// The rules: docs/power.md, "Calibration".
#pragma once

#include "base/power_desc.h"
#include "core/power_counters.h"
#include "power/capture.h"
#include "power/power_error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim::power {

/// A capture split at a current threshold: samples at or above it are active
/// (running), the others asleep. Means are time-weighted.
struct Segmentation {
  bool two_levels = false;   ///< the capture shows an active and a sleep level (else every sample is active)
  double threshold_a = 0;    ///< the split (0 without two levels)
  double active_s = 0, sleep_s = 0;
  double active_mean_a = 0, sleep_mean_a = 0;
  double charge_c = 0;       ///< the integral of the current over the capture
  size_t active_stretches = 0, sleep_stretches = 0; ///< runs of consecutive samples on each side
};

/// Splits `capture` into active and sleep stretches. With `expect_sleep`
/// false (the simulated run never sleeps) every sample is active. Otherwise
/// the threshold is the iterative-selection (Ridler-Calvard / ISODATA) one:
/// start half-way between the lowest and highest sample, then repeatedly take
/// the mid-point of the two sides' means until it settles; the capture has two
/// levels when the means lie more than 4 pooled standard deviations apart.
Segmentation segment_capture(const Capture &capture, bool expect_sleep);

/// One capture paired with its simulated run.
struct CalibrationPoint {
  std::string label;             ///< "cap48.csv@48 MHz"
  double mhz = 0;
  double active_ua = 0;          ///< measured mean over the active stretches
  std::optional<double> sleep_ua;///< measured mean over the sleep stretches (none: the capture does not sleep)
  double flash_share = 1;        ///< simulated run (and wake-up) cycles from flash / all run cycles
  // The timelines, for the charge residual (0 = unknown).
  double capture_s = 0, capture_charge_uc = 0;
  double sim_active_s = 0, sim_sleep_s = 0;
};

/// What a simulated run gives calibration.
struct SimulatedRun {
  double active_s = 0, sleep_s = 0; ///< run and wake-up time; sleep and deep-sleep time
  double flash_share = 1;           ///< (flash run + wake-up cycles) / (run + wake-up cycles)
  uint64_t sleep_cycles = 0, deep_sleep_cycles = 0;
  bool counters = true;             ///< the run kept power counters
};

/// The run's power counters summed up. Wake-up cycles count as active and as
/// flash (the energy model prices them at the flash run current). Counters
/// that are all zero (not kept) fall back on the run's own totals: `cycles`
/// minus `sleep_cycles` run from flash, `sleep_cycles` asleep (not deep), and
/// `counters` is false.
SimulatedRun simulated_run(const PowerCounters &counters, double hz, uint64_t cycles, uint64_t sleep_cycles);

/// A capture paired with its simulated run at `mhz`: the capture split (the
/// run sleeps: two levels expected) and its means, the run's flash share and
/// times. `segmentation` receives the split when not null.
CalibrationPoint calibration_point(const Capture &capture, const std::string &label, double mhz, const SimulatedRun &run,
                                   Segmentation *segmentation = nullptr);

/// One run-current row of a device file (`[[power.run]]`).
struct FigureRun {
  CodeLocation location = CodeLocation::Flash;
  std::string mode;
  double max_mhz = 0, fixed_ua = 0, ua_per_mhz = 0;
  size_t index = 0; ///< its place among the file's [[power.run]] rows
};
/// One low-power state of a device file (`[[power.state]]`).
struct FigureState {
  std::string name;
  PowerStateKind kind = PowerStateKind::Sleep;
  double fixed_ua = 0, ua_per_mhz = 0;
  size_t index = 0;
};
/// The figures of a device file's [power] section the fit starts from.
struct PowerFigures {
  std::vector<FigureRun> run;
  std::vector<FigureState> states;
  std::string default_mode, deep_sleep;
  /// The row for code in `loc` at `mhz` in `mode` ("" = default_mode, then the
  /// first row's): the first row of that location and mode whose max_mhz covers
  /// the clock, else the last such row; SRAM falls back to flash rows.
  const FigureRun *run_row(CodeLocation loc, double mhz, const std::string &mode) const;
  const FigureState *state_for(bool deep) const; ///< the deep_sleep state, or the Sleep-kind state
};

/// A fitted run-current row.
struct FittedRun {
  CodeLocation location = CodeLocation::Flash;
  std::optional<size_t> index;   ///< the device file's row it replaces (none: a new row)
  std::string mode;
  double fixed_ua = 0, ua_per_mhz = 0;
  std::optional<double> old_fixed_ua, old_ua_per_mhz;
};
/// The fitted low-power state.
struct FittedState {
  std::string name;
  PowerStateKind kind = PowerStateKind::Sleep;
  std::optional<size_t> index;
  double fixed_ua = 0, ua_per_mhz = 0;
  std::optional<double> old_fixed_ua, old_ua_per_mhz;
};

/// How well the fitted figures predict one capture.
struct PointResidual {
  std::string label;
  double mhz = 0;
  double active_ua = 0, active_fit_ua = 0;
  std::optional<double> sleep_ua, sleep_fit_ua;
  std::optional<double> charge_uc, charge_fit_uc; ///< when the capture and the simulation last about as long
};

struct CalibrationFit {
  std::vector<FittedRun> runs;
  std::optional<FittedState> state;
  std::vector<PointResidual> points;
  double rms_rel = 0, max_rel = 0;                     ///< relative error of the predicted means (active and sleep)
  std::optional<double> charge_rms_rel, charge_max_rel; ///< of the charge, over the captures that have it
  std::vector<std::string> notes;                      ///< how the fit was made where the data could not separate everything
};

/// How far the capture and the simulated timeline may differ in length for
/// the charge to be compared (relative to the capture).
inline constexpr double kTimelineAgreement = 0.05;

/// Fits the figures. `figures` (may be null: the device file has no [power]
/// section) supplies the rows to replace and, where the captures cannot
/// separate two figures, their ratio. `deep`: the sleep stretches are the
/// deep-sleep state. `mode`: the run mode ("" = the default). An error (one
/// line) when the captures cannot determine a figure and the device gives no
/// ratio to keep (a single clock without figures).
PowerExpected<CalibrationFit> fit_calibration(const std::vector<CalibrationPoint> &points, const PowerFigures *figures,
                                              bool deep, const std::string &mode = {});

/// The fit as text: the figures (new and old), one line per capture and the residual.
std::string render_calibration(const CalibrationFit &fit);

} // namespace mcusim::power
