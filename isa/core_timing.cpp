/// \file
/// Timing tables per core. Figures from ../shared/reference/figures.md
/// (section 1) and the documents it cites; where a figure is approximated,
/// docs/accuracy.md says so.
#include "isa/core_timing.h"

#include <bit>

namespace mcusim::isa {

namespace {
using C = InsnClass;
constexpr size_t N = size_t(C::kNumClasses);

struct Row {
  C cls;
  uint8_t cycles;
};
constexpr std::array<uint8_t, N> table(std::initializer_list<Row> rows, uint8_t fallback = 1) {
  std::array<uint8_t, N> t{};
  for (auto &v : t) v = fallback;
  for (const auto &r : rows) t[size_t(r.cls)] = r.cycles;
  return t;
}

// Cortex-M0+: Cortex-M0+ TRM DDI0484C Table 3.1 (2-stage pipeline).
const CoreTiming kM0plus = {
    "cortex-m0plus",
    "Cortex-M0+ TRM DDI0484C Table 3.1 (figures.md 1.1): ALU 1, MOV/ADD PC 2, MULS 1 or 32, loads/stores 2, "
    "B 2, Bcc 1 (+1 taken), BL 3, BX/BLX 2, LDM/STM/PUSH/POP 1+N, POP {PC} 3+N; DMB/DSB/ISB 3, MRS/MSR 3 "
    "(TRM table, [UNVERIFIED] rows); exception entry 15 cycles (DDI0484C 3.6.1)",
    table({{C::AluPc, 2}, {C::Mul, 1}, {C::Load, 2}, {C::LoadLiteral, 2}, {C::LoadPc, 4}, {C::Store, 2}, {C::StoreReg, 2},
           {C::LoadMultiple, 1}, {C::PopPc, 3}, {C::StoreMultiple, 1}, {C::Branch, 2}, {C::CondBranch, 1},
           {C::BranchLink, 3}, {C::BranchReg, 2}, {C::Barrier, 3}, {C::System, 3}, {C::It, 1}, {C::Unknown, 1}}),
    1, 1, false, false, 0, false, false, 0, 1, 1, 1, 15, 10, 6, 0, true};

// Cortex-M3: TRM DDI0337 Table 3-1 and "Load/store timings" (figures.md 1.2).
const CoreTiming kM3 = {
    "cortex-m3",
    "Cortex-M3 TRM DDI0337 Table 3-1 and load/store timings (figures.md 1.2): ALU 1, MUL 1, MLA/MLS 2, "
    "SMULL/UMULL 3-5 (3 used), SMLAL/UMLAL 4-7 (4 used), SDIV/UDIV 2-12, LDR 2 pipelined, STR 1 (write buffer), "
    "STR register offset 2, LDM/STM 1+N, branch 1+P with P = 2, LDR PC 5, TBB/TBH 6; exception entry 12, "
    "exit 10, tail-chain 6 (Arm KA 103489845)",
    table({{C::AluPc, 3}, {C::Mul, 1}, {C::Mac, 2}, {C::MulLong, 3}, {C::MacLong, 4}, {C::Div, 2}, {C::Load, 2},
           {C::LoadLiteral, 2}, {C::LoadPc, 5}, {C::LoadDual, 3}, {C::Store, 1}, {C::StoreReg, 2}, {C::StoreDual, 3},
           {C::LoadMultiple, 1}, {C::PopPc, 3}, {C::StoreMultiple, 1}, {C::Branch, 3}, {C::CondBranch, 1},
           {C::BranchLink, 3}, {C::BranchReg, 3}, {C::TableBranch, 6}, {C::It, 0}, {C::Barrier, 1}, {C::System, 1}}),
    1, 2, true, true, 0, false, false, 0, 2, 12, 3, 12, 10, 6, 0};

// Cortex-M4/M4F: TRM 100166 Table 3-1, FPU table (TI SWCU192 Table 3-27) (figures.md 1.3).
const CoreTiming kM4 = {
    "cortex-m4",
    "Cortex-M4 TRM 100166_0001_00 Table 3-1 (figures.md 1.3): single-cycle MUL/MAC/long multiplies and DSP SIMD, "
    "SDIV/UDIV 2-12, load/store pipelining as the M3, branch 1+P with P = 2, IT folded; FPv4-SP (SWCU192 "
    "Table 3-27): VADD/VMUL 1, VMLA/VFMA 3, VDIV/VSQRT 14, VLDR 2 (double 3), VLDM 1+N, VMOV two core regs 2; "
    "exception entry 12 (+17 FP frame), exit 10, tail-chain 6 (Arm KA 103489845)",
    table({{C::AluPc, 3}, {C::Mul, 1}, {C::Mac, 1}, {C::MulLong, 1}, {C::MacLong, 1}, {C::Div, 2}, {C::Dsp, 1},
           {C::Load, 2}, {C::LoadLiteral, 2}, {C::LoadPc, 5}, {C::LoadDual, 3}, {C::Store, 1}, {C::StoreReg, 2},
           {C::StoreDual, 3}, {C::LoadMultiple, 1}, {C::PopPc, 3}, {C::StoreMultiple, 1}, {C::Branch, 3},
           {C::CondBranch, 1}, {C::BranchLink, 3}, {C::BranchReg, 3}, {C::TableBranch, 6}, {C::It, 0},
           {C::Barrier, 1}, {C::System, 1}, {C::FpAlu, 1}, {C::FpMac, 3}, {C::FpDiv, 14}, {C::FpSqrt, 14},
           {C::FpLoad, 2}, {C::FpLoadD, 3}, {C::FpStore, 2}, {C::FpLoadMultiple, 1}, {C::FpStoreMultiple, 1},
           {C::FpMovCore, 2}, {C::FpSys, 1}}),
    1, 2, true, true, 0, false, false, 0, 2, 12, 3, 12, 10, 6, 17};

// Cortex-M7: no public cycle table; LLVM ARMScheduleM7.td and ST/Arm material (figures.md 1.4, 1.7).
const CoreTiming kM7 = {
    "cortex-m7",
    "No Arm cycle table exists for the Cortex-M7 (figures.md 1.4); approximated from LLVM ARMScheduleM7.td "
    "(figures.md 1.7): dual issue of simple instructions, loads 1 with a 1-cycle load-use stall, stores 1, "
    "MUL/MAC 1 issue, DIV 7 fixed per LLVM (2-12 early-terminating used here, as M4), branch prediction "
    "approximated as backward-taken/forward-not-taken with a 4-cycle mispredict penalty (LLVM "
    "MispredictPenalty); a register branch (BX, BLX Rm) cannot be predicted statically and costs 1 + that penalty; "
    "FP ALU/MUL 1 issue, VMLA/VFMA 3, VDIV/VSQRT 16 (double 30); exception entry 12 "
    "[UNVERIFIED]",
    table({{C::AluPc, 4}, {C::Mul, 1}, {C::Mac, 1}, {C::MulLong, 1}, {C::MacLong, 1}, {C::Div, 2}, {C::Dsp, 1},
           {C::Load, 1}, {C::LoadLiteral, 1}, {C::LoadPc, 4}, {C::LoadDual, 2}, {C::Store, 1}, {C::StoreReg, 1},
           {C::StoreDual, 2}, {C::LoadMultiple, 1}, {C::PopPc, 2}, {C::StoreMultiple, 1}, {C::Branch, 1},
           {C::CondBranch, 1}, {C::BranchLink, 1}, {C::BranchReg, 5}, {C::TableBranch, 5}, {C::It, 0},
           {C::Barrier, 2}, {C::System, 2}, {C::FpAlu, 1}, {C::FpAluD, 2}, {C::FpMac, 3}, {C::FpMacD, 6},
           {C::FpDiv, 16}, {C::FpSqrt, 16}, {C::FpDivD, 30}, {C::FpLoad, 1}, {C::FpLoadD, 2}, {C::FpStore, 1},
           {C::FpLoadMultiple, 1}, {C::FpStoreMultiple, 1}, {C::FpMovCore, 1}, {C::FpSys, 1}}),
    1, 4, false, false, 1, true, true, 4, 2, 12, 3, 12, 10, 6, 17};

// Cortex-M33: 3-stage pipeline (figures.md 1.5): branches resolved in stage 2 (P = 1), loads start in
// stage 2; otherwise the M4 figures (LLVM schedules the M33 with the M4 model, figures.md 1.7).
const CoreTiming kM33 = {
    "cortex-m33",
    "Cortex-M33 3-stage pipeline (figures.md 1.5, [2ND]): branches resolved in stage 2 so a taken branch costs "
    "1+P with P = 1, load address generation in stage 2 so no stall on an address produced by the previous ALU "
    "instruction; other figures as the Cortex-M4 (LLVM models the M33 with the M4 model, figures.md 1.7); "
    "exception entry 12 within one security state",
    table({{C::AluPc, 2}, {C::Mul, 1}, {C::Mac, 1}, {C::MulLong, 1}, {C::MacLong, 1}, {C::Div, 2}, {C::Dsp, 1},
           {C::Load, 2}, {C::LoadLiteral, 2}, {C::LoadPc, 4}, {C::LoadDual, 3}, {C::Store, 1}, {C::StoreReg, 2},
           {C::StoreDual, 3}, {C::LoadMultiple, 1}, {C::PopPc, 2}, {C::StoreMultiple, 1}, {C::Branch, 2},
           {C::CondBranch, 1}, {C::BranchLink, 2}, {C::BranchReg, 2}, {C::TableBranch, 5}, {C::It, 0},
           {C::Barrier, 1}, {C::System, 1}, {C::FpAlu, 1}, {C::FpMac, 3}, {C::FpDiv, 14}, {C::FpSqrt, 14},
           {C::FpLoad, 2}, {C::FpLoadD, 3}, {C::FpStore, 2}, {C::FpLoadMultiple, 1}, {C::FpStoreMultiple, 1},
           {C::FpMovCore, 2}, {C::FpSys, 1}}),
    1, 1, true, false, 0, false, false, 0, 2, 12, 3, 12, 10, 6, 17};

CoreTiming make_small_multiplier(CoreTiming t) {
  t.cycles[size_t(C::Mul)] = 32;
  return t;
}
const CoreTiming kM0plusSmallMul = make_small_multiplier(kM0plus);
} // namespace

const CoreTiming &timing_for(CoreKind core, bool small_multiplier) {
  switch (core) {
  case CoreKind::M0plus: return small_multiplier ? kM0plusSmallMul : kM0plus;
  case CoreKind::M3: return kM3;
  case CoreKind::M4:
  case CoreKind::M4F: return kM4;
  case CoreKind::M7: return kM7;
  case CoreKind::M33: return kM33;
  }
  return kM4;
}

unsigned divide_cycles(const CoreTiming &t, uint32_t n, uint32_t d, bool is_signed) {
  if (is_signed) {
    n = int32_t(n) < 0 ? uint32_t(-int64_t(int32_t(n))) : n;
    d = int32_t(d) < 0 ? uint32_t(-int64_t(int32_t(d))) : d;
  }
  if (d == 0 || n < d) return t.div_min;
  // Quotient bits to produce: the significant bits of n beyond those of d, plus one.
  unsigned bits = unsigned(std::countl_zero(d) - std::countl_zero(n)) + 1;
  unsigned c = t.div_min + (bits + t.div_bits_per_cycle - 1) / t.div_bits_per_cycle;
  return c > t.div_max ? t.div_max : c;
}

} // namespace mcusim::isa
