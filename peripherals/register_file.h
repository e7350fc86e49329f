/// \file
/// A peripheral block's registers as data: one 32-bit word per offset, set
/// to the documented reset values, written with the data's read-only and
/// write-1-to-clear masks. Offsets the data does not list are stored too
/// (reset value 0) and named by offset ("RCC+0x088").
#pragma once

#include "base/device.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mcusim::peripherals {

class RegisterFile {
public:
  explicit RegisterFile(const PeripheralDesc &desc);
  /// Every register to its reset value (unlisted words to 0).
  void reset();
  /// The stored word at `offset` (a multiple of 4 inside the block).
  uint32_t read(uint32_t offset) const { return words_[offset / 4]; }
  /// A bus write of `value` to the bytes in `mask`: read-only bits are kept,
  /// w1c bits written 1 are cleared (0 leaves them), the rest are replaced.
  void write(uint32_t offset, uint32_t value, uint32_t mask);
  /// A model's own update: sets the word, masks ignored.
  void set(uint32_t offset, uint32_t value) { words_[offset / 4] = value; }
  void set_bits(uint32_t offset, uint32_t bits, bool on) { words_[offset / 4] = on ? read(offset) | bits : read(offset) & ~bits; }
  /// The data's register at `offset`, or nullptr.
  const PeripheralRegisterDesc *describe(uint32_t offset) const;
  /// "PLLSAI1CFGR", or "+0x088" for an unlisted offset.
  std::string name_of(uint32_t offset) const;
  uint32_t size() const { return uint32_t(words_.size() * 4); }

private:
  const PeripheralDesc &desc_;
  std::vector<uint32_t> words_;
  std::vector<int> index_; ///< per word: its register in desc_.registers, or -1
};

} // namespace mcusim::peripherals
