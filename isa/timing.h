/// \file
/// Block pricing: the interface between the run loop and a timing model.
/// A model prices a translated block once (static part); the run loop
/// caches the result and adds it on every execution of the block.
/// The unit model (one instruction = one cycle) is the model used until the
/// per-core cycle tables land; `--timing none` keeps it selectable.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace mcusim::isa {

enum BlockFlags : uint32_t {
  kBlockSelfLoop = 1u << 0, ///< the block is a single "b ." (idle loop)
  kBlockHasFp = 1u << 1,    ///< the block holds a floating-point (CP10/CP11) instruction
};

struct BlockCost {
  uint32_t insns = 0;
  uint32_t cycles = 0;
  uint32_t flags = 0;
};

class TimingModel {
public:
  virtual ~TimingModel() = default;
  virtual const char *name() const = 0;
  /// Price the block of `size` bytes at `addr`; `code` points at its bytes
  /// (nullptr if the block is not in host-visible memory).
  virtual BlockCost price_block(const uint8_t *code, uint32_t addr, uint32_t size) const = 0;
};

/// One cycle per instruction, counted from the block's bytes.
std::unique_ptr<TimingModel> make_unit_timing();

/// Count instructions and detect idle loops in a block (shared by models).
BlockCost scan_block(const uint8_t *code, uint32_t size);

} // namespace mcusim::isa
