#include "core/simulator.h"

#include <doctest/doctest.h>

#include "helpers.h"

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
