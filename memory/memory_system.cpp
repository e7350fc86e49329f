/// \file
/// Memory timing (see memory_system.h).
#include "memory/memory_system.h"

#include <sstream>

namespace mcusim {

MemorySystem::MemorySystem(const Device &device, double mhz, const MemoryTimingOptions &opts) : device_(device) {
  ws_ = opts.flash_ws ? *opts.flash_ws : device.flash.ws_at(mhz);
  fetch_line_ = flash_line_ = device.flash.line_bytes;
  prefetch_ = device.flash.prefetch;
  caches_forced_ = opts.caches.has_value();
  bool caches_on = true;
  if (device.l1) {
    caches_on = opts.caches.value_or(true);
    if (device.l1->icache_bytes) {
      icache_line_ = device.l1->line_bytes;
      icache_lines_ = device.l1->icache_bytes / icache_line_;
      icache_ways_avail_ = device.l1->icache_ways;
    }
    if (device.l1->dcache_bytes) {
      dcache_avail_ = device.l1->dcache_bytes / device.l1->line_bytes;
      dcache_line_bytes_ = device.l1->line_bytes;
    }
  } else if (device.accelerator) {
    caches_on = opts.caches.value_or(device.accelerator->enabled);
    icache_line_ = device.accelerator->line_bytes;
    icache_lines_ = device.accelerator->icache_lines;
    icache_ways_avail_ = device.accelerator->ways ? device.accelerator->ways : icache_lines_; // 0 = fully associative
    dcache_avail_ = device.accelerator->dcache_lines;
    dcache_line_bytes_ = device.accelerator->line_bytes;
  }
  enable_icache(caches_on);
  dcache_lines_ = caches_on ? dcache_avail_ : 0;
  defaults_ = {prefetch_, icache(), dcache()};
}

bool MemorySystem::restore_enables() { return set_enables(defaults_.prefetch, defaults_.icache, defaults_.dcache); }

void MemorySystem::enable_icache(bool on) {
  if (!on || !icache_lines_) {
    icache_sets_ = icache_ways_ = 0;
    fetch_line_ = flash_line_;
    tags_.clear();
    stamps_.clear();
    return;
  }
  fetch_line_ = icache_line_;
  icache_ways_ = icache_ways_avail_ ? icache_ways_avail_ : 1;
  icache_sets_ = icache_lines_ / icache_ways_ ? icache_lines_ / icache_ways_ : 1;
  tags_.assign(size_t(icache_sets_) * icache_ways_, UINT32_MAX);
  stamps_.assign(tags_.size(), 0);
  ++epoch_; // an empty cache: every block looks its lines up again
}

bool MemorySystem::set_enables(std::optional<bool> prefetch, std::optional<bool> icache, std::optional<bool> dcache) {
  bool changed = false;
  if (prefetch && *prefetch != prefetch_) {
    prefetch_ = *prefetch;
    changed = true;
  }
  if (caches_forced_) return changed; // --cache on/off: the firmware's enables do not move the caches
  if (icache && icache_lines_ && *icache != this->icache()) {
    enable_icache(*icache);
    changed = true;
  }
  if (dcache && dcache_avail_ && *dcache != this->dcache()) {
    dcache_lines_ = *dcache ? dcache_avail_ : 0;
    changed = true;
  }
  return changed;
}

std::string MemorySystem::describe() const {
  std::ostringstream os;
  os << ws_ << " flash wait state" << (ws_ == 1 ? "" : "s");
  if (icache())
    os << ", instruction cache " << icache_sets_ * icache_ways_ << " x " << fetch_line_ << " B";
  if (dcache()) os << ", data cache " << dcache_lines_ << " x " << dcache_line_bytes_ << " B";
  if (!icache() && !dcache()) os << (prefetch_ ? ", prefetch, no cache" : ", no cache");
  return os.str();
}

bool MemorySystem::is_flash(uint32_t addr) const {
  const MemoryRegionDesc *r = device_.region_at(addr);
  return r && r->kind == RegionKind::Flash;
}

bool MemorySystem::is_peripheral(uint32_t addr) const {
  if (addr >= 0xE0000000u) return true; // private peripheral bus
  const MemoryRegionDesc *r = device_.region_at(addr);
  return r && r->kind == RegionKind::Peripheral;
}

bool MemorySystem::is_single_cycle_io(uint32_t addr) const {
  const MemoryRegionDesc *r = device_.region_at(addr);
  return r && r->single_cycle;
}

unsigned MemorySystem::data_extra_q8(uint32_t addr, unsigned len, bool write) const {
  if (is_single_cycle_io(addr)) return 0;
  if (is_peripheral(addr)) return 256; // one bus-bridge cycle (nominal)
  if (write || !is_flash(addr) || ws_ == 0) return 0;
  if (dcache_lines_) {
    // Streaming through a cached line: one miss per line, shared by its accesses.
    unsigned share = len >= dcache_line_bytes_ ? 256 : 256 * len / dcache_line_bytes_;
    return ws_ * (share ? share : 1);
  }
  unsigned beats = (len + fetch_line_ - 1) / fetch_line_;
  return ws_ * 256 * (beats ? beats : 1);
}

bool MemorySystem::touch(uint32_t line) {
  ++clock_;
  unsigned set = line % icache_sets_;
  uint32_t *t = &tags_[size_t(set) * icache_ways_];
  uint64_t *s = &stamps_[size_t(set) * icache_ways_];
  unsigned victim = 0;
  for (unsigned w = 0; w < icache_ways_; ++w) {
    if (t[w] == line) {
      s[w] = clock_;
      ++hits_;
      return true;
    }
    if (s[w] < s[victim]) victim = w;
  }
  if (t[victim] != UINT32_MAX) ++epoch_; // an eviction: blocks must check again
  t[victim] = line;
  s[victim] = clock_;
  ++misses_;
  return false;
}

} // namespace mcusim
