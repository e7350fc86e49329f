/// \file
/// The fit from first principles: captures made from known coefficients give
/// them back; where the captures cannot separate two figures, the device
/// file's ratio is kept and the output says so.
#include "power/calibrate.h"
#include "synthetic.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace mcusim::power;
using mcusim::CodeLocation;
using mcusim::PowerStateKind;

namespace {

Capture capture_of(const test::DutyCycle &d) {
  auto c = parse_capture(test::ppk2_csv(d), "synthetic.csv");
  INFO((c ? std::string() : c.error().message));
  REQUIRE(c);
  return *c;
}

/// The point a capture and its (hand-built) simulated run give.
CalibrationPoint point_of(const Capture &c, double mhz, double sim_active_s, double sim_sleep_s, double flash_share = 1) {
  Segmentation s = segment_capture(c, sim_sleep_s > 0);
  CalibrationPoint p;
  p.label = "synthetic@" + std::to_string(int(mhz));
  p.mhz = mhz;
  p.active_ua = s.active_mean_a * 1e6;
  if (s.two_levels) p.sleep_ua = s.sleep_mean_a * 1e6;
  p.flash_share = flash_share;
  p.capture_s = c.duration_s();
  p.capture_charge_uc = s.charge_c * 1e6;
  p.sim_active_s = sim_active_s;
  p.sim_sleep_s = sim_sleep_s;
  return p;
}

void check_within(double got, double want, double rel) {
  INFO("got " << got << ", want " << want);
  CHECK(std::abs(got - want) <= rel * std::abs(want));
}

} // namespace

TEST_CASE("segmentation: the threshold falls between the two levels and the stretches are timed exactly") {
  test::DutyCycle d;
  d.period_s = 0.1, d.active_s = 0.02, d.active_ua = 4000, d.sleep_ua = 2, d.periods = 5;
  Capture c = capture_of(d);
  Segmentation s = segment_capture(c, true);
  REQUIRE(s.two_levels);
  CHECK(s.threshold_a > 2.1e-6);
  CHECK(s.threshold_a < 3900e-6);
  CHECK(s.active_s == doctest::Approx(0.1).epsilon(1e-6));
  CHECK(s.sleep_s == doctest::Approx(0.4).epsilon(1e-6));
  CHECK(s.active_stretches == 5);
  CHECK(s.sleep_stretches == 5);
  check_within(s.active_mean_a, 4000e-6, 0.002);
  check_within(s.sleep_mean_a, 2e-6, 0.002);
  // The charge is the integral of the current: 0.1 s at 4 mA and 0.4 s at 2 µA.
  check_within(s.charge_c, 0.1 * 4000e-6 + 0.4 * 2e-6, 0.002);

  // A run that never sleeps: every sample is active, whatever the capture shows.
  Segmentation all = segment_capture(c, false);
  CHECK_FALSE(all.two_levels);
  CHECK(all.active_s == doctest::Approx(c.duration_s()));
  CHECK(all.active_mean_a == doctest::Approx(all.charge_c / c.duration_s()));

  // One level with noise is not two levels.
  test::DutyCycle flat = d;
  flat.sleep_ua = flat.active_ua;
  flat.noise = 0.05;
  CHECK_FALSE(segment_capture(capture_of(flat), true).two_levels);
}

TEST_CASE("two clocks recover the fixed and per-MHz run current and the deep-sleep current within 1%") {
  // The board: 800 µA + 95 µA/MHz from flash, 3.2 µA in stop. The work takes
  // 240 000 cycles every 100 ms.
  const double fixed = 800, per_mhz = 95, stop = 3.2, work_cycles = 2.4e5, period = 0.1;
  std::vector<CalibrationPoint> points;
  uint64_t seed = 7;
  for (double mhz : {24.0, 80.0}) {
    test::DutyCycle d;
    d.period_s = period;
    d.active_s = work_cycles / (mhz * 1e6);
    d.active_ua = fixed + per_mhz * mhz;
    d.sleep_ua = stop;
    d.periods = 10;
    d.sample_s = 2e-5;
    d.seed = seed++;
    Capture c = capture_of(d);
    points.push_back(point_of(c, mhz, d.active_s * d.periods, (d.period_s - d.active_s) * d.periods));
  }
  auto fit = fit_calibration(points, nullptr, true);
  INFO((fit ? std::string() : fit.error().message));
  REQUIRE(fit);
  REQUIRE(fit->runs.size() == 1);
  CHECK(fit->runs[0].location == CodeLocation::Flash);
  CHECK_FALSE(fit->runs[0].index);
  check_within(fit->runs[0].fixed_ua, fixed, 0.01);
  check_within(fit->runs[0].ua_per_mhz, per_mhz, 0.01);
  REQUIRE(fit->state);
  CHECK(fit->state->kind == PowerStateKind::Stop);
  CHECK(fit->state->name == "stop");
  check_within(fit->state->fixed_ua, stop, 0.01);
  CHECK(fit->rms_rel < 0.005);
  REQUIRE(fit->charge_rms_rel);
  CHECK(*fit->charge_rms_rel < 0.005);
  // Two captures, two run figures: the run residual says nothing, and the output says so.
  REQUIRE(fit->notes.size() == 1);
  CHECK(fit->notes[0].find("as many captures as figures, so its residual is zero by construction") != std::string::npos);
  CHECK(render_calibration(*fit).find("residual: mean currents RMS") != std::string::npos);
}

TEST_CASE("captures whose flash/SRAM shares differ separate the two locations") {
  // flash 900 + 110/MHz, SRAM 600 + 70/MHz; firmware builds that run from flash, from SRAM
  // and half and half, each at three clocks, with ±0.05% noise.
  const double ff = 900, kf = 110, fs = 600, ks = 70;
  std::vector<CalibrationPoint> points;
  test::Noise noise(3);
  for (double share : {1.0, 0.0, 0.5})
    for (double mhz : {16.0, 48.0, 80.0}) {
      CalibrationPoint p;
      p.label = "p";
      p.label += std::to_string(points.size());
      p.mhz = mhz;
      p.flash_share = share;
      p.active_ua = (share * (ff + kf * mhz) + (1 - share) * (fs + ks * mhz)) * (1 + 0.0005 * noise.next());
      points.push_back(p);
    }
  auto fit = fit_calibration(points, nullptr, false);
  REQUIRE(fit);
  REQUIRE(fit->runs.size() == 2);
  CHECK(fit->runs[0].location == CodeLocation::Flash);
  CHECK(fit->runs[1].location == CodeLocation::Ram);
  check_within(fit->runs[0].fixed_ua, ff, 0.01);
  check_within(fit->runs[0].ua_per_mhz, kf, 0.01);
  check_within(fit->runs[1].fixed_ua, fs, 0.01);
  check_within(fit->runs[1].ua_per_mhz, ks, 0.01);
  CHECK_FALSE(fit->state); // nothing slept
  CHECK_FALSE(fit->charge_rms_rel);
}

TEST_CASE("one clock keeps the device file's fixed/per-MHz ratio, scales both, and says so") {
  PowerFigures fig;
  fig.run.push_back({CodeLocation::Flash, "", 0, 1000, 100, 0});
  fig.states.push_back({"sleep", PowerStateKind::Sleep, 50, 10, 0});
  CalibrationPoint p;
  p.label = "cap.csv@48 MHz";
  p.mhz = 48;
  p.active_ua = 1.1 * (1000 + 100 * 48);
  p.sleep_ua = 0.9 * (50 + 10 * 48);
  p.sim_active_s = 0.1, p.sim_sleep_s = 0.9;
  auto fit = fit_calibration({p}, &fig, false);
  REQUIRE(fit);
  REQUIRE(fit->runs.size() == 1);
  CHECK(fit->runs[0].index == size_t(0));
  check_within(fit->runs[0].fixed_ua, 1100, 1e-9);
  check_within(fit->runs[0].ua_per_mhz, 110, 1e-9);
  CHECK(fit->runs[0].old_fixed_ua == 1000);
  REQUIRE(fit->state);
  CHECK(fit->state->index == size_t(0));
  check_within(fit->state->fixed_ua, 45, 1e-9);
  check_within(fit->state->ua_per_mhz, 9, 1e-9);
  CHECK(fit->rms_rel < 1e-12);
  REQUIRE(fit->notes.size() == 3); // the run ratio, the zero residual, the sleep ratio
  CHECK(fit->notes[0].find("captures at one clock (48 MHz) cannot separate the fixed from the per-MHz run current from flash: "
                           "kept the device file's ratio (1000 µA : 100 µA/MHz) and scaled both by 1.1000") == 0);
  CHECK(render_calibration(*fit).find("note: captures at one clock") != std::string::npos);
}

TEST_CASE("one clock without device figures cannot be fitted: one clear line") {
  CalibrationPoint p;
  p.mhz = 48, p.active_ua = 5000;
  auto fit = fit_calibration({p, p}, nullptr, false);
  REQUIRE_FALSE(fit);
  CHECK(fit.error().message ==
        "captures at one clock (48 MHz) cannot separate the fixed from the per-MHz run current, and the device file gives no run "
        "figures whose ratio could be kept: add a capture at a second clock");
}

TEST_CASE("the same flash/SRAM share at two clocks keeps the device file's SRAM/flash ratio") {
  PowerFigures fig;
  fig.run.push_back({CodeLocation::Flash, "", 0, 1000, 100, 0});
  fig.run.push_back({CodeLocation::Ram, "", 0, 800, 60, 1});
  // The board draws 1.2x the file's figures everywhere; 70% of the cycles from flash.
  std::vector<CalibrationPoint> points;
  for (double mhz : {16.0, 64.0}) {
    CalibrationPoint p;
    p.mhz = mhz, p.flash_share = 0.7;
    p.active_ua = 1.2 * (0.7 * (1000 + 100 * mhz) + 0.3 * (800 + 60 * mhz));
    points.push_back(p);
  }
  auto fit = fit_calibration(points, &fig, false);
  REQUIRE(fit);
  REQUIRE(fit->runs.size() == 2);
  check_within(fit->runs[0].fixed_ua, 1200, 1e-6);
  check_within(fit->runs[0].ua_per_mhz, 120, 1e-6);
  check_within(fit->runs[1].fixed_ua, 960, 1e-6);
  check_within(fit->runs[1].ua_per_mhz, 72, 1e-6);
  REQUIRE_FALSE(fit->notes.empty());
  CHECK(fit->notes[0].find("do not separate flash from SRAM") != std::string::npos);
}

TEST_CASE("the device rows a clock selects") {
  PowerFigures fig;
  fig.default_mode = "range1";
  fig.run.push_back({CodeLocation::Flash, "range2", 26, 500, 90, 0});
  fig.run.push_back({CodeLocation::Flash, "range1", 80, 700, 110, 1});
  fig.run.push_back({CodeLocation::Flash, "range1", 120, 900, 120, 2});
  CHECK(fig.run_row(CodeLocation::Flash, 48, "")->index == 1);
  CHECK(fig.run_row(CodeLocation::Flash, 100, "")->index == 2);
  CHECK(fig.run_row(CodeLocation::Flash, 200, "")->index == 2); // above every row: the last
  CHECK(fig.run_row(CodeLocation::Ram, 48, "")->index == 1);    // SRAM falls back to flash
  CHECK(fig.run_row(CodeLocation::Flash, 16, "range2")->index == 0);
  CHECK(fig.run_row(CodeLocation::Flash, 16, "smps") == nullptr);
}

TEST_CASE("a simulated run's counters: wake-up counts as active flash time, sleep and deep sleep as asleep") {
  mcusim::PowerCounters c;
  c.run_cycles[size_t(CodeLocation::Flash)] = 3000;
  c.run_cycles[size_t(CodeLocation::Ram)] = 1000;
  c.deep_wakeup_cycles = 100;
  c.sleep_cycles = 400;
  c.deep_sleep_cycles = 5000;
  SimulatedRun r = simulated_run(c, 1e6, c.total(), 5400);
  CHECK(r.counters);
  CHECK(r.active_s == doctest::Approx(4100e-6));
  CHECK(r.sleep_s == doctest::Approx(5400e-6));
  CHECK(r.flash_share == doctest::Approx(3100.0 / 4100.0));
  CHECK(r.deep_sleep_cycles == 5000);
  CHECK(r.sleep_cycles == 400);

  // No counters kept: the run's totals, all flash, all light sleep.
  SimulatedRun f = simulated_run(mcusim::PowerCounters{}, 2e6, 10000, 4000);
  CHECK_FALSE(f.counters);
  CHECK(f.active_s == doctest::Approx(3e-3));
  CHECK(f.sleep_s == doctest::Approx(2e-3));
  CHECK(f.flash_share == 1);
}

TEST_CASE("a capture paired with its run: the split only when the run sleeps") {
  test::DutyCycle d;
  d.period_s = 0.1, d.active_s = 0.025, d.active_ua = 3000, d.sleep_ua = 1.5, d.periods = 4, d.sample_s = 1e-4;
  Capture c = capture_of(d);
  SimulatedRun sleeps;
  sleeps.active_s = 0.1, sleeps.sleep_s = 0.3, sleeps.flash_share = 0.8;
  Segmentation seg;
  CalibrationPoint p = calibration_point(c, "d@32 MHz", 32, sleeps, &seg);
  CHECK(seg.two_levels);
  CHECK(p.label == "d@32 MHz");
  check_within(p.active_ua, 3000, 0.002);
  REQUIRE(p.sleep_ua);
  check_within(*p.sleep_ua, 1.5, 0.002);
  CHECK(p.flash_share == 0.8);
  CHECK(p.capture_s == doctest::Approx(0.4));
  CHECK(p.sim_sleep_s == 0.3);
  SimulatedRun busy;
  busy.active_s = 0.4;
  CalibrationPoint q = calibration_point(c, "d", 32, busy);
  CHECK_FALSE(q.sleep_ua);
  check_within(q.active_ua, (3000 * 0.025 + 1.5 * 0.075) / 0.1, 0.002);
}

TEST_CASE("captures whose clocks select different device rows are fitted row by row") {
  PowerFigures fig;
  fig.run.push_back({CodeLocation::Flash, "", 26, 400, 80, 0});  // up to 26 MHz (a low-voltage range)
  fig.run.push_back({CodeLocation::Flash, "", 80, 700, 110, 1}); // up to 80 MHz
  std::vector<CalibrationPoint> points;
  auto add = [&](double mhz, double fixed, double per_mhz) {
    CalibrationPoint p;
    p.mhz = mhz;
    p.active_ua = fixed + per_mhz * mhz;
    points.push_back(p);
  };
  add(8, 350, 75), add(24, 350, 75), add(16, 350, 75);
  add(40, 650, 100), add(72, 650, 100), add(56, 650, 100);
  auto fit = fit_calibration(points, &fig, false);
  REQUIRE(fit);
  REQUIRE(fit->runs.size() == 2);
  CHECK(fit->runs[0].index == size_t(0));
  check_within(fit->runs[0].fixed_ua, 350, 1e-9);
  check_within(fit->runs[0].ua_per_mhz, 75, 1e-9);
  CHECK(fit->runs[1].index == size_t(1));
  check_within(fit->runs[1].fixed_ua, 650, 1e-9);
  check_within(fit->runs[1].ua_per_mhz, 100, 1e-9);
  CHECK(fit->notes.empty()); // three captures for two figures in each group
  CHECK(fit->rms_rel < 1e-12);
}
