/// \file
/// Small, table-free Thumb/Thumb-2 decoding the core needs before (and
/// besides) the LLVM MC decoder: instruction length, the memory access an
/// instruction makes (to find the exact faulting instruction of a block),
/// divide and floating-point instruction sites, and idle-loop detection.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace mcusim::isa {

/// True if the halfword starts a 32-bit Thumb-2 instruction.
inline bool is32(uint16_t hw1) { return (hw1 >> 11) >= 0x1D; }

/// The data memory access an instruction makes, given the register values
/// it sees (r[15] is the instruction's own address).
struct MemAccess {
  uint32_t addr = 0;
  uint32_t len = 0;
  bool write = false;
};
std::optional<MemAccess> mem_access(uint16_t hw1, uint16_t hw2, const std::array<uint32_t, 16> &r);

/// Base register of a load/store (SP for PUSH/POP, PC for literal loads).
std::optional<unsigned> mem_base(uint16_t hw1, uint16_t hw2);

/// Target of a conditional branch (B<cond> T1/T3, CBZ/CBNZ) at `pc`.
std::optional<uint32_t> cond_branch_target(uint16_t hw1, uint16_t hw2, uint32_t pc);

/// SDIV/UDIV: returns the divisor register number.
std::optional<unsigned> divide_rm(uint16_t hw1, uint16_t hw2);
/// SDIV/UDIV: the destination register number.
inline unsigned divide_rd(uint16_t hw2) { return (hw2 >> 8) & 0xF; }

/// A coprocessor 10/11 (floating point) instruction.
bool is_fp(uint16_t hw1, uint16_t hw2);

/// "b ." (16 or 32-bit): a branch to itself.
inline bool is_self_branch(uint16_t hw1, uint16_t hw2) {
  return hw1 == 0xE7FE || (hw1 == 0xF7FF && hw2 == 0xBFFE);
}

/// WFI/WFE ending just before `pc` (the halfwords at pc-2 / pc-4).
enum class SleepInsn { None, Wfi, Wfe };
SleepInsn sleep_insn_before(uint16_t at_minus4, uint16_t at_minus2);

} // namespace mcusim::isa
