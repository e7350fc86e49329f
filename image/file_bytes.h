/// \file
/// Reading an image file's bytes, with the one-line errors every image
/// format shares: no such file, a directory, cannot open, read error.
#pragma once

#include "base/error.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace mcusim {

/// The whole file; ErrorKind::FileUnreadable naming the file otherwise.
Expected<std::vector<uint8_t>> read_file_bytes(const std::filesystem::path &path);

} // namespace mcusim
