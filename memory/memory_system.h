/// \file
/// The memory system's timing: flash wait states chosen from the clock by the
/// device's own table, the flash line width and prefetch buffer, the flash
/// accelerator (ART-style instruction/data caches) or the Cortex-M7 L1 caches,
/// zero-wait SRAM and TCM, and a bus cost for peripherals.
///
/// Static costs (a data access to a region) are priced once per block; the
/// instruction cache is a tag array touched per executed block, skipped when
/// nothing has been evicted since the block last hit (epoch check).
#pragma once

#include "base/device.h"
#include "isa/memory_timing.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim {

struct MemoryTimingOptions {
  std::optional<unsigned> flash_ws; ///< override the wait states (--flash-ws)
  std::optional<bool> caches;       ///< force caches and accelerator on/off (--cache)
};

/// Answers the block pricer's questions (isa::MemoryTiming) and keeps the
/// instruction cache's tags.
class MemorySystem final : public isa::MemoryTiming {
public:
  MemorySystem(const Device &device, double mhz, const MemoryTimingOptions &opts = {});

  unsigned flash_ws() const override { return ws_; }
  /// The wait states from now on (the firmware changed FLASH_ACR.LATENCY):
  /// block costs priced before must be priced again.
  void set_flash_ws(unsigned ws) { ws_ = ws; }
  unsigned fetch_line_bytes() const override { return fetch_line_; }
  bool prefetch() const override { return prefetch_; }
  bool icache() const override { return icache_sets_ != 0; }
  bool dcache() const { return dcache_lines_ != 0; }
  /// The firmware's enables (FLASH_ACR PRFTEN/ICEN/DCEN, ICACHE_CR.EN, SCB->CCR
  /// IC/DC; none: the register has no such bit): the prefetch buffer and the
  /// caches the device has follow them from now on, except the caches under
  /// --cache (MemoryTimingOptions::caches). A cache turned on starts empty.
  /// True when something changed: block costs priced before must be priced again.
  bool set_enables(std::optional<bool> prefetch, std::optional<bool> icache, std::optional<bool> dcache);
  /// Back to the device file's (and --cache's) choice, as at the start of the
  /// run (a reset brought the enabling registers back to their reset values).
  bool restore_enables();
  /// --cache chose the caches: the firmware's enables do not move them.
  bool caches_forced() const { return caches_forced_; }
  std::string describe() const;

  bool is_flash(uint32_t addr) const override;
  bool is_peripheral(uint32_t addr) const;
  /// The Cortex-M0+ single-cycle I/O port (RP2040 SIO): loads and stores take one cycle.
  bool is_single_cycle_io(uint32_t addr) const override;
  /// Extra cycles, in 1/256 cycle units, of a data access at `addr` (static
  /// estimate): flash wait states (amortised over a cache line when a data
  /// cache serves flash), peripheral bus cost, 0 for SRAM/TCM.
  unsigned data_extra_q8(uint32_t addr, unsigned len, bool write) const override;
  /// Stall of fetching one flash line that the cache (if any) does not hold:
  /// non-sequential fetch.
  unsigned line_fetch_stall() const override { return ws_; }

  /// Touch instruction-cache lines [first, first+n); returns how many missed.
  unsigned touch_lines(uint32_t first_line, unsigned n) {
    unsigned misses = 0;
    for (unsigned i = 0; i < n; ++i) misses += touch(first_line + i) ? 0 : 1;
    return misses;
  }
  uint64_t epoch() const { return epoch_; }
  const uint64_t *epoch_ptr() const { return &epoch_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

private:
  bool touch(uint32_t line);
  void enable_icache(bool on);
  const Device &device_;
  unsigned ws_ = 0;
  unsigned fetch_line_ = 16;
  bool prefetch_ = true;
  unsigned dcache_lines_ = 0, dcache_line_bytes_ = 16;
  // What the device has (from the device file), whether enabled or not.
  unsigned flash_line_ = 16, icache_line_ = 16, icache_lines_ = 0, icache_ways_avail_ = 0, dcache_avail_ = 0;
  bool caches_forced_ = false;
  struct Enables {
    bool prefetch, icache, dcache;
  } defaults_{}; ///< at the start of the run
  // Instruction cache: sets x ways of tags (line numbers), LRU by stamp.
  unsigned icache_sets_ = 0, icache_ways_ = 0;
  std::vector<uint32_t> tags_;
  std::vector<uint64_t> stamps_;
  uint64_t clock_ = 0, epoch_ = 1, hits_ = 0, misses_ = 0;
};

} // namespace mcusim
