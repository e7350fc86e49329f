/// \file
/// Instruction decoding through LLVM MC: each Thumb instruction is decoded
/// once (when its block is first priced) and mapped to an instruction class
/// that the per-core timing tables price.
#pragma once

#include "base/device.h"
#include "base/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcusim::isa {

/// Instruction classes the timing tables price. Keep kNumClasses last.
enum class InsnClass : uint8_t {
  Alu,          ///< data processing, moves, shifts, extends, bit field, CLZ, saturate
  AluPc,        ///< data processing that writes the PC (MOV PC / ADD PC)
  Mul,          ///< 32-bit multiply (MUL/MULS, SMUL*, SMMUL, dual 16-bit multiplies)
  Mac,          ///< multiply-accumulate (MLA, MLS, SMLA*, SMLAD, USADA8)
  MulLong,      ///< 64-bit result multiply (SMULL, UMULL)
  MacLong,      ///< 64-bit multiply-accumulate (SMLAL, UMLAL, UMAAL, SMLALD)
  Div,          ///< SDIV/UDIV (base cost; operand-dependent part added when executed)
  Dsp,          ///< DSP SIMD and saturating arithmetic (QADD, SADD16, SEL, USAD8)
  Load,         ///< LDR/LDRB/LDRH/LDRSB/LDRSH/LDREX (not to PC)
  LoadLiteral,  ///< LDR Rt, [PC, #imm]
  LoadPc,       ///< LDR PC, [...]
  LoadDual,     ///< LDRD
  Store,        ///< STR/STRB/STRH/STREX
  StoreReg,     ///< STR with a register offset (nothing pipelines after it)
  StoreDual,    ///< STRD
  LoadMultiple, ///< LDM/POP without PC (1+N)
  PopPc,        ///< LDM/POP with PC in the list
  StoreMultiple,///< STM/PUSH (1+N)
  Branch,       ///< B (unconditional)
  CondBranch,   ///< B<cond>, CBZ, CBNZ
  BranchLink,   ///< BL
  BranchReg,    ///< BX, BLX Rm
  TableBranch,  ///< TBB/TBH
  It,           ///< IT
  Nop,          ///< NOP, YIELD, SEV, hints
  Sleep,        ///< WFI/WFE
  Barrier,      ///< DMB/DSB/ISB
  System,       ///< MRS/MSR/CPS, SVC, BKPT, UDF
  FpAlu,        ///< VADD/VSUB/VMUL/VNMUL/VABS/VNEG/VCMP/VCVT/VMOV(float)
  FpAluD,       ///< double-precision VADD/VSUB/VMUL/... (Cortex-M7 DP)
  FpMac,        ///< VMLA/VMLS/VNMLA/VNMLS/VFMA/VFMS/VFNMA/VFNMS
  FpMacD,
  FpDiv,        ///< VDIV.F32
  FpSqrt,       ///< VSQRT.F32
  FpDivD,       ///< VDIV.F64 / VSQRT.F64
  FpLoad,       ///< VLDR single
  FpLoadD,      ///< VLDR double
  FpStore,      ///< VSTR
  FpLoadMultiple,  ///< VLDM/VPOP (1+N words)
  FpStoreMultiple, ///< VSTM/VPUSH (1+N words)
  FpMovCore,    ///< VMOV between two core registers and FP registers (2 cycles on M4)
  FpSys,        ///< VMRS/VMSR
  Unknown,      ///< bytes LLVM cannot decode (they fault when executed)
  Unclassified, ///< an opcode missing from isa/opcode_classes.def: a test failure, priced as one cycle
  kNumClasses
};
const char *class_name(InsnClass c);

struct DecodedInsn {
  uint32_t addr = 0;
  uint8_t size = 0;          ///< 2 or 4 bytes
  InsnClass cls = InsnClass::Unknown;
  uint8_t regs = 0;          ///< registers transferred by LDM/STM/PUSH/POP/VLDM/VSTM (words for VLDM/VSTM)
  int8_t dest = -1;          ///< first general-purpose register written (-1 none)
  uint16_t uses = 0;         ///< bit mask of general-purpose registers read
  uint16_t defs = 0;         ///< bit mask of general-purpose registers written
  int8_t base = -1;          ///< address base register of a load/store (-1 none)
  bool writeback = false;    ///< load/store updates its base register
  bool predicated = false;   ///< inside an IT block
  std::string_view mnemonic; ///< LLVM opcode name (static storage in LLVM), for diagnostics
};

class Decoder {
public:
  static Expected<std::unique_ptr<Decoder>> create(CoreKind core);
  ~Decoder();
  /// Decode one instruction at `addr` from `bytes` (at least 2 bytes, 4 if
  /// available). nullopt if the bytes are not a valid instruction for the core.
  std::optional<DecodedInsn> decode(const uint8_t *bytes, size_t avail, uint32_t addr) const;
  /// Forget IT-block state (call at the start of every block).
  void reset_it_state() const;
  const char *triple() const;

  struct Impl;

private:
  explicit Decoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The class of the LLVM opcode named exactly `name` (isa/opcode_classes.def);
/// InsnClass::Unclassified when the table does not list it.
InsnClass classify_opcode(std::string_view name);

/// Every opcode name of LLVM's ARM target that the table must list: the
/// non-pseudo opcodes with a Thumb encoding form or a VFP domain, except the
/// MVE vector domain (see isa/opcode_classes.def).
std::vector<std::string> thumb_opcode_names();

} // namespace mcusim::isa
