/// \file
/// The firmware image of a run, sweep or calibration, whatever its format
/// (ELF, Intel HEX, raw binary: image/image_loader.h): a raw binary is loaded
/// at --load-address or at the flash base of the device it will run on.
#pragma once

#include "base/error.h"
#include "image/elf_image.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mcusim::session {

/// How the image file is read (docs/cli.md).
struct ImageInput {
  std::optional<uint32_t> load_address; ///< --load-address (raw .bin only)
  std::string symbols;                  ///< --symbols: an ELF naming the functions of a .hex or .bin
};

/// Load `path`. A raw binary goes into the device `device_name` names (a name
/// or .toml file), or with no name into the generic device chosen as for an
/// ELF: its core from the build attributes of the symbols ELF (else a
/// Cortex-M4F), its flash moved to --load-address when one is given.
Expected<ElfImage> load_firmware(const std::string &path, const ImageInput &input, const std::string &device_name);

/// Parse a --load-address value: hexadecimal with 0x, else decimal, below 4 GiB.
std::optional<uint32_t> parse_load_address(const std::string &text);

} // namespace mcusim::session
