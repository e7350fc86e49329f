/// \file
/// The operands of the divides of a block, from the block's own data flow.
///
/// A divide's cost depends on its operands (isa::divide_cycles). When they are
/// computed earlier in the same block, the registers at block entry do not
/// hold them. A DivideProgram is the block's straight-line code up to its last
/// divide, reduced to the operations it can follow exactly (moves and
/// immediates, add/subtract/reverse-subtract, multiplies, logic, shifts,
/// extends, compares feeding IT-predicated moves, loads from memory that no
/// earlier store of the block may have written, and the divides themselves).
/// The run loop evaluates it once per execution of the block, in the block
/// hook, from the registers at entry: every divide it can follow is priced
/// from the values it actually sees, every time, with no per-instruction
/// hook. A divide whose operands depend on anything else (an instruction the
/// program does not follow, a load after a store it cannot place, a
/// predicated instruction whose condition it cannot know) keeps the estimate
/// made at the block's first execution.
#pragma once

#include "isa/core_timing.h"
#include "isa/decoder.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace mcusim::isa {

/// One step of a divide program.
struct OperandOp {
  enum Kind : uint8_t {
    Const,   ///< rd = imm
    Alu,     ///< rd = alu(op, a, b), b = rm shifted (or imm)
    Mul,     ///< rd = rn * rm (+ ra, - for MLS)
    Extend,  ///< rd = extend(rm ror rot)
    Movt,    ///< rd = (rd & 0xFFFF) | imm << 16
    Load,    ///< rd = memory at the instruction's address (hw1/hw2 evaluated with thumb::mem_access)
    Store,   ///< a store the later loads must not overlap
    Divide,  ///< rd = rn / rm; the site `site` is priced from rn and rm
  };
  enum AluOp : uint8_t { And, Bic, Orr, Orn, Eor, Add, Sub, Rsb, Mov, Mvn, Lsl, Lsr, Asr, Ror };
  uint8_t kind = Const;
  uint8_t op = 0;          ///< AluOp; Mul: 0 MUL, 1 MLA, 2 MLS; Extend: 0 UXTB 1 UXTH 2 SXTB 3 SXTH; Load: 1 = sign-extend
  uint8_t rd = 0, rn = 0, rm = 0, ra = 0;
  bool b_imm = false;      ///< Alu: the second operand is `imm`, not rm
  uint8_t shift = 0;       ///< Alu: shift type of rm (0 LSL, 1 LSR, 2 ASR, 3 ROR); Extend: rotation
  uint8_t amount = 0;      ///< Alu: shift amount of rm (immediate)
  bool shift_by_reg = false; ///< Alu Lsl/Lsr/Asr/Ror: the amount is rm's low byte
  uint8_t flags = 0;       ///< 1: sets NZCV from an add/subtract (CMP/CMN/ADDS/SUBS), 2: sets NZ only, 4: no result (CMP/CMN)
  uint8_t cond = 0xE;      ///< condition (IT block); 0xE always
  uint8_t site = 0;        ///< Divide: index into DivideProgram::sites; also 1 = signed in `op`
  uint32_t imm = 0;
  uint16_t hw1 = 0, hw2 = 0; ///< Load/Store: the encoding
  uint32_t pc = 0;           ///< Load/Store: the instruction's address
  uint16_t uses = 0;         ///< registers it reads (r0-r14)
};

struct DivideSite {
  uint8_t index = 0;       ///< instruction index in the block
  bool exact = false;      ///< the program follows its operands
  uint8_t estimate = 0;    ///< extra cycles (over div_min) charged when not exact, or when evaluation fails
};

struct DivideProgram {
  std::vector<OperandOp> ops;
  std::vector<DivideSite> sites;
  uint16_t entry_regs = 0; ///< registers (r0-r14) read at block entry
};

/// Read `len` (1, 2 or 4) bytes of plain memory; nullopt for anything else
/// (peripherals, unmapped): the evaluation then falls back to the estimates.
using ReadMemory = std::optional<uint32_t> (*)(void *ctx, uint32_t addr, unsigned len);

/// The program of a decoded block (`code` holds its bytes, at `addr`).
/// `entry` (may be null) are the registers at the first execution, for the
/// estimates.
DivideProgram build_divide_program(const std::vector<DecodedInsn> &insns, const uint8_t *code, uint32_t addr,
                                   const CoreTiming &t, const std::array<uint32_t, 16> *entry, ReadMemory read, void *read_ctx);

/// Evaluate the program from the registers at block entry (`regs`, r15
/// ignored): writes the extra cycles over div_min of each exact site to
/// `extra` (one per site; 0 for a site that is not exact, whose estimate is
/// part of the block's static cost) and returns their sum. When a load cannot
/// be evaluated, the exact sites get their estimates.
uint32_t evaluate_divides(const DivideProgram &p, const CoreTiming &t, std::array<uint32_t, 16> regs, ReadMemory read,
                          void *read_ctx, uint8_t *extra);

} // namespace mcusim::isa
