/// \file
/// Raw binary images (objcopy -O binary, vendor .bin files): the bytes as one
/// loadable segment at a load address, in the same ElfImage the ELF loader
/// produces, without sections or symbols.
#pragma once

#include "base/device.h"
#include "base/error.h"
#include "image/elf_image.h"

#include <cstdint>
#include <span>
#include <string>

namespace mcusim {

/// The device's first flash region (where a .bin is loaded by default), or
/// nullptr if it has none.
const MemoryRegionDesc *flash_region(const Device &device);

/// The bytes at `load_address`. Refused (one line, "<name>: ...") when empty,
/// when `load_address` is not in a flash region of `device` (ErrorKind::Usage:
/// it comes from --load-address), or when the bytes run past the end of that
/// flash (ErrorKind::BadElf).
Expected<ElfImage> read_binary(std::span<const uint8_t> bytes, uint32_t load_address, const Device &device,
                               const std::string &name);

} // namespace mcusim
