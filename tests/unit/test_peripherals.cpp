/// Peripheral models: the [[peripheral]] data, the register file, the bus
/// (windows, sub-word access, the unmodelled-access report, strict mode) and
/// the STM32L4 RCC, FLASH and PWR models.
#include "base/device.h"
#include "core/scheduler.h"
#include "core/simulator.h"
#include "image/elf_image.h"
#include "peripherals/bus.h"
#include "peripherals/models.h"
#include "peripherals/stm32_flash_l4.h"
#include "peripherals/stm32_pwr_l4.h"
#include "peripherals/stm32_rcc_l4.h"

#include <doctest/doctest.h>
#include <string>

#include "helpers.h"
#include <vector>

using namespace mcusim;
using namespace mcusim::peripherals;

namespace {

const char *kBase = R"(
schema = 1
name = "perichip"
core = "cortex-m4"
source = "test"
[clock]
default_mhz = 100
max_mhz = 100
source = "test"
[vector_table]
address = 0x08000000
source = "test"
[nvic]
irqs = 16
source = "test"
[[memory]]
name = "flash"
kind = "flash"
base = 0x08000000
size = 0x10000
access = "rx"
source = "test"
[[memory]]
name = "sram"
kind = "sram"
base = 0x20000000
size = 0x10000
access = "rwx"
source = "test"
[[memory]]
name = "periph"
kind = "peripheral"
base = 0x40000000
size = 0x100000
access = "rw"
source = "test"
)";

const char *kTimer = R"(
[[peripheral]]
name = "TIM9"
model = "registers"
base = 0x40010400
size = 0x400
irqs = [3, 4]
source = "test"
registers = [
  { name = "CR1", offset = 0x00, reset = 0x00000010, source = "t" },
  { name = "SR", offset = 0x10, reset = 0x000000FF, w1c = 0x0000000F },
  { name = "ID", offset = 0x3FC, reset = 0x12345678, read_only = 0xFFFF0000 },
]
)";

Expected<Device> parse(const std::string &extra) { return parse_device(std::string(kBase) + extra, "perichip.toml"); }

std::string parse_error(const std::string &extra) {
  auto d = parse(extra);
  REQUIRE_FALSE(d);
  CHECK(d.error().kind == ErrorKind::BadDevice);
  CHECK(d.error().message.find('\n') == std::string::npos);
  return d.error().message;
}

struct Host {
  Scheduler sched;
  uint64_t now = 0;
  std::vector<unsigned> irqs;
  PeripheralHost host{sched, [this] { return now; }, [this](unsigned n) { irqs.push_back(n); }, 100e6};
  /// Advance time to `t` and run what is due.
  void advance(uint64_t t) {
    now = t;
    sched.run_due(now);
  }
};

} // namespace

TEST_CASE("peripheral blocks are read from the device file, sorted by base") {
  auto d = parse(std::string(kTimer) + R"(
[[peripheral]]
name = "GPIOA"
model = "registers"
base = 0x40000000
size = 0x400
source = "test"
)");
  REQUIRE(d);
  REQUIRE(d->peripherals.size() == 2);
  CHECK(d->peripherals[0].name == "GPIOA");
  CHECK(d->peripherals[0].registers.empty());
  const PeripheralDesc &t = d->peripherals[1];
  CHECK(t.name == "TIM9");
  CHECK(t.model == "registers");
  CHECK(t.base == 0x40010400);
  CHECK(t.irqs == std::vector<unsigned>{3, 4});
  REQUIRE(t.registers.size() == 3);
  CHECK(t.register_at(0x10)->name == "SR");
  CHECK(t.register_at(0x10)->w1c == 0xF);
  CHECK(t.register_at(0x3FC)->read_only == 0xFFFF0000);
  CHECK(d->peripheral_at(0x40010410) == &d->peripherals[1]);
  CHECK(d->peripheral_at(0x40010800) == nullptr);
}

TEST_CASE("bad [[peripheral]] data is refused with one line naming the problem") {
  const std::string block = "[[peripheral]]\nname = \"T\"\nmodel = \"registers\"\nsource = \"x\"\n";
  CHECK(parse_error(block + "base = 0x30000000\nsize = 0x400\n").find("not inside one [[memory]] region of kind \"peripheral\"") != std::string::npos);
  CHECK(parse_error(block + "base = 0x20000000\nsize = 0x400\n").find("kind \"peripheral\"") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0\n").find("size a multiple of 4") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0x400\nirqs = [16]\n").find("0..15 ([nvic] irqs)") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0x400\nregisters = [{ name = \"CR\", offset = 0x2, reset = 0 }]\n")
            .find("T->CR: offset 0x00000002 must be a multiple of 4") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0x400\nregisters = [{ name = \"CR\", offset = 0x400, reset = 0 }]\n")
            .find("inside the block") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0x400\nregisters = [{ name = \"CR\", offset = 0, reset = 0 }, { name = \"CR\", offset = 4, reset = 0 }]\n")
            .find("two registers named CR") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0x400\nregisters = [{ name = \"A\", offset = 0, reset = 0 }, { name = \"B\", offset = 0, reset = 0 }]\n")
            .find("share offset") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0x400\nregisters = [{ name = \"A\", offset = 0, reset = 0, read_only = 1, w1c = 1 }]\n")
            .find("both read_only and w1c") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0x400\nregisters = [{ name = \"A\", offset = 0 }]\n")
            .find("missing key 'peripheral.T.registers.A.reset'") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0x400\nregisters = [{ name = \"A\", offset = 0, reset = -1 }]\n")
            .find("out of range") != std::string::npos);
  CHECK(parse_error("[[peripheral]]\nname = \"lower\"\nmodel = \"registers\"\nbase = 0x40000000\nsize = 4\nsource = \"x\"\n")
            .find("upper-case") != std::string::npos);
  CHECK(parse_error("[[peripheral]]\nname = \"T\"\nmodel = \"Bad Model\"\nbase = 0x40000000\nsize = 4\nsource = \"x\"\n")
            .find("model 'Bad Model'") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0x400\n" + block + "base = 0x40000200\nsize = 0x400\n")
            .find("two peripherals are named 'T'") != std::string::npos);
  CHECK(parse_error(block + "base = 0x40000000\nsize = 0x400\n[[peripheral]]\nname = \"U\"\nmodel = \"registers\"\nsource = \"x\"\nbase = 0x40000200\nsize = 0x400\n")
            .find("peripherals T (0x40000000-0x400003FF) and U (0x40000200-0x400005FF) overlap") != std::string::npos);
  auto scalar = parse_device("peripheral = 3\n" + std::string(kBase), "perichip.toml");
  REQUIRE_FALSE(scalar);
  CHECK(scalar.error().message.find("[[peripheral]]") != std::string::npos);
}

TEST_CASE("unknown models and missing registers are refused when the bus is built") {
  Host h;
  auto d = parse(R"(
[[peripheral]]
name = "RCC"
model = "stm32-rcc-l9"
base = 0x40021000
size = 0x400
source = "x"
)");
  REQUIRE(d);
  auto bus = make_bus(*d, h.host);
  REQUIRE_FALSE(bus);
  CHECK(bus.error().kind == ErrorKind::BadDevice);
  // The known models in registry order (later models append to the list).
  CHECK(bus.error().message.rfind("perichip.toml: peripheral RCC: unknown model 'stm32-rcc-l9' (known: registers, stm32-rcc-l4, stm32-flash-l4, stm32-pwr-l4", 0) == 0);
  CHECK(bus.error().message.back() == ')');
  d->peripherals[0].model = "stm32-rcc-l4";
  auto bus2 = make_bus(*d, h.host);
  REQUIRE_FALSE(bus2);
  CHECK(bus2.error().message == "perichip.toml: peripheral RCC: model stm32-rcc-l4 needs register CR at offset 0x000");
}

TEST_CASE("the register file keeps reset values, reads back, honours read-only and write-1-to-clear bits") {
  auto d = parse(kTimer);
  REQUIRE(d);
  RegisterFile rf(d->peripherals[0]);
  CHECK(rf.read(0x00) == 0x10);
  CHECK(rf.read(0x10) == 0xFF);
  CHECK(rf.read(0x04) == 0); // not listed: 0
  rf.write(0x00, 0xABCD, 0xFFFFFFFF);
  CHECK(rf.read(0x00) == 0xABCD);
  rf.write(0x00, 0x11, 0x000000FF); // a byte store keeps the other bytes
  CHECK(rf.read(0x00) == 0xAB11);
  rf.write(0x10, 0x05, 0xFFFFFFFF); // w1c bits 0 and 2 cleared, 1 and 3 kept; plain bits 4..7 written
  CHECK(rf.read(0x10) == 0x0A);
  rf.write(0x3FC, 0xFFFFFFFF, 0xFFFFFFFF); // upper half read-only
  CHECK(rf.read(0x3FC) == 0x1234FFFF);
  rf.write(0x08, 0x77, 0xFFFFFFFF); // unlisted offsets store too
  CHECK(rf.read(0x08) == 0x77);
  CHECK(rf.name_of(0x10) == "SR");
  CHECK(rf.name_of(0x88) == "+0x088");
  rf.reset();
  CHECK(rf.read(0x00) == 0x10);
  CHECK(rf.read(0x3FC) == 0x12345678);
  CHECK(rf.read(0x08) == 0);
}

TEST_CASE("the bus maps the 4 KiB pages its blocks cover, merged") {
  Host h;
  auto d = parse(std::string(kTimer) + R"(
[[peripheral]]
name = "A"
model = "registers"
base = 0x40010000
size = 0x400
source = "x"
[[peripheral]]
name = "B"
model = "registers"
base = 0x40030C00
size = 0x800
source = "x"
)");
  REQUIRE(d);
  auto bus = make_bus(*d, h.host);
  REQUIRE(bus);
  auto w = (*bus)->windows();
  REQUIRE(w.size() == 2);
  CHECK(w[0].base == 0x40010000);
  CHECK(w[0].size == 0x1000);
  CHECK(w[1].base == 0x40030000);
  CHECK(w[1].size == 0x2000);
  uint32_t v = 0;
  CHECK((*bus)->read(0x40010800, 4, v) == PeripheralAccess::Unclaimed); // in a window, outside any block
  CHECK((*bus)->find("B")->base() == 0x40030C00);
}

TEST_CASE("the bus reports an unmodelled register once, serves it from the register file, and splits sub-word accesses") {
  Host h;
  auto d = parse(kTimer);
  REQUIRE(d);
  std::vector<std::string> lines;
  auto bus = make_bus(*d, h.host, {false, [&](const std::string &l) { lines.push_back(l); }});
  REQUIRE(bus);
  PeripheralBus &b = **bus;
  uint32_t v = 0;
  CHECK(b.read(0x40010400, 4, v) == PeripheralAccess::Done);
  CHECK(v == 0x10);
  CHECK(b.read(0x40010400, 4, v) == PeripheralAccess::Done);
  CHECK(b.write(0x40010401, 1, 0xAB) == PeripheralAccess::Done); // byte 1 of CR1
  CHECK(b.read(0x40010400, 4, v) == PeripheralAccess::Done);
  CHECK(v == 0xAB10);
  CHECK(b.read(0x40010401, 1, v) == PeripheralAccess::Done);
  CHECK(v == 0xAB);
  CHECK(b.read(0x40010402, 2, v) == PeripheralAccess::Done);
  CHECK(v == 0);
  CHECK(b.write(0x40010488, 4, 5) == PeripheralAccess::Done); // no register listed there
  CHECK(b.read(0x40010488, 4, v) == PeripheralAccess::Done);
  CHECK(v == 5);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "mcusim: unmodelled read of TIM9->CR1 (0x40010400)");
  CHECK(lines[1] == "mcusim: unmodelled write to TIM9+0x088 (0x40010488)");
  CHECK(b.unmodelled() == std::vector<std::string>{"TIM9->CR1", "TIM9+0x088"});
}

TEST_CASE("with strict set, an unmodelled register is a bus error, still reported once") {
  Host h;
  auto d = parse(kTimer);
  REQUIRE(d);
  std::vector<std::string> lines;
  auto bus = make_bus(*d, h.host, {true, [&](const std::string &l) { lines.push_back(l); }});
  REQUIRE(bus);
  uint32_t v = 0;
  CHECK((*bus)->read(0x40010410, 4, v) == PeripheralAccess::BusError);
  CHECK((*bus)->last_error() == "read of unmodelled register TIM9->SR (0x40010410) (--strict-peripherals)");
  CHECK((*bus)->write(0x40010410, 4, 1) == PeripheralAccess::BusError);
  CHECK((*bus)->last_error() == "write to unmodelled register TIM9->SR (0x40010410) (--strict-peripherals)");
  CHECK(lines.size() == 1);
}

namespace {
Device l4r5() {
  auto d = find_device("stm32l4r5");
  REQUIRE(d);
  return *d;
}
} // namespace

TEST_CASE("the STM32L4R5 file describes RCC, FLASH and PWR with their models") {
  Device d = l4r5();
  REQUIRE(d.peripherals.size() == 3);
  CHECK(d.peripherals[0].name == "PWR");
  CHECK(d.peripherals[0].model == "stm32-pwr-l4");
  CHECK(d.peripherals[1].name == "RCC");
  CHECK(d.peripherals[1].register_at(0)->reset == 0x63);
  CHECK(d.peripherals[2].name == "FLASH");
  for (const auto &p : d.peripherals) {
    CHECK_FALSE(p.source.empty());
    for (const auto &r : p.registers) CHECK_MESSAGE(r.source.find("RM0432") != std::string::npos, std::string(p.name + "->" + r.name));
  }
}

TEST_CASE("STM32L4 RCC: ready flags follow their enables after the start-up time, SWS follows SW, SYSCLK from the registers") {
  Host h;
  Device d = l4r5();
  std::vector<std::string> lines;
  auto made = make_bus(d, h.host, {false, [&](const std::string &l) { lines.push_back(l); }});
  REQUIRE(made);
  PeripheralBus &bus = **made;
  auto *rcc = dynamic_cast<Stm32RccL4 *>(bus.find("RCC"));
  REQUIRE(rcc);
  const uint32_t CR = 0x40021000, CFGR = 0x40021008, PLLCFGR = 0x4002100C;
  uint32_t v = 0;
  REQUIRE(bus.read(CR, 4, v) == PeripheralAccess::Done);
  CHECK(v == 0x63);
  CHECK(rcc->sysclk_hz() == 4e6); // MSI range 6 from CSR.MSISRANGE (MSIRGSEL = 0)

  bus.write(CR, 4, 0x63 | (1u << 8)); // HSION
  bus.read(CR, 4, v);
  CHECK((v & (1u << 10)) == 0); // not yet ready
  const uint64_t hsi = uint64_t(Stm32RccL4::kHsiStartUs * 100); // at 100 MHz
  h.advance(hsi - 1);
  bus.read(CR, 4, v);
  CHECK((v & (1u << 10)) == 0);
  h.advance(hsi);
  bus.read(CR, 4, v);
  CHECK((v & (1u << 10)) != 0);

  bus.write(CR, 4, v | (1u << 10) | (1u << 25)); // writes to ready flags are ignored
  bus.read(CR, 4, v);
  CHECK((v & (1u << 25)) == 0);

  bus.write(CFGR, 4, 1); // SW = HSI16
  bus.read(CFGR, 4, v);
  CHECK(v == 0x5);
  CHECK(rcc->sysclk_hz() == 16e6);

  // PLL from HSI16: /2 x30 /2 = 120 MHz; SW = PLL waits for PLLRDY.
  bus.write(PLLCFGR, 4, 2 | (1u << 4) | (30u << 8) | (1u << 24));
  CHECK(rcc->pll_r_hz() == 120e6);
  bus.read(CR, 4, v);
  bus.write(CR, 4, v | (1u << 24));
  bus.write(CFGR, 4, 3 | (8u << 4)); // SW = PLL, AHB /2
  bus.read(CFGR, 4, v);
  CHECK(((v >> 2) & 3) == 1); // still HSI16
  h.advance(h.now + uint64_t(Stm32RccL4::kPllLockUs * 100));
  bus.read(CFGR, 4, v);
  CHECK(((v >> 2) & 3) == 3);
  CHECK(rcc->sysclk_hz() == 120e6);
  CHECK(rcc->hclk_hz() == 60e6);

  bus.read(CR, 4, v);
  bus.write(CR, 4, v & ~(1u << 24)); // PLLON off: PLLRDY drops at once
  bus.read(CR, 4, v);
  CHECK((v & (1u << 25)) == 0);
  CHECK(lines.empty()); // CR, CFGR, PLLCFGR are modelled

  bus.read(0x40021010, 4, v); // PLLSAI1CFGR: stored only
  CHECK(v == 0x1000);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "mcusim: unmodelled read of RCC->PLLSAI1CFGR (0x40021010)");

  bus.reset();
  CHECK(h.sched.empty());
  bus.read(CR, 4, v);
  CHECK(v == 0x63);
}

TEST_CASE("STM32L4 PWR: a VOS change sets VOSF until the regulator settles, and FLASH_ACR latency reads back") {
  Host h;
  Device d = l4r5();
  auto made = make_bus(d, h.host, {false, [](const std::string &) {}});
  REQUIRE(made);
  PeripheralBus &bus = **made;
  auto *pwr = dynamic_cast<Stm32PwrL4 *>(bus.find("PWR"));
  auto *flash = dynamic_cast<Stm32FlashL4 *>(bus.find("FLASH"));
  REQUIRE(pwr);
  REQUIRE(flash);
  uint32_t v = 0;
  CHECK(pwr->vos_range() == 1);
  CHECK_FALSE(pwr->boost());
  bus.write(0x40007000, 4, 0x200); // same range: no settling
  bus.read(0x40007014, 4, v);
  CHECK(v == 0);
  bus.write(0x40007000, 4, 0x400); // Range 2
  bus.read(0x40007014, 4, v);
  CHECK(v == (1u << 10));
  CHECK(pwr->vos_range() == 2);
  h.advance(uint64_t(Stm32PwrL4::kVosSettleUs * 100));
  bus.read(0x40007014, 4, v);
  CHECK(v == 0);
  bus.write(0x40007000, 4, 0x200);
  bus.write(0x40007080, 4, 0); // R1MODE = 0: boost
  CHECK(pwr->boost());
  bus.write(0x40007014, 4, 0xFFFFFFFF); // SR2 is read-only
  bus.read(0x40007014, 4, v);
  CHECK(v == (1u << 10));

  CHECK(flash->latency() == 0);
  CHECK(flash->icache());
  bus.write(0x40022000, 4, 0x605);
  bus.read(0x40022000, 4, v);
  CHECK(v == 0x605);
  CHECK(flash->latency() == 5);
}

namespace {
/// A test model: a write to offset 0 pends its second IRQ line after 10 cycles.
class DelayedIrq final : public Peripheral {
public:
  using Peripheral::Peripheral;
  bool models(uint32_t offset) const override { return offset == 0; }
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override {
    regs_.write(offset, value, mask);
    after(10, [this] { raise_irq(1); });
  }
};
} // namespace

TEST_CASE("a model's timed event runs through the scheduler and pends its IRQ line, and reset cancels it") {
  Host h;
  auto d = parse(kTimer);
  REQUIRE(d);
  PeripheralBus bus({false, [](const std::string &) {}});
  bus.add(std::make_unique<DelayedIrq>(d->peripherals[0], h.host));
  h.now = 100;
  REQUIRE(bus.write(0x40010400, 4, 1) == PeripheralAccess::Done);
  CHECK(h.sched.next_time() == 110);
  h.advance(109);
  CHECK(h.irqs.empty());
  h.advance(110);
  CHECK(h.irqs == std::vector<unsigned>{4}); // irqs = [3, 4]: the second line
  bus.write(0x40010400, 4, 1);
  bus.reset();
  CHECK(h.sched.empty());
}

TEST_CASE("the STM32L4R5 bring-up completes in a run, at the same cycle count every time, and touches only modelled registers") {
  if (!test::have_firmware("clockconfig-stm32l4r5")) return;
  auto elf = load_elf(test::firmware("clockconfig-stm32l4r5"));
  REQUIRE(elf);
  Device dev = l4r5();
  uint64_t cycles[2] = {};
  for (int i = 0; i < 2; ++i) {
    std::vector<std::string> lines;
    RunOptions o;
    o.peripherals = make_bus_factory(dev, {false, [&](const std::string &l) { lines.push_back(l); }});
    test::CaptureConsole console;
    auto sim = Simulator::create(dev, *elf, o, console);
    REQUIRE(sim);
    RunResult r = (*sim)->run();
    CHECK(r.reason == StopReason::Exited);
    CHECK(r.exit_code == 0);
    CHECK(console.out_text.find("SYSCLK 120000000 Hz") != std::string::npos);
    CHECK(lines.empty());
    CHECK(r.unmodelled_registers.empty());
    cycles[i] = r.cycles;
  }
  CHECK(cycles[0] == cycles[1]);
  // The PLL lock alone is 40 us at HSI16, the clock in force while it locks: the run waited for it.
  CHECK(cycles[0] > uint64_t(Stm32RccL4::kPllLockUs * 16));
}
