/// \file
/// Raw binary reading (see bin_reader.h).
#include "image/bin_reader.h"

#include "image/image_segments.h"

#include "base/format.h"

namespace mcusim {

const MemoryRegionDesc *flash_region(const Device &device) {
  for (const auto &r : device.memory)
    if (r.kind == RegionKind::Flash) return &r;
  return nullptr;
}

Expected<ElfImage> read_binary(std::span<const uint8_t> bytes, uint32_t load_address, const Device &device,
                               const std::string &name) {
  if (bytes.empty()) return make_error(ErrorKind::BadElf, name + ": empty file");
  const MemoryRegionDesc *flash = nullptr;
  for (const auto &r : device.memory)
    if (r.kind == RegionKind::Flash && r.contains(load_address, 1)) flash = &r;
  if (!flash) {
    const MemoryRegionDesc *any = flash_region(device);
    std::string where = any ? " (" + text::size(any->size) + " at " + text::hex(any->base) + ")" : "";
    return make_error(ErrorKind::Usage, name + ": load address " + text::hex(load_address) + " is outside the flash of " +
                                            device.name + where);
  }
  uint64_t room = uint64_t(flash->base) + flash->size - load_address;
  if (bytes.size() > room)
    return make_error(ErrorKind::BadElf, name + ": " + std::to_string(bytes.size()) + " bytes at " + text::hex(load_address) +
                                             " does not fit the flash of " + device.name + " (" + text::size(flash->size) +
                                             " at " + text::hex(flash->base) + ")");
  ElfImage img;
  img.path = name;
  img.segments.push_back(loadable_segment(load_address, std::vector<uint8_t>(bytes.begin(), bytes.end())));
  img.entry = entry_from_vector_table(img);
  return img;
}

} // namespace mcusim
