/// \file
/// Per-core timing tables: cycles per instruction class and the pipeline
/// parameters the block pricer applies. Data only: one table per core in
/// core_timing.cpp, each citing its source (see docs/accuracy.md).
#pragma once

#include "base/device.h"
#include "isa/decoder.h"

#include <cstdint>

namespace mcusim::isa {

/// Issue cycles of each instruction class at zero wait states, one named field
/// per class (in the order of InsnClass). For classes that transfer a register
/// list (LDM/STM/PUSH/POP/VLDM/VSTM) the figure is the cost before the
/// `per_reg` cycles of each register. Unconditional branches include the
/// pipeline refill; a conditional branch here is its not-taken cost.
struct ClassCycles {
  uint8_t alu = 1, alu_pc = 1;
  uint8_t mul = 1, mac = 1, mul_long = 1, mac_long = 1, div = 1, dsp = 1;
  uint8_t load = 1, load_literal = 1, load_pc = 1, load_dual = 1;
  uint8_t store = 1, store_reg = 1, store_dual = 1;
  uint8_t load_multiple = 1, pop_pc = 1, store_multiple = 1;
  uint8_t branch = 1, cond_branch = 1, branch_link = 1, branch_reg = 1, table_branch = 1;
  uint8_t it = 1, nop = 1, sleep = 1, barrier = 1, system = 1;
  uint8_t fp_alu = 1, fp_alu_d = 1, fp_mac = 1, fp_mac_d = 1, fp_div = 1, fp_sqrt = 1, fp_div_d = 1;
  uint8_t fp_load = 1, fp_load_d = 1, fp_store = 1, fp_load_multiple = 1, fp_store_multiple = 1;
  uint8_t fp_mov_core = 1, fp_sys = 1;
  uint8_t unknown = 1;      ///< bytes LLVM cannot decode
  uint8_t unclassified = 1; ///< an opcode missing from isa/opcode_classes.def (a test failure)

  /// The figure of a class.
  constexpr uint8_t operator[](InsnClass c) const {
    using C = InsnClass;
    switch (c) {
    case C::Alu: return alu;
    case C::AluPc: return alu_pc;
    case C::Mul: return mul;
    case C::Mac: return mac;
    case C::MulLong: return mul_long;
    case C::MacLong: return mac_long;
    case C::Div: return div;
    case C::Dsp: return dsp;
    case C::Load: return load;
    case C::LoadLiteral: return load_literal;
    case C::LoadPc: return load_pc;
    case C::LoadDual: return load_dual;
    case C::Store: return store;
    case C::StoreReg: return store_reg;
    case C::StoreDual: return store_dual;
    case C::LoadMultiple: return load_multiple;
    case C::PopPc: return pop_pc;
    case C::StoreMultiple: return store_multiple;
    case C::Branch: return branch;
    case C::CondBranch: return cond_branch;
    case C::BranchLink: return branch_link;
    case C::BranchReg: return branch_reg;
    case C::TableBranch: return table_branch;
    case C::It: return it;
    case C::Nop: return nop;
    case C::Sleep: return sleep;
    case C::Barrier: return barrier;
    case C::System: return system;
    case C::FpAlu: return fp_alu;
    case C::FpAluD: return fp_alu_d;
    case C::FpMac: return fp_mac;
    case C::FpMacD: return fp_mac_d;
    case C::FpDiv: return fp_div;
    case C::FpSqrt: return fp_sqrt;
    case C::FpDivD: return fp_div_d;
    case C::FpLoad: return fp_load;
    case C::FpLoadD: return fp_load_d;
    case C::FpStore: return fp_store;
    case C::FpLoadMultiple: return fp_load_multiple;
    case C::FpStoreMultiple: return fp_store_multiple;
    case C::FpMovCore: return fp_mov_core;
    case C::FpSys: return fp_sys;
    case C::Unknown: return unknown;
    case C::Unclassified:
    case C::kNumClasses: break;
    }
    return unclassified;
  }
};

/// One core's timing: class cycles and pipeline parameters. Tables are written
/// with designated initialisers, one named figure per line with its source.
struct CoreTiming {
  const char *name = "";
  const char *source = "";
  ClassCycles cycles;
  uint8_t per_reg = 1;              ///< cycles per transferred register
  uint8_t branch_refill = 0;        ///< P: extra cycles of a taken conditional branch
  bool load_pipelining = false;     ///< LDR then independent LDR/STR: the second saves a cycle (M3/M4)
  bool agu_stall = false;           ///< load/store whose base the previous ALU op wrote: +1 (M3/M4)
  uint8_t load_use_stall = 0;       ///< cycles when the next instruction uses a loaded register (M7)
  bool dual_issue = false;          ///< pairs of simple instructions issue together (M7)
  bool predict_backward_taken = false; ///< static prediction: backward taken, forward not taken (M7 BTAC approximation)
  uint8_t mispredict_penalty = 0;   ///< extra cycles of a mispredicted branch (with prediction)
  uint8_t div_min = 1, div_max = 1; ///< SDIV/UDIV early termination range
  uint8_t div_bits_per_cycle = 1;   ///< quotient bits retired per cycle beyond div_min
  uint8_t exc_entry = 0, exc_exit = 0, tail_chain = 0, fp_frame_extra = 0; ///< exception timing
  bool single_cycle_io = false;     ///< loads/stores to a single-cycle I/O region take 1 cycle (M0+ IOPORT)
};

/// The table for a core; `small_multiplier` selects the 32-cycle MULS option of the M0+.
const CoreTiming &timing_for(CoreKind core, bool small_multiplier = false);

/// Cycles of SDIV/UDIV with these operands (early termination).
unsigned divide_cycles(const CoreTiming &t, uint32_t dividend, uint32_t divisor, bool is_signed);

} // namespace mcusim::isa
