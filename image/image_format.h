/// \file
/// Which kind of firmware image a file holds, by its content first and its
/// extension second: an ELF by its magic number whatever its name; Intel HEX
/// by extension (.hex, .ihex, .ihx) or by a first line starting with ':';
/// raw binary by extension (.bin); anything else is read as an ELF (and
/// refused as one if it is not).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

namespace mcusim {

enum class ImageFormat { Elf, IntelHex, Binary };

ImageFormat detect_image_format(const std::filesystem::path &path, std::span<const uint8_t> bytes);

/// "ELF", "Intel HEX", "raw binary".
const char *image_format_name(ImageFormat format);

} // namespace mcusim
