// The core's power counters (RunResult::power): totals equal to the run's
// cycles on every bundled firmware, sleep vs deep sleep, code location, the
// timeline and its merging, determinism.
#include "core/power_timeline.h"
#include "core/simulator.h"
#include "image/auto_device.h"
#include "profiler/call_tracker.h"

#include <doctest/doctest.h>

#include "helpers.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

using namespace mcusim;
namespace fs = std::filesystem;

namespace {

RunResult run_elf(const fs::path &path, const Device &dev, RunOptions opts = {}, bool *created = nullptr) {
  auto elf = load_elf(path);
  REQUIRE(elf);
  test::CaptureConsole console;
  auto sim = Simulator::create(dev, *elf, opts, console);
  if (created) *created = bool(sim);
  if (!sim) return {};
  return (*sim)->run();
}

RunResult run_fw(const std::string &name, const std::string &device, RunOptions opts = {}) {
  auto dev = find_device(device);
  REQUIRE(dev);
  return run_elf(test::firmware(name), *dev, std::move(opts));
}

/// The device a bundled image was built for: the name after "<app>-", else the ELF's own choice.
std::optional<Device> device_for(const fs::path &path) {
  std::string stem = path.stem().string();
  for (size_t dash = stem.find('-'); dash != std::string::npos; dash = stem.find('-', dash + 1))
    if (auto d = find_device(stem.substr(dash + 1))) return *d;
  auto elf = load_elf(path);
  if (!elf) return std::nullopt;
  auto choice = choose_device_for(*elf);
  if (!choice) return std::nullopt;
  return choice->device;
}

/// The invariants every run keeps: the counters add up to the run's cycles
/// and to RunResult::sleep_cycles, and the timeline tiles [0, cycles] with
/// segments whose own cycles add up to their span and, over all, to the counters.
void check_invariants(const RunResult &r) {
  const PowerCounters &p = r.power;
  CHECK(p.total() == r.cycles);
  // Flash run cycles are what is left (docs/power.md): never more than the run.
  CHECK(p.run_cycles[0] + p.run_cycles[1] <= r.cycles);
  CHECK(p.sleep_cycles + p.deep_sleep_cycles + p.sleep_wakeup_cycles + p.deep_wakeup_cycles == r.sleep_cycles);
  CHECK(p.timeline.size() <= PowerCounters::kMaxSegments);
  uint64_t at = 0;
  PowerSegment sum;
  for (const auto &s : p.timeline) {
    CHECK(s.start == at);
    CHECK(s.end > s.start);
    CHECK(s.total() == s.end - s.start);
    if (!p.merged) CHECK(dominant_state(s) == s.state);
    at = s.end;
    for (unsigned l = 0; l < kCodeLocations; ++l) sum.run_cycles[l] += s.run_cycles[l];
    sum.sleep_cycles += s.sleep_cycles;
    sum.deep_sleep_cycles += s.deep_sleep_cycles;
    sum.sleep_wakeup_cycles += s.sleep_wakeup_cycles;
    sum.deep_wakeup_cycles += s.deep_wakeup_cycles;
  }
  CHECK(at == r.cycles);
  CHECK(sum.run_cycles == p.run_cycles);
  CHECK(sum.sleep_cycles == p.sleep_cycles);
  CHECK(sum.deep_sleep_cycles == p.deep_sleep_cycles);
  CHECK(sum.sleep_wakeup_cycles == p.sleep_wakeup_cycles);
  CHECK(sum.deep_wakeup_cycles == p.deep_wakeup_cycles);
}

bool same_counters(const PowerCounters &a, const PowerCounters &b) {
  if (a.run_cycles != b.run_cycles || a.sleep_cycles != b.sleep_cycles || a.deep_sleep_cycles != b.deep_sleep_cycles ||
      a.sleep_wakeup_cycles != b.sleep_wakeup_cycles || a.deep_wakeup_cycles != b.deep_wakeup_cycles ||
      a.sleep_entries != b.sleep_entries || a.deep_sleep_entries != b.deep_sleep_entries || a.merged != b.merged ||
      a.timeline.size() != b.timeline.size())
    return false;
  for (size_t i = 0; i < a.timeline.size(); ++i) {
    const auto &x = a.timeline[i], &y = b.timeline[i];
    if (x.start != y.start || x.end != y.end || x.state != y.state || x.run_cycles != y.run_cycles ||
        x.sleep_cycles != y.sleep_cycles || x.deep_sleep_cycles != y.deep_sleep_cycles ||
        x.sleep_wakeup_cycles != y.sleep_wakeup_cycles || x.deep_wakeup_cycles != y.deep_wakeup_cycles)
      return false;
  }
  return true;
}

RunOptions dutycycle_args(const std::string &args) {
  RunOptions o;
  o.cmdline = "dutycycle " + args;
  return o;
}

} // namespace

TEST_CASE("power counters add up to the run's cycles on every bundled firmware, plain and profiled, and with limits") {
  fs::path dir = MCUSIM_TEST_FIRMWARE_DIR;
  std::vector<fs::path> elfs;
  if (fs::is_directory(dir))
    for (const auto &e : fs::directory_iterator(dir))
      if (e.path().extension() == ".elf") elfs.push_back(e.path());
  std::sort(elfs.begin(), elfs.end());
#if MCUSIM_TEST_REQUIRE_FIRMWARE
  REQUIRE(elfs.size() >= 20);
#endif
  size_t ran = 0;
  for (const auto &path : elfs) {
    CAPTURE(path.filename().string());
    auto dev = device_for(path);
    if (!dev) continue;
    RunOptions o;
    o.max_cycles = 3'000'000; // the endless ones (spin, chatter) stop here, so do long ones
    o.cmdline = path.stem().string() + " 3";
    bool created = false;
    RunResult plain = run_elf(path, *dev, o, &created);
    if (!created) continue; // images made to be refused (badinput)
    ++ran;
    check_invariants(plain);
    o.profile = true;
    o.profile_listener = [] { return std::make_unique<CallTracker>(); };
    RunResult prof = run_elf(path, *dev, o);
    check_invariants(prof);
    CHECK(prof.cycles == plain.cycles);
    CHECK(same_counters(prof.power, plain.power));
    RunOptions few;
    few.max_instructions = 5000; // an instruction limit mid-block
    few.cmdline = o.cmdline;
    check_invariants(run_elf(path, *dev, few));
  }
#if MCUSIM_TEST_REQUIRE_FIRMWARE
  CHECK(ran >= 20);
#endif
}

TEST_CASE("the duty-cycled firmware sleeps deep for more than 95% of its cycles, one entry per period") {
  if (!test::have_firmware("dutycycle-stm32f407")) return;
  for (unsigned n : {1u, 50u}) {
    CAPTURE(n);
    RunResult r = run_fw("dutycycle-stm32f407", "stm32f407", dutycycle_args(std::to_string(n)));
    REQUIRE(r.reason == StopReason::Exited);
    check_invariants(r);
    const PowerCounters &p = r.power;
    CHECK(p.deep_sleep_entries == n);
    CHECK(p.sleep_entries == 0);
    CHECK(p.sleep_cycles == 0);
    CHECK(p.sleep_wakeup_cycles == 0);
    CHECK(double(p.deep_sleep_cycles) > 0.95 * double(r.cycles));
    // The deep wake-up is the wakeup_us of the device's deep-sleep state.
    auto dev = find_device("stm32f407");
    REQUIRE(dev->power);
    REQUIRE(dev->power->deep_sleep_state());
    CHECK(p.deep_wakeup_cycles == n * uint64_t(dev->power->deep_sleep_state()->wakeup_us * r.hz / 1e6));
    // Per period: deep sleep, wake-up, run (the wake-up is 0 cycles when wakeup_us rounds to 0).
    size_t deep = 0;
    for (const auto &s : p.timeline) deep += s.state == CoreState::DeepSleep;
    CHECK(deep == n);
    CHECK(p.timeline.front().state == CoreState::Run);
    CHECK(p.timeline.back().state == CoreState::Run);
  }
}

TEST_CASE("SLEEPDEEP clear counts sleep, not deep sleep") {
  if (!test::have_firmware("dutycycle-stm32f407")) return;
  RunResult r = run_fw("dutycycle-stm32f407", "stm32f407", dutycycle_args("light 7"));
  REQUIRE(r.reason == StopReason::Exited);
  check_invariants(r);
  CHECK(r.power.sleep_entries == 7);
  CHECK(r.power.deep_sleep_entries == 0);
  CHECK(r.power.deep_sleep_cycles == 0);
  CHECK(r.power.deep_wakeup_cycles == 0);
  CHECK(double(r.power.sleep_cycles) > 0.9 * double(r.cycles));
}

TEST_CASE("code run from SRAM counts as Ram, flash code as Flash") {
  if (!test::have_firmware("dutycycle-stm32f407") || !test::have_firmware("dutycycle-stm32h7a3")) return;
  // The f407 build runs its requantisation from SRAM (.ramfunc); the h7a3 build keeps it in flash.
  RunResult f4 = run_fw("dutycycle-stm32f407", "stm32f407", dutycycle_args("10"));
  check_invariants(f4);
  const auto ram = size_t(CodeLocation::Ram), flash = size_t(CodeLocation::Flash);
  CHECK(f4.power.run_cycles[ram] > 10 * 32 * 4); // 32 calls per period, a few cycles each
  CHECK(f4.power.run_cycles[flash] > f4.power.run_cycles[ram]);
  RunResult h7 = run_fw("dutycycle-stm32h7a3", "stm32h7a3", dutycycle_args("10"));
  check_invariants(h7);
  CHECK(h7.power.run_cycles[ram] == 0);
  CHECK(h7.power.run_cycles[flash] > 0);
  // A run segment's SRAM cycles appear in the periods' run segments, not in the sleep ones.
  uint64_t seg_ram = 0;
  for (const auto &s : f4.power.timeline)
    if (s.state == CoreState::Run) seg_ram += s.run_cycles[ram];
  CHECK(seg_ram == f4.power.run_cycles[ram]);
}

TEST_CASE("power counters are deterministic") {
  if (!test::have_firmware("dutycycle-stm32u575")) return;
  RunResult a = run_fw("dutycycle-stm32u575", "stm32u575", dutycycle_args("20"));
  RunResult b = run_fw("dutycycle-stm32u575", "stm32u575", dutycycle_args("20"));
  CHECK(a.cycles == b.cycles);
  CHECK(same_counters(a.power, b.power));
}

TEST_CASE("a long duty-cycled run merges its timeline and keeps every sum") {
  if (!test::have_firmware("dutycycle-stm32g0b1")) return;
  // 3 segments per period: 1400 periods exceed PowerCounters::kMaxSegments.
  RunResult r = run_fw("dutycycle-stm32g0b1", "stm32g0b1", dutycycle_args("1400"));
  REQUIRE(r.reason == StopReason::Exited);
  CHECK(r.power.merged);
  CHECK(r.power.deep_sleep_entries == 1400);
  check_invariants(r);
}

TEST_CASE("deep sleep wakes up in the time of the device's deep-sleep state") {
  if (!test::have_firmware("dutycycle-stm32f407")) return;
  auto dev = find_device("stm32f407");
  REQUIRE(dev);
  PowerDesc pd;
  pd.deep_sleep = "stop1";
  pd.states.push_back({"sleep", PowerStateKind::Sleep, 4000, 40, 0.11, ""});
  pd.states.push_back({"Stop1", PowerStateKind::Stop, 300, 0, 5.0, ""});
  pd.states.push_back({"standby", PowerStateKind::Standby, 2, 0, 30.0, ""});
  Device with = *dev;
  with.power = pd;
  auto elf = load_elf(test::firmware("dutycycle-stm32f407"));
  REQUIRE(elf);
  test::CaptureConsole console;
  auto sim = Simulator::create(with, *elf, dutycycle_args("4"), console);
  REQUIRE(sim);
  RunResult r = (*sim)->run();
  check_invariants(r);
  const uint64_t stop1 = uint64_t(5.0 * r.hz / 1e6);
  CHECK(r.power.deep_wakeup_cycles == 4 * stop1);
  RunOptions standby = dutycycle_args("4");
  standby.deep_sleep_state = "STANDBY";
  auto sim2 = Simulator::create(with, *elf, standby, console);
  REQUIRE(sim2);
  RunResult s = (*sim2)->run();
  check_invariants(s);
  CHECK(s.power.deep_wakeup_cycles == 4 * uint64_t(30.0 * s.hz / 1e6));
  CHECK(s.cycles > r.cycles); // the longer wake-up costs time

  RunOptions bad = dutycycle_args("4");
  bad.deep_sleep_state = "hibernate";
  auto refused = Simulator::create(with, *elf, bad, console);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("hibernate") != std::string::npos);
  Device without = *dev;
  without.power.reset();
  auto no_power = Simulator::create(without, *elf, bad, console);
  REQUIRE_FALSE(no_power);
  CHECK(no_power.error().message.find("no power figures") != std::string::npos);
}

TEST_CASE("timeline: segments join, merge pairwise when full, and keep their sums") {
  PowerCounters c;
  PowerTimeline t;
  uint64_t now = 0;
  // run 10 (flash), deep sleep 100, wake-up 3, repeated 3000 times: 9000 segments.
  for (int i = 0; i < 3000; ++i) {
    c.run_cycles[0] += 7;
    c.run_cycles[1] += 3;
    now += 10;
    t.change(CoreState::DeepSleep, now, c);
    c.deep_sleep_cycles += 100;
    now += 100;
    t.change(CoreState::Wakeup, now, c);
    c.deep_wakeup_cycles += 3;
    now += 3;
    t.change(CoreState::Run, now, c);
  }
  c.run_cycles[0] += 5;
  now += 5;
  t.finish(now, c);
  CHECK(c.total() == now);
  CHECK(c.merged);
  CHECK(c.timeline.size() <= PowerCounters::kMaxSegments);
  CHECK(c.timeline.size() > PowerCounters::kMaxSegments / 4);
  uint64_t at = 0, ram = 0, deep = 0;
  for (const auto &s : c.timeline) {
    CHECK(s.start == at);
    CHECK(s.total() == s.end - s.start);
    at = s.end;
    ram += s.run_cycles[1];
    deep += s.deep_sleep_cycles;
  }
  CHECK(at == now);
  CHECK(ram == 3 * 3000);
  CHECK(deep == 100 * 3000);
  // A merged segment takes the state with the most cycles: here deep sleep.
  CHECK(c.timeline[1].state == CoreState::DeepSleep);

  // Same-state single-state neighbours join; empty segments are dropped.
  PowerCounters j;
  PowerTimeline u;
  j.run_cycles[0] = 4;
  u.change(CoreState::Sleep, 4, j); // run [0,4)
  u.change(CoreState::Run, 4, j);   // empty sleep: dropped
  j.run_cycles[1] = 6;
  u.finish(10, j); // run [4,10) joins [0,4)
  REQUIRE(j.timeline.size() == 1);
  CHECK(j.timeline[0].end == 10);
  CHECK(j.timeline[0].run_cycles[1] == 6);
}

TEST_CASE("timeline: a refund to a closed segment moves it and the later ones") {
  // An exception exit charged 10 cycles at [40, 50), then SLEEPONEXIT's sleep
  // [50, 150) and a wake-up [150, 153); the tail-chain refunds 4 of the exit.
  PowerCounters c;
  PowerTimeline t;
  c.run_cycles[1] = 50;
  t.change(CoreState::Sleep, 50, c);
  c.sleep_cycles = 100;
  t.change(CoreState::Wakeup, 150, c);
  c.sleep_wakeup_cycles = 3;
  t.change(CoreState::Run, 153, c);
  c.run_cycles[1] -= 4; // the caller's change to the counters
  t.recharge_closed(-4, CodeLocation::Ram, 50, c);
  c.run_cycles[1] += 20;
  t.finish(169, c);
  REQUIRE(c.timeline.size() == 4);
  CHECK(c.timeline[0].end == 46);
  CHECK(c.timeline[0].run_cycles[1] == 46);
  CHECK(c.timeline[1].start == 46);
  CHECK(c.timeline[1].end == 146);
  CHECK(c.timeline[2].start == 146);
  CHECK(c.timeline[2].end == 149);
  CHECK(c.timeline[3].start == 149);
  CHECK(c.timeline[3].end == 169);
  CHECK(c.timeline[3].run_cycles[1] == 20);
  CHECK(c.total() == 169);
}

TEST_CASE("instruction classes are counted only when asked, without changing the run") {
  if (!test::have_firmware("dutycycle-stm32f407")) return;
  RunResult plain = run_fw("dutycycle-stm32f407", "stm32f407", dutycycle_args("10"));
  CHECK_FALSE(plain.power.classes.has_value());
  RunOptions o = dutycycle_args("10");
  o.count_instruction_classes = true;
  RunResult counted = run_fw("dutycycle-stm32f407", "stm32f407", o);
  CHECK(counted.cycles == plain.cycles);
  CHECK(counted.instructions == plain.instructions);
  CHECK(same_counters(counted.power, plain.power));
  REQUIRE(counted.power.classes.has_value());
  const InstructionClassCounts &k = *counted.power.classes;
  // Per period a 32 x 64 dense layer: 2048 multiply-accumulates, 2048 int8
  // weight loads from flash and 2048 activation loads from SRAM.
  constexpr uint64_t macs = 10 * 32 * 64;
  CHECK(k.mac >= macs);
  CHECK(k.mac < 2 * macs);
  CHECK(k.flash_loads >= macs);
  CHECK(k.sram_accesses >= macs);
  CHECK(k.fpu < 1000); // integer firmware: at most start-up's FP set-up
  o.profile = true;
  o.profile_listener = [] { return std::make_unique<CallTracker>(); };
  RunResult both = run_fw("dutycycle-stm32f407", "stm32f407", o);
  REQUIRE(both.power.classes.has_value());
  CHECK(both.power.classes->mac == k.mac);
  CHECK(both.power.classes->flash_loads == k.flash_loads);
  CHECK(both.cycles == plain.cycles);
}

TEST_CASE("the SRAM cycles are those the profiler gives the function in SRAM") {
  if (!test::have_firmware("dutycycle-stm32f407")) return;
  RunOptions o = dutycycle_args("10");
  o.profile = true;
  o.profile_listener = [] { return std::make_unique<CallTracker>(); };
  RunResult r = run_fw("dutycycle-stm32f407", "stm32f407", o);
  REQUIRE(r.profile);
  uint64_t self = 0;
  for (const auto &f : r.profile->functions)
    if (f.name == "requantise_relu") self = f.self_cycles;
  const uint64_t ram = r.power.run_cycles[size_t(CodeLocation::Ram)];
  MESSAGE("requantise_relu self cycles " << self << ", SRAM run cycles " << ram);
  REQUIRE(self > 0);
  // The branch into the function is the SRAM block's here and the caller's in
  // the profile, and the return's the other way round: the two differ by the
  // branch costs of 320 calls at most.
  CHECK(ram + 320 * 4 >= self);
  CHECK(ram <= self + 320 * 4);
}

TEST_CASE("SLEEPONEXIT: one sleep per period, the tail-chains keep the timeline exact") {
  if (!test::have_firmware("dutycycle-stm32f407")) return;
  // The inference runs in the SysTick handler; the core sleeps on its return
  // and the next tick's entry tail-chains onto that return (after the sleep).
  RunResult wfi = run_fw("dutycycle-stm32f407", "stm32f407", dutycycle_args("6"));
  RunResult r = run_fw("dutycycle-stm32f407", "stm32f407", dutycycle_args("onexit 6"));
  REQUIRE(r.reason == StopReason::Exited);
  check_invariants(r);
  CHECK(r.power.deep_sleep_entries == 6);
  CHECK(r.power.sleep_entries == 0);
  CHECK(double(r.power.deep_sleep_cycles) > 0.95 * double(r.cycles));
  CHECK(r.power.run_cycles[size_t(CodeLocation::Ram)] == wfi.power.run_cycles[size_t(CodeLocation::Ram)]);
  RunResult light = run_fw("dutycycle-stm32f407", "stm32f407", dutycycle_args("light onexit 4"));
  check_invariants(light);
  CHECK(light.power.sleep_entries == 4);
  CHECK(light.power.deep_sleep_entries == 0);
}
