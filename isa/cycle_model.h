/// \file
/// The per-core cycle model: prices a block from its decoded instructions
/// (LLVM MC), the core's timing table and the memory system's static costs
/// (asked through isa::MemoryTiming).
#pragma once

#include "base/device.h"
#include "isa/core_timing.h"
#include "isa/decoder.h"
#include "isa/divide_operands.h"
#include "isa/memory_timing.h"
#include "isa/timing.h"

#include <memory>
#include <vector>

namespace mcusim::isa {

class CycleModel final : public TimingModel {
public:
  /// `memory` must outlive the model.
  static Expected<std::unique_ptr<CycleModel>> create(const Device &device, const MemoryTiming &memory);
  const char *name() const override { return "core"; }
  BlockCost price_block(const uint8_t *code, uint32_t addr, uint32_t size, const BlockContext &ctx) override;
  const std::vector<uint16_t> *prefix(uint32_t index) const override {
    return index < prefixes_.size() ? &prefixes_[index] : nullptr;
  }
  const DivideProgram *divide_program(uint32_t index) const override {
    return index < divides_.size() && !divides_[index].sites.empty() ? &divides_[index] : nullptr;
  }
  const CoreTiming *core_timing() const override { return timing_; }
  /// Decoded instructions of a block (for tests and diagnostics).
  std::vector<DecodedInsn> decode_block(const uint8_t *code, uint32_t addr, uint32_t size) const;

private:
  CycleModel() = default;
  std::unique_ptr<Decoder> decoder_;
  const CoreTiming *timing_ = nullptr;
  const MemoryTiming *memory_ = nullptr;
  std::vector<std::vector<uint16_t>> prefixes_;
  std::vector<DivideProgram> divides_; ///< parallel to prefixes_ (empty for blocks without divides)
};

} // namespace mcusim::isa
