/// \file
/// Load a firmware image of any supported format (ELF, Intel HEX, raw binary:
/// image_format.h) into an ElfImage, with the symbols, sections and build
/// attributes of an optional ELF (`--symbols`) for images that carry none.
#pragma once

#include "base/device.h"
#include "base/error.h"
#include "image/elf_image.h"
#include "image/image_format.h"

#include <cstdint>
#include <filesystem>
#include <optional>

namespace mcusim {

struct ImageLoadOptions {
  /// Where a raw binary is loaded (--load-address); default: the device's
  /// flash base. An error with any other format.
  std::optional<uint32_t> load_address;
  /// An ELF whose symbols, sections and build attributes describe the image
  /// (--symbols). Its loadable bytes should be the image's: where they differ,
  /// the result carries one warning.
  std::filesystem::path symbols;
  /// The device a raw binary is loaded into (its flash base and size); needed
  /// for raw binaries only.
  const Device *device = nullptr;
};

/// The format of the file at `path` (ErrorKind::FileUnreadable if it cannot be read).
Expected<ImageFormat> image_format_of(const std::filesystem::path &path);

/// Read `path` and load it by its format. Errors are one line naming the file.
Expected<ElfImage> load_image(const std::filesystem::path &path, const ImageLoadOptions &options);

/// Give `image` the symbols, sections, build attributes and data ranges of
/// `symbols`; a warning in image.warnings if their loadable bytes differ.
void attach_symbols(ElfImage &image, ElfImage symbols);

} // namespace mcusim
