/// \file
/// Loading an image by its format (see image_loader.h).
#include "image/image_loader.h"

#include "image/address_functions.h"
#include "image/bin_reader.h"
#include "image/file_bytes.h"
#include "image/hex_reader.h"

#include "base/format.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace mcusim {
namespace fs = std::filesystem;

namespace {

/// The byte at addr in the image's segments, if loaded.
std::optional<uint8_t> byte_at(const ElfImage &img, uint32_t addr) {
  for (const auto &s : img.segments)
    if (addr >= s.paddr && uint64_t(addr) < uint64_t(s.paddr) + s.data.size()) return s.data[addr - s.paddr];
  return std::nullopt;
}

/// The ELF's loadable contents as objcopy writes them: the bytes of its
/// allocated sections with contents, at their load addresses.
struct LoadedRange {
  uint32_t addr;
  size_t size;
};
std::vector<LoadedRange> loaded_ranges(const ElfImage &elf) {
  std::vector<LoadedRange> out;
  for (const auto &s : elf.sections)
    if (s.alloc && !s.nobits && s.size) out.push_back({s.load_addr, s.size});
  if (out.empty()) // no section table: the segments' file bytes
    for (const auto &s : elf.segments) out.push_back({s.paddr, s.data.size()});
  return out;
}

/// The first address where the loadable contents of `image` and `elf` differ:
/// a byte of an ELF section the image does not hold or holds otherwise, or a
/// non-zero image byte outside every such section (a raw binary fills the gaps
/// between sections with zeros, which are not a difference).
std::optional<uint32_t> first_difference(const ElfImage &image, const ElfImage &elf) {
  std::optional<uint32_t> first;
  auto note = [&](uint32_t a) {
    if (!first || a < *first) first = a;
  };
  auto ranges = loaded_ranges(elf);
  for (const auto &r : ranges)
    for (size_t i = 0; i < r.size; ++i) {
      uint32_t a = uint32_t(r.addr + i);
      auto want = byte_at(elf, a), got = byte_at(image, a);
      if (!got || got != want) {
        note(a);
        break;
      }
    }
  auto in_elf = [&](uint32_t a) {
    for (const auto &r : ranges)
      if (a >= r.addr && uint64_t(a) < uint64_t(r.addr) + r.size) return true;
    return false;
  };
  for (const auto &s : image.segments)
    for (size_t i = 0; i < s.data.size(); ++i) {
      if (s.data[i] == 0) continue;
      if (!in_elf(uint32_t(s.paddr + i))) {
        note(uint32_t(s.paddr + i));
        break;
      }
    }
  return first;
}

} // namespace

Expected<ImageFormat> image_format_of(const fs::path &path) {
  auto bytes = read_file_bytes(path);
  if (!bytes) return tl::unexpected(bytes.error());
  return detect_image_format(path, *bytes);
}

void attach_symbols(ElfImage &image, ElfImage symbols) {
  if (auto at = first_difference(image, symbols))
    image.warnings.push_back(image.path.filename().string() + ": the loadable contents of the symbols file " +
                             symbols.path.filename().string() + " differ from the image (first at " + text::hex(*at) +
                             "): functions and lines may be wrong");
  image.sections = std::move(symbols.sections);
  image.symbols = std::move(symbols.symbols);
  image.attributes = symbols.attributes;
  image.data_ranges = std::move(symbols.data_ranges);
  for (auto &w : symbols.warnings) image.warnings.push_back(std::move(w));
}

Expected<ElfImage> load_image(const fs::path &path, const ImageLoadOptions &options) {
  auto bytes = read_file_bytes(path);
  if (!bytes) return tl::unexpected(bytes.error());
  const std::string name = path.string();
  ImageFormat format = detect_image_format(path, *bytes);
  if (options.load_address && format != ImageFormat::Binary)
    return make_error(ErrorKind::Usage, "--load-address is only for raw .bin images; " + name + " is an " +
                                            image_format_name(format) + " image, which holds its own addresses");
  Expected<ElfImage> image = make_error(ErrorKind::Internal, name + ": not loaded");
  switch (format) {
  case ImageFormat::Elf: image = load_elf_from_memory(*bytes, name); break;
  case ImageFormat::IntelHex:
    image = read_intel_hex(std::string_view(reinterpret_cast<const char *>(bytes->data()), bytes->size()), name);
    break;
  case ImageFormat::Binary: {
    if (!options.device) return make_error(ErrorKind::Internal, name + ": a raw binary needs a device to load into");
    const MemoryRegionDesc *flash = flash_region(*options.device);
    if (!options.load_address && !flash)
      return make_error(ErrorKind::Usage, name + ": " + options.device->name + " has no flash: give --load-address");
    image = read_binary(*bytes, options.load_address ? *options.load_address : flash->base, *options.device, name);
    break;
  }
  }
  if (!image) return image;
  image->path = path;
  if (!options.symbols.empty()) {
    if (format == ImageFormat::Elf)
      return make_error(ErrorKind::Usage, "--symbols is for .hex and .bin images; " + name + " is an ELF with its own symbols");
    auto symbols = load_elf(options.symbols);
    if (!symbols) return tl::unexpected(symbols.error());
    attach_symbols(*image, std::move(*symbols));
  } else if (format != ImageFormat::Elf) {
    name_functions_by_address(*image);
  }
  return image;
}

} // namespace mcusim
