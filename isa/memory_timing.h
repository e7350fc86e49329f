/// \file
/// What the block pricer asks of the memory system: the static costs of
/// fetching a block from flash and of the data accesses in it. isa/ defines
/// the questions and memory/ (MemorySystem) answers them, so the cycle model
/// does not depend on the memory library. A block is priced once, when it is
/// first translated, so these calls are off the hot path.
#pragma once

#include <cstdint>

namespace mcusim::isa {

class MemoryTiming {
public:
  virtual ~MemoryTiming() = default;

  /// `addr` is in a flash region (instruction fetch pays wait states).
  virtual bool is_flash(uint32_t addr) const = 0;
  /// Flash wait states at the current clock.
  virtual unsigned flash_ws() const = 0;
  /// Bytes of one flash line fetch (the width the wait states are paid per).
  virtual unsigned fetch_line_bytes() const = 0;
  /// An instruction cache (flash accelerator or L1 I-cache) serves fetches.
  virtual bool icache() const = 0;
  /// Stall of fetching one flash line that the cache (if any) does not hold.
  virtual unsigned line_fetch_stall() const = 0;
  /// A prefetch buffer hides the wait states of sequential fetches.
  virtual bool prefetch() const = 0;
  /// Extra cycles, in 1/256 cycle units, of a data access at `addr` (static
  /// estimate; 0 for zero-wait memory).
  virtual unsigned data_extra_q8(uint32_t addr, unsigned len, bool write) const = 0;
  /// The Cortex-M0+ single-cycle I/O port: loads and stores take one cycle.
  virtual bool is_single_cycle_io(uint32_t addr) const = 0;
};

} // namespace mcusim::isa
