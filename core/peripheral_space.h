/// \file
/// The seam between the core and the peripheral models above it
/// (peripherals/, docs/peripherals.md), inverted like ProfileListener: the
/// core declares what it asks of the peripheral space (`PeripheralSpace`)
/// and what it offers to it (`PeripheralHost`: the event scheduler, the
/// exact cycle of an access, interrupt lines); the caller that wants
/// peripherals passes a factory in RunOptions::peripherals.
///
/// The core maps each window the space names with uc_mmio_map (4 KiB pages:
/// the engine's mapping granule), so only accesses there take a callback;
/// the rest of a "peripheral" memory region stays plain memory (or, with
/// RunOptions::strict_peripherals, every page of the region is MMIO and an
/// access no block claims is a bus fault).
#pragma once

#include "base/error.h"
#include "core/scheduler.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace mcusim {

/// What the core offers to peripheral models.
struct PeripheralHost {
  Scheduler &scheduler;                  ///< timed behaviour: events at absolute cycles
  std::function<uint64_t()> now;         ///< the cycle of the access in progress (exact within a block)
  std::function<void(unsigned)> set_irq_pending; ///< pend NVIC line n (0-based), as the hardware's request would
  double hz = 0;                         ///< the core clock the run uses (cycles per second); follows the firmware's clock
  /// A model whose registers set the core clock or the flash wait states was
  /// written (or its clock switch took effect): the core reads
  /// PeripheralSpace::core_clock() at the next block boundary.
  std::function<void()> clock_changed;
};

/// The core clock and flash wait states the firmware's registers select
/// (RCC SYSCLK/HCLK, FLASH_ACR.LATENCY; docs/peripherals.md, "The clock").
struct CoreClock {
  double hz = 0;                    ///< HCLK: the core's clock
  std::optional<unsigned> flash_ws; ///< the programmed flash latency, if the device models it
};

/// The outcome of one access to the peripheral space.
enum class PeripheralAccess {
  Done,      ///< a block served it
  Unclaimed, ///< no block at this address: the core treats it as plain memory (or, strict, as a bus error)
  BusError,  ///< the space refuses it (--strict-peripherals on an unmodelled register)
};

/// What the core asks of the peripheral space.
class PeripheralSpace {
public:
  virtual ~PeripheralSpace() = default;
  struct Window {
    uint32_t base, size; ///< 4 KiB aligned
  };
  /// The pages the core maps as MMIO and sends here (sorted, apart).
  virtual std::vector<Window> windows() const = 0;
  /// An access of `size` (1, 2 or 4) bytes at absolute address `addr`.
  virtual PeripheralAccess read(uint32_t addr, unsigned size, uint32_t &value) = 0;
  virtual PeripheralAccess write(uint32_t addr, unsigned size, uint32_t value) = 0;
  /// System reset (AIRCR.SYSRESETREQ): every block back to its reset values, its pending events cancelled.
  virtual void reset() = 0;
  /// Why the last BusError was raised ("read of unmodelled register RCC->PLLSAI1CFGR (0x40021010)").
  virtual std::string last_error() const = 0;
  /// Unmodelled registers accessed so far ("RCC->PLLSAI1CFGR"), in first-access order.
  virtual std::vector<std::string> unmodelled() const = 0;
  /// The core clock changed at cycle `now` by `ratio` (new / old): events the
  /// blocks scheduled keep their real-time length (their remaining cycles scale).
  virtual void retime(uint64_t /*now*/, double /*ratio*/) {}
  /// The clock the registers select, when a block models the clock tree (none by default).
  virtual std::optional<CoreClock> core_clock() const { return std::nullopt; }
};

/// Builds the space for a run (RunOptions::peripherals).
using PeripheralFactory = std::function<Expected<std::unique_ptr<PeripheralSpace>>(PeripheralHost &)>;

} // namespace mcusim
