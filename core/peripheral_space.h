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
#include <string>
#include <vector>

namespace mcusim {

/// The host end of a serial line (a UART's TX and RX pins): what `--uart`
/// and `--uart-in` connect a UART model to, and what `mcusim eembc` drives.
/// A model calls transmit() when a character's stop bit ends and receive()
/// when its receiver can take a character; when receive() had nothing, the
/// line calls the model's wake-up (set_data_ready) once a byte is waiting.
class SerialLine {
public:
  virtual ~SerialLine() = default;
  /// The firmware sent `byte`.
  virtual void transmit(uint8_t byte) = 0;
  /// The next byte for the firmware, if one is waiting (it is consumed).
  virtual std::optional<uint8_t> receive() = 0;
  /// The model's wake-up for input that arrives later (replaces the previous one).
  void set_data_ready(std::function<void()> fn) { data_ready_ = std::move(fn); }

protected:
  /// For lines whose input arrives during the run (a script, a pty): tell the model.
  void notify_data_ready() {
    if (data_ready_) data_ready_();
  }

private:
  std::function<void()> data_ready_;
};

/// What a run connects its peripheral models to on the host side
/// (RunOptions::peripheral_io, PeripheralHost::io). Every member may be empty.
struct PeripheralIo {
  /// The line of the UART named `name` ("USART2", "LPUART1", "UARTE0"), or
  /// nullptr when the run does not connect it (its output is then dropped, its input idle).
  std::function<SerialLine *(const std::string &name)> serial;
  /// An output pin changed level at core cycle `cycle`: port ("GPIOA", "P0"), pin number, new level.
  std::function<void(const std::string &port, unsigned pin, bool level, uint64_t cycle)> gpio_changed;
};

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
  PeripheralIo io; ///< serial lines and pin observers (RunOptions::peripheral_io)
  /// A bus master's access to RAM (nRF EasyDMA): copies between the guest's
  /// memory and `data`; false, and nothing copied, unless [addr, addr+len)
  /// lies inside one `kind = "sram"` region. Never a memory hook: the host
  /// buffers the engine maps are read and written directly.
  std::function<bool(uint32_t addr, void *data, uint32_t len)> read_ram;
  std::function<bool(uint32_t addr, const void *data, uint32_t len)> write_ram;
  /// The device turned itself off (nRF52 System OFF): the run ends at the
  /// next block boundary as an exit with code 0 and `why` as its message.
  std::function<void(const std::string &why)> power_off;
  /// Drive NVIC line n's request as a level (a peripheral's flags AND its
  /// enables): while it is active the line is pending whenever it is not
  /// active in the NVIC, so a handler that returns with the flag still set is
  /// entered again, and clearing the flag withdraws a request not yet taken.
  /// Empty: the line is pended on each rising level only.
  std::function<void(unsigned, bool)> set_irq_level;
};

/// The core clock and flash wait states the firmware's registers select
/// (RCC SYSCLK/HCLK, FLASH_ACR.LATENCY; docs/peripherals.md, "The clock").
struct CoreClock {
  double hz = 0;                    ///< HCLK: the core's clock
  std::optional<unsigned> flash_ws; ///< the programmed flash latency, if the device models it
  /// The regulator / voltage-scaling mode the PWR registers select, named as
  /// the device's `[power]` run rows name their modes ("range1", "range2",
  /// "smps", "ldo"); none when the device models no such register or the
  /// firmware has not chosen. The core keeps it only when the device's figures name it.
  std::optional<std::string> power_mode;
  /// The flash interface's prefetch and caches as the firmware's FLASH_ACR
  /// (or ICACHE_CR, SCB->CCR) enables them; none until the firmware writes
  /// that register (the device file's and --cache's choice stays in force).
  struct Accel {
    std::optional<bool> prefetch, icache, dcache; ///< none: the register has no such bit
    bool operator==(const Accel &) const = default;
  };
  std::optional<Accel> accel;
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
  /// The low-power state SLEEPDEEP enters, as the registers select it (a
  /// `[[power.state]]` name of the device: "stop2", "standby"; PWR_CR1.LPMS on
  /// the STM32L4), asked when the core goes to deep sleep; none: RunOptions::deep_sleep_state.
  virtual std::optional<std::string> low_power_state() const { return std::nullopt; }
  /// The reset that ends Standby or Shutdown: like reset(), except what the
  /// backup domain keeps (the RTC, RCC_BDCR) and the flags that tell firmware
  /// it woke from Standby (PWR_SR1.SBF). Default: reset().
  virtual void standby_reset() { reset(); }
  /// Whether the condition `name` of a device file's `standby` part
  /// (MemoryRegionDesc::StandbyPart::kept_by, e.g. "PWR_CR3.RRS") holds as
  /// the registers are set now, asked before standby_reset(). Default: false.
  virtual bool standby_keeps(const std::string & /*name*/) const { return false; }
};

/// Builds the space for a run (RunOptions::peripherals).
using PeripheralFactory = std::function<Expected<std::unique_ptr<PeripheralSpace>>(PeripheralHost &)>;

} // namespace mcusim
