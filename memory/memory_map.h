/// \file
/// The simulated memory map: one host buffer per device memory region,
/// mapped into the Unicorn engine at its base address and at each alias.
/// The host side reads and writes guest memory through the same buffers
/// (semihosting, exception stacking, instruction decoding) without going
/// through the engine.
#pragma once

#include "base/device.h"
#include "base/error.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

struct uc_struct;

namespace mcusim {

struct MappedRegion {
  MemoryRegionDesc desc;
  uint8_t *host = nullptr;
  uint64_t size = 0;
};

class MemoryMap {
public:
  MemoryMap() = default;
  ~MemoryMap();
  MemoryMap(const MemoryMap &) = delete;
  MemoryMap &operator=(const MemoryMap &) = delete;
  MemoryMap(MemoryMap &&other) noexcept;
  MemoryMap &operator=(MemoryMap &&other) noexcept;

  /// Allocate zeroed host memory for every region of the device.
  static Expected<MemoryMap> create(const Device &device);
  /// Map every region (and alias) into the engine with its access rights,
  /// leaving out `holes` ([begin, end) ranges, 4 KiB aligned, sorted, apart:
  /// the pages peripheral models serve through MMIO). The host buffers still
  /// cover the holes.
  Expected<void> map_into(uc_struct *uc, const std::vector<std::pair<uint32_t, uint64_t>> &holes = {}) const;

  /// Host pointer for [addr, addr+len) if it lies inside one region.
  uint8_t *host_ptr(uint32_t addr, uint32_t len = 1) const {
    for (const auto &s : spans_)
      if (addr >= s.base && uint64_t(addr) + len <= s.end) return s.region->host + (addr - s.base);
    return nullptr;
  }
  const MappedRegion *region_at(uint32_t addr) const;

  bool read(uint32_t addr, void *dst, uint32_t len) const {
    const uint8_t *p = host_ptr(addr, len);
    if (!p) return false;
    std::memcpy(dst, p, len);
    return true;
  }
  bool write(uint32_t addr, const void *src, uint32_t len) const {
    uint8_t *p = host_ptr(addr, len);
    if (!p) return false;
    std::memcpy(p, src, len);
    return true;
  }
  std::optional<uint32_t> read32(uint32_t addr) const {
    uint32_t v;
    if (!read(addr, &v, 4)) return std::nullopt;
    return v;
  }
  std::optional<uint16_t> read16(uint32_t addr) const {
    uint16_t v;
    if (!read(addr, &v, 2)) return std::nullopt;
    return v;
  }
  bool write32(uint32_t addr, uint32_t v) const { return write(addr, &v, 4); }

  const std::vector<MappedRegion> &regions() const { return regions_; }

private:
  struct Span {
    uint32_t base;
    uint64_t end;
    const MappedRegion *region;
  };
  void rebuild_spans();
  std::vector<MappedRegion> regions_;
  std::vector<Span> spans_;
};

} // namespace mcusim
