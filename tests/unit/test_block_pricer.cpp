// The block pricer on hand-encoded instruction sequences, per core. Expected
// counts come from the documented rules in ../shared/reference/figures.md
// (section.row cited at each check) and the modelling choices stated in
// docs/accuracy.md, not from mcusim's output. Blocks are priced at an address
// outside any memory region (no flash wait states, no data costs).
#include "base/device.h"
#include "isa/core_timing.h"
#include "isa/cycle_model.h"
#include "memory/memory_system.h"

#include <doctest/doctest.h>

#include <initializer_list>
#include <memory>
#include <vector>

using namespace mcusim;
using namespace mcusim::isa;

namespace {
/// A cycle model for a bare core: no memory regions, zero wait states.
struct Pricer {
  Device device;
  std::unique_ptr<MemorySystem> memory;
  std::unique_ptr<CycleModel> model;
  explicit Pricer(CoreKind core, bool small_multiplier = false) {
    device.name = "bare";
    device.core = core;
    device.fpu = core == CoreKind::M7 ? "fpv5-d16" : "fpv4-sp-d16";
    device.small_multiplier = small_multiplier;
    memory = std::make_unique<MemorySystem>(device, 100.0);
    auto m = CycleModel::create(device, *memory);
    REQUIRE(m);
    model = std::move(*m);
  }
  /// Price the halfwords (in instruction order; a 32-bit instruction is two) as one block.
  BlockCost price(std::initializer_list<uint16_t> halfwords, uint32_t addr = 0x00100000) {
    std::vector<uint8_t> bytes;
    for (uint16_t h : halfwords) {
      bytes.push_back(uint8_t(h));
      bytes.push_back(uint8_t(h >> 8));
    }
    return model->price_block(bytes.data(), addr, uint32_t(bytes.size()), {});
  }
  uint32_t cycles(std::initializer_list<uint16_t> halfwords) { return price(halfwords).cycles; }
};

// Hand-encoded Thumb instructions (ARMv7-M ARM encodings).
constexpr uint16_t LDR_R0_R1 = 0x6808;          // ldr r0, [r1]
constexpr uint16_t LDR_R2_R3 = 0x681A;          // ldr r2, [r3]
constexpr uint16_t LDR_R4_R5 = 0x682C;          // ldr r4, [r5]
constexpr uint16_t LDR_R2_R0 = 0x6802;          // ldr r2, [r0]  (base = the previous load's result)
constexpr uint16_t STR_R2_R3 = 0x601A;          // str r2, [r3]
constexpr uint16_t ADDS_R0_1 = 0x3001;          // adds r0, #1
constexpr uint16_t ADDS_R1_4 = 0x3104;          // adds r1, #4
constexpr uint16_t ADDS_R2_1 = 0x3201;          // adds r2, #1
constexpr uint16_t ADDS_R3_1 = 0x3301;          // adds r3, #1
constexpr uint16_t MULS_R0_R1 = 0x4348;         // muls r0, r1, r0
constexpr uint16_t MLA[] = {0xFB01, 0x3002};    // mla r0, r1, r2, r3
constexpr uint16_t SMULL[] = {0xFB82, 0x0103};  // smull r0, r1, r2, r3
constexpr uint16_t SDIV[] = {0xFB91, 0xF0F2};   // sdiv r0, r1, r2
constexpr uint16_t BNE_BACK = 0xD1FC;           // bne .-4 (backward)
constexpr uint16_t BNE_FWD = 0xD100;            // bne .+4 (forward)
constexpr uint16_t B_FWD = 0xE000;              // b .+4
constexpr uint16_t BX_LR = 0x4770;              // bx lr
constexpr uint16_t PUSH_R4_LR = 0xB510;         // push {r4, lr}
constexpr uint16_t POP_R4_PC = 0xBD10;          // pop {r4, pc}
constexpr uint16_t VADD[] = {0xEE30, 0x0A20};   // vadd.f32 s0, s0, s1
constexpr uint16_t VMLA[] = {0xEE00, 0x0A81};   // vmla.f32 s0, s1, s2
constexpr uint16_t VDIV[] = {0xEE80, 0x0A20};   // vdiv.f32 s0, s0, s1
constexpr uint16_t VSQRT[] = {0xEEB1, 0x0AC0};  // vsqrt.f32 s0, s0
constexpr uint16_t VDIVD[] = {0xEE80, 0x0B01};  // vdiv.f64 d0, d0, d1
constexpr uint16_t VLDR_S0[] = {0xED91, 0x0A00}; // vldr s0, [r1]
constexpr uint16_t VPUSH_D8_D15[] = {0xED2D, 0x8B10}; // vpush {d8-d15}
constexpr uint16_t VPOP_S16_S31[] = {0xECBD, 0x8A10}; // vpop {s16-s31}
constexpr uint16_t VPUSH_S16_S31[] = {0xED2D, 0x8A10}; // vpush {s16-s31}
constexpr uint16_t VPOP_D8_D15[] = {0xECBD, 0x8B10};  // vpop {d8-d15}
constexpr uint16_t VSTMIA_S0_S3[] = {0xECA0, 0x0A04}; // vstmia r0!, {s0-s3}
} // namespace

TEST_CASE("Cortex-M0+: no load pipelining, 1+N lists, taken branch +1, MULS 1 or 32") {
  Pricer p(CoreKind::M0plus);
  CHECK(p.cycles({LDR_R0_R1}) == 2);             // 1.1 LDR: 2
  CHECK(p.cycles({LDR_R0_R1, LDR_R2_R3}) == 4);  // 1.1 LDR 2 + 2: a 2-stage pipeline, no pipelining
  CHECK(p.cycles({STR_R2_R3}) == 2);             // 1.1 STR family: 2 [UNVERIFIED]
  CHECK(p.cycles({ADDS_R0_1, MULS_R0_R1}) == 2); // 1.1 ALU 1, MULS 1 (fast multiplier)
  CHECK(p.cycles({PUSH_R4_LR}) == 3);            // 1.1 PUSH: 1+N, N = 2
  CHECK(p.cycles({POP_R4_PC}) == 5);             // 1.1 POP {..,PC}: 3+N, N = 2
  CHECK(p.cycles({BX_LR}) == 2);                 // 1.1 BX: 2
  CHECK(p.cycles({B_FWD}) == 2);                 // 1.1 B: 2
  auto c = p.price({ADDS_R0_1, BNE_BACK});
  CHECK(c.cycles == 2);      // 1.1 ALU 1 + B<cond> not taken 1
  CHECK(c.taken_extra == 1); // 1.1 B<cond> taken 2 = 1 + 1
  CHECK(c.fallthrough_extra == 0);
  Pricer small(CoreKind::M0plus, true);
  CHECK(small.cycles({MULS_R0_R1}) == 32); // 1.1 MULS: 32 with the small multiplier
}

TEST_CASE("Cortex-M3: LDR then LDR pipelining, address dependence, MLA/SMULL, divide 2-12, taken branch 1+P") {
  Pricer p(CoreKind::M3);
  // 1.2 load/store pipelining rules: LDR;LDR = 3, three independent LDRs = 4, LDR;STR = 3.
  CHECK(p.cycles({LDR_R0_R1}) == 2);
  CHECK(p.cycles({LDR_R0_R1, LDR_R2_R3}) == 3);
  CHECK(p.cycles({LDR_R0_R1, LDR_R2_R3, LDR_R4_R5}) == 4);
  CHECK(p.cycles({LDR_R0_R1, STR_R2_R3}) == 3);
  // 1.2: the second load's address depends on the first: no cycle removed.
  CHECK(p.cycles({LDR_R0_R1, LDR_R2_R0}) == 4);
  // 1.2: "a load/store whose address depends on the immediately preceding data-processing result stalls 1".
  CHECK(p.cycles({ADDS_R1_4, LDR_R0_R1}) == 1 + 2 + 1);
  CHECK(p.cycles({MULS_R0_R1}) == 1);          // 1.2 MUL: 1
  CHECK(p.cycles({MLA[0], MLA[1]}) == 2);      // 1.2 MLA: 2
  CHECK(p.cycles({SMULL[0], SMULL[1]}) == 3);  // 1.2 SMULL: 3-5, the lower bound (docs/accuracy.md)
  CHECK(p.cycles({PUSH_R4_LR}) == 3);          // 1.2 PUSH: 1+N
  CHECK(p.cycles({POP_R4_PC}) == 5);           // 1.2 POP with PC: 1+N+P, P = 2
  CHECK(p.cycles({B_FWD}) == 3);               // 1.2 branch taken: 1+P, P = 2
  auto c = p.price({ADDS_R0_1, BNE_BACK});
  CHECK(c.cycles == 2);      // not taken: 1 + 1
  CHECK(c.taken_extra == 2); // 1.2 taken: 1+P, P = 2
  CHECK(c.fallthrough_extra == 0);
  // 1.2 SDIV/UDIV 2-12: the block carries the lower bound; the operands add the rest at run time.
  c = p.price({SDIV[0], SDIV[1]});
  CHECK(c.cycles == 2);
  CHECK((c.flags & kBlockHasDiv) != 0);
  CHECK((c.div_flags & kDivDynamic) != 0); // r1, r2 not written earlier in the block
  CHECK((c.div_flags & kDivSigned) != 0);
  const CoreTiming &t = *p.model->core_timing();
  CHECK(divide_cycles(t, 1, 7, false) == 2);           // quotient 0: the 2-cycle minimum
  CHECK(divide_cycles(t, 0xFFFFFFFF, 1, false) == 12); // 32 quotient bits: the 12-cycle maximum
  CHECK(divide_cycles(t, uint32_t(-100), 3, true) == divide_cycles(t, 100, 3, false)); // magnitude only
}

TEST_CASE("Cortex-M4F: single-cycle MAC and long multiply, FPU latencies, FP register lists") {
  Pricer p(CoreKind::M4F);
  CHECK(p.cycles({LDR_R0_R1, LDR_R2_R3}) == 3);             // 1.2 pipelining, "the M4 TRM text is identical"
  CHECK(p.cycles({ADDS_R1_4, LDR_R0_R1}) == 4);             // 1.2 address dependence +1
  CHECK(p.cycles({MLA[0], MLA[1]}) == 1);                   // 1.3 MLA: 1
  CHECK(p.cycles({SMULL[0], SMULL[1]}) == 1);               // 1.3 SMULL: 1
  CHECK(p.cycles({SDIV[0], SDIV[1], ADDS_R0_1}) == 2 + 1);  // 1.3 SDIV lower bound 2, then ALU 1
  CHECK(p.cycles({VADD[0], VADD[1]}) == 1);                 // 1.3 FPU VADD: 1
  CHECK(p.cycles({VMLA[0], VMLA[1]}) == 3);                 // 1.3 FPU VMLA: 3
  CHECK(p.cycles({VDIV[0], VDIV[1]}) == 14);                // 1.3 FPU VDIV.F32: 14
  CHECK(p.cycles({VSQRT[0], VSQRT[1]}) == 14);              // 1.3 FPU VSQRT.F32: 14 [UNVERIFIED]
  CHECK(p.cycles({VLDR_S0[0], VLDR_S0[1]}) == 2);           // 1.3 FPU VLDR single: 2
  CHECK(p.cycles({VPUSH_D8_D15[0], VPUSH_D8_D15[1]}) == 1 + 2 * 8); // 1.3 FPU VPUSH doubles: 1+2N
  auto c = p.price({ADDS_R0_1, BNE_FWD});
  CHECK(c.taken_extra == 2); // 1.3 branch taken: 1+P, P = 2
}

TEST_CASE("Cortex-M4F: VLDM/VSTM of single registers transfer one word each, of doubles two") {
  Pricer p(CoreKind::M4F);
  CHECK(p.cycles({VPOP_S16_S31[0], VPOP_S16_S31[1]}) == 1 + 16);     // 1.3 FPU VPOP floats: 1+N
  CHECK(p.cycles({VSTMIA_S0_S3[0], VSTMIA_S0_S3[1]}) == 1 + 4);      // VSTM floats: 1+N, as VLDM (1.3)
  CHECK(p.cycles({VPUSH_S16_S31[0], VPUSH_S16_S31[1]}) == 1 + 16);   // VPUSH floats: 1+N
  CHECK(p.cycles({VPOP_D8_D15[0], VPOP_D8_D15[1]}) == 1 + 2 * 8);    // 1.3 FPU VPOP doubles: 1+2N
}

TEST_CASE("Cortex-M7: dual issue of independent pairs, load-use stall, branch prediction, FP latencies") {
  Pricer p(CoreKind::M7);
  // 1.4 dual-issue superscalar, 1.7 issue width 2 with two ALUs: an independent pair issues in one cycle.
  CHECK(p.cycles({ADDS_R0_1, ADDS_R1_4}) == 1);
  CHECK(p.cycles({ADDS_R0_1, ADDS_R1_4, ADDS_R2_1, ADDS_R3_1}) == 2); // two pairs
  CHECK(p.cycles({ADDS_R0_1, ADDS_R1_4, ADDS_R2_1}) == 2);            // a pair, then one alone
  CHECK(p.cycles({ADDS_R0_1, ADDS_R0_1}) == 2);                       // dependent: no pairing
  CHECK(p.cycles({LDR_R0_R1, LDR_R2_R3}) == 1);                       // 1.7 two load pipes, loads 1
  // 1.7 LoadLatency 2 (best-case load-use): the user of a load waits one cycle.
  CHECK(p.cycles({LDR_R0_R1, ADDS_R0_1}) == 1 + 1 + 1);
  CHECK(p.cycles({VDIV[0], VDIV[1]}) == 16);   // 1.7 VDIV 16
  CHECK(p.cycles({VDIVD[0], VDIVD[1]}) == 30); // 1.7 VDIV D 30
  // 1.4 BTAC, approximated as backward-taken / forward-not-taken; 1.7 mispredict penalty 4.
  auto back = p.price({ADDS_R0_1, BNE_BACK});
  CHECK(back.taken_extra == 0);
  CHECK(back.fallthrough_extra == 4);
  auto fwd = p.price({ADDS_R0_1, BNE_FWD});
  CHECK(fwd.taken_extra == 4);
  CHECK(fwd.fallthrough_extra == 0);
  CHECK(p.cycles({BX_LR}) == 1 + 4); // a register branch is not predicted: 1 + penalty 4 (docs/accuracy.md)
}

TEST_CASE("Cortex-M33: branches resolved in stage 2, no address-dependence stall") {
  Pricer p(CoreKind::M33);
  CHECK(p.cycles({LDR_R0_R1, LDR_R2_R3}) == 3);  // as the M4 (1.5, 1.7 M4 model)
  CHECK(p.cycles({ADDS_R1_4, LDR_R0_R1}) == 3);  // 1.5 address generation in stage 2: no stall
  CHECK(p.cycles({B_FWD}) == 2);                 // 1.5 branches in stage 2: 1+P, P = 1
  auto c = p.price({ADDS_R0_1, BNE_BACK});
  CHECK(c.cycles == 2);
  CHECK(c.taken_extra == 1); // 1.5: P = 1
  CHECK(p.cycles({VDIV[0], VDIV[1]}) == 14); // as the M4 FPU (1.7 VDIV 14)
}
