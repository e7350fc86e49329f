/// \file
/// Per-core timing tables: cycles per instruction class and the pipeline
/// parameters the block pricer applies. Data only: one table per core in
/// core_timing.cpp, each citing its source (see docs/accuracy.md).
#pragma once

#include "core/device.h"
#include "isa/decoder.h"

#include <array>
#include <cstdint>

namespace mcusim::isa {

struct CoreTiming {
  const char *name;
  const char *source;
  /// Issue cycles per class at zero wait states. For classes that transfer a
  /// register list (LDM/STM/PUSH/POP/VLDM/VSTM) this is the cost before the
  /// `per_reg` cycles of each register. Unconditional branches include the
  /// pipeline refill; a conditional branch here is its not-taken cost.
  std::array<uint8_t, size_t(InsnClass::kNumClasses)> cycles;
  uint8_t per_reg;            ///< cycles per transferred register
  uint8_t branch_refill;      ///< P: extra cycles of a taken conditional branch
  bool load_pipelining;       ///< LDR then independent LDR/STR: the second saves a cycle (M3/M4)
  bool agu_stall;             ///< load/store whose base the previous ALU op wrote: +1 (M3/M4)
  uint8_t load_use_stall;     ///< cycles when the next instruction uses a loaded register (M7)
  bool dual_issue;            ///< pairs of simple instructions issue together (M7)
  bool predict_backward_taken;///< static prediction: backward taken, forward not taken (M7 BTAC approximation)
  uint8_t mispredict_penalty; ///< extra cycles of a mispredicted branch (with prediction)
  uint8_t div_min, div_max;   ///< SDIV/UDIV early termination range
  uint8_t div_bits_per_cycle; ///< quotient bits retired per cycle beyond div_min
  uint8_t exc_entry, exc_exit, tail_chain, fp_frame_extra; ///< exception timing
  bool single_cycle_io = false; ///< loads/stores to a single-cycle I/O region take 1 cycle (M0+ IOPORT)
};

/// The table for a core; `small_multiplier` selects the 32-cycle MULS option of the M0+.
const CoreTiming &timing_for(CoreKind core, bool small_multiplier = false);

/// Cycles of SDIV/UDIV with these operands (early termination).
unsigned divide_cycles(const CoreTiming &t, uint32_t dividend, uint32_t divisor, bool is_signed);

} // namespace mcusim::isa
