/// \file
/// The entries of a firmware's vector table, as `mcusim info` lists them: the
/// table's real length (from the symbol or section that holds it), each
/// handler, and whether it points at Thumb code in executable memory.
#pragma once

#include "base/device.h"
#include "image/elf_image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mcusim {

struct VectorEntry {
  unsigned index = 0;  ///< 0 = initial SP, 1 = Reset, 16 + n = IRQ n
  uint32_t value = 0;
  bool empty = false;  ///< a zero word (no handler, or a reserved slot)
  bool valid = true;   ///< Thumb bit set and the target is executable memory (always true for #0 and empty entries)
};

struct VectorListing {
  uint32_t address = 0;
  unsigned length = 0;   ///< entries in the table, including the initial SP
  std::string length_from; ///< "symbol g_vector_table (192 bytes)", "section .isr_vector", or "device (16 + 82 IRQs)"
  std::vector<VectorEntry> entries;
};

/// The vector table at the device's boot address. Its length is the size of
/// the object symbol or the section that starts there, capped at 16 + the
/// device's IRQ count (and at the loaded bytes); the device's count when the
/// ELF says nothing.
VectorListing list_vector_table(const ElfImage &elf, const Device &device);

} // namespace mcusim
