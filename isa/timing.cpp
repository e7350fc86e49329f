/// \file
/// The unit timing model and the shared block scanner.
#include "isa/timing.h"
#include "isa/thumb.h"

#include <algorithm>
#include <cstring>

namespace mcusim::isa {

BlockCost scan_block(const uint8_t *code, uint32_t size) {
  BlockCost c;
  if (!code) {
    c.insns = size / 2 ? size / 2 : 1; // unknown bytes: assume 16-bit instructions
    return c;
  }
  uint32_t off = 0;
  uint16_t first1 = 0, first2 = 0;
  uint32_t last_off = 0;
  while (off + 2 <= size) {
    uint16_t hw;
    std::memcpy(&hw, code + off, 2);
    last_off = off;
    if (c.insns == 0) {
      first1 = hw;
      if (is32(hw) && off + 4 <= size) std::memcpy(&first2, code + off + 2, 2);
    }
    if (is32(hw) && off + 4 <= size) {
      uint16_t hw2;
      std::memcpy(&hw2, code + off + 2, 2);
      if (is_fp(hw, hw2) && !(c.flags & kBlockHasFp)) {
        c.flags |= kBlockHasFp;
        c.fp_index = uint8_t(std::min<uint32_t>(c.insns, 0xFE));
      }
      if (auto rm = divide_rm(hw, hw2); rm && !(c.flags & kBlockHasDiv) && c.insns < 0xFF) {
        c.flags |= kBlockHasDiv;
        c.div_index = uint8_t(c.insns);
        c.div_rn = uint8_t(hw & 0xF);
        c.div_rm = uint8_t(*rm);
        c.div_flags = (hw & 0xFFF0) == 0xFB90 ? kDivSigned : 0;
      }
    }
    off += is32(hw) ? 4 : 2;
    ++c.insns;
  }
  if (c.insns == 1 && is_self_branch(first1, first2)) c.flags |= kBlockSelfLoop;
  // The last instruction: BL (32-bit, F000 D000 pattern) or BLX Rm ends in a call.
  if (last_off + 2 <= size) {
    uint16_t h1, h2 = 0;
    std::memcpy(&h1, code + last_off, 2);
    if (is32(h1) && last_off + 4 <= size) std::memcpy(&h2, code + last_off + 2, 2);
    if ((!is32(h1) && (h1 & 0xFF87) == 0x4780) || ((h1 & 0xF800) == 0xF000 && (h2 & 0xD000) == 0xD000)) c.end = kEndCall;
  }
  return c;
}

namespace {
class UnitTiming final : public TimingModel {
public:
  const char *name() const override { return "none"; }
  BlockCost price_block(const uint8_t *code, uint32_t addr, uint32_t size, const BlockContext &) override {
    BlockCost c = scan_block(code, size);
    c.cycles = c.insns;
    c.fallthrough = addr + size;
    return c;
  }
};
} // namespace

std::unique_ptr<TimingModel> make_unit_timing() { return std::make_unique<UnitTiming>(); }

} // namespace mcusim::isa
