/// \file
/// Sleep and idle: WFI/WFE (sleep until an interrupt or event could wake the
/// core, advancing time to the next scheduled event), SLEEPONEXIT's sleep, and
/// idle `b .` loops (fast-forward to the next event, or a hang report).
#include "core/simulator_impl.h"

#include "isa/thumb.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <string_view>

namespace mcusim {

using simulator_detail::hex8;

/// WFI/WFE: advance time to the next event until something wakes the core.
bool Simulator::Impl::wake_condition() {
  int exc = scs->highest_pending();
  if (exc >= 0 && scs->group_priority(scs->priority(exc)) < scs->active_priority()) return true; // PRIMASK ignored
  if (wfe_sleep && scs->event_flag) {
    scs->event_flag = false;
    return true;
  }
  return false;
}

/// The wake-up times (in cycles, with the cycle model only, as the sleep
/// wake-up always was): Device::wakeup_us after sleep; after deep sleep the
/// wakeup_us of RunOptions::deep_sleep_state or the device's deep_sleep state
/// (the same as sleep without a [power] section).

Expected<void> Simulator::Impl::init_power(const Device &device) {
  double deep_us = device.wakeup_us;
  if (!opts.deep_sleep_state.empty()) {
    const LowPowerState *st = device.power ? device.power->state(opts.deep_sleep_state) : nullptr;
    if (!st)
      return make_error(ErrorKind::Usage, device.power ? "device " + device.name + " has no low-power state named '" +
                                                             opts.deep_sleep_state + "'"
                                                       : "device " + device.name + " has no power figures (no [power] section)");
    deep_us = st->wakeup_us;
  } else if (device.power) {
    if (const LowPowerState *st = device.power->deep_sleep_state()) deep_us = st->wakeup_us;
  }
  if (opts.count_instruction_classes) {
    auto dec = isa::Decoder::create(device.core);
    if (!dec) return tl::unexpected(dec.error());
    class_decoder = std::move(*dec);
    block_classes.assign(table.size(), BlockClasses{});
  }
  if (ct) {
    sleep_wakeup_us = device.wakeup_us;
    deep_wakeup_us = deep_us;
    retime_sleep(sim.hz_);
  }
  return {};
}

void Simulator::Impl::sleep_step(uint64_t cycle_limit) {
  if (wake_condition()) {
    sleeping = false;
    if (slept) {
      // Wake-up time of the state slept in: asleep (RunResult::sleep_cycles) but not yet running.
      timeline.change(CoreState::Wakeup, cycles, synced_power());
      uint64_t wake = slept_deep ? deep_wakeup_cycles : sleep_wakeup_cycles;
      if (slept_deep && deep_state >= 0) {
        DeepSleepCounts &st = power.deep_states[size_t(deep_state)];
        wake = ct ? uint64_t(st.wakeup_us * sim.hz_ / 1e6) : 0;
        st.wakeup_cycles += wake;
      }
      cycles += wake;
      sleep_cycles += wake;
      (slept_deep ? power.deep_wakeup_cycles : power.sleep_wakeup_cycles) += wake;
      timeline.change(CoreState::Run, cycles, synced_power());
      if (slept_deep && standby_reset_pending) {
        // Standby/Shutdown ends in a reset (docs/peripherals.md, "Low power").
        standby_reset_pending = false;
        wake_from_standby();
      }
    }
    slept = false;
    return;
  }
  if (!slept) {
    // Sleep begins (a WFI/WFE or SLEEPONEXIT that nothing ends at once).
    slept_deep = scs->sleep_deep();
    ++(slept_deep ? power.deep_sleep_entries : power.sleep_entries);
    deep_state = slept_deep ? enter_deep_state() : -1;
    timeline.change(slept_deep ? CoreState::DeepSleep : CoreState::Sleep, cycles, synced_power());
  }
  slept = true;
  uint64_t next = sched.next_time();
  if (next == Scheduler::kNever) {
    finish(StopReason::Hang, std::string("firmware sleeps (") + (wfe_sleep ? "WFE" : "WFI") + ") at " +
                                 sim.elf_.describe(pc()) + " with no interrupt or event left that could wake it");
    return;
  }
  uint64_t target = std::min(next, cycle_limit);
  if (target > cycles) {
    sleep_cycles += target - cycles;
    (slept_deep ? power.deep_sleep_cycles : power.sleep_cycles) += target - cycles;
    if (slept_deep && deep_state >= 0) power.deep_states[size_t(deep_state)].cycles += target - cycles;
    cycles = target;
  }
  sched.run_due(cycles);
}

/// The low-power state a deep sleep beginning now enters: RunOptions::
/// deep_sleep_state when given (it overrides the firmware), else the one the
/// firmware's registers select (PeripheralSpace::low_power_state, e.g.
/// PWR_CR1.LPMS), else the device's deep_sleep. Counted in
/// power.deep_states; -1 without power figures (one deep-sleep kind only).
int Simulator::Impl::enter_deep_state() {
  const Device &device = sim.device_;
  if (!device.power) return -1;
  const PowerDesc &p = *device.power;
  const LowPowerState *st = nullptr;
  bool from_registers = false;
  if (!opts.deep_sleep_state.empty()) st = p.state(opts.deep_sleep_state);
  else if (periph) {
    if (auto name = periph->low_power_state()) {
      st = p.state(*name);
      from_registers = st != nullptr;
      if (!st && !warned_unknown_state) {
        warned_unknown_state = true;
        console.err("mcusim: warning: the firmware selects low-power state '" + *name + "', which devices/" + device.name +
                    ".toml does not describe: priced as its deep_sleep state\n");
      }
    }
  }
  if (!st) st = p.deep_sleep_state();
  if (!st) return -1; // no deep-sleep state named: the wake-up and pricing of old (the sleep state's)
  size_t i = 0;
  while (i < power.deep_states.size() && power.deep_states[i].name != st->name) ++i;
  if (i == power.deep_states.size()) {
    if (i == kMaxDeepStates) return -1; // cannot happen with a device's handful of states
    power.deep_states.push_back({st->name, st->wakeup_us, 0, 0, 0});
  }
  ++power.deep_states[i].entries;
  // Standby and Shutdown lose the core's state: the wake-up is a reset. Only
  // when the firmware chose it: the override and the device's default only
  // price the sleep (and set its wake-up time), as they always did.
  standby_reset_pending = from_registers && st->kind == PowerStateKind::Standby;
  return int(i);
}

/// The engine stopped by itself (the "until" address was never reached): the
/// instruction just executed is WFI or WFE, so the core goes to sleep (WFE
/// with an event pending consumes it and continues).
void Simulator::Impl::handle_sleep_insn() {
  uint32_t p = pc();
  auto m4 = mem.read16(p - 4), m2 = mem.read16(p - 2);
  auto kind = isa::sleep_insn_before(m4.value_or(0), m2.value_or(0));
  if (kind == isa::SleepInsn::Wfe && scs->event_flag) {
    scs->event_flag = false; // WFE consumes a pending event and continues
  } else if (kind != isa::SleepInsn::None) {
    sleeping = true;
    wfe_sleep = kind == isa::SleepInsn::Wfe;
  } else if (!(attention.load() & kAttendStop)) {
    finish(StopReason::Internal, "the engine stopped unexpectedly at " + sim.elf_.describe(p));
  }
}

/// "b ." reached: idle until the next event, or report what it means.
void Simulator::Impl::handle_self_loop() {
  uint32_t p = stop_pc;
  int cur = ipsr();
  if (cur != 0) {
    auto ref = sim.elf_.symbolize(p);
    std::string where = sim.elf_.describe(p);
    if (last_fault && cur >= kExcHardFault && cur <= kExcSecureFault) {
      last_fault->note = (last_fault->note.empty() ? "" : last_fault->note + "; ") + "the firmware's " + exception_name(cur) + " handler " +
                         (ref.symbol ? "(" + ref.symbol->name + ") " : "") + "loops forever at " + hex8(p);
      finish_fault(StopReason::Fault);
      return;
    }
    last_fault = make_fault("Unhandled " + exception_name(cur),
                            exception_name(cur) + " (exception " + std::to_string(cur) + ") entered an endless loop at " + where,
                            p, std::nullopt, true);
    last_fault->note = "no handler of its own: the default handler spins";
    finish_fault(StopReason::Fault);
    return;
  }
  if (p == self_loop_pc) ++self_loop_repeats;
  else {
    self_loop_pc = p;
    self_loop_repeats = 0;
  }
  uint64_t next = sched.next_time();
  if (next == Scheduler::kNever || self_loop_repeats > 100000) {
    finish(StopReason::Hang, "firmware is stuck in an endless loop at " + sim.elf_.describe(p) +
                                 " that no interrupt can end");
    return;
  }
  const isa::BlockCost &c = lookup(p, last_block_size_for(p)).cost;
  uint64_t target = next;
  if (opts.max_cycles) target = std::min(target, opts.max_cycles);
  if (target > cycles) {
    uint64_t delta = target - cycles;
    charge_run(delta, loc_of(p)); // spinning is running, from where the loop is
    insns += c.cycles ? delta / c.cycles : delta;
  }
  sched.run_due(cycles);
}
uint32_t Simulator::Impl::last_block_size_for(uint32_t p) {
  auto h1 = mem.read16(p);
  return h1 && isa::is32(*h1) ? 4 : 2;
}

/// Standby ends with the RAM parts the device file marks (`standby` of a
/// [[memory]] region) lost unless their retention condition holds
/// (PeripheralSpace::standby_keeps, e.g. PWR_CR3.RRS for the STM32L4's
/// SRAM2): their contents are undefined on the chip, modelled as
/// MemoryRegionDesc::kStandbyLostFill. Asked before the peripherals' standby reset.
void Simulator::Impl::lose_standby_ram() {
  for (const auto &r : sim.device_.memory) {
    for (const auto &part : r.standby) {
      if (!part.kept_by.empty() && periph && periph->standby_keeps(part.kept_by)) continue;
      uint8_t *p = mem.host_ptr(part.base, part.size);
      if (!p) continue;
      std::memset(p, MemoryRegionDesc::kStandbyLostFill, part.size);
      uc_ctl_remove_cache(uc, part.base, uint64_t(part.base) + part.size); // code run from there is gone too
    }
  }
}

} // namespace mcusim
