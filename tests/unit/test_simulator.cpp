#include "core/simulator.h"
#include "profiler/call_tracker.h"

#include <doctest/doctest.h>

#include "helpers.h"

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

using namespace mcusim;

namespace {
struct Run {
  RunResult result;
  std::string out;
};
Run run_firmware(const std::string &name, const std::string &device, RunOptions opts = {}) {
  auto elf = load_elf(test::firmware(name));
  REQUIRE(elf);
  auto dev = find_device(device);
  REQUIRE(dev);
  test::CaptureConsole console;
  auto sim = Simulator::create(*dev, *elf, opts, console);
  REQUIRE(sim);
  Run r{(*sim)->run(), ""};
  r.out = console.out_text;
  return r;
}
} // namespace

TEST_CASE("hello runs to its exit on every core, deterministically") {
  for (const char *dev : {"stm32g0b1", "generic-m3", "stm32f407", "stm32h7a3", "stm32u575"}) {
    std::string name = std::string("hello-") + dev;
    if (!test::have_firmware(name)) return;
    CAPTURE(dev);
    auto a = run_firmware(name, dev);
    CHECK(a.result.reason == StopReason::Exited);
    CHECK(a.result.exit_code == 0);
    CHECK(a.out.find("Hello from mcusim on") != std::string::npos);
    CHECK(a.result.instructions > 1000);
    CHECK(a.result.cycles > a.result.instructions); // the cycle model: loads, branches, wait states
    RunOptions unit;
    unit.timing = RunOptions::Timing::None;
    auto u = run_firmware(name, dev, unit);
    CHECK(u.result.cycles == u.result.instructions); // one cycle per instruction
    CHECK(u.result.instructions == a.result.instructions);
    auto b = run_firmware(name, dev);
    CHECK(b.result.cycles == a.result.cycles);
    CHECK(b.out == a.out);
  }
}

TEST_CASE("the clock sets simulated time") {
  if (!test::have_firmware("hello-stm32f407")) return;
  RunOptions fast, slow;
  fast.mhz = 168;
  slow.mhz = 16.8;
  fast.timing = slow.timing = RunOptions::Timing::None; // wait states would differ with the clock
  auto a = run_firmware("hello-stm32f407", "stm32f407", fast);
  auto b = run_firmware("hello-stm32f407", "stm32f407", slow);
  CHECK(a.result.cycles == b.result.cycles);
  CHECK(b.result.simulated_seconds() == doctest::Approx(a.result.simulated_seconds() * 10));
}

TEST_CASE("a fault with no handler stops with the exact instruction and address") {
  if (!test::have_firmware("fault-stm32f407")) return;
  auto r = run_firmware("fault-stm32f407", "stm32f407");
  CHECK(r.result.reason == StopReason::Fault);
  REQUIRE(r.result.fault);
  const FaultInfo &f = *r.result.fault;
  CHECK(f.kind == "BusFault");
  REQUIRE(f.address);
  CHECK(*f.address == 0x70000000);
  CHECK(f.pc_exact);
  auto elf = load_elf(test::firmware("fault-stm32f407"));
  auto ref = elf->symbolize(f.pc);
  REQUIRE(ref.symbol);
  CHECK(ref.symbol->name == "read_sensor");
  CHECK((f.cfsr & 0x8200) == 0x8200); // PRECISERR | BFARVALID
  CHECK((f.hfsr & (1u << 30)) != 0);   // FORCED: BusFault not enabled
  REQUIRE(f.backtrace.size() >= 2);
  CHECK(elf->symbolize(f.backtrace[1]).symbol->name == "main");
  std::string text = format_fault(f, *elf);
  CHECK(text.find("read_sensor+0x") != std::string::npos);
}

TEST_CASE("instruction and cycle limits stop an endless firmware") {
  if (!test::have_firmware("spin-stm32f407")) return;
  RunOptions o;
  o.max_instructions = 100000;
  auto r = run_firmware("spin-stm32f407", "stm32f407", o);
  CHECK(r.result.reason == StopReason::InstructionLimit);
  CHECK(r.result.instructions >= 100000);
  CHECK(r.result.instructions < 100000 + 64);
  RunOptions c;
  c.max_cycles = 50000;
  auto rc = run_firmware("spin-stm32f407", "stm32f407", c);
  CHECK(rc.result.reason == StopReason::CycleLimit);
}

TEST_CASE("the self-test passes on a Cortex-M4F and a Cortex-M0+") {
  for (const char *dev : {"stm32f407", "stm32g0b1"}) {
    std::string name = std::string("selftest-") + dev;
    if (!test::have_firmware(name)) return;
    CAPTURE(dev);
    auto r = run_firmware(name, dev);
    CHECK(r.result.reason == StopReason::Exited);
    CHECK(r.result.exit_code == 0);
    CHECK(r.out.find(" 0 failed") != std::string::npos);
    CHECK(r.result.sleep_cycles > 0); // the WFI check slept until SysTick
  }
}

TEST_CASE("images that do not fit or have no vector table are refused before running") {
  if (!test::have_firmware("hello-stm32f407")) return;
  auto elf = load_elf(test::firmware("hello-stm32f407"));
  auto nrf = find_device("nrf52840");
  REQUIRE(nrf);
  auto fit = check_image_fits(*elf, *nrf);
  REQUIRE_FALSE(fit);
  CHECK(fit.error().message.find("where nrf52840 has no memory") != std::string::npos);
  test::CaptureConsole console;
  auto sim = Simulator::create(*nrf, *elf, {}, console);
  REQUIRE_FALSE(sim);
  CHECK(sim.error().kind == ErrorKind::BadElf);
}

// --- stops from other threads, the wall-clock timer, progress -----------------------

namespace {
/// Everything a profile holds that depends on where time went, as text.
std::string profile_text(const ProfileData &p) {
  std::ostringstream os;
  for (const auto &f : p.functions)
    os << f.name << " " << f.self_cycles << " " << f.self_instructions << " " << f.inclusive_cycles << " " << f.calls << "\n";
  os << "unattributed " << p.unattributed_cycles << " min_sp " << p.min_sp << " depth " << p.max_call_depth << " exceptions "
     << p.exceptions_taken << " heap " << p.heap_bytes << "\n";
  for (const auto &l : p.layers) os << "layer " << l.name << " " << l.start << " " << l.end << " " << l.depth << "\n";
  for (const auto &[path, cycles] : p.stacks) os << "stack " << path << " " << cycles << "\n";
  for (const auto &c : p.calls) os << "call " << c.func << " " << c.start << " " << c.end << " " << c.depth << "\n";
  return os.str();
}
} // namespace

TEST_CASE("a run stopped by request_stop from another thread stops promptly with what ran") {
  if (!test::have_firmware("spin-stm32f407")) return;
  auto elf = load_elf(test::firmware("spin-stm32f407"));
  REQUIRE(elf);
  auto dev = find_device("stm32f407");
  REQUIRE(dev);
  test::CaptureConsole console;
  RunOptions o;
  o.profile = true;
  o.profile_listener = [] { return std::make_unique<CallTracker>(); };
  auto sim = Simulator::create(*dev, *elf, o, console);
  REQUIRE(sim);
  using clock = std::chrono::steady_clock;
  clock::time_point requested;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    requested = clock::now();
    (*sim)->request_stop("stopped by the test");
    (*sim)->request_stop("a second request"); // the first one names the stop
  });
  RunResult r = (*sim)->run();
  const double after = std::chrono::duration<double>(clock::now() - requested).count();
  stopper.join();
  CHECK(r.reason == StopReason::Stopped);
  CHECK(r.stop_cause == "stopped by the test");
  CHECK(r.message == "stopped by the test");
  CHECK(stop_reason_text(r) == "stopped by the test");
  CHECK(r.instructions > 10000); // what ran before the stop is counted
  CHECK(r.cycles > r.instructions / 2);
  REQUIRE(r.profile);
  uint64_t profiled = r.profile->unattributed_cycles;
  for (const auto &f : r.profile->functions) profiled += f.self_cycles;
  CHECK(profiled == r.cycles); // the profile covers the partial run
  // The stop comes at the next block boundary, not at the end of a 20 M-cycle slice
  // (about 0.1 s at this speed); 50 ms leaves room for a loaded machine.
  CHECK(after < 0.05);
}

TEST_CASE("request_stop before run() stops before the first block") {
  if (!test::have_firmware("spin-stm32f407")) return;
  auto elf = load_elf(test::firmware("spin-stm32f407"));
  REQUIRE(elf);
  auto dev = find_device("stm32f407");
  REQUIRE(dev);
  test::CaptureConsole console;
  auto sim = Simulator::create(*dev, *elf, {}, console);
  REQUIRE(sim);
  (*sim)->request_stop();
  RunResult r = (*sim)->run();
  CHECK(r.reason == StopReason::Stopped);
  CHECK(r.instructions == 0);
  CHECK(stop_reason_text(r) == "stopped");
}

TEST_CASE("the wall-clock timeout stops an endless firmware within 100 ms of its deadline") {
  if (!test::have_firmware("spin-stm32f407")) return;
  for (double timeout : {0.05, 0.3}) {
    CAPTURE(timeout);
    RunOptions o;
    o.timeout_seconds = timeout;
    auto r = run_firmware("spin-stm32f407", "stm32f407", o);
    CHECK(r.result.reason == StopReason::WallTimeout);
    CHECK(r.result.wall_seconds >= timeout);
    CHECK(r.result.wall_seconds < timeout + 0.1);
  }
}

TEST_CASE("progress comes every progress_seconds of wall time, not only between slices") {
  if (!test::have_firmware("spin-stm32f407")) return;
  RunOptions o;
  o.max_cycles = 60'000'000; // 3 slices of 20 M cycles: at most 4 progress calls if they came between slices only
  o.progress_seconds = 0.005;
  std::vector<double> walls;
  o.on_progress = [&](const RunOptions::Progress &p) { walls.push_back(p.wall_seconds); };
  auto r = run_firmware("spin-stm32f407", "stm32f407", o);
  CHECK(r.result.reason == StopReason::CycleLimit);
  CAPTURE(walls.size());
  CAPTURE(r.result.wall_seconds);
  REQUIRE(walls.size() >= 15); // the run takes 0.15 s or more, so 30 ticks on an idle machine
  std::vector<double> gaps;
  for (size_t i = 1; i < walls.size(); ++i) gaps.push_back(walls[i] - walls[i - 1]);
  std::sort(gaps.begin(), gaps.end());
  // The median gap: 5 ms idle, 10-40 ms at a load of 20 on 2 cores; well below a
  // slice's wall time (about 50 ms idle, seconds on such a machine).
  CHECK(gaps[gaps.size() / 2] < r.result.wall_seconds / 3 / 2);
}

TEST_CASE("stops for progress at arbitrary block boundaries do not change cycles or the profile") {
  // Progress every 200 us ends slices at wall-clock (that is, arbitrary) block
  // boundaries; cycles, sleep, instructions and the whole profile must equal a
  // run without them. Firmware with interrupts, sleep, faults and layers.
  for (std::string name : {"selftest-stm32f407", "selftest-stm32g0b1", "tflm_like-stm32f407", "crc32-stm32h7a3"}) {
    if (!test::have_firmware(name)) return;
    CAPTURE(name);
    std::string dev = name.substr(name.find('-') + 1);
    RunOptions plain;
    plain.profile = true;
    plain.profile_listener = [] { return std::make_unique<CallTracker>(); };
    auto a = run_firmware(name, dev, plain);
    RunOptions ticked = plain;
    ticked.progress_seconds = 0.0002;
    unsigned calls = 0;
    ticked.on_progress = [&](const RunOptions::Progress &) { ++calls; };
    // These runs take 10-50 ms; on a loaded machine the timer thread may get
    // no CPU in that time, so run again until ticks did stop the engine.
    Run b;
    for (int attempt = 0; attempt < 10 && calls < 3; ++attempt) {
      b = run_firmware(name, dev, ticked);
      CHECK(a.result.cycles == b.result.cycles);
    }
    CAPTURE(calls);
    CHECK(calls >= 3); // the ticks did stop the engine
    CHECK(a.result.reason == b.result.reason);
    CHECK(a.result.exit_code == b.result.exit_code);
    CHECK(a.result.cycles == b.result.cycles);
    CHECK(a.result.instructions == b.result.instructions);
    CHECK(a.result.sleep_cycles == b.result.sleep_cycles);
    CHECK(a.result.icache_hits == b.result.icache_hits);
    CHECK(a.out == b.out);
    REQUIRE(a.result.profile);
    REQUIRE(b.result.profile);
    CHECK(profile_text(*a.result.profile) == profile_text(*b.result.profile));
  }
}

TEST_CASE("profiling needs a profile listener: without one create() is a Usage error") {
  if (!test::have_firmware("crc32-stm32f407")) return;
  auto elf = load_elf(test::firmware("crc32-stm32f407"));
  REQUIRE(elf);
  auto dev = find_device("stm32f407");
  REQUIRE(dev);
  test::CaptureConsole console;
  RunOptions o;
  o.profile = true;
  auto none = Simulator::create(*dev, *elf, o, console);
  REQUIRE_FALSE(none);
  CHECK(none.error().kind == ErrorKind::Usage);
  CHECK(none.error().message.find("profile listener") != std::string::npos);
  o.profile_listener = [] { return std::unique_ptr<ProfileListener>(); }; // a factory that makes none
  auto null_made = Simulator::create(*dev, *elf, o, console);
  REQUIRE_FALSE(null_made);
  CHECK(null_made.error().kind == ErrorKind::Usage);
  o.profile_listener = [] { return std::make_unique<CallTracker>(); };
  auto sim = Simulator::create(*dev, *elf, o, console);
  REQUIRE(sim);
  RunResult r = (*sim)->run();
  REQUIRE(r.profile);
  CHECK(r.profile->functions.size() > 1);
}
