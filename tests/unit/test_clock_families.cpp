// The clock trees of the other STM32 families (docs/peripherals.md, "Other
// STM32 families"): each RCC model's frequency arithmetic against the
// reference manual's formulas, the clock switch waiting for the ready flag,
// FLASH_ACR.LATENCY and the voltage-scaling flags HAL polls. The models run
// on the device file's own [[peripheral]] blocks.
#include "base/device.h"
#include "core/scheduler.h"
#include "core/simulator.h"
#include "image/elf_image.h"
#include "peripherals/bus.h"
#include "peripherals/models.h"

#include <doctest/doctest.h>
#include <memory>
#include <string>

#include "firmware_run.h"
#include "helpers.h"
#include "peripheral_bench.h"

using namespace mcusim;

namespace {

/// A device's peripheral bus with a scheduler, outside any run.
struct Chip : test::PeripheralBench {
  explicit Chip(const char *name, double hz = 16e6) : PeripheralBench(hz) { build(name); }
  double mhz(const char *clock) {
    auto hz = bus->clock_hz(clock);
    REQUIRE(hz);
    return *hz / 1e6;
  }
  double core_mhz() { return bus->core_clock()->hz / 1e6; }
  unsigned flash_ws() { return *bus->core_clock()->flash_ws; }
};

} // namespace

TEST_CASE("STM32F4 RCC: HSI 16 MHz at reset, PLLCLK = HSE / PLLM x PLLN / PLLP, HPRE, PPRE1, PPRE2") {
  Chip c("stm32f407");
  const uint32_t CR = 0x40023800, PLLCFGR = CR + 0x04, CFGR = CR + 0x08, ACR = 0x40023C00;
  CHECK(c.mhz("SYSCLK") == 16);
  CHECK(c.core_mhz() == 16);
  CHECK(c.flash_ws() == 0);
  // RM0090 §7.3.2: 8 MHz / 8 x 336 / 2 = 168 MHz (PLLSRC = HSE, PLLP = 00: /2).
  c.wr(PLLCFGR, (1u << 22) | 8u | (336u << 6) | (0u << 16) | (7u << 24));
  c.set_bits(CR, (1u << 16) | (1u << 24)); // HSEON, PLLON
  c.wr(CFGR, 2u);                     // SW = PLL
  CHECK((c.rd(CFGR) & 0xCu) == 0);    // SWS waits for PLLRDY
  CHECK(c.mhz("SYSCLK") == 16);
  // PLL lock: 100 us at 16 MHz.
  CHECK(c.sched.next_time() == 1600);
  c.settle();
  CHECK((c.rd(CR) & (1u << 25)) != 0); // PLLRDY
  CHECK((c.rd(CFGR) & 0xCu) == 0x8u);  // SWS = PLL
  CHECK(c.mhz("SYSCLK") == 168);
  // HPRE /1, PPRE1 /4 (101), PPRE2 /2 (100).
  c.wr(CFGR, 2u | (5u << 10) | (4u << 13));
  CHECK(c.mhz("HCLK") == 168);
  CHECK(c.mhz("PCLK1") == 42);
  CHECK(c.mhz("PCLK2") == 84);
  c.wr(CFGR, 2u | (8u << 4)); // HPRE /2
  CHECK(c.core_mhz() == 84);
  // FLASH_ACR.LATENCY is the flash wait states; ready flags ignore writes.
  c.wr(ACR, 5u | (7u << 8));
  CHECK(c.flash_ws() == 5);
  c.wr(CR, c.rd(CR) & ~(1u << 25));
  CHECK((c.rd(CR) & (1u << 25)) != 0);
  // PLLN below 50 is out of range: no PLL clock.
  c.wr(PLLCFGR, (1u << 22) | 8u | (40u << 6));
  CHECK(c.mhz("SYSCLK") == 0);
}

TEST_CASE("STM32F4 PWR: VOSRDY is set after reset, drops on a VOS change and rises once the regulator settles") {
  Chip c("stm32f407");
  const uint32_t CR = 0x40007000, CSR = CR + 0x04, VOSRDY = 1u << 14;
  CHECK((c.rd(CSR) & VOSRDY) != 0);
  c.wr(CR, 0); // scale 2
  CHECK((c.rd(CSR) & VOSRDY) == 0);
  c.wr(CSR, VOSRDY); // read-only
  CHECK((c.rd(CSR) & VOSRDY) == 0);
  c.settle();
  CHECK((c.rd(CSR) & VOSRDY) != 0);
}

TEST_CASE("STM32G0 RCC: HSISYS = HSI16 / HSIDIV at reset, PLLRCLK = HSI16 / PLLM x PLLN / PLLR, one APB") {
  Chip c("stm32g0b1");
  const uint32_t CR = 0x40021000, CFGR = CR + 0x08, PLLCFGR = CR + 0x0C;
  CHECK(c.mhz("SYSCLK") == 16);
  c.wr(CR, c.rd(CR) | (2u << 11)); // HSIDIV /4
  CHECK(c.core_mhz() == 4);
  c.wr(CR, c.rd(CR) & ~(7u << 11));
  // RM0444 §5.4.4: 16 MHz / 1 x 8 / 2 = 64 MHz (PLLSRC = 10, PLLM = 000, PLLN = 8, PLLR = 001).
  c.wr(PLLCFGR, 2u | (0u << 4) | (8u << 8) | (1u << 28) | (1u << 29));
  c.set_bits(CR, 1u << 24);
  c.wr(CFGR, 2u);
  CHECK(((c.rd(CFGR) >> 3) & 7u) == 0);
  c.settle();
  CHECK(((c.rd(CFGR) >> 3) & 7u) == 2u);
  CHECK(c.mhz("SYSCLK") == 64);
  c.wr(CFGR, 2u | (8u << 8) | (5u << 12)); // HPRE /2, PPRE /4
  CHECK(c.mhz("HCLK") == 32);
  CHECK(c.mhz("PCLK1") == 8);
  CHECK(c.mhz("PCLK2") == 8);
  // PLLR = 000 is reserved: no clock.
  c.wr(PLLCFGR, 2u | (8u << 8));
  CHECK(c.mhz("SYSCLK") == 0);
}

TEST_CASE("STM32G0 PWR: a VOS change raises VOSF until the regulator settles") {
  Chip c("stm32g0b1");
  const uint32_t CR1 = 0x40007000, SR2 = CR1 + 0x14, VOSF = 1u << 10;
  CHECK((c.rd(SR2) & VOSF) == 0);
  c.wr(CR1, (c.rd(CR1) & ~(3u << 9)) | (2u << 9)); // Range 2
  CHECK((c.rd(SR2) & VOSF) != 0);
  c.settle();
  CHECK((c.rd(SR2) & VOSF) == 0);
}

TEST_CASE("STM32U5 RCC: MSIS 4 MHz at reset, PLL1R = MSIS / PLL1M x PLL1N / PLL1R, CFGR2 prescalers") {
  Chip c("stm32u575", 4e6);
  const uint32_t CR = 0x46020C00, ICSCR1 = CR + 0x08, CFGR1 = CR + 0x1C, CFGR2 = CR + 0x20, PLL1CFGR = CR + 0x28,
                 PLL1DIVR = CR + 0x34;
  CHECK(c.mhz("SYSCLK") == 4);
  // MSIRGSEL = 1, MSISRANGE = 0: 48 MHz (RM0456 §11.8.2).
  c.wr(ICSCR1, (1u << 23) | (0u << 28));
  CHECK(c.core_mhz() == 48);
  c.wr(ICSCR1, (1u << 23) | (4u << 28));
  CHECK(c.core_mhz() == 4);
  // RM0456 §11.8.12: 4 MHz / 1 x 80 / 2 = 160 MHz (fields hold value - 1).
  c.wr(PLL1CFGR, 1u | (1u << 18));
  c.wr(PLL1DIVR, (80u - 1) | (1u << 9) | (1u << 16) | (1u << 24));
  c.set_bits(CR, 1u << 24);
  c.wr(CFGR1, 3u);
  CHECK((c.rd(CFGR1) & 0xCu) == 0);
  c.settle();
  CHECK((c.rd(CFGR1) & 0xCu) == 0xCu);
  CHECK(c.mhz("SYSCLK") == 160);
  c.wr(CFGR2, 0x8u | (4u << 4) | (5u << 8)); // HPRE /2, PPRE1 /2, PPRE2 /4
  CHECK(c.mhz("HCLK") == 80);
  CHECK(c.mhz("PCLK1") == 40);
  CHECK(c.mhz("PCLK2") == 20);
}

TEST_CASE("STM32U5 PWR: VOSRDY and SVMSR.ACTVOS/ACTVOSRDY follow a VOS change, BOOSTRDY follows BOOSTEN") {
  Chip c("stm32u575", 4e6);
  const uint32_t VOSR = 0x46020800 + 0x0C, SVMSR = 0x46020800 + 0x3C;
  CHECK((c.rd(VOSR) & (1u << 15)) != 0);
  CHECK((c.rd(SVMSR) & (3u << 16)) == 0); // range 4
  c.wr(VOSR, (3u << 16) | (1u << 18));     // range 1 with the booster, as HAL writes it
  CHECK((c.rd(VOSR) & (1u << 15)) == 0);
  CHECK((c.rd(SVMSR) & (1u << 15)) == 0);
  CHECK((c.rd(VOSR) & (1u << 14)) == 0);
  c.settle();
  CHECK((c.rd(VOSR) & (1u << 15)) != 0);
  CHECK((c.rd(VOSR) & (1u << 14)) != 0);
  CHECK((c.rd(SVMSR) & (3u << 16)) == (3u << 16));
  CHECK((c.rd(SVMSR) & (1u << 15)) != 0);
  c.wr(VOSR, 3u << 16); // booster off
  CHECK((c.rd(VOSR) & (1u << 14)) == 0);
}

TEST_CASE("STM32H7 RCC: HSI 64 MHz at reset, PLL1P = HSI / DIVM1 x DIVN1 / DIVP1, the core runs on the CPU clock") {
  Chip c("stm32h7a3", 64e6);
  const uint32_t CR = 0x58024400, CFGR = CR + 0x10, CDCFGR1 = CR + 0x18, CDCFGR2 = CR + 0x1C, PLLCKSELR = CR + 0x28,
                 PLL1DIVR = CR + 0x30;
  CHECK(c.mhz("SYSCLK") == 64);
  CHECK(c.core_mhz() == 64);
  CHECK(c.flash_ws() == 3); // FLASH_ACR resets to LATENCY 3 (device file)
  c.wr(CR, c.rd(CR) | (3u << 3)); // HSIDIV /8
  CHECK(c.core_mhz() == 8);
  c.wr(CR, c.rd(CR) & ~(3u << 3));
  // RM0455 §7.7.10/§7.7.12: 64 MHz / 4 x 35 / 2 = 280 MHz.
  c.wr(PLLCKSELR, 0u | (4u << 4));
  c.wr(PLL1DIVR, (35u - 1) | (1u << 9) | (1u << 16) | (1u << 24));
  c.set_bits(CR, 1u << 24);
  c.wr(CFGR, 3u);
  CHECK(((c.rd(CFGR) >> 3) & 7u) == 0);
  c.settle();
  CHECK(((c.rd(CFGR) >> 3) & 7u) == 3u);
  CHECK(c.mhz("SYSCLK") == 280);
  CHECK(c.core_mhz() == 280);
  // CDCPRE /2: the CPU at 140 MHz; HPRE /2 on top: HCLK 70 MHz, the core stays at the CPU clock.
  c.wr(CDCFGR1, (8u << 8) | 8u);
  CHECK(c.mhz("CPU") == 140);
  CHECK(c.core_mhz() == 140);
  CHECK(c.mhz("HCLK") == 70);
  c.wr(CDCFGR2, (4u << 4) | (5u << 8)); // CDPPRE1 /2, CDPPRE2 /4
  CHECK(c.mhz("PCLK1") == 35);
  CHECK(c.mhz("PCLK2") == 17.5);
  // DIVM1 = 0 disables the prescaler: no PLL clock.
  c.wr(PLLCKSELR, 0u);
  CHECK(c.mhz("SYSCLK") == 0);
}

TEST_CASE("STM32H7 PWR: SRDCR.VOSRDY and CSR1.ACTVOS/ACTVOSRDY follow a VOS change") {
  Chip c("stm32h7a3", 64e6);
  const uint32_t CSR1 = 0x58024800 + 0x04, SRDCR = 0x58024800 + 0x18;
  CHECK((c.rd(CSR1) & (1u << 13)) != 0);
  CHECK((c.rd(SRDCR) & (1u << 13)) != 0);
  c.wr(SRDCR, 3u << 14); // VOS0
  CHECK((c.rd(SRDCR) & (1u << 13)) == 0);
  CHECK((c.rd(CSR1) & (1u << 13)) == 0);
  c.settle();
  CHECK((c.rd(SRDCR) & (1u << 13)) != 0);
  CHECK((c.rd(CSR1) & ((3u << 14) | (1u << 13))) == ((3u << 14) | (1u << 13)));
}

namespace {

/// One family's bring-up firmware and what its registers select.
struct Family {
  const char *image, *device;
  double reset_hz;
  unsigned reset_ws;
  double pll_hz;
  unsigned ws;
  const char *loop_before, *loop_after;
};

// The PLL frequencies from the reference manuals' formulas (see tests/peripherals/families.cmake).
const Family kFamilies[] = {
    {"clock_f4-stm32f407", "stm32f407", 16e6, 0, 8e6 / 8 * 336 / 2, 5, "at HSI 16 MHz, latency 0",
     "at PLL 168 MHz, latency 5"},
    {"clock_g0-stm32g0b1", "stm32g0b1", 16e6, 0, 16e6 / 1 * 8 / 2, 2, "at HSI16, latency 0", "at PLL 64 MHz, latency 2"},
    {"clock_u5-stm32u575", "stm32u575", 4e6, 0, 4e6 / 1 * 80 / 2, 4, "at MSIS 4 MHz, latency 0",
     "at PLL1 160 MHz, latency 4"},
    {"clock_h7-stm32h7a3", "stm32h7a3", 64e6, 3, 64e6 / 4 * 35 / 2, 6, "at HSI 64 MHz, latency 3",
     "at PLL1 280 MHz, latency 6"},
};

using FamilyRun = test::FirmwareRun;

FamilyRun run_family(const Family &f, const std::string &args, std::optional<bool> caches = std::nullopt) {
  RunOptions o;
  o.caches = caches;
  FamilyRun fr = test::run_firmware(f.image, f.device, std::string(f.image) + " " + args, o);
  CHECK(fr.r.reason == StopReason::Exited);
  CHECK(fr.r.exit_code == 0);
  return fr;
}

using test::per_iteration;
} // namespace

TEST_CASE("each family's bring-up: the reset clock, then the PLL clock with the latency the firmware set") {
  for (const auto &f : kFamilies) {
    CAPTURE(f.image);
    if (!test::have_firmware(f.image)) continue;
    FamilyRun c = run_family(f, "");
    const auto &segs = c.r.clock_changes;
    REQUIRE(segs.size() >= 3);
    CHECK(segs.front().cycle == 0);
    CHECK(segs[1].hz == f.reset_hz);
    CHECK(segs[1].flash_ws == f.reset_ws);
    CHECK(segs.back().hz == f.pll_hz);
    CHECK(segs.back().flash_ws == f.ws);
    CHECK(c.r.clock_warning.empty());
    double seconds = 0;
    for (size_t i = 0; i < segs.size(); ++i) {
      uint64_t end = i + 1 < segs.size() ? segs[i + 1].cycle : c.r.cycles;
      seconds += double(end - segs[i].cycle) / segs[i].hz;
    }
    CHECK(c.r.simulated_seconds() == doctest::Approx(seconds).epsilon(1e-12));
  }
}

TEST_CASE("each family's loop in flash costs the wait states in force (no flash accelerator)") {
  for (const auto &f : kFamilies) {
    CAPTURE(f.image);
    if (!test::have_firmware(f.image)) continue;
    FamilyRun off = run_family(f, "loops", false);
    // docs/accuracy.md: without a cache the entry line of every one-block iteration costs the wait states.
    CHECK(per_iteration(off.out, f.loop_after) - per_iteration(off.out, f.loop_before) == long(f.ws - f.reset_ws));
  }
}
