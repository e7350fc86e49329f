/// \file
/// Loading the firmware image of a run (see firmware.h).
#include "session/firmware.h"

#include "image/image_loader.h"
#include "image/image_segments.h"
#include "session/session.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace mcusim::session {

Expected<ElfImage> load_firmware(const std::string &path, const ImageInput &input, const std::string &device_name) {
  ImageLoadOptions options;
  options.load_address = input.load_address;
  options.symbols = input.symbols;
  auto format = image_format_of(path);
  if (!format) return tl::unexpected(format.error());
  std::optional<Device> device;
  if (*format == ImageFormat::Binary) {
    // The device decides where the bytes go: named, or chosen as for an ELF
    // (build attributes from the symbols file) that loads the file's bytes at
    // --load-address, or nothing (the generic device's flash as it is).
    ElfImage probe;
    if (input.load_address) {
      std::error_code ec;
      auto size = std::filesystem::file_size(path, ec);
      if (!ec && size && size <= (uint64_t(1) << 28)) probe.segments.push_back(loadable_segment(*input.load_address, std::vector<uint8_t>(size_t(size))));
    }
    if (!input.symbols.empty()) {
      auto symbols = load_elf(input.symbols);
      if (!symbols) return tl::unexpected(symbols.error());
      probe.attributes = symbols->attributes;
    }
    auto d = resolve_device(device_name, probe, nullptr);
    if (!d) return tl::unexpected(d.error());
    device = std::move(*d);
    options.device = &*device;
  }
  return load_image(path, options);
}

std::optional<uint32_t> parse_load_address(const std::string &text) {
  if (text.empty() || text[0] == '-' || text[0] == '+' || text[0] == ' ') return std::nullopt;
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  if (!std::isxdigit(static_cast<unsigned char>(text[hex ? 2 : 0]))) return std::nullopt; // no sign or space after 0x
  errno = 0;
  char *end = nullptr;
  unsigned long long v = std::strtoull(text.c_str() + (hex ? 2 : 0), &end, hex ? 16 : 10);
  if (errno || !end || *end || end == text.c_str() + (hex ? 2 : 0) || v > 0xFFFFFFFFull) return std::nullopt;
  return uint32_t(v);
}

} // namespace mcusim::session
