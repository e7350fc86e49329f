#include "isa/thumb.h"
#include "isa/timing.h"

#include <doctest/doctest.h>

using namespace mcusim::isa;

TEST_CASE("Thumb instruction length") {
  CHECK_FALSE(is32(0x4770)); // bx lr
  CHECK(is32(0xF000));       // bl prefix
  CHECK(is32(0xE92D));       // push.w
  CHECK(is32(0xF8D0));       // ldr.w
  CHECK_FALSE(is32(0xE7FE)); // b .
}

TEST_CASE("memory access of load/store encodings") {
  std::array<uint32_t, 16> r{};
  for (unsigned i = 0; i < 13; ++i) r[i] = 0x1000 * (i + 1);
  r[13] = 0x20001000;
  r[15] = 0x08000100;
  // ldr r0, [r1, #4]
  auto a = mem_access(0x6848, 0, r);
  REQUIRE(a);
  CHECK(a->addr == 0x2004);
  CHECK(a->len == 4);
  CHECK_FALSE(a->write);
  // str r2, [sp, #8]
  a = mem_access(0x9202, 0, r);
  REQUIRE(a);
  CHECK(a->addr == 0x20001008);
  CHECK(a->write);
  // push {r4, lr}: 8 bytes below SP
  a = mem_access(0xB510, 0, r);
  REQUIRE(a);
  CHECK(a->addr == 0x20000FF8);
  CHECK(a->len == 8);
  CHECK(a->write);
  // ldr r0, [pc, #8]: Align(PC+4, 4) + 8
  a = mem_access(0x4802, 0, r);
  REQUIRE(a);
  CHECK(a->addr == 0x0800010C);
  // ldrb r0, [r1, r2]
  a = mem_access(0x5C88, 0, r);
  REQUIRE(a);
  CHECK(a->addr == 0x2000 + 0x3000);
  CHECK(a->len == 1);
  // ldr.w r0, [r1, #0x100]
  a = mem_access(0xF8D1, 0x0100, r);
  REQUIRE(a);
  CHECK(a->addr == 0x2100);
  // str.w r0, [r1, #-4]!
  a = mem_access(0xF841, 0x0D04, r);
  REQUIRE(a);
  CHECK(a->addr == 0x2000 - 4);
  CHECK(a->write);
  // ldrd r2, r3, [r1, #8]
  a = mem_access(0xE9D1, 0x2302, r);
  REQUIRE(a);
  CHECK(a->addr == 0x2008);
  CHECK(a->len == 8);
  // vldr s0, [r1, #16]
  a = mem_access(0xED91, 0x0A04, r);
  REQUIRE(a);
  CHECK(a->addr == 0x2010);
  CHECK(a->len == 4);
  // adds r0, r0, #1: no access
  CHECK_FALSE(mem_access(0x3001, 0, r));
}

TEST_CASE("divide, FP and idle-loop recognition") {
  CHECK(divide_rm(0xFBB1, 0xF0F2) == 2u); // udiv r0, r1, r2
  CHECK(divide_rm(0xFB91, 0xF3F4) == 4u); // sdiv r3, r1, r4
  CHECK(divide_rd(0xF3F4) == 3u);
  CHECK_FALSE(divide_rm(0xFB01, 0xF002)); // mul
  CHECK(is_fp(0xEE30, 0x0A20));           // vadd.f32
  CHECK(is_fp(0xED91, 0x0A04));           // vldr
  CHECK_FALSE(is_fp(0xE92D, 0x4FF0));     // push.w
  CHECK(is_self_branch(0xE7FE, 0));
  CHECK(sleep_insn_before(0, 0xBF30) == SleepInsn::Wfi);
  CHECK(sleep_insn_before(0xF3AF, 0x8002) == SleepInsn::Wfe);
  const uint8_t loop[] = {0xFE, 0xE7};
  CHECK((scan_block(loop, 2).flags & kBlockSelfLoop) != 0);
  const uint8_t mixed[] = {0x01, 0x30, 0xD1, 0xF8, 0x00, 0x01, 0x70, 0x47}; // adds, ldr.w, bx lr
  auto c = make_unit_timing()->price_block(mixed, 0x100, sizeof mixed, {});
  CHECK(c.insns == 3);
  CHECK(c.cycles == 3);
  CHECK((c.flags & kBlockSelfLoop) == 0);
}
