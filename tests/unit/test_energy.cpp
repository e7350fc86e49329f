/// \file
/// Energy of a run (power/energy.h) and in the report (attach_energy), from
/// first principles: hand-built power figures and counters whose energy is
/// worked out on paper (µA x V = µW, µW x s = µJ; cycles / Hz = s).
#include "power/energy.h"
#include "profiler/call_tracker.h"
#include "profiler/run_report.h"
#include "session/exit_codes.h"
#include "session/session.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <functional>

#include "helpers.h"

using namespace mcusim;
using power::EnergyModel;
using power::EnergyOptions;

namespace {

/// A device with two run modes, SRAM figures in one, and three low-power states.
Device device_with_figures() {
  Device d;
  d.name = "testchip";
  d.default_mhz = 16;
  d.max_mhz = 80;
  d.memory = {{.name = "flash", .kind = RegionKind::Flash, .base = 0x08000000, .size = 0x100000, .exec = true},
              {.name = "sram", .kind = RegionKind::Sram, .base = 0x20000000, .size = 0x20000, .exec = true}};
  PowerDesc p;
  p.voltage_v = 3.0;
  p.reference_c = 25;
  p.leakage_doubling_c = 10;
  p.default_mode = "range1";
  p.deep_sleep = "stop2";
  p.run = {{.location = CodeLocation::Flash, .mode = "range1", .max_mhz = 26, .fixed_ua = 200, .ua_per_mhz = 100, .source = "row A"},
           {.location = CodeLocation::Flash, .mode = "range1", .max_mhz = 80, .fixed_ua = 400, .ua_per_mhz = 90, .source = "row B"},
           {.location = CodeLocation::Ram, .mode = "range1", .max_mhz = 80, .fixed_ua = 100, .ua_per_mhz = 80, .source = "row C"},
           {.location = CodeLocation::Flash, .mode = "range2", .max_mhz = 26, .fixed_ua = 150, .ua_per_mhz = 70, .source = "row D"}};
  p.states = {{.name = "sleep", .kind = PowerStateKind::Sleep, .fixed_ua = 50, .ua_per_mhz = 10, .wakeup_us = 1, .source = "sleep src"},
              {.name = "stop2", .kind = PowerStateKind::Stop, .fixed_ua = 2, .wakeup_us = 5, .source = "stop src"},
              {.name = "standby", .kind = PowerStateKind::Standby, .fixed_ua = 0.5, .wakeup_us = 50, .source = "standby src"}};
  p.source = "test figures";
  d.power = p;
  return d;
}

EnergyModel model_at(double mhz, EnergyOptions o = {}) {
  o.mhz = mhz;
  auto m = power::make_energy_model(device_with_figures(), o);
  REQUIRE_MESSAGE(m, m.error().message);
  return *m;
}

PowerSegment run_segment(uint64_t start, uint64_t flash, uint64_t sram) {
  PowerSegment s;
  s.start = start;
  s.end = start + flash + sram;
  s.state = CoreState::Run;
  s.run_cycles = {flash, sram};
  return s;
}
PowerSegment segment(uint64_t start, uint64_t len, CoreState state) {
  PowerSegment s;
  s.start = start;
  s.end = start + len;
  s.state = state;
  switch (state) {
  case CoreState::Sleep: s.sleep_cycles = len; break;
  case CoreState::DeepSleep: s.deep_sleep_cycles = len; break;
  case CoreState::Wakeup: s.sleep_wakeup_cycles = len; break;
  case CoreState::Run: s.run_cycles[0] = len; break;
  }
  return s;
}

/// The integral of the timeline's power, in µJ (mW x s = mJ).
double timeline_uj(const power::RunEnergy &e) {
  double uj = 0;
  for (const auto &p : e.timeline) uj += p.mw * (p.end_s - p.start_s) * 1e3;
  return uj;
}

std::string error_of(const Device &d, EnergyOptions o, power::PowerError::Kind *kind = nullptr) {
  auto m = power::make_energy_model(d, o);
  REQUIRE_FALSE(m);
  CHECK(m.error().message.find('\n') == std::string::npos);
  if (kind) *kind = m.error().kind;
  return m.error().message;
}

} // namespace

TEST_CASE("energy model: the run row covering the clock in the mode, the states, the sources") {
  EnergyModel m = model_at(16);
  CHECK(m.mode == "range1");
  CHECK(m.run_ua[0] == doctest::Approx(200 + 100 * 16)); // row A covers 16 MHz
  CHECK(m.run_ua[1] == doctest::Approx(100 + 80 * 16));
  CHECK(m.sleep_ua == doctest::Approx(50 + 10 * 16));  // the sleep state's clock tree runs
  CHECK(m.deep_sleep_name == "stop2");
  CHECK(m.deep_sleep_ua == doctest::Approx(2));
  CHECK(m.deep_wakeup_us == 5);
  CHECK(m.sleep_wakeup_us == 1);
  CHECK(m.wakeup_ua == m.run_ua[0]);
  CHECK(m.voltage_v == 3.0);
  CHECK(model_at(48).run_ua[0] == doctest::Approx(400 + 90 * 48)); // row B
  EnergyOptions o;
  o.mode = "RANGE2"; // names are case-insensitive
  EnergyModel r2 = model_at(16, o);
  CHECK(r2.mode == "range2");
  CHECK(r2.run_ua[0] == doctest::Approx(150 + 70 * 16));
  CHECK(r2.run_ua[1] == r2.run_ua[0]); // no SRAM row in range2: priced as flash
  bool said = false;
  for (const auto &s : r2.sources) said |= s.find("no figures for code in SRAM") != std::string::npos;
  CHECK(said);
  o = {};
  o.deep_sleep = "standby";
  CHECK(model_at(16, o).deep_sleep_ua == doctest::Approx(0.5));
  // One source line per figure used, each with the figure's own source.
  bool row_a = false, stop = false;
  for (const auto &s : m.sources) {
    CHECK(s.find('\n') == std::string::npos);
    row_a |= s.find("— row A") != std::string::npos;
    stop |= s.find("stop2") != std::string::npos && s.find("— stop src") != std::string::npos;
  }
  CHECK(row_a);
  CHECK(stop);
  CHECK(std::find(m.sources.begin(), m.sources.end(), "deep sleep 'stop2': 2 µA, wake-up 5 µs — stop src") != m.sources.end());
  // No deep-sleep state named anywhere: SLEEPDEEP is priced as sleep.
  Device plain = device_with_figures();
  plain.power->deep_sleep.clear();
  auto pm = power::make_energy_model(plain, EnergyOptions{.mhz = 16});
  REQUIRE(pm);
  CHECK(pm->deep_sleep_name == "sleep");
  CHECK(pm->deep_sleep_ua == pm->sleep_ua);
}

TEST_CASE("energy: the sum over states and the integral of the timeline's power are the run's energy") {
  EnergyModel m = model_at(10); // 10 MHz: 10 cycles per µs
  m.weights.mac_pj = 5;         // non-neutral weights: counted classes add energy
  m.weights.sram_access_pj = 2;
  PowerCounters c;
  c.run_cycles = {30000, 10000};
  c.sleep_cycles = 50000;
  c.deep_sleep_cycles = 100000;
  c.sleep_wakeup_cycles = 10;   // one wake-up of 1 µs
  c.deep_wakeup_cycles = 100;   // two of 5 µs
  c.sleep_entries = 1;
  c.deep_sleep_entries = 2;
  c.classes = InstructionClassCounts{.mac = 1000, .fpu = 0, .flash_loads = 0, .sram_accesses = 500};
  uint64_t t = 0;
  for (auto s : {run_segment(0, 10000, 5000), segment(15000, 50000, CoreState::Sleep), segment(65000, 10, CoreState::Wakeup),
                 run_segment(65010, 10000, 0), segment(75010, 50000, CoreState::DeepSleep), segment(125010, 50, CoreState::Wakeup),
                 run_segment(125060, 10000, 5000), segment(140060, 50000, CoreState::DeepSleep), segment(190060, 50, CoreState::Wakeup)}) {
    CHECK(s.start == t);
    t = s.end;
    c.timeline.push_back(s);
  }
  REQUIRE(t == c.total());
  power::RunEnergy e = power::price_run(c, m);
  // By hand: µA x 3 V x seconds.
  const double flash_ua = 200 + 100 * 10, sram_ua = 100 + 80 * 10, sleep_ua = 50 + 10 * 10;
  const double expect = 3.0 * (flash_ua * 3e-3 + sram_ua * 1e-3 + sleep_ua * 5e-3 + 2 * 10e-3 + flash_ua * 11e-6) + (1000 * 5 + 500 * 2) * 1e-6;
  CHECK(e.energy_uj == doctest::Approx(expect).epsilon(1e-12));
  CHECK(e.seconds == doctest::Approx(190110 / 10e6));
  double states = 0, shares = 0;
  for (const auto &s : e.states) states += s.uj, shares += s.share;
  CHECK(states + e.class_uj == doctest::Approx(e.energy_uj).epsilon(1e-12));
  CHECK(e.class_uj == doctest::Approx(0.006));
  CHECK(shares + e.class_uj / e.energy_uj == doctest::Approx(1.0));
  CHECK(timeline_uj(e) == doctest::Approx(e.energy_uj).epsilon(1e-9));
  REQUIRE(e.states.size() == 5);
  CHECK(e.states[0].state == "run (flash)");
  CHECK(e.states[1].state == "run (sram)");
  CHECK(e.states[2].state == "sleep");
  CHECK(e.states[3].state == "deep sleep (stop2)");
  CHECK(e.states[4].state == "wake-up");
  CHECK(e.average_mw == doctest::Approx(e.energy_uj / e.seconds * 1e-3));
  CHECK(e.average_ma == doctest::Approx(e.average_mw / 3.0));
  // Peak: the highest segment average, the run segment all from flash (1 ms, plus its share of the class energy);
  // the mixed ones (two thirds flash, a third SRAM) draw less.
  const double flash_run_uj = 3.0 * flash_ua * 1e-3 + e.class_uj * 10000.0 / 40000.0;
  const double mixed_run_uj = 3.0 * (flash_ua * 1e-3 + sram_ua * 0.5e-3) + e.class_uj * 15000.0 / 40000.0;
  CHECK(e.peak_mw == doctest::Approx(flash_run_uj / 1e-3 * 1e-3));
  CHECK(e.timeline[0].mw == doctest::Approx(mixed_run_uj / 1.5e-3 * 1e-3));
  CHECK(e.timeline[1].mw == doctest::Approx(sleep_ua * 3.0 * 1e-3));
  CHECK(e.timeline[1].state == CoreState::Sleep);
  CHECK(e.timeline[8].end_s == doctest::Approx(e.seconds));
  CHECK(e.peak_ma == doctest::Approx(e.peak_mw / 3.0));
  CHECK(e.sleep_entries == 1);
  CHECK(e.deep_sleep_entries == 2);
  // Without class counts the weights add nothing.
  c.classes.reset();
  CHECK(power::price_run(c, m).class_uj == 0);
}

TEST_CASE("energy: a run that sleeps 99% of the time draws the duty-weighted current, close to the sleep current") {
  EnergyModel m = model_at(16);
  PowerCounters c;
  c.run_cycles = {16000, 0};        // 1 ms running
  c.sleep_cycles = 99 * 16000;      // 99 ms asleep
  c.timeline = {run_segment(0, 16000, 0), segment(16000, 99 * 16000, CoreState::Sleep)};
  power::RunEnergy e = power::price_run(c, m);
  const double avg_ua = e.average_ma * 1e3;
  CHECK(avg_ua == doctest::Approx(0.01 * m.run_ua[0] + 0.99 * m.sleep_ua));
  // Within 1% of the run current's excess over the sleep current.
  CHECK(avg_ua - m.sleep_ua <= 0.01 * (m.run_ua[0] - m.sleep_ua) + 1e-9);
  // With the core in stop2 instead, a 0.1% duty cycle: the average is within 5% of what stop2 alone plus the runs draw.
  c.sleep_cycles = 0;
  c.deep_sleep_cycles = 999 * 16000;
  c.timeline = {run_segment(0, 16000, 0), segment(16000, 999 * 16000, CoreState::DeepSleep)};
  e = power::price_run(c, m);
  CHECK(e.average_ma * 1e3 == doctest::Approx(0.001 * m.run_ua[0] + 0.999 * m.deep_sleep_ua));
  CHECK(e.peak_mw == doctest::Approx(m.run_ua[0] * 3.0 * 1e-3)); // the run segment
}

TEST_CASE("energy: doubling the clock of a CPU-bound SRAM run halves its time and saves half its fixed-current energy") {
  // One row covering both clocks: fixed 100 µA + 80 µA/MHz from SRAM.
  const uint64_t n = 1000000;
  PowerCounters c;
  c.run_cycles = {0, n};
  c.timeline = {run_segment(0, 0, n)};
  power::RunEnergy slow = power::price_run(c, model_at(30)), fast = power::price_run(c, model_at(60));
  CHECK(fast.seconds == doctest::Approx(slow.seconds / 2));
  // E(f) = V N (I_fixed / f + k): the per-MHz part is the same at any clock.
  const double v = 3.0, fixed_uj_slow = v * 100 * double(n) / 30e6, per_mhz_uj = v * 80 * double(n) / 1e6;
  CHECK(slow.energy_uj == doctest::Approx(fixed_uj_slow + per_mhz_uj).epsilon(1e-12));
  CHECK(fast.energy_uj == doctest::Approx(fixed_uj_slow / 2 + per_mhz_uj).epsilon(1e-12));
  CHECK(slow.energy_uj - fast.energy_uj == doctest::Approx(fixed_uj_slow / 2).epsilon(1e-9));
  // Power doubles less than the clock: P = V (I_fixed + k f).
  CHECK(fast.average_mw == doctest::Approx(v * (100 + 80 * 60) * 1e-3));
}

TEST_CASE("energy: leakage of the low-power states doubles every leakage_doubling_c above the reference") {
  EnergyOptions o;
  o.temperature_c = 45; // two doublings
  EnergyModel hot = model_at(16, o);
  CHECK(hot.deep_sleep_ua == doctest::Approx(2 * 4));
  CHECK(hot.sleep_ua == doctest::Approx(50 * 4 + 10 * 16)); // the per-MHz part is not leakage
  CHECK(hot.run_ua[0] == doctest::Approx(200 + 100 * 16));  // run currents unchanged
  o.temperature_c = 30;
  CHECK(model_at(16, o).deep_sleep_ua == doctest::Approx(2 * std::sqrt(2.0)));
  o.temperature_c = 0; // not reduced below the reference
  CHECK(model_at(16, o).deep_sleep_ua == doctest::Approx(2));
  Device d = device_with_figures();
  d.power->leakage_doubling_c = 0; // no temperature dependence given
  o.temperature_c = 85;
  o.mhz = 16;
  CHECK(power::make_energy_model(d, o)->deep_sleep_ua == doctest::Approx(2));
}

TEST_CASE("energy: wake-ups cost the run current for the state's wake-up time") {
  EnergyModel m = model_at(10);
  PowerCounters c;
  c.run_cycles = {1000, 0};
  c.deep_sleep_cycles = 30000;
  c.deep_sleep_entries = 3;
  c.deep_wakeup_cycles = 3 * uint64_t(m.deep_wakeup_us * 10); // 5 µs at 10 MHz each
  power::RunEnergy e = power::price_run(c, m);
  CHECK(e.wakeup_uj == doctest::Approx(m.run_ua[0] * 3.0 * 15e-6));
  CHECK(e.deep_sleep_entries == 3);
  CHECK(e.timeline.empty());
  CHECK(e.peak_mw == e.average_mw); // no timeline: the average is all that is known
}

TEST_CASE("energy: the rail voltage keeps the currents and scales the power") {
  EnergyOptions o;
  o.voltage_v = 1.8;
  EnergyModel low = model_at(16, o), ref = model_at(16);
  CHECK(low.run_ua[0] == ref.run_ua[0]);
  PowerCounters c;
  c.run_cycles = {16000, 0};
  CHECK(power::price_run(c, low).energy_uj == doctest::Approx(power::price_run(c, ref).energy_uj * 1.8 / 3.0));
  bool said = false;
  for (const auto &s : low.sources) said |= s.find("1.8 V") != std::string::npos;
  CHECK(said);
  CHECK(power::run_uj(ref, 16000, CodeLocation::Flash) == doctest::Approx(ref.run_ua[0] * 3.0 * 1e-3));
}

TEST_CASE("energy model errors: one line each, with their kind") {
  using K = power::PowerError::Kind;
  K kind{};
  Device bare = device_with_figures();
  bare.power.reset();
  CHECK(error_of(bare, {}, &kind) == "testchip has no [power] section (no power figures)");
  CHECK(kind == K::NoFigures);
  EnergyOptions o;
  o.mode = "turbo";
  CHECK(error_of(device_with_figures(), o, &kind) == "testchip: unknown power mode 'turbo' (modes: range1, range2)");
  CHECK(kind == K::UnknownMode);
  o = {};
  o.deep_sleep = "hibernate\n";
  CHECK(error_of(device_with_figures(), o, &kind) == "testchip: unknown low-power state 'hibernate\\x0A' (states: sleep, stop2, standby)");
  CHECK(kind == K::UnknownState);
  o = {};
  o.mhz = 120;
  CHECK(error_of(device_with_figures(), o, &kind) ==
        "testchip: no run current for code in flash at 120 MHz in mode 'range1' (its figures go up to 80 MHz)");
  CHECK(kind == K::NoRunCurrent);
  o.mhz = 48;
  o.mode = "range2";
  CHECK(error_of(device_with_figures(), o, &kind).find("up to 26 MHz") != std::string::npos);
  o = {};
  o.voltage_v = 0;
  CHECK(error_of(device_with_figures(), o, &kind).find("greater than 0 V") != std::string::npos);
  CHECK(kind == K::Malformed);
  Device no_sleep = device_with_figures();
  no_sleep.power->states.erase(no_sleep.power->states.begin());
  CHECK(error_of(no_sleep, {}, &kind) == "testchip: the power figures have no sleep state");
}

namespace {

/// A report of a run on device_with_figures(): functions in flash and SRAM,
/// layers over 2 invocations, and the counters that go with them.
std::pair<RunReport, RunResult> synthetic_run() {
  RunResult r;
  r.hz = 10e6;
  r.power.run_cycles = {60000, 20000};
  r.power.sleep_cycles = 15000;
  r.power.deep_sleep_cycles = 4000;
  r.power.sleep_wakeup_cycles = 10;
  r.power.deep_wakeup_cycles = 50;
  r.power.sleep_entries = 1;
  r.power.deep_sleep_entries = 1;
  r.cycles = r.power.total();
  RunReport rep;
  rep.device = "testchip";
  rep.mhz = 10;
  rep.cycles = r.cycles;
  rep.profiled = true;
  auto fn = [](std::string name, uint32_t addr, uint64_t self, uint64_t incl) {
    RunReport::Function f;
    f.name = std::move(name);
    f.addr = addr;
    f.self_cycles = self;
    f.inclusive_cycles = incl;
    f.calls = 1;
    return f;
  };
  rep.functions = {fn("main", 0x08000101, 50000, 79000), fn("conv_fast", 0x20000401, 19000, 19000), fn("helper", 0x08000801, 9000, 9000)};
  uint64_t self = 0;
  for (const auto &f : rep.functions) self += f.self_cycles;
  rep.other_cycles = r.cycles - self;
  rep.layers = {{.node = 0, .name = "conv", .op = "CONV_2D", .invocations = 2, .cycles = 30000},
                {.node = 1, .name = "fc", .op = "FULLY_CONNECTED", .invocations = 2, .cycles = 10000}};
  rep.layer_invocations = 2;
  rep.layer_source = "markers";
  return {rep, r};
}

double attributed_uj(const RunReport &rep) {
  double uj = rep.other_uj;
  for (const auto &f : rep.functions) uj += f.self_uj;
  return uj;
}

} // namespace

TEST_CASE("report energy: function self µJ and the unattributed cycles' energy make the run's energy") {
  Device d = device_with_figures();
  EnergyModel m = model_at(10);
  auto [rep, r] = synthetic_run();
  attach_energy(rep, r, d, m);
  REQUIRE(rep.energy);
  CHECK(rep.energy_note.empty());
  const double total = rep.energy->energy_uj;
  CHECK(std::fabs(attributed_uj(rep) - total) <= 1e-9 * total);
  // Each function at the run current of the region its code lies in.
  CHECK(rep.functions[0].self_uj == doctest::Approx(m.run_ua[0] * 3.0 * 50000 / 10e6));
  CHECK(rep.functions[1].self_uj == doctest::Approx(m.run_ua[1] * 3.0 * 19000 / 10e6));
  CHECK(rep.functions[0].inclusive_uj == doctest::Approx(m.run_ua[0] * 3.0 * 79000 / 10e6));
  // Layers at the run-average current: (60000 flash + 20000 SRAM cycles) / 80000.
  const double avg_ua = (60000 * m.run_ua[0] + 20000 * m.run_ua[1]) / 80000;
  CHECK(rep.layers[0].uj == doctest::Approx(avg_ua * 3.0 * 30000 / 10e6));
  CHECK(rep.layers[0].mean_uj == doctest::Approx(rep.layers[0].uj / 2));
  REQUIRE(rep.uj_per_inference);
  CHECK(*rep.uj_per_inference == doctest::Approx((rep.layers[0].uj + rep.layers[1].uj) / 2));

  // The invariant can fail: a function placed in SRAM that the core counted as flash breaks it.
  auto [bad, br] = synthetic_run();
  bad.functions[0].addr = 0x20000101; // 50000 self cycles "in SRAM", where the core counted only 20000
  attach_energy(bad, br, d, m);
  CHECK(std::fabs(attributed_uj(bad) - bad.energy->energy_uj) > 1e-6 * bad.energy->energy_uj);

  // No layers' invocations: no energy per inference.
  auto [plain, pr] = synthetic_run();
  plain.layer_invocations = 0;
  attach_energy(plain, pr, d, m);
  CHECK_FALSE(plain.uj_per_inference);
  // Counters that do not cover the run: no energy, and the note says why.
  auto [short_rep, sr] = synthetic_run();
  sr.cycles += 5;
  attach_energy(short_rep, sr, d, m);
  CHECK_FALSE(short_rep.energy);
  CHECK(short_rep.energy_note == "the run's power counters cover 99060 of its 99065 cycles: no energy");
}

TEST_CASE("report energy in every format, and the JSON reads back") {
  Device d = device_with_figures();
  auto [rep, r] = synthetic_run();
  rep.firmware = "fw.elf";
  rep.core = "cortex-m4f";
  r.power.timeline = {run_segment(0, 60000, 20000), segment(80000, 15000, CoreState::Sleep), segment(95000, 10, CoreState::Wakeup),
                      segment(95010, 4000, CoreState::DeepSleep), segment(99010, 50, CoreState::Wakeup)};
  attach_energy(rep, r, d, model_at(10));
  REQUIRE(rep.energy);
  const std::string json = render_json(rep);
  auto j = nlohmann::json::parse(json);
  CHECK(j["schema_version"] == 3);
  CHECK(j["energy"]["uj"].get<double>() == doctest::Approx(rep.energy->energy_uj));
  CHECK(j["energy"]["states"].size() == 5);
  CHECK(j["energy"]["timeline"].size() == 5);
  CHECK(j["energy"]["timeline"][1]["state"] == "sleep");
  CHECK(j["energy"]["model"]["deep_sleep"] == "stop2");
  CHECK(j["profile"]["functions"][1]["self_uj"].get<double>() > 0);
  CHECK(j["layers"]["rows"][0]["mean_uj"].get<double>() > 0);
  CHECK(j["energy"]["uj_per_inference"].get<double>() == doctest::Approx(*rep.uj_per_inference));
  auto back = parse_report_json(json);
  REQUIRE_MESSAGE(back, back.error().message);
  CHECK(render_json(*back) == json);
  CHECK(render_text(*back) == render_text(rep));
  CHECK(render_markdown(*back) == render_markdown(rep));

  const std::string text = render_text(rep);
  CHECK(text.find("\nenergy (testchip, mode range1, 10 MHz, 3 V, 25 °C, deep sleep stop2):") != std::string::npos);
  CHECK(text.find("  per inference ") != std::string::npos);
  CHECK(text.find("self µJ") != std::string::npos);
  CHECK(text.find("total µJ") != std::string::npos);
  CHECK(text.find("deep sleep (stop2)") != std::string::npos);
  CHECK(text.find("— row A") != std::string::npos);
  const std::string md = render_markdown(rep);
  CHECK(md.find("| energy per run | ") != std::string::npos);
  CHECK(md.find("| state | cycles | time | current | energy | share |") != std::string::npos);
  CHECK(md.find(" self µJ | inclusive µJ |") != std::string::npos);

  // Without energy: no energy fields at all, and the note in text and Markdown.
  RunReport none = synthetic_run().first;
  none.energy_note = "testchip has no [power] section (no power figures)";
  auto jn = nlohmann::json::parse(render_json(none));
  CHECK_FALSE(jn.contains("energy"));
  CHECK_FALSE(jn["profile"]["functions"][0].contains("self_uj"));
  CHECK_FALSE(jn["layers"]["rows"][0].contains("uj"));
  CHECK(render_text(none).find("  energy        none: testchip has no [power] section") != std::string::npos);
  CHECK(render_text(none).find("µJ") == std::string::npos);
  CHECK(render_markdown(none).find("| energy | none: testchip has no [power] section") != std::string::npos);

  // A bad energy object is a one-line error naming the field.
  j["energy"]["timeline"][0]["state"] = "dozing";
  auto bad = parse_report_json(j.dump());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "malformed run report: energy.timeline[0].state: expected run, sleep, deep-sleep or wake-up");
}

TEST_CASE("report JSON with energy: every energy field render_json writes is read back") {
  // Every value changed to a non-default one: a field parse_report_json does not read comes back as its default.
  auto [rep, r] = synthetic_run();
  r.power.timeline = {run_segment(0, 60000, 20000), segment(80000, 19060, CoreState::Sleep)};
  attach_energy(rep, r, device_with_figures(), model_at(10));
  for (auto &l : rep.layers) l.min_cycles = 1, l.max_cycles = 2, l.macs = 3, l.cycles_per_mac = 0.5; // null would not mutate to a number
  using nlohmann::ordered_json;
  ordered_json j = ordered_json::parse(render_json(rep));
  std::function<void(ordered_json &, const std::string &)> mutate = [&](ordered_json &v, const std::string &key) {
    if (key == "schema" || key == "schema_version") return;
    if (v.is_object()) {
      for (auto &[k, child] : v.items()) mutate(child, k);
    } else if (v.is_array()) {
      for (auto &child : v) mutate(child, key);
    } else if (v.is_string()) {
      v = key == "state" && v == "run" ? "wake-up" : key == "state" && v == "sleep" ? "deep-sleep" : "changed " + v.get<std::string>();
    } else if (v.is_boolean()) {
      v = !v.get<bool>();
    } else if (v.is_number_float() || v.is_null()) {
      v = 0.625;
    } else if (v.is_number()) {
      v = 77;
    }
  };
  mutate(j, "");
  const std::string changed = j.dump(2) + "\n";
  auto back = parse_report_json(changed);
  REQUIRE_MESSAGE(back, back.error().message);
  CHECK(render_json(*back) == changed);
}

TEST_CASE("report energy on bundled firmware: function and unattributed energy make the total") {
  // The device's own figures where it has them, else hand-made ones on the real memory map.
  for (auto [name, device] : {std::pair{"crc32-stm32f407", "stm32f407"}, std::pair{"selftest-stm32f407", "stm32f407"},
                              std::pair{"layers-stm32f407", "stm32f407"}, std::pair{"matmul-stm32h7a3", "stm32h7a3"},
                              std::pair{"dutycycle-stm32l4r5", "stm32l4r5"}, std::pair{"dutycycle-stm32u575", "stm32u575"}}) {
    if (!test::have_firmware(name)) continue;
    const std::string fw = name;
    CAPTURE(fw);
    auto elf = load_elf(test::firmware(name));
    REQUIRE(elf);
    auto dev = find_device(device);
    REQUIRE(dev);
    if (!dev->power) dev->power = device_with_figures().power;
    test::CaptureConsole console;
    RunOptions o;
    o.profile = true;
    o.profile_listener = [] { return std::make_unique<CallTracker>(); };
    o.cmdline = std::string(name) + " 1";
    o.max_cycles = 50'000'000;
    auto sim = Simulator::create(*dev, *elf, o, console);
    REQUIRE(sim);
    RunResult r = (*sim)->run();
    RunReport rep = build_report(r, *elf, *dev, (*sim)->timing_description());
    EnergyOptions eo;
    eo.mhz = r.hz / 1e6;
    eo.mode = "";
    auto m = power::make_energy_model(*dev, eo);
    if (!m) { // hand-made figures that do not reach the device's clock
      dev->power->run.push_back({.location = CodeLocation::Flash, .mode = "range1", .max_mhz = 0, .fixed_ua = 500, .ua_per_mhz = 95});
      dev->power->run.push_back({.location = CodeLocation::Ram, .mode = "range1", .max_mhz = 0, .fixed_ua = 300, .ua_per_mhz = 85});
      m = power::make_energy_model(*dev, eo);
    }
    REQUIRE_MESSAGE(m, m.error().message);
    attach_energy(rep, r, *dev, *m);
    // The core's power counters cover every cycle, so the run is priced.
    REQUIRE(r.power.total() == r.cycles);
    REQUIRE(rep.energy);
    const double total = rep.energy->energy_uj;
    CHECK(total > 0);
    CHECK(std::fabs(attributed_uj(rep) - total) <= 1e-9 * total);
    CHECK(timeline_uj(*rep.energy) == doctest::Approx(total).epsilon(1e-9));
    auto back = parse_report_json(render_json(rep));
    REQUIRE(back);
    CHECK(render_json(*back) == render_json(rep));
  }
}

TEST_CASE("session: energy is a note without figures, and an error only when asked for") {
  if (!test::have_firmware("hello-stm32f407")) return;
  struct Hooks final : session::SessionHooks {
    test::CaptureConsole capture;
    Console &console() override { return capture; }
    bool wants_progress() const override { return false; }
  };
  auto request = [] {
    session::RunRequest req;
    req.elf = test::firmware("hello-stm32f407").string();
    req.device = "stm32f407";
    req.no_db = true;
    req.quiet = true;
    req.report_format = "text";
    return req;
  };
  Device f407 = *find_device("stm32f407");
  {
    Hooks hooks;
    session::RunOutcome out = session::run(request(), hooks);
    CHECK(out.exit_code == 0);
    REQUIRE(out.report);
    if (!f407.power) {
      CHECK_FALSE(out.report->energy);
      CHECK(out.report->energy_note == "stm32f407 has no [power] section (no power figures)");
    }
  }
  auto refused = [&](session::RunRequest req, const std::string &expect) {
    Hooks hooks;
    session::RunOutcome out = session::run(req, hooks);
    CHECK(out.exit_code == cli::kExitNoPower);
    CHECK_FALSE(out.ran);
    CHECK(out.error.find(expect) != std::string::npos);
    CHECK(out.error.find('\n') == std::string::npos);
  };
  session::RunRequest req = request();
  req.power_mode = "no-such-mode";
  refused(req, f407.power ? "unknown power mode 'no-such-mode'" : "no [power] section");
  req = request();
  req.deep_sleep = "no-such-state";
  refused(req, f407.power ? "unknown low-power state 'no-such-state'" : "no [power] section");
  if (!f407.power) {
    req = request();
    req.temperature_c = 40;
    refused(req, "stm32f407 has no [power] section");
  }
  req = request();
  req.voltage_v = -1;
  Hooks hooks;
  CHECK(session::run(req, hooks).exit_code == cli::kExitUsage);
}
