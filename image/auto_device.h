/// \file
/// What an image needs of a device, checked before a simulator is built: the
/// core from the ELF's build attributes, a generic device chosen for an ELF
/// built without --device, the image fitting the device's memory, a plausible
/// vector table at the boot address, and the flash and RAM the image uses.
#pragma once

#include "base/device.h"
#include "base/error.h"
#include "image/elf_image.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim {

/// The core an ELF was built for, from its ARM build attributes; `why`
/// explains the choice in words.
std::optional<CoreKind> core_from_attributes(const BuildAttributes &attrs, std::string *why);

/// Pick a generic device for an ELF built without --device: core from the
/// build attributes, memory moved or added to hold the image's load addresses.
struct DeviceChoice {
  Device device;
  std::string explanation;
};
Expected<DeviceChoice> choose_device_for(const ElfImage &elf);

/// Every loadable byte and every allocated section lies in the device's memory.
Expected<void> check_image_fits(const ElfImage &elf, const Device &device);

struct VectorTable {
  uint32_t address = 0, initial_sp = 0, reset = 0;
};
/// A plausible vector table at the device's boot address.
Expected<VectorTable> check_vector_table(const ElfImage &elf, const Device &device);

/// Flash (rx, at the device's non-writable regions) and RAM bytes the image uses
/// (by section; for an image without sections, its loaded bytes).
struct ImageUsage {
  struct Use {
    std::string region;
    uint64_t used = 0, capacity = 0;
  };
  std::vector<Use> regions;
};
ImageUsage image_usage(const ElfImage &elf, const Device &device);

} // namespace mcusim
