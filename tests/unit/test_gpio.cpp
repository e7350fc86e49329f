/// \file
/// STM32 GPIO, SYSCFG and EXTI models on the STM32L4R5's own bus
/// (devices/stm32l4r5.toml), the GPIO trace and phase markers
/// (session/gpio_trace.h), and the gpio firmware through the run session.
#include "base/device.h"
#include "core/scheduler.h"
#include "peripherals/bus.h"
#include "peripherals/models.h"
#include "peripherals/stm32_gpio.h"
#include "session/exit_codes.h"
#include "session/gpio_trace.h"
#include "session/session.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "helpers.h"
#include "peripheral_bench.h"

using namespace mcusim;
using namespace mcusim::peripherals;

namespace {

constexpr uint32_t kGpioA = 0x48000000, kGpioB = 0x48000400, kGpioC = 0x48000800;
constexpr uint32_t kSyscfg = 0x40010000, kExti = 0x40010400;
constexpr uint32_t MODER = 0x00, OTYPER = 0x04, OSPEEDR = 0x08, PUPDR = 0x0C, IDR = 0x10, ODR = 0x14, BSRR = 0x18, BRR = 0x28;
constexpr uint32_t IMR1 = 0x00, RTSR1 = 0x08, FTSR1 = 0x0C, SWIER1 = 0x10, PR1 = 0x14, IMR2 = 0x20, SWIER2 = 0x30, PR2 = 0x34;
constexpr uint32_t EXTICR2 = 0x0C, EXTICR4 = 0x14;

struct Change {
  std::string port;
  unsigned pin;
  bool level;
  uint64_t cycle;
};

/// The STM32L4R5's peripheral bus on a test host that records IRQs and pin changes.
struct L4r5 : test::PeripheralBench {
  std::vector<Change> changes;
  L4r5() : PeripheralBench(4e6) {
    host.io.gpio_changed = [this](const std::string &port, unsigned pin, bool level, uint64_t cycle) {
      changes.push_back({port, pin, level, cycle});
    };
    build("stm32l4r5");
  }
  Stm32Gpio &port(const char *name) {
    auto *p = dynamic_cast<Stm32Gpio *>(bus->find(name));
    REQUIRE(p);
    return *p;
  }
  /// PA5 (or `pin` of `base`) as a push-pull output, the way HAL_GPIO_Init writes MODER.
  void output(uint32_t base, unsigned pin) { wr(base + MODER, (rd(base + MODER) & ~(3u << (2 * pin))) | (1u << (2 * pin))); }
  void input(uint32_t base, unsigned pin) { wr(base + MODER, rd(base + MODER) & ~(3u << (2 * pin))); }
};

} // namespace

TEST_CASE("GPIO ports have RM0432's reset values, GPIOA and GPIOB their debug pins' ones") {
  L4r5 c;
  CHECK(c.rd(kGpioA + MODER) == 0xABFFFFFF);
  CHECK(c.rd(kGpioA + OSPEEDR) == 0x0C000000);
  CHECK(c.rd(kGpioA + PUPDR) == 0x64000000);
  CHECK(c.rd(kGpioB + MODER) == 0xFFFFFEBF);
  CHECK(c.rd(kGpioB + PUPDR) == 0x00000100);
  CHECK(c.rd(kGpioC + MODER) == 0xFFFFFFFF);
  CHECK(c.rd(kGpioC + PUPDR) == 0);
  CHECK(c.rd(0x48002000 + MODER) == 0xFFFFFFFF); // GPIOI, the last port
  // IDR from the pulls: PA13 and PA15 pulled up, PA14 pulled down (alternate function: not driven here);
  // PB4 pulled up. The analog pins read 0.
  CHECK(c.rd(kGpioA + IDR) == ((1u << 13) | (1u << 15)));
  CHECK(c.rd(kGpioB + IDR) == (1u << 4));
  CHECK(c.rd(kGpioC + IDR) == 0);
  CHECK(c.changes.empty());
}

TEST_CASE("BSRR sets and resets ODR bits, set wins when both are written, BRR resets, both read 0") {
  L4r5 c;
  c.output(kGpioA, 5);
  CHECK(c.changes.empty()); // PA5 was analog (reads 0) and now drives ODR = 0: no change
  c.now = 100;
  c.wr(kGpioA + BSRR, 1u << 5);
  CHECK(c.rd(kGpioA + ODR) == (1u << 5));
  CHECK((c.rd(kGpioA + IDR) & (1u << 5)) != 0); // IDR follows ODR on an output pin
  c.now = 150;
  c.wr(kGpioA + BSRR, 1u << (5 + 16));
  CHECK(c.rd(kGpioA + ODR) == 0);
  // RM0432 GPIOx_BSRR: "If both BSx and BRx are set, BSx has priority."
  c.now = 200;
  c.wr(kGpioA + BSRR, (1u << 5) | (1u << (5 + 16)));
  CHECK(c.rd(kGpioA + ODR) == (1u << 5));
  c.wr(kGpioA + BSRR, (1u << 5) | (1u << (5 + 16))); // no change: not reported
  c.now = 260;
  c.wr(kGpioA + BRR, 1u << 5);
  CHECK(c.rd(kGpioA + ODR) == 0);
  CHECK(c.rd(kGpioA + BSRR) == 0);
  CHECK(c.rd(kGpioA + BRR) == 0);
  // ODR written directly, as HAL_GPIO_TogglePin does.
  c.now = 300;
  c.wr(kGpioA + ODR, 1u << 5);
  // A halfword store to BSRR's upper half resets the pin (the bus shifts it into the word with a mask).
  c.now = 310;
  REQUIRE(c.bus->write(kGpioA + BSRR + 2, 2, 1u << 5) == PeripheralAccess::Done);
  CHECK(c.rd(kGpioA + ODR) == 0);
  // Setting a bit of an input pin's ODR changes no output level.
  c.wr(kGpioA + ODR, 1u << 6);
  REQUIRE(c.changes.size() == 6);
  const std::vector<std::pair<bool, uint64_t>> want = {{true, 100}, {false, 150}, {true, 200}, {false, 260}, {true, 300}, {false, 310}};
  for (size_t i = 0; i < want.size(); ++i) {
    CHECK(c.changes[i].port == "GPIOA");
    CHECK(c.changes[i].pin == 5);
    CHECK(c.changes[i].level == want[i].first);
    CHECK(c.changes[i].cycle == want[i].second);
  }
}

TEST_CASE("an input pin reads the level another model drives, else its pull, and open-drain releases the pin") {
  L4r5 c;
  auto &pc = c.port("GPIOC");
  c.input(kGpioC, 3);
  CHECK((c.rd(kGpioC + IDR) & (1u << 3)) == 0); // floating reads 0
  c.wr(kGpioC + PUPDR, 1u << 6);                 // pull-up
  CHECK((c.rd(kGpioC + IDR) & (1u << 3)) != 0);
  pc.set_input(3, false); // a sensor pulls it low
  CHECK((c.rd(kGpioC + IDR) & (1u << 3)) == 0);
  pc.set_input(3, true);
  CHECK((c.rd(kGpioC + IDR) & (1u << 3)) != 0);
  pc.release_input(3);
  c.wr(kGpioC + PUPDR, 2u << 6); // pull-down
  CHECK((c.rd(kGpioC + IDR) & (1u << 3)) == 0);
  CHECK(c.changes.empty()); // input pins are not outputs
  // Open-drain output with ODR = 1: released, the pull-up decides; ODR = 0 pulls it low.
  c.wr(kGpioC + PUPDR, 1u << 6);
  c.wr(kGpioC + OTYPER, 1u << 3);
  c.output(kGpioC, 3);
  c.wr(kGpioC + ODR, 1u << 3);
  CHECK((c.rd(kGpioC + IDR) & (1u << 3)) != 0);
  c.wr(kGpioC + ODR, 0);
  CHECK((c.rd(kGpioC + IDR) & (1u << 3)) == 0);
  // Each level change of the output pin is reported: driven low, released (pulled up), driven low.
  REQUIRE(c.changes.size() == 3);
  CHECK(c.changes[0].level == false);
  CHECK(c.changes[1].level == true);
  CHECK(c.changes[2].level == false);
}

TEST_CASE("an edge on an input pin routed by SYSCFG_EXTICR sets PR and raises the line's NVIC interrupt") {
  L4r5 c;
  auto &pb = c.port("GPIOB");
  auto &pa = c.port("GPIOA");
  c.input(kGpioB, 5);
  c.input(kGpioA, 5);
  c.wr(kSyscfg + EXTICR2, 1u << 4); // EXTI5 = PB5
  c.wr(kExti + RTSR1, 1u << 5);
  c.wr(kExti + IMR1, c.rd(kExti + IMR1) | (1u << 5));
  pa.set_input(5, true); // PA5 is not routed to line 5
  CHECK(c.irqs.empty());
  CHECK(c.rd(kExti + PR1) == 0);
  pb.set_input(5, true); // rising edge on PB5
  CHECK(c.rd(kExti + PR1) == (1u << 5));
  REQUIRE(c.irqs.size() == 1);
  CHECK(c.irqs[0] == 23); // EXTI9_5
  pb.set_input(5, false); // falling edge: not selected
  CHECK(c.irqs.size() == 1);
  c.wr(kExti + PR1, 1u << 5); // write 1 to clear
  CHECK(c.rd(kExti + PR1) == 0);
  c.wr(kExti + FTSR1, 1u << 5);
  pb.set_input(5, true);
  pb.set_input(5, false);
  CHECK(c.irqs.size() == 3);
  // A masked line: no pending bit, no interrupt.
  c.wr(kExti + PR1, 1u << 5);
  c.wr(kExti + IMR1, c.rd(kExti + IMR1) & ~(1u << 5));
  pb.set_input(5, true);
  CHECK(c.rd(kExti + PR1) == 0);
  CHECK(c.irqs.size() == 3);
  // Line 13 from PC13 (the NUCLEO's button): EXTI15_10.
  auto &pcp = c.port("GPIOC");
  c.input(kGpioC, 13);
  c.wr(kSyscfg + EXTICR4, 2u << 4); // EXTI13 = PC13
  c.wr(kExti + FTSR1, 1u << 13);
  c.wr(kExti + IMR1, c.rd(kExti + IMR1) | (1u << 13));
  pcp.set_input(13, true);
  CHECK(c.irqs.size() == 3);
  pcp.set_input(13, false);
  REQUIRE(c.irqs.size() == 4);
  CHECK(c.irqs[3] == 40);
}

TEST_CASE("an output pin's own edges reach its EXTI line") {
  L4r5 c;
  c.output(kGpioA, 0); // EXTICR1 resets to PA for every line
  c.wr(kExti + RTSR1, 1u);
  c.wr(kExti + IMR1, c.rd(kExti + IMR1) | 1u);
  c.wr(kGpioA + BSRR, 1u);
  REQUIRE(c.irqs.size() == 1);
  CHECK(c.irqs[0] == 6); // EXTI0
}

TEST_CASE("SWIER raises an unmasked line's interrupt, clearing PR clears SWIER, a masked line stays quiet") {
  L4r5 c;
  c.wr(kExti + SWIER1, 1u << 2); // masked at reset: the bit is set, nothing is pending
  CHECK(c.rd(kExti + PR1) == 0);
  CHECK(c.irqs.empty());
  c.wr(kExti + SWIER1, 0); // writing 0 does not clear it...
  CHECK(c.rd(kExti + SWIER1) == (1u << 2));
  c.wr(kExti + PR1, 1u << 2); // ...writing 1 to PR does
  CHECK(c.rd(kExti + SWIER1) == 0);
  c.wr(kExti + IMR1, c.rd(kExti + IMR1) | (1u << 2) | (1u << 7));
  c.wr(kExti + SWIER1, 1u << 2);
  CHECK(c.rd(kExti + PR1) == (1u << 2));
  CHECK((c.rd(kExti + SWIER1) & (1u << 2)) != 0);
  REQUIRE(c.irqs.size() == 1);
  CHECK(c.irqs[0] == 8); // EXTI2
  c.wr(kExti + SWIER1, 1u << 2); // already 1: no new request
  CHECK(c.irqs.size() == 1);
  c.wr(kExti + PR1, 1u << 2);
  CHECK(c.rd(kExti + PR1) == 0);
  CHECK((c.rd(kExti + SWIER1) & (1u << 2)) == 0);
  c.wr(kExti + SWIER1, 1u << 7);
  REQUIRE(c.irqs.size() == 2);
  CHECK(c.irqs[1] == 23); // EXTI9_5
  // The second bank: its registers are there and reset as RM0432 gives them.
  CHECK(c.rd(kExti + IMR2) == 0x00000187);
  c.wr(kExti + SWIER2, 1u << 3);
  CHECK(c.rd(kExti + PR2) == 0); // line 35 masked
  CHECK(c.rd(kExti + IMR1) == (0xFF820000u | (1u << 2) | (1u << 7)));
}

TEST_CASE("--gpio-phase and pin names are parsed, bad ones refused with one line") {
  auto p = session::parse_gpio_phase("inference=PA5");
  REQUIRE(p);
  CHECK(p->name == "inference");
  CHECK(p->pin.port == "GPIOA");
  CHECK(p->pin.pin == 5);
  auto q = session::parse_gpio_phase("x=pc13");
  REQUIRE(q);
  CHECK(q->pin.label() == "PC13");
  auto n = session::parse_gpio_phase("led=P0.13"); // the nRF's numbered ports, pins 0..31
  REQUIRE(n);
  CHECK(n->pin.port == "P0");
  CHECK(n->pin.pin == 13);
  CHECK(n->pin.label() == "P0.13");
  for (const char *bad : {"PA5", "=PA5", "x=", "x=A5", "x=PA16", "x=PA", "x=P5", "x=PA5x", "x=PA123", "x=P0.32", "x=P0.",
                          "x=P1.x"}) {
    auto r = session::parse_gpio_phase(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Usage);
    CHECK(r.error().message.find('\n') == std::string::npos);
  }
}

TEST_CASE("phases are the pin's high intervals, and the trace and the VCD list every change in order") {
  RunResult run;
  run.hz = 4e6; // 0.25 µs per cycle
  std::vector<session::GpioEvent> ev = {{100, "GPIOA", 5, true},  {120, "GPIOB", 1, true}, {500, "GPIOA", 5, false},
                                        {900, "GPIOA", 5, true},  {1100, "GPIOA", 5, false}, {1200, "GPIOA", 5, true}};
  auto phases = session::gpio_phases(ev, {{"busy", {"GPIOA", 5}}, {"other", {"GPIOC", 0}}}, run);
  REQUIRE(phases.size() == 2);
  CHECK(phases[0].name == "busy");
  CHECK(phases[0].pin == "PA5");
  CHECK(phases[0].count == 2);
  CHECK(phases[0].cycles == 600);
  CHECK(phases[0].us == doctest::Approx(150));
  CHECK(phases[0].mean_cycles == doctest::Approx(300));
  CHECK(phases[0].mean_us == doctest::Approx(75));
  CHECK(phases[0].open); // high from 1200 to the end: not counted
  CHECK(phases[1].count == 0);
  CHECK_FALSE(phases[1].open);

  const std::string text = session::render_gpio_trace(ev, run);
  CHECK(text.find("# time_us cycle port pin level\n25.000000 100 GPIOA 5 1\n30.000000 120 GPIOB 1 1\n125.000000 500 GPIOA 5 0\n") !=
        std::string::npos);
  const std::string vcd = session::render_gpio_vcd(ev, run);
  CHECK(vcd.find("$timescale 1 ps $end") != std::string::npos);
  CHECK(vcd.find("$var wire 1 ! PA5 $end\n$var wire 1 \" PB1 $end") != std::string::npos);
  CHECK(vcd.find("#25000000\n1!\n#30000000\n1\"\n#125000000\n0!\n") != std::string::npos);
}

namespace {
struct Hooks final : session::SessionHooks {
  test::CaptureConsole capture;
  std::vector<session::Message> messages;
  std::string report;
  Console &console() override { return capture; }
  void message(const session::Message &m) override { messages.push_back(m); }
  bool wants_progress() const override { return false; }
  void report_text(std::string_view t) override { report += t; }
};

/// "busy N cycles" lines of the gpio firmware's output.
std::vector<uint64_t> busy_cycles(const std::string &out) {
  std::vector<uint64_t> v;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("busy ", 0) == 0) v.push_back(std::stoull(line.substr(5)));
  return v;
}
} // namespace

TEST_CASE("the gpio firmware: the trace lists PA5's toggles in order and the phase's high time is its CYCCNT interval") {
  if (!test::have_firmware("gpio-stm32l4r5")) return;
  test::TempDir dir("gpio");
  session::RunRequest req;
  req.elf = test::firmware("gpio-stm32l4r5").string();
  req.device = "stm32l4r5";
  req.no_db = true;
  req.quiet = true;
  req.report_format = "json";
  req.gpio_trace = (dir / "pins.txt").string();
  req.gpio_phases = {"busy=PA5"};
  Hooks hooks;
  session::RunOutcome out = session::run(req, hooks);
  INFO(hooks.capture.out_text);
  CHECK(out.exit_code == 0);
  REQUIRE(out.report);
  const auto busy = busy_cycles(hooks.capture.out_text);
  REQUIRE(busy.size() == 3);
  CHECK(hooks.capture.out_text.find("IDR after ODR toggle 1") != std::string::npos);
  CHECK(hooks.capture.out_text.find("PA5 after BSRR set+reset 1") != std::string::npos);
  CHECK(hooks.capture.out_text.find("EXTI0 1 (PR1 00000001) EXTI9_5 2 (PR1 00000020) PR1 now 00000000") != std::string::npos);

  // The trace: PA5 high/low around each loop, the ODR toggle, then the EXTI edges (set, reset, set+reset, BRR).
  std::ifstream in(req.gpio_trace);
  std::string line;
  std::vector<std::pair<uint64_t, int>> pa5;
  double last_us = -1;
  uint64_t last_cycle = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    double us;
    uint64_t cycle;
    std::string port;
    unsigned pin;
    int level;
    ls >> us >> cycle >> port >> pin >> level;
    REQUIRE(bool(ls));
    CHECK(port == "GPIOA");
    CHECK(pin == 5);
    CHECK(us > last_us);
    CHECK(cycle > last_cycle);
    last_us = us;
    last_cycle = cycle;
    pa5.emplace_back(cycle, level);
  }
  REQUIRE(pa5.size() == 12);
  for (size_t i = 0; i < pa5.size(); ++i) CHECK(pa5[i].second == int(i % 2 == 0)); // 1, 0, 1, 0, ...

  // The phase: the three loops and the ODR toggle and the two EXTI pulses (6 intervals).
  REQUIRE(out.report->gpio_phases.size() == 1);
  const auto &ph = out.report->gpio_phases[0];
  CHECK(ph.pin == "PA5");
  CHECK(ph.count == 6);
  CHECK_FALSE(ph.open);
  // Each loop's high time against its CYCCNT interval. The firmware runs
  //   str set,[bsrr]; ldr t0,[cyccnt]; <loop>; ldr t1,[cyccnt]; str reset,[bsrr]
  // and both the pin change and the CYCCNT read carry the cycle at which their
  // instruction starts (docs/peripherals.md), so
  //   high = cost(str set) + cyccnt + cost(ldr t1)
  // (cyccnt runs from the start of "ldr t0" to the start of "ldr t1"). In the
  // cortex-m4 tables (isa/core_timing.cpp) an STR with an immediate offset
  // costs 1 and an LDR 2, and every access to peripheral or private-peripheral
  // space one bus-bridge cycle more (MemorySystem::data_extra_q8): 2 + 3 = 5.
  // Without a clock change inside the loops the same holds in µs.
  for (size_t i = 0; i < 3; ++i) {
    const uint64_t high = pa5[2 * i + 1].first - pa5[2 * i].first;
    CHECK(high == busy[i] + 5);
  }
  CHECK(busy[1] > busy[0]);
  uint64_t total = 0;
  for (size_t i = 0; i < 12; i += 2) total += pa5[i + 1].first - pa5[i].first;
  CHECK(ph.cycles == total);
  CHECK(ph.mean_cycles == doctest::Approx(double(total) / 6));
  // The firmware's first RCC write put the core on its reset clock (MSI 4 MHz): 0.25 µs per cycle.
  CHECK(ph.us == doctest::Approx(double(total) / 4.0));
  CHECK(hooks.report.find("\"gpio_phases\"") != std::string::npos);
}

TEST_CASE("a bad --gpio-phase stops the run before it starts with a usage error") {
  if (!test::have_firmware("gpio-stm32l4r5")) return;
  session::RunRequest req;
  req.elf = test::firmware("gpio-stm32l4r5").string();
  req.device = "stm32l4r5";
  req.no_db = true;
  req.gpio_phases = {"busy=PZ99"};
  Hooks hooks;
  session::RunOutcome out = session::run(req, hooks);
  CHECK(out.exit_code == cli::kExitUsage);
  CHECK_FALSE(out.ran);
  CHECK(out.error.find("--gpio-phase") != std::string::npos);
}
