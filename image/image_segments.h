/// \file
/// What images without ELF headers (Intel HEX, raw binary) share: a loadable
/// segment made of bytes, and the entry point read from the vector table at
/// the image's lowest address.
#pragma once

#include "image/elf_image.h"

#include <cstdint>
#include <vector>

namespace mcusim {

/// A readable, executable, read-only segment holding `bytes` at `addr`.
ElfSegment loadable_segment(uint32_t addr, std::vector<uint8_t> bytes);

/// The reset vector (Thumb bit cleared) of the vector table at the image's
/// lowest load address (initial SP at +0, reset at +4), or 0 if the image is
/// too short to hold one.
uint32_t entry_from_vector_table(const ElfImage &img);

} // namespace mcusim
