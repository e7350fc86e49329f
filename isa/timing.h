/// \file
/// Block pricing: the interface between the run loop and a timing model.
/// A model prices a translated block once (its static part); the run loop
/// caches the result and adds it on every execution of the block. What is
/// dynamic stays small and explicit: whether the block's final branch was
/// taken (known at the next block), the operands of its divides (evaluated
/// from the registers at block entry through the block's own data flow,
/// isa/divide_operands.h), and the instruction-cache state of the lines the
/// block is fetched from.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mcusim::isa {

struct CoreTiming;
struct DivideProgram;

enum BlockFlags : uint32_t {
  kBlockSelfLoop = 1u << 0, ///< the block is a single "b ." (idle loop)
  kBlockHasFp = 1u << 1,    ///< the block holds a floating-point (CP10/CP11) instruction
  kBlockFetchLines = 1u << 2, ///< the block is fetched through an instruction cache (see first_line/lines)
  kBlockHasDiv = 1u << 3,     ///< the block holds SDIV/UDIV (see div_*)
};

/// How a block ends, for call tracking (kept apart from `flags`, which
/// select the hook's slow path).
enum BlockEnd : uint8_t { kEndOther = 0, kEndCall = 1 };

/// div_flags bits
enum : uint8_t {
  kDivSigned = 1,  ///< SDIV
  kDivDynamic = 2, ///< some divide is priced at every execution (TimingModel::divide_program)
};

struct BlockCost {
  uint32_t insns = 0;
  uint32_t cycles = 0;          ///< static cycles (incl. not-cached fetch and data wait states)
  uint32_t flags = 0;
  uint32_t fallthrough = 0;     ///< address after the block
  uint16_t taken_extra = 0;     ///< added at the next block if it is not the fallthrough
  uint16_t fallthrough_extra = 0; ///< added at the next block if it is the fallthrough
  uint32_t first_line = 0;      ///< first instruction-cache line (address / line size)
  uint16_t lines = 0;           ///< instruction-cache lines the block spans
  uint16_t line_miss = 0;       ///< stall of one missed line
  uint32_t prefix = UINT32_MAX; ///< index of the per-instruction start offsets (exact DWT/SysTick reads) and of the divide program
  uint8_t div_index = 0xFF;     ///< instruction index of the first SDIV/UDIV
  uint8_t div_rn = 0, div_rm = 0, div_flags = 0;
  uint8_t fp_index = 0xFF;      ///< instruction index of the first FP instruction
  uint8_t end = kEndOther;      ///< kEndCall: the block ends in BL/BLX
};

/// What the pricer may know about the block's first execution.
struct BlockContext {
  const std::array<uint32_t, 16> *regs = nullptr;           ///< register values at block entry
  std::function<std::optional<uint32_t>(uint32_t)> read32;  ///< guest memory (literal pools)
};

class TimingModel {
public:
  virtual ~TimingModel() = default;
  virtual const char *name() const = 0;
  /// Price the block of `size` bytes at `addr`; `code` points at its bytes
  /// (nullptr if the block is not in host-visible memory).
  virtual BlockCost price_block(const uint8_t *code, uint32_t addr, uint32_t size, const BlockContext &ctx) = 0;
  /// Start offsets (static cycles) of each instruction of a priced block,
  /// then one more entry: the end of the last instruction.
  virtual const std::vector<uint16_t> *prefix(uint32_t index) const { return nullptr; }
  /// The divide program of a block with kDivDynamic (BlockCost::prefix is the index).
  virtual const DivideProgram *divide_program(uint32_t index) const { return nullptr; }
  /// The core's table, when the model prices by core (exceptions, divides).
  virtual const CoreTiming *core_timing() const { return nullptr; }
};

/// One cycle per instruction, counted from the block's bytes.
std::unique_ptr<TimingModel> make_unit_timing();

/// Count instructions and detect idle loops in a block (shared by models).
BlockCost scan_block(const uint8_t *code, uint32_t size);

} // namespace mcusim::isa
