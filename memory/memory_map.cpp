/// \file
/// Memory map: host buffers (anonymous mmap, so large sparse regions cost
/// nothing until touched) mapped into Unicorn with uc_mem_map_ptr.
#include "memory/memory_map.h"

#include <algorithm>
#include <sstream>
#include <sys/mman.h>
#include <unicorn/unicorn.h>

namespace mcusim {

MemoryMap::~MemoryMap() {
  for (auto &r : regions_)
    if (r.host) munmap(r.host, r.size);
}

MemoryMap::MemoryMap(MemoryMap &&other) noexcept : regions_(std::move(other.regions_)) {
  other.regions_.clear();
  other.spans_.clear();
  rebuild_spans();
}

MemoryMap &MemoryMap::operator=(MemoryMap &&other) noexcept {
  if (this != &other) {
    for (auto &r : regions_)
      if (r.host) munmap(r.host, r.size);
    regions_ = std::move(other.regions_);
    other.regions_.clear();
    other.spans_.clear();
    rebuild_spans();
  }
  return *this;
}

void MemoryMap::rebuild_spans() {
  spans_.clear();
  for (const auto &r : regions_) {
    spans_.push_back({r.desc.base, r.desc.end(), &r});
    for (auto a : r.desc.aliases) spans_.push_back({a, uint64_t(a) + r.size, &r});
  }
}

Expected<MemoryMap> MemoryMap::create(const Device &device) {
  MemoryMap map;
  for (const auto &desc : device.memory) {
    void *p = mmap(nullptr, desc.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
      return make_error(ErrorKind::Internal, "cannot allocate " + std::to_string(desc.size) + " bytes for memory " + desc.name);
    map.regions_.push_back({desc, static_cast<uint8_t *>(p), desc.size});
  }
  map.rebuild_spans();
  return map;
}

Expected<void> MemoryMap::map_into(uc_struct *uc, const std::vector<std::pair<uint32_t, uint64_t>> &holes) const {
  for (const auto &r : regions_) {
    uint32_t perms = (r.desc.read ? UC_PROT_READ : 0) | (r.desc.write ? UC_PROT_WRITE : 0) | (r.desc.exec ? UC_PROT_EXEC : 0);
    std::vector<uint32_t> addrs{r.desc.base};
    addrs.insert(addrs.end(), r.desc.aliases.begin(), r.desc.aliases.end());
    for (uint32_t a : addrs) {
      // The pieces of [a, a + size) between the holes.
      uint64_t from = a;
      const uint64_t end = uint64_t(a) + r.size;
      auto map_piece = [&](uint64_t lo, uint64_t hi) -> uc_err {
        if (hi <= lo) return UC_ERR_OK;
        return uc_mem_map_ptr(uc, lo, hi - lo, perms, r.host + (lo - a));
      };
      uc_err err = UC_ERR_OK;
      for (const auto &[hb, he] : holes) {
        if (he <= from || hb >= end) continue;
        if ((err = map_piece(from, hb)) != UC_ERR_OK) break;
        from = std::max<uint64_t>(from, he);
      }
      if (err == UC_ERR_OK) err = map_piece(from, end);
      if (err != UC_ERR_OK) {
        std::ostringstream os;
        os << "cannot map memory " << r.desc.name << " at 0x" << std::hex << a << ": " << uc_strerror(err);
        return make_error(ErrorKind::Internal, os.str());
      }
    }
  }
  return {};
}

const MappedRegion *MemoryMap::region_at(uint32_t addr) const {
  for (const auto &s : spans_)
    if (addr >= s.base && addr < s.end) return s.region;
  return nullptr;
}

} // namespace mcusim
