// Fuzzes the device description parser (base/device.cpp, parse_device):
// TOML syntax, keys, types and the range checks on the memory map and clocks.
// Seeds: devices/*.toml (corpus/device_toml/).
#include "base/device.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace mcusim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto device = parse_device(text, "fuzz.toml");
  if (!device) return 0;
  // A device that parses is used: region lookups and capacities.
  for (const auto &r : device->memory) {
    (void)device->region_at(r.base);
    (void)device->region_at(r.end() - 1);
  }
  (void)device->capacity({RegionKind::Flash, RegionKind::Sram, RegionKind::Tcm});
  (void)device->flash.ws_at(device->default_mhz);
  return 0;
}
