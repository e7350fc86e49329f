// Divides priced from the operands they see on every execution, and counter
// reads inside a block equal to the model's count.
//
// Expected divide cycles come from the documented rule, written out here on
// its own (not through mcusim): Cortex-M3/M4 TRM (DDI0337 Table 3-1, 100166
// Table 3-1) "SDIV, UDIV 2-12: division operations use early termination
// depending on the size of the operands", modelled as docs/accuracy.md
// "Divide" states: 2 + ceil(quotient bits / 3), at most 12, where the
// quotient bits are the significant bits of the dividend beyond those of the
// divisor plus one (2 when the dividend is below the divisor or the divisor
// is 0); SDIV on magnitudes. Static counts use figures.md rows as
// test_block_pricer.cpp does.
#include "base/device.h"
#include "core/simulator.h"
#include "image/elf_image.h"
#include "isa/core_timing.h"
#include "isa/cycle_model.h"
#include "isa/divide_operands.h"
#include "memory/memory_system.h"

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "helpers.h"

using namespace mcusim;
using namespace mcusim::isa;

namespace {

unsigned bit_length(uint32_t v) {
  unsigned n = 0;
  while (v) {
    ++n;
    v >>= 1;
  }
  return n;
}

/// The TRM's 2-12 early-terminating divide, as docs/accuracy.md words it.
unsigned trm_divide(uint32_t n, uint32_t d, bool is_signed) {
  if (is_signed) {
    n = int32_t(n) < 0 ? 0u - n : n;
    d = int32_t(d) < 0 ? 0u - d : d;
  }
  if (d == 0 || n < d) return 2;
  unsigned bits = bit_length(n) - bit_length(d) + 1;
  unsigned c = 2 + (bits + 2) / 3;
  return c > 12 ? 12 : c;
}

struct Pricer {
  Device device;
  std::unique_ptr<MemorySystem> memory;
  std::unique_ptr<CycleModel> model;
  explicit Pricer(CoreKind core) {
    device.name = "bare";
    device.core = core;
    device.fpu = "fpv4-sp-d16";
    memory = std::make_unique<MemorySystem>(device, 100.0);
    auto m = CycleModel::create(device, *memory);
    REQUIRE(m);
    model = std::move(*m);
  }
  BlockCost price(std::initializer_list<uint16_t> halfwords, uint32_t addr = 0x00100000) {
    std::vector<uint8_t> bytes;
    for (uint16_t h : halfwords) {
      bytes.push_back(uint8_t(h));
      bytes.push_back(uint8_t(h >> 8));
    }
    return model->price_block(bytes.data(), addr, uint32_t(bytes.size()), {});
  }
};

/// A little guest memory for the loads of a program.
struct Memory {
  std::map<uint32_t, uint32_t> words;
  static std::optional<uint32_t> read(void *ctx, uint32_t a, unsigned len) {
    auto &m = static_cast<Memory *>(ctx)->words;
    auto it = m.find(a & ~3u);
    if (it == m.end()) return std::nullopt;
    uint32_t v = it->second >> (8 * (a & 3));
    return len == 4 ? v : v & ((1u << (8 * len)) - 1);
  }
};

/// Extra cycles (over the base 2) of each divide of `cost`'s block for these entry registers.
std::vector<uint8_t> extras(Pricer &p, const BlockCost &cost, std::array<uint32_t, 16> regs, Memory *mem = nullptr) {
  const DivideProgram *dp = p.model->divide_program(cost.prefix);
  REQUIRE(dp != nullptr);
  std::vector<uint8_t> out(dp->sites.size());
  Memory none;
  evaluate_divides(*dp, *p.model->core_timing(), regs, &Memory::read, mem ? mem : &none, out.data());
  return out;
}

} // namespace

TEST_CASE("a divide whose operands the block computes is priced from their values on every execution") {
  Pricer p(CoreKind::M4);
  // adds r5, #1; mul.w r1, r5, r6; and.w r2, r5, #255; adds r2, #1; udiv r3, r1, r2; cmp r5, r7
  BlockCost c = p.price({0x3501, 0xFB05, 0xF106, 0xF005, 0x02FF, 0x3201, 0xFBB1, 0xF3F2, 0x42BD});
  CHECK((c.div_flags & kDivDynamic) != 0);
  // figures.md 1.3: ADDS, MUL, AND, ADDS, CMP 1 each; UDIV's base 2 (the operands add the rest when it runs).
  CHECK(c.cycles == 7);
  const uint32_t k = 1000003;
  unsigned distinct = 0, last = 0;
  for (uint32_t i = 0; i < 300; ++i) {
    std::array<uint32_t, 16> r{};
    r[5] = i;
    r[6] = k;
    auto e = extras(p, c, r);
    REQUIRE(e.size() == 1);
    uint32_t n = (i + 1) * k, d = ((i + 1) & 255) + 1;
    CHECK(e[0] == trm_divide(n, d, false) - 2);
    if (e[0] != last) ++distinct;
    last = e[0];
  }
  CHECK(distinct > 3); // the operands really vary
}

TEST_CASE("two divides in one block, the second reading the first's result through MLS") {
  Pricer p(CoreKind::M4);
  // rsb r3, r1, r1, lsl #3; add.w r4, r1, r1, lsl #2; movs r5, #61; movs r6, #53;
  // udiv r2, r3, r5; mls r2, r5, r2, r3; sdiv r2, r4, r6
  BlockCost c = p.price({0xEBC1, 0x03C1, 0xEB01, 0x0481, 0x253D, 0x2635, 0xFBB3, 0xF2F5, 0xFB05, 0x3212, 0xFB94, 0xF2F6});
  CHECK((c.div_flags & kDivDynamic) != 0);
  for (uint32_t i : {0u, 1u, 9u, 60u, 61u, 1000u, 123456u, 0x7FFFFFFu, 0xFFFFFFFFu}) {
    std::array<uint32_t, 16> r{};
    r[1] = i;
    auto e = extras(p, c, r);
    REQUIRE(e.size() == 2);
    CHECK(e[0] == trm_divide(i * 7, 61, false) - 2);
    CHECK(e[1] == trm_divide(i * 5, 53, true) - 2);
  }
  // The end of the block: every instruction's static cost (figures.md 1.3: RSB, ADD, MOVS x2, MLS 1 each... MLS is
  // a MAC, 1 on the M4), the two divides at their base 2.
  const std::vector<uint16_t> *pre = p.model->prefix(c.prefix);
  REQUIRE(pre != nullptr);
  CHECK(pre->size() == 8); // seven instructions, then the end
  CHECK(pre->back() == c.cycles);
}

TEST_CASE("an IT-selected operand and a divisor loaded in the block") {
  Pricer p(CoreKind::M4);
  // mvn r3, #0x80000000; cmp r3, r6; it cs; movcs r3, r6; ldr r2, [r0, #4]; sdiv r3, r3, r2
  BlockCost c = p.price({0xF06F, 0x4300, 0x42B3, 0xBF28, 0x4633, 0x6842, 0xFB93, 0xF3F2});
  CHECK((c.div_flags & kDivDynamic) != 0);
  Memory mem;
  for (uint32_t r6 : {5u, 1000u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFF0u}) {
    for (uint32_t div : {1u, 3u, 1000u, 0xFFFFFFFDu}) {
      mem.words[0x20000004] = div;
      std::array<uint32_t, 16> r{};
      r[0] = 0x20000000;
      r[6] = r6;
      auto e = extras(p, c, r, &mem);
      REQUIRE(e.size() == 1);
      uint32_t n = 0x7FFFFFFFu >= r6 ? r6 : 0x7FFFFFFFu; // CS after CMP: r3 >= r6 unsigned
      CHECK(e[0] == trm_divide(n, div, true) - 2);
    }
  }
}

TEST_CASE("a divisor loaded after a store to the same address is not read from memory") {
  Pricer p(CoreKind::M4);
  // str r1, [r0, #4]; ldr r2, [r0, #4]; udiv r3, r3, r2 (no first execution: the estimate is mid-range)
  BlockCost c = p.price({0x6041, 0x6842, 0xFBB3, 0xF3F2});
  Memory mem;
  mem.words[0x20000004] = 1;
  std::array<uint32_t, 16> r{};
  r[0] = 0x20000000;
  r[1] = 0xFFFFFFFF;
  r[3] = 0xFFFFFFFF;
  auto e = extras(p, c, r, &mem);
  REQUIRE(e.size() == 1);
  const DivideProgram *dp = p.model->divide_program(c.prefix);
  CHECK(e[0] == dp->sites[0].estimate); // not 10 (0xFFFFFFFF / 1, memory's stale word)
  CHECK(dp->sites[0].estimate == (2 + 12) / 2 - 2);
}

TEST_CASE("a divide fed by an instruction the program does not follow keeps the first execution's estimate") {
  Pricer p(CoreKind::M4);
  // clz r2, r1 (not followed); udiv r3, r0, r2
  BlockCost c = p.price({0xFAB1, 0xF281, 0xFBB0, 0xF3F2});
  CHECK((c.div_flags & kDivDynamic) == 0);
  const DivideProgram *dp = p.model->divide_program(c.prefix);
  REQUIRE(dp != nullptr);
  CHECK(!dp->sites[0].exact);
  // clz 1 + udiv 2 + the estimate, charged statically.
  CHECK(c.cycles == 3u + dp->sites[0].estimate);
}

namespace {
std::map<std::string, long> divexact_output(const char *device) {
  auto elf = load_elf(test::firmware("divexact-" + std::string(device)));
  REQUIRE(elf);
  auto dev = find_device(device);
  REQUIRE(dev);
  RunOptions o;
  o.flash_ws = 0;
  test::CaptureConsole console;
  auto sim = Simulator::create(*dev, *elf, o, console);
  REQUIRE(sim);
  RunResult r = (*sim)->run();
  CHECK(r.exit_code == 0);
  std::map<std::string, long> out;
  size_t at = 0;
  const std::string &s = console.out_text;
  while ((at = s.find("divexact: ", at)) != std::string::npos) {
    size_t sp = s.find(' ', at + 10);
    size_t nl = s.find('\n', sp);
    out[s.substr(at + 10, sp - at - 10)] = std::stol(s.substr(sp + 1, nl - sp - 1));
    at = nl;
  }
  return out;
}
} // namespace

TEST_CASE("firmware: divides with operands computed in their own block, timed by DWT CYCCNT") {
  // The constants of firmware/tests/divexact/divexact.c.
  const uint32_t n = 300, k = 1000003;
  const uint32_t divisors[16] = {1, 3, 7, 10, 100, 255, 1000, 65535, 2, 5, 9, 17, 33, 4097, 12345, 1000003};
  // P, the taken-branch refill: 2 on M3/M4 (figures.md 1.2/1.3 "1+P"), 1 on the M33 (figures.md 1.5).
  for (const auto &case_ : {std::pair{"stm32f407", 2u}, std::pair{"generic-m3", 2u}, std::pair{"stm32u575", 1u}}) {
    const char *device = case_.first;
    const unsigned refill = case_.second;
    CAPTURE(device);
    if (!test::have_firmware("divexact-" + std::string(device))) continue;
    auto out = divexact_output(device);
    REQUIRE(out.count("base"));
    REQUIRE(out.count("mul"));
    REQUIRE(out.count("table"));
    // dx_mul, per iteration: ADDS, MUL, AND, ADDS, CMP, BNE 1 each (figures.md 1.2/1.3) + UDIV; the loop branch
    // is taken n - 1 times (+P).
    uint64_t mul = 0, table = 0;
    for (uint32_t i = 1; i <= n; ++i) mul += 6 + trm_divide(i * k, (i & 255) + 1, false);
    mul += uint64_t(n - 1) * refill;
    // dx_table: ADDS, AND, MUL 1, LDR 2 (not pipelined: it follows a MUL), UDIV, CMP, BNE 1.
    for (uint32_t i = 1; i <= n; ++i) table += 7 + trm_divide(i * k, divisors[i & 15], false);
    table += uint64_t(n - 1) * refill;
    CHECK(uint64_t(out["mul"] - out["base"]) == mul);
    CHECK(uint64_t(out["table"] - out["base"]) == table);
  }
}

TEST_CASE("a store that updates its base register leaves the base unknown to the program") {
  Pricer p(CoreKind::M4);
  // str r1, [r0], #4 (post-indexed: r0 += 4); udiv r3, r3, r0
  BlockCost c = p.price({0xF840, 0x1B04, 0xFBB3, 0xF3F0});
  const DivideProgram *dp = p.model->divide_program(c.prefix);
  REQUIRE(dp != nullptr);
  CHECK(!dp->sites[0].exact);
}
