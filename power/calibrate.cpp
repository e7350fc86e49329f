/// \file
/// Segmentation of captures and the least-squares fit of run and sleep currents.
#include "power/calibrate.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace mcusim::power {

namespace {

constexpr double kFloorA = 1e-9;      ///< currents are clamped here before their logarithm is taken
constexpr double kUsedShare = 1e-3;   ///< a code location with a smaller share of the run cycles is not fitted
constexpr double kSeparation = 4;     ///< pooled standard deviations between two levels
constexpr double kMinLevelRatio = 1.5;///< and at least this ratio between their currents

double log_current(double a) { return std::log10(std::max(a, kFloorA)); }

/// Least squares by the normal equations with scaled columns and Gaussian
/// elimination with partial pivoting; nullopt when the columns do not
/// determine the unknowns (fewer rows than unknowns, or a pivot below
/// `rank_tol` of the largest scaled diagonal).
std::optional<std::vector<double>> least_squares(const std::vector<std::vector<double>> &a, const std::vector<double> &y,
                                                 double rank_tol) {
  if (a.empty()) return std::nullopt;
  const size_t n = a[0].size(), m = a.size();
  constexpr size_t kMaxUnknowns = 4;
  if (n == 0 || n > kMaxUnknowns || m < n) return std::nullopt;
  std::array<double, kMaxUnknowns> scale{};
  for (const auto &row : a)
    for (size_t j = 0; j < n; ++j) scale[j] = std::max(scale[j], std::abs(row[j]));
  for (size_t j = 0; j < n; ++j)
    if (!(scale[j] > 0)) return std::nullopt;
  std::array<std::array<double, kMaxUnknowns + 1>, kMaxUnknowns> nm{};
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      double aij = a[i][j] / scale[j];
      for (size_t k = 0; k < n; ++k) nm[j][k] += aij * a[i][k] / scale[k];
      nm[j][n] += aij * y[i];
    }
  double maxdiag = 0;
  for (size_t j = 0; j < n; ++j) maxdiag = std::max(maxdiag, nm[j][j]);
  for (size_t c = 0; c < n; ++c) {
    size_t p = c;
    for (size_t r = c + 1; r < n; ++r)
      if (std::abs(nm[r][c]) > std::abs(nm[p][c])) p = r;
    if (std::abs(nm[p][c]) <= rank_tol * maxdiag) return std::nullopt;
    std::swap(nm[p], nm[c]);
    for (size_t r = 0; r < n; ++r) {
      if (r == c) continue;
      double f = nm[r][c] / nm[c][c];
      for (size_t k = c; k <= n; ++k) nm[r][k] -= f * nm[c][k];
    }
  }
  std::vector<double> x(n);
  for (size_t j = 0; j < n; ++j) x[j] = nm[j][n] / nm[j][j] / scale[j];
  return x;
}

/// The clocks differ between the points (a line in the clock can be fitted).
bool distinct_clocks(const std::vector<double> &mhz) {
  if (mhz.empty()) return false;
  auto [lo, hi] = std::minmax_element(mhz.begin(), mhz.end());
  return *hi - *lo > 1e-6 * std::max(1.0, *hi);
}

std::string num(double v, const char *fmt = "%.4g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string clocks_text(const std::vector<double> &mhz) {
  std::set<double> s(mhz.begin(), mhz.end());
  std::string out;
  for (double f : s) out += (out.empty() ? "" : ", ") + num(f, "%g") + " MHz";
  return out;
}

const char *location_name(CodeLocation l) { return l == CodeLocation::Ram ? "sram" : "flash"; }

const char *kind_name(PowerStateKind k) {
  return k == PowerStateKind::Stop ? "stop" : k == PowerStateKind::Standby ? "standby" : "sleep";
}

/// A line fixed + per_mhz * f.
struct Line {
  double fixed = 0, per_mhz = 0;
  double at(double f) const { return fixed + per_mhz * f; }
};

} // namespace

Segmentation segment_capture(const Capture &c, bool expect_sleep) {
  Segmentation s;
  const size_t n = c.size();
  double duration = c.duration_s();
  for (size_t i = 0; i < n; ++i) s.charge_c += c.current_a[i] * c.sample_s(i);
  auto all_active = [&] {
    s.two_levels = false;
    s.threshold_a = 0;
    s.active_s = duration;
    s.sleep_s = 0;
    s.active_mean_a = duration > 0 ? s.charge_c / duration : 0;
    s.sleep_mean_a = 0;
    s.active_stretches = n ? 1 : 0;
    s.sleep_stretches = 0;
    return s;
  };
  if (!expect_sleep || n < 2) return all_active();

  std::vector<double> lg(n);
  for (size_t i = 0; i < n; ++i) lg[i] = log_current(c.current_a[i]);
  auto [lo_it, hi_it] = std::minmax_element(lg.begin(), lg.end());
  if (!(*hi_it > *lo_it)) return all_active();
  double t = (*lo_it + *hi_it) / 2;
  double m_lo = 0, m_hi = 0;
  size_t n_lo = 0, n_hi = 0;
  for (int iter = 0; iter < 200; ++iter) {
    double sum_lo = 0, sum_hi = 0;
    n_lo = n_hi = 0;
    for (double v : lg) {
      if (v >= t) sum_hi += v, ++n_hi;
      else sum_lo += v, ++n_lo;
    }
    if (!n_lo || !n_hi) break;
    m_lo = sum_lo / double(n_lo);
    m_hi = sum_hi / double(n_hi);
    double next = (m_lo + m_hi) / 2;
    bool settled = std::abs(next - t) <= 1e-12;
    t = next;
    if (settled) break;
  }
  if (!n_lo || !n_hi) return all_active();
  double v_lo = 0, v_hi = 0;
  for (double v : lg) {
    if (v >= t) v_hi += (v - m_hi) * (v - m_hi);
    else v_lo += (v - m_lo) * (v - m_lo);
  }
  v_lo /= double(n_lo);
  v_hi /= double(n_hi);
  double pooled = std::sqrt((v_lo + v_hi) / 2);
  if (!(m_hi - m_lo > kSeparation * pooled && m_hi - m_lo > std::log10(kMinLevelRatio))) return all_active();

  s.two_levels = true;
  s.threshold_a = std::pow(10.0, t);
  double q_active = 0, q_sleep = 0;
  int side = -1; // 1 active, 0 asleep
  for (size_t i = 0; i < n; ++i) {
    bool active = lg[i] >= t;
    double dt = c.sample_s(i);
    if (active) s.active_s += dt, q_active += c.current_a[i] * dt;
    else s.sleep_s += dt, q_sleep += c.current_a[i] * dt;
    if (int(active) != side) {
      (active ? s.active_stretches : s.sleep_stretches) += 1;
      side = int(active);
    }
  }
  s.active_mean_a = s.active_s > 0 ? q_active / s.active_s : 0;
  s.sleep_mean_a = s.sleep_s > 0 ? q_sleep / s.sleep_s : 0;
  return s;
}

SimulatedRun simulated_run(const PowerCounters &c, double hz, uint64_t cycles, uint64_t sleep_cycles) {
  SimulatedRun s;
  if (!(hz > 0)) hz = 1;
  if (c.total() == 0) {
    s.counters = false;
    s.active_s = double(cycles - std::min(cycles, sleep_cycles)) / hz;
    s.sleep_s = double(sleep_cycles) / hz;
    s.sleep_cycles = sleep_cycles;
    return s;
  }
  const uint64_t flash = c.run_cycles[size_t(CodeLocation::Flash)] + c.sleep_wakeup_cycles + c.deep_wakeup_cycles;
  const uint64_t sram = c.run_cycles[size_t(CodeLocation::Ram)];
  s.active_s = double(flash + sram) / hz;
  s.sleep_s = double(c.sleep_cycles + c.deep_sleep_cycles) / hz;
  s.flash_share = flash + sram ? double(flash) / double(flash + sram) : 1;
  s.sleep_cycles = c.sleep_cycles;
  s.deep_sleep_cycles = c.deep_sleep_cycles;
  return s;
}

CalibrationPoint calibration_point(const Capture &capture, const std::string &label, double mhz, const SimulatedRun &run,
                                   Segmentation *segmentation) {
  Segmentation seg = segment_capture(capture, run.sleep_s > 0);
  CalibrationPoint p;
  p.label = label;
  p.mhz = mhz;
  p.active_ua = seg.active_mean_a * 1e6;
  if (seg.two_levels) p.sleep_ua = seg.sleep_mean_a * 1e6;
  p.flash_share = run.flash_share;
  p.capture_s = capture.duration_s();
  p.capture_charge_uc = seg.charge_c * 1e6;
  p.sim_active_s = run.active_s;
  p.sim_sleep_s = run.sleep_s;
  if (segmentation) *segmentation = seg;
  return p;
}

const FigureRun *PowerFigures::run_row(CodeLocation loc, double mhz, const std::string &mode) const {
  std::string m = !mode.empty() ? mode : !default_mode.empty() ? default_mode : run.empty() ? std::string() : run.front().mode;
  auto pick = [&](CodeLocation l) -> const FigureRun * {
    const FigureRun *last = nullptr;
    for (const auto &r : run) {
      if (r.location != l || r.mode != m) continue;
      if (r.max_mhz <= 0 || mhz <= r.max_mhz + 1e-9) return &r;
      last = &r;
    }
    return last;
  };
  const FigureRun *r = pick(loc);
  if (!r && loc == CodeLocation::Ram) r = pick(CodeLocation::Flash);
  return r;
}

const FigureState *PowerFigures::state_for(bool deep) const {
  for (const auto &s : states) {
    if (deep && !deep_sleep.empty()) {
      if (s.name.size() == deep_sleep.size() &&
          std::equal(s.name.begin(), s.name.end(), deep_sleep.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        return &s;
    } else if (!deep && s.kind == PowerStateKind::Sleep) {
      return &s;
    }
  }
  if (deep)
    for (const auto &s : states)
      if (s.kind == PowerStateKind::Stop) return &s;
  return nullptr;
}

PowerExpected<CalibrationFit> fit_calibration(const std::vector<CalibrationPoint> &points, const PowerFigures *figures, bool deep,
                                              const std::string &mode) {
  auto fail = [](const std::string &m) { return power_error(PowerError::Kind::Malformed, m); };
  if (points.empty()) return fail("no captures to fit");
  CalibrationFit fit;
  const bool have_rows = figures && !figures->run.empty();
  bool sram_rows = false;
  if (have_rows)
    for (const auto &r : figures->run) sram_rows = sram_rows || r.location == CodeLocation::Ram;

  // --- Run current: points grouped by the device rows their clock selects ---
  struct Use {
    const FigureRun *flash = nullptr, *sram = nullptr;
    double s = 1; // weight of the flash slot
  };
  std::vector<Use> uses(points.size());
  bool sram_seen = false;
  for (size_t i = 0; i < points.size(); ++i) {
    const auto &p = points[i];
    double s = std::clamp(p.flash_share, 0.0, 1.0);
    sram_seen = sram_seen || 1 - s > kUsedShare;
    if (have_rows) {
      uses[i].flash = figures->run_row(CodeLocation::Flash, p.mhz, mode);
      uses[i].sram = figures->run_row(CodeLocation::Ram, p.mhz, mode);
      if (!uses[i].flash && !uses[i].sram)
        return fail("the device file has no run current row of mode '" + (mode.empty() ? figures->default_mode : mode) + "'");
      if (!uses[i].flash) uses[i].flash = uses[i].sram;
      if (!sram_rows || uses[i].sram == uses[i].flash) s = 1; // SRAM priced with the flash row
    }
    if (s > 1 - kUsedShare) s = 1;
    if (s < kUsedShare) s = 0;
    uses[i].s = s;
  }
  if (have_rows && !sram_rows && sram_seen)
    fit.notes.push_back("the device file has no SRAM run row: SRAM cycles are priced with the flash row, fitted to both");

  std::map<std::pair<const FigureRun *, const FigureRun *>, std::vector<size_t>> groups;
  for (size_t i = 0; i < points.size(); ++i) groups[{uses[i].flash, uses[i].sram}].push_back(i);
  std::vector<double> active_fit(points.size(), 0);

  for (const auto &[key, idx] : groups) {
    const FigureRun *row_a = key.first, *row_b = key.second;
    bool use_a = false, use_b = false;
    for (size_t i : idx) use_a = use_a || uses[i].s > 0, use_b = use_b || uses[i].s < 1;
    std::vector<double> mhz, y;
    for (size_t i : idx) mhz.push_back(points[i].mhz), y.push_back(points[i].active_ua);
    const bool clocks = distinct_clocks(mhz);
    const std::string at = clocks_text(mhz);
    Line a, b; // flash slot, SRAM slot
    size_t unknowns = 2; // figures this group's captures determine (a scale factor counts as one)
    auto prior = [](const FigureRun *r) { return r ? std::optional<Line>(Line{r->fixed_ua, r->ua_per_mhz}) : std::nullopt; };
    auto one_clock_note = [&](const std::string &what, const Line &p, double c) {
      fit.notes.push_back("captures at one clock (" + at + ") cannot separate the fixed from the per-MHz " + what +
                          ": kept the device file's ratio (" + num(p.fixed) + " µA : " + num(p.per_mhz) + " µA/MHz) and scaled both by " +
                          num(c, "%.4f"));
    };
    if (use_a != use_b) {
      // One location: fixed + per MHz of its row.
      const FigureRun *row = use_a ? row_a : row_b;
      Line l;
      if (clocks) {
        std::vector<std::vector<double>> rows;
        for (double f : mhz) rows.push_back({1, f});
        auto x = least_squares(rows, y, 1e-12);
        if (!x) return fail("the run current fit failed at " + at);
        l = {(*x)[0], (*x)[1]};
      } else if (auto p = prior(row); p && p->at(mhz[0]) > 0) {
        double sb = 0, bb = 0;
        for (size_t k = 0; k < y.size(); ++k) sb += y[k] * p->at(mhz[k]), bb += p->at(mhz[k]) * p->at(mhz[k]);
        double c = sb / bb;
        l = {c * p->fixed, c * p->per_mhz};
        unknowns = 1;
        one_clock_note(std::string("run current from ") + (use_a ? "flash" : "SRAM"), *p, c);
      } else {
        return fail("captures at one clock (" + at + ") cannot separate the fixed from the per-MHz run current, and the device "
                    "file gives no run figures whose ratio could be kept: add a capture at a second clock");
      }
      (use_a ? a : b) = l;
    } else {
      // Flash and SRAM: four unknowns when the shares vary enough, else tied by the device file's ratios.
      std::vector<std::vector<double>> rows;
      for (size_t k = 0; k < idx.size(); ++k) {
        double s = uses[idx[k]].s, f = mhz[k];
        rows.push_back({s, s * f, 1 - s, (1 - s) * f});
      }
      auto pa = prior(row_a), pb = prior(row_b);
      if (auto x = least_squares(rows, y, 1e-4)) {
        a = {(*x)[0], (*x)[1]};
        b = {(*x)[2], (*x)[3]};
        unknowns = 4;
      } else if (pa && pb && clocks) {
        double rf = pa->fixed > 0 ? pb->fixed / pa->fixed : 1, rk = pa->per_mhz > 0 ? pb->per_mhz / pa->per_mhz : 1;
        std::vector<std::vector<double>> r2;
        for (size_t k = 0; k < idx.size(); ++k) {
          double s = uses[idx[k]].s, f = mhz[k];
          r2.push_back({s + (1 - s) * rf, (s + (1 - s) * rk) * f});
        }
        auto x = least_squares(r2, y, 1e-12);
        if (!x) return fail("the run current fit failed at " + at);
        a = {(*x)[0], (*x)[1]};
        b = {rf * a.fixed, rk * a.per_mhz};
        fit.notes.push_back("the captures do not separate flash from SRAM (every run has about the same share of each): kept the "
                            "device file's SRAM/flash ratios (fixed " + num(rf, "%.3f") + ", per MHz " + num(rk, "%.3f") + ")");
      } else if (pa && pb) {
        double sb = 0, bb = 0;
        for (size_t k = 0; k < idx.size(); ++k) {
          double s = uses[idx[k]].s, f = mhz[k];
          double pred = s * pa->at(f) + (1 - s) * pb->at(f);
          sb += y[k] * pred, bb += pred * pred;
        }
        if (!(bb > 0)) return fail("the device file's run figures are zero at " + at + ": nothing to scale");
        double c = sb / bb;
        a = {c * pa->fixed, c * pa->per_mhz};
        b = {c * pb->fixed, c * pb->per_mhz};
        unknowns = 1;
        fit.notes.push_back("captures at one clock (" + at + ") cannot separate the fixed from the per-MHz run current nor flash from "
                            "SRAM: kept the device file's figures' ratios and scaled all four by " + num(c, "%.4f"));
      } else if (clocks) {
        std::vector<std::vector<double>> r2;
        for (double f : mhz) r2.push_back({1, f});
        auto x = least_squares(r2, y, 1e-12);
        if (!x) return fail("the run current fit failed at " + at);
        a = b = Line{(*x)[0], (*x)[1]};
        fit.notes.push_back("the captures do not separate flash from SRAM and the device file gives no ratio between them: both "
                            "locations get the same fitted line");
      } else {
        return fail("captures at one clock (" + at + ") cannot separate the fixed from the per-MHz run current, and the device "
                    "file gives no run figures whose ratio could be kept: add a capture at a second clock");
      }
    }
    for (size_t k = 0; k < idx.size(); ++k) {
      double s = uses[idx[k]].s, f = mhz[k];
      active_fit[idx[k]] = s * a.at(f) + (1 - s) * b.at(f);
    }
    if (idx.size() <= unknowns)
      fit.notes.push_back("the run current at " + at + " is fitted from as many captures as figures, so its residual is zero by "
                          "construction: a capture at one more clock would test the fit");
    auto add = [&](CodeLocation loc, const FigureRun *row, const Line &l) {
      FittedRun r;
      r.location = loc;
      r.fixed_ua = l.fixed;
      r.ua_per_mhz = l.per_mhz;
      r.mode = mode;
      if (row) {
        r.index = row->index;
        r.mode = row->mode;
        r.location = row->location;
        r.old_fixed_ua = row->fixed_ua;
        r.old_ua_per_mhz = row->ua_per_mhz;
      }
      if (r.fixed_ua < 0 || r.ua_per_mhz < 0)
        fit.notes.push_back(std::string("the fitted ") + location_name(loc) + " run current has a negative part (" + num(r.fixed_ua) +
                            " µA + " + num(r.ua_per_mhz) + " µA/MHz): the captures do not follow a fixed + per-MHz line; "
                            "check the clocks and the capture windows");
      for (auto &old : fit.runs)
        if (row && old.index == row->index) {
          fit.notes.push_back("run row " + std::to_string(row->index + 1) + " is fitted by two groups of captures: the last fit is kept");
          old = r;
          return;
        }
      fit.runs.push_back(r);
    };
    if (use_a) add(CodeLocation::Flash, row_a, a);
    if (use_b) add(CodeLocation::Ram, row_b, b);
  }

  // --- The sleep (or deep-sleep) state ---
  std::vector<double> smhz, sy;
  for (const auto &p : points)
    if (p.sleep_ua) smhz.push_back(p.mhz), sy.push_back(*p.sleep_ua);
  std::optional<Line> sleep_line;
  if (!sy.empty()) {
    FittedState st;
    const FigureState *row = figures ? figures->state_for(deep) : nullptr;
    if (row) {
      st.name = row->name;
      st.kind = row->kind;
      st.index = row->index;
      st.old_fixed_ua = row->fixed_ua;
      st.old_ua_per_mhz = row->ua_per_mhz;
    } else {
      st.kind = deep ? PowerStateKind::Stop : PowerStateKind::Sleep;
      st.name = deep ? (figures && !figures->deep_sleep.empty() ? figures->deep_sleep : "stop") : "sleep";
    }
    double mean = 0;
    for (double v : sy) mean += v;
    mean /= double(sy.size());
    Line l{mean, 0};
    if (st.kind == PowerStateKind::Sleep) {
      if (distinct_clocks(smhz)) {
        std::vector<std::vector<double>> rows;
        for (double f : smhz) rows.push_back({1, f});
        if (auto x = least_squares(rows, sy, 1e-12)) l = {(*x)[0], (*x)[1]};
      } else if (row && row->ua_per_mhz > 0 && row->fixed_ua + row->ua_per_mhz * smhz[0] > 0) {
        double c = mean / (row->fixed_ua + row->ua_per_mhz * smhz[0]);
        l = {c * row->fixed_ua, c * row->ua_per_mhz};
        fit.notes.push_back("captures at one clock (" + clocks_text(smhz) + ") cannot separate the fixed from the per-MHz sleep "
                            "current: kept the device file's ratio and scaled both by " + num(c, "%.4f"));
      }
    }
    st.fixed_ua = l.fixed;
    st.ua_per_mhz = l.per_mhz;
    sleep_line = l;
    fit.state = st;
  } else {
    bool expected = false;
    for (const auto &p : points) expected = expected || p.sim_sleep_s > 0;
    if (expected)
      fit.notes.push_back("the simulated runs sleep but no capture shows a sleep level: the sleep figures are unchanged");
  }

  // --- The residual ---
  std::vector<double> rel, crel;
  for (size_t i = 0; i < points.size(); ++i) {
    const auto &p = points[i];
    PointResidual r;
    r.label = p.label;
    r.mhz = p.mhz;
    r.active_ua = p.active_ua;
    r.active_fit_ua = active_fit[i];
    if (p.active_ua != 0) rel.push_back((r.active_fit_ua - p.active_ua) / p.active_ua);
    if (p.sleep_ua && sleep_line) {
      r.sleep_ua = p.sleep_ua;
      r.sleep_fit_ua = sleep_line->at(fit.state->kind == PowerStateKind::Sleep ? p.mhz : 0);
      if (*p.sleep_ua != 0) rel.push_back((*r.sleep_fit_ua - *p.sleep_ua) / *p.sleep_ua);
    }
    double sim_s = p.sim_active_s + p.sim_sleep_s;
    bool sleep_known = p.sim_sleep_s <= 0 || sleep_line.has_value();
    if (p.capture_s > 0 && sim_s > 0 && std::abs(p.capture_s - sim_s) <= kTimelineAgreement * p.capture_s && sleep_known) {
      r.charge_uc = p.capture_charge_uc;
      double sleep_ua = sleep_line ? sleep_line->at(fit.state->kind == PowerStateKind::Sleep ? p.mhz : 0) : 0;
      r.charge_fit_uc = r.active_fit_ua * p.sim_active_s + sleep_ua * p.sim_sleep_s;
      if (p.capture_charge_uc != 0) crel.push_back((*r.charge_fit_uc - p.capture_charge_uc) / p.capture_charge_uc);
    }
    fit.points.push_back(r);
  }
  auto stats = [](const std::vector<double> &v, double &rms, double &mx) {
    double ss = 0;
    mx = 0;
    for (double e : v) ss += e * e, mx = std::max(mx, std::abs(e));
    rms = v.empty() ? 0 : std::sqrt(ss / double(v.size()));
  };
  stats(rel, fit.rms_rel, fit.max_rel);
  if (!crel.empty()) {
    double r = 0, m = 0;
    stats(crel, r, m);
    fit.charge_rms_rel = r;
    fit.charge_max_rel = m;
  }
  return fit;
}

std::string render_calibration(const CalibrationFit &fit) {
  std::string out = "fitted run current (at the rail: fixed + per MHz of core clock):\n";
  char buf[512];
  for (const auto &r : fit.runs) {
    std::string where = r.index ? "row " + std::to_string(*r.index + 1) : std::string("new row");
    if (!r.mode.empty()) where += ", mode " + r.mode;
    std::snprintf(buf, sizeof buf, "  %-6s %10.4g µA + %8.4g µA/MHz  (%s", location_name(r.location), r.fixed_ua, r.ua_per_mhz,
                  where.c_str());
    out += buf;
    if (r.old_fixed_ua) out += "; was " + num(*r.old_fixed_ua) + " µA + " + num(*r.old_ua_per_mhz) + " µA/MHz";
    out += ")\n";
  }
  if (fit.state) {
    const auto &s = *fit.state;
    out += "fitted low-power state '" + s.name + "' (" + kind_name(s.kind) + "): " + num(s.fixed_ua) + " µA";
    if (s.ua_per_mhz != 0) out += " + " + num(s.ua_per_mhz) + " µA/MHz";
    if (s.old_fixed_ua) {
      out += "  (was " + num(*s.old_fixed_ua) + " µA";
      if (s.old_ua_per_mhz && *s.old_ua_per_mhz != 0) out += " + " + num(*s.old_ua_per_mhz) + " µA/MHz";
      out += ")";
    } else {
      out += "  (new state)";
    }
    out += "\n";
  }
  out += "capture                               MHz   active µA: measured   fitted    error   sleep µA: measured   fitted    error  "
         "charge error\n";
  for (const auto &p : fit.points) {
    std::string sleep = "        -          -         -";
    if (p.sleep_ua && p.sleep_fit_ua) {
      std::snprintf(buf, sizeof buf, "%9.4g  %9.4g  %+7.2f%%", *p.sleep_ua, *p.sleep_fit_ua,
                    *p.sleep_ua != 0 ? 100 * (*p.sleep_fit_ua - *p.sleep_ua) / *p.sleep_ua : 0.0);
      sleep = buf;
    }
    std::string charge = "n/a";
    if (p.charge_uc && p.charge_fit_uc && *p.charge_uc != 0) charge = num(100 * (*p.charge_fit_uc - *p.charge_uc) / *p.charge_uc, "%+.2f%%");
    std::string label = p.label.size() > 36 ? "..." + p.label.substr(p.label.size() - 33) : p.label;
    std::snprintf(buf, sizeof buf, "%-36s %5g   %18.5g  %9.5g  %+7.2f%%   %17s  %s\n", label.c_str(), p.mhz, p.active_ua,
                  p.active_fit_ua, p.active_ua != 0 ? 100 * (p.active_fit_ua - p.active_ua) / p.active_ua : 0.0, sleep.c_str(),
                  charge.c_str());
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "residual: mean currents RMS %.2f%%, max %.2f%%", 100 * fit.rms_rel, 100 * fit.max_rel);
  out += buf;
  if (fit.charge_rms_rel) {
    size_t n = 0;
    for (const auto &p : fit.points) n += p.charge_uc.has_value();
    std::snprintf(buf, sizeof buf, "; charge RMS %.2f%%, max %.2f%% (%zu of %zu captures)", 100 * *fit.charge_rms_rel,
                  100 * *fit.charge_max_rel, n, fit.points.size());
    out += buf;
  } else {
    out += "; charge: n/a (no capture lasts within 5% of its simulated run)";
  }
  out += "\n";
  for (const auto &n : fit.notes) out += "note: " + n + "\n";
  return out;
}

} // namespace mcusim::power
