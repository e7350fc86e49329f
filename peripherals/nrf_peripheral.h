/// \file
/// The part every Nordic nRF52 peripheral shares (nRF52840 Product
/// Specification, "Peripheral interface"): TASKS_x registers at 0x000-0x0FC
/// (writing 1 triggers the task), EVENTS_x at 0x100-0x1FC (set by the
/// hardware, cleared by the firmware writing 0), SHORTS at 0x200, and the
/// interrupt enable INTEN (0x300) with its INTENSET (0x304) / INTENCLR (0x308)
/// views, whose bit n belongs to the event at 0x100 + 4n. A block's
/// interrupt line (its one IRQ, the peripheral ID) is pended when an event
/// is set while its interrupt is enabled, or an interrupt is enabled for an
/// event that is already set.
///
/// Which task and event registers a block has comes from the data (the
/// `[[peripheral]]` registers at those offsets); a model lists the other
/// registers it handles or stores in `owned()`.
#pragma once

#include "peripherals/peripheral.h"

#include <initializer_list>

namespace mcusim::peripherals {

class NrfPeripheral : public Peripheral {
public:
  static constexpr uint32_t kEvents = 0x100, kShorts = 0x200, kInten = 0x300, kIntenset = 0x304, kIntenclr = 0x308;

  NrfPeripheral(const PeripheralDesc &desc, PeripheralHost &host, std::initializer_list<uint32_t> owned);
  void reset() override;
  bool models(uint32_t offset) const override;
  uint32_t read_register(uint32_t offset) override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;

  /// The event at `offset` (0x100 + 4n) is set.
  bool event(uint32_t offset) const { return regs_.read(offset) & 1u; }
  uint32_t inten() const { return inten_; }
  uint32_t shorts() const { return regs_.read(kShorts); }

protected:
  /// The hardware generates the event at `offset`: EVENTS_x = 1, and the
  /// interrupt when INTEN enables it.
  void set_event(uint32_t offset);
  /// Whether the event at `offset` is written to its register when it occurs
  /// (RTC: only when EVTEN or INTEN enables it); true by default.
  virtual bool event_enabled(uint32_t /*offset*/) const { return true; }
  /// Run `fn` at core cycle `due` (at once if it is past): chained events
  /// (one character after another) keep their exact spacing though the run
  /// loop reaches each a little after it is due.
  Scheduler::EventId at_cycle(uint64_t due, std::function<void()> fn) {
    const uint64_t now = host_.now();
    return after(due > now ? due - now : 0, std::move(fn));
  }
  /// INTEN changed (a model whose events depend on it reschedules them).
  virtual void inten_changed() {}
  /// TASKS_x at `offset` was triggered (1 written).
  virtual void task(uint32_t offset) = 0;
  /// A write to a register in `owned()` (other than the task/event/INTEN ones): stored by default.
  virtual void write_owned(uint32_t offset, uint32_t value, uint32_t mask) { regs_.write(offset, value, mask); }
  /// A read of a register in `owned()`: the stored word by default.
  virtual uint32_t read_owned(uint32_t offset) { return regs_.read(offset); }
  bool is_task(uint32_t offset) const { return offset < kEvents && regs_.describe(offset); }
  bool is_event(uint32_t offset) const { return offset >= kEvents && offset < kShorts && regs_.describe(offset); }

private:
  std::vector<uint32_t> owned_;
  uint32_t inten_ = 0;
};

} // namespace mcusim::peripherals
