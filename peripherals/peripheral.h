/// \file
/// A peripheral model: one memory-mapped block of a device, built from its
/// `[[peripheral]]` description (base, size, irqs, registers). Every block
/// has a RegisterFile holding its registers; a model gives some of them
/// behaviour (models() says which) and leaves the others to the register
/// file, where the bus reports them as unmodelled. Timed behaviour goes
/// through the core's event scheduler, interrupts through the NVIC
/// (PeripheralHost), never through a per-instruction hook.
#pragma once

#include "base/device.h"
#include "core/peripheral_space.h"
#include "peripherals/register_file.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mcusim::peripherals {

class PeripheralBus;

class Peripheral {
public:
  Peripheral(const PeripheralDesc &desc, PeripheralHost &host);
  virtual ~Peripheral();
  Peripheral(const Peripheral &) = delete;
  Peripheral &operator=(const Peripheral &) = delete;

  const std::string &name() const { return desc_.name; }
  const PeripheralDesc &desc() const { return desc_; }
  uint32_t base() const { return desc_.base; }
  uint32_t size() const { return desc_.size; }

  /// Reset: every register to its reset value; the model's timed events cancelled.
  virtual void reset();
  /// Whether the model gives the word at `offset` behaviour of its own. The
  /// others are served by the register file (stored, read back) and
  /// reported as unmodelled.
  virtual bool models(uint32_t /*offset*/) const { return false; }
  /// A 32-bit read of the word at `offset` (a multiple of 4).
  virtual uint32_t read_register(uint32_t offset) { return regs_.read(offset); }
  /// A write of `value` to the bytes of the word at `offset` in `mask`
  /// (0x000000FF for a byte store to the lowest byte, ...).
  virtual void write_register(uint32_t offset, uint32_t value, uint32_t mask) { regs_.write(offset, value, mask); }

  /// The core clock changed at cycle `now` by `ratio` (new / old): the
  /// block's pending events move so their remaining time in seconds stays.
  void retime(uint64_t now, double ratio);
  /// The core clock (HCLK) the block's registers select, for a clock-tree model (RCC); none by default.
  virtual std::optional<double> core_clock_hz() const { return std::nullopt; }
  /// The flash latency (wait states) the block's registers select (FLASH_ACR); none by default.
  virtual std::optional<unsigned> flash_latency() const { return std::nullopt; }
  /// The regulator / voltage-scaling mode the block's registers select (PWR),
  /// named as device files name `[power]` run modes ("range2", "ldo"); none by
  /// default (CoreClock::power_mode). A model calls clock_changed() when it changes.
  virtual std::optional<std::string> power_mode() const { return std::nullopt; }
  /// The flash interface's prefetch and cache enables the block's registers
  /// select (FLASH_ACR), each once the firmware has changed it; none by default (CoreClock::accel).
  virtual std::optional<CoreClock::Accel> flash_accel() const { return std::nullopt; }
  /// The frequency of the clock `name` the block's registers select, for a
  /// clock-tree model (RCC): "SYSCLK", "HCLK", "PCLK1", "PCLK2", "LSE", "LSI",
  /// or a kernel clock such as "USART2" (the clock its baud rate divides); none by default.
  virtual std::optional<double> clock_hz(std::string_view /*name*/) const { return std::nullopt; }
  /// The low-power state SLEEPDEEP enters as the block's registers select it
  /// (PWR): a [[power.state]] name; none by default (PeripheralSpace::low_power_state).
  virtual std::optional<std::string> low_power_state() const { return std::nullopt; }
  /// The reset that ends Standby/Shutdown (PeripheralSpace::standby_reset):
  /// reset() unless the block keeps state across it (backup domain) or sets flags.
  virtual void standby_reset() { reset(); }
  /// Whether the block's registers keep the Standby retention `name` (PWR:
  /// "PWR_CR3.RRS"); none when the block does not know the name (PeripheralSpace::standby_keeps).
  virtual std::optional<bool> standby_keeps(const std::string & /*name*/) const { return std::nullopt; }
  /// Called once, after every block of the device is on `bus`: a block looks
  /// up the blocks it depends on here (a UART's RCC for its clock, EXTI's GPIO ports).
  virtual void connect(PeripheralBus & /*bus*/) {}

  RegisterFile &registers() { return regs_; }
  const RegisterFile &registers() const { return regs_; }

protected:
  /// What an event's distance is measured in, when the core clock changes:
  /// RealTime (an oscillator start-up, a count of LSE ticks: the remaining
  /// cycles scale so the remaining seconds stay), or CoreClock (a count of
  /// clocks derived from HCLK, such as a timer's on PCLK: the remaining cycles stay).
  enum class Timebase { RealTime, CoreClock };
  /// Run `fn` `cycles` core cycles after the access in progress; the event is
  /// cancelled by reset(). Returns its id (for cancel()).
  Scheduler::EventId after(uint64_t cycles, std::function<void()> fn, Timebase timebase = Timebase::RealTime);
  void cancel(Scheduler::EventId &id);
  /// Run `fn(due)` at the absolute core cycle `when` (a periodic timer keeps
  /// its period exact by scheduling from `due`, not from the access in progress).
  Scheduler::EventId at(uint64_t when, std::function<void(uint64_t due)> fn, Timebase timebase = Timebase::RealTime);
  uint64_t now() const { return host_.now(); }
  /// Core cycles in `us` microseconds at the run's clock (at least 1).
  uint64_t cycles_in_us(double us) const;
  /// Tell the core that core_clock_hz() or flash_latency() may have changed
  /// (it reads them at the next block boundary).
  void clock_changed() {
    if (host_.clock_changed) host_.clock_changed();
  }
  /// An oscillator's ON bit (bit 0 of register `reg`) and its RDY flag (bit 1),
  /// as the RCC's LSE and LSI have them: RDY rises `start_us` after ON is set
  /// (the event `event`) and drops at once when ON is cleared.
  void low_speed(uint32_t reg, double start_us, Scheduler::EventId &event);
  /// Pend the block's `index`-th interrupt line (desc().irqs): an edge, one request.
  void raise_irq(size_t index);
  /// Drive the block's `index`-th interrupt line as a level: a model calls it
  /// with (its status flags AND its interrupt enables) != 0 whenever either
  /// changes (PeripheralHost::set_irq_level).
  void set_irq_level(size_t index, bool active);

  const PeripheralDesc desc_; ///< a copy: the model outlives the Device it came from
  PeripheralHost &host_;
  RegisterFile regs_;

private:
  struct Pending {
    Scheduler::EventId id;
    Timebase timebase;
  };
  /// Add an event, dropping those that have run (the list holds pending events only).
  Scheduler::EventId track(Scheduler::EventId id, Timebase timebase);
  std::vector<Pending> events_;
};

} // namespace mcusim::peripherals
