/// \file
/// Image format detection (see image_format.h).
#include "image/image_format.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

namespace mcusim {

ImageFormat detect_image_format(const std::filesystem::path &path, std::span<const uint8_t> bytes) {
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "\x7f" "ELF", 4) == 0) return ImageFormat::Elf;
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (ext == ".hex" || ext == ".ihex" || ext == ".ihx") return ImageFormat::IntelHex;
  if (ext == ".bin") return ImageFormat::Binary;
  auto first = std::find_if(bytes.begin(), bytes.end(), [](uint8_t c) { return !std::isspace(c); });
  if (first != bytes.end() && *first == ':') return ImageFormat::IntelHex;
  return ImageFormat::Elf;
}

const char *image_format_name(ImageFormat format) {
  switch (format) {
  case ImageFormat::Elf: return "ELF";
  case ImageFormat::IntelHex: return "Intel HEX";
  case ImageFormat::Binary: return "raw binary";
  }
  return "ELF";
}

} // namespace mcusim
