/// \file
/// Exception entry and return (stacking, EXC_RETURN, tail-chaining), taking
/// pending exceptions, the interrupts the engine reports (SVC, BKPT,
/// EXC_RETURN, NOCP, UDEF) and the core's reset state.
#include "core/simulator_impl.h"

#include <string>

namespace mcusim {

using simulator_detail::hex;
using simulator_detail::hex8;

// --- exception entry ------------------------------------------------------------------------
/// Take exception `exc` with `ret` as the stacked return address.
bool Simulator::Impl::enter_exception(int exc, uint32_t ret) {
  uint32_t control = reg(UC_ARM_REG_CONTROL);
  int cur_ipsr = ipsr();
  bool thread = cur_ipsr == 0;
  bool use_psp = thread && (control & 2);
  bool fp = sim.device_.has_fpu() && (control & 4);
  uint32_t frame = fp ? 0x68 : 0x20;
  uint32_t sp = reg(UC_ARM_REG_SP);
  uint32_t new_sp = sp - frame;
  bool realign = new_sp & 4;
  if (realign) new_sp -= 4;
  uint32_t words[26] = {};
  words[0] = reg(UC_ARM_REG_R0);
  words[1] = reg(UC_ARM_REG_R1);
  words[2] = reg(UC_ARM_REG_R2);
  words[3] = reg(UC_ARM_REG_R3);
  words[4] = reg(UC_ARM_REG_R12);
  words[5] = reg(UC_ARM_REG_LR);
  words[6] = ret & ~1u;
  uint32_t xpsr = reg(UC_ARM_REG_XPSR);
  words[7] = (xpsr & ~(1u << 9)) | (realign ? 1u << 9 : 0) | (1u << 24);
  if (fp) {
    for (int i = 0; i < 8; ++i) {
      uint64_t d = 0;
      uc_reg_read(uc, UC_ARM_REG_D0 + i, &d);
      words[8 + 2 * i] = uint32_t(d);
      words[9 + 2 * i] = uint32_t(d >> 32);
    }
    words[24] = reg(UC_ARM_REG_FPSCR);
  }
  if (!push_words(new_sp, words, frame / 4)) {
    fatal_fault("stacking error", "exception entry for " + exception_name(exc) + " could not push its frame at " +
                                      hex(new_sp) + " (stack pointer " + hex(sp) + " is outside writable RAM: stack overflow?)",
                ret, new_sp, StopReason::Fault);
    return false;
  }
  set_reg(UC_ARM_REG_SP, new_sp);
  uint32_t exc_return = 0xFFFFFFE1u | (fp ? 0 : 0x10) | (thread ? 8 : 0) | (use_psp ? 4 : 0);
  set_reg(UC_ARM_REG_IPSR, uint32_t(exc)); // switches to MSP
  set_reg(UC_ARM_REG_CONTROL, control & ~6u);
  uint32_t new_xpsr = (xpsr & 0xF80F0000u) | (1u << 24) | uint32_t(exc);
  set_reg(UC_ARM_REG_XPSR_NZCVQG, new_xpsr);
  set_reg(UC_ARM_REG_LR, exc_return);
  scs->set_active(exc, true);
  scs->clear_pending(exc);
  scs->event_flag = true;
  if (ct) {
    // Tail-chaining replaces the exit just charged and this entry.
    if (just_returned) tail_chain_charge(int64_t(ct->tail_chain) - int64_t(ct->exc_exit));
    else charge_run(ct->exc_entry + (fp ? ct->fp_frame_extra : 0u), loc_of(ret));
  }
  just_returned = false;
  auto vec = mem.read32(scs->vtor + 4 * uint32_t(exc));
  const MemoryRegionDesc *target = vec ? sim.device_.region_at(*vec & ~1u, 2) : nullptr;
  if (!vec || *vec == 0 || !(*vec & 1) || !target || !target->exec) {
    no_handler(exc, vec.value_or(0));
    return false;
  }
  set_pc(*vec);
  rebuild_hflags();
  sleeping = false;
  if (profiling) tracker->exception_entry(*vec, cycles);
  return true;
}

/// The tail-chain's change to the exception exit just charged (`delta`
/// cycles, a refund when negative), to the location the exit was charged to.
/// After SLEEPONEXIT's sleep that exit lies in a closed timeline segment.
void Simulator::Impl::tail_chain_charge(int64_t delta) {
  cycles += uint64_t(delta);
  if (exit_loc == uint8_t(CodeLocation::Ram)) ram_cycles += uint64_t(delta);
  if (timeline.closed() != exit_closed) timeline.recharge_closed(delta, CodeLocation(exit_loc), exit_at, synced_power());
}

// --- exception return -------------------------------------------------------------------------
bool Simulator::Impl::exception_return(uint32_t exc_return) {
  int cur = ipsr();
  bool valid = (exc_return & 0xFFFFFFE0u) == 0xFFFFFFE0u &&
               ((exc_return & 0xF) == 0x1 || (exc_return & 0xF) == 0x9 || (exc_return & 0xF) == 0xD) &&
               ((exc_return & 0x10) || sim.device_.has_fpu()) && cur != 0;
  if (!valid) {
    raise_fault(kExcUsageFault, cfsr::INVPC, last_block(), "invalid EXC_RETURN " + hex8(exc_return), std::nullopt, false);
    return false;
  }
  bool to_thread = exc_return & 8, use_psp = exc_return & 4, fp = !(exc_return & 0x10);
  exit_loc = running_loc(); // the handler's
  scs->set_active(cur, false);
  if (profiling) tracker->exception_return(cycles);
  uint32_t frame_sp = reg(use_psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP);
  uint32_t words[26] = {};
  unsigned n = fp ? 26 : 8;
  if (!mem.read(frame_sp, words, n * 4)) {
    fatal_fault("unstacking error", "exception return could not read its frame at " + hex(frame_sp), last_block(), frame_sp,
                StopReason::Fault);
    return false;
  }
  uint32_t xpsr = words[7];
  uint32_t new_sp = frame_sp + n * 4 + ((xpsr >> 9) & 1 ? 4 : 0);
  set_reg(use_psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP, new_sp);
  uint32_t control = reg(UC_ARM_REG_CONTROL);
  uint32_t fpca = fp ? 4u : 0u;
  // Still privileged (handler mode): clear nPRIV so the thread-mode CONTROL
  // write below is accepted, then restore it in that write.
  set_reg(UC_ARM_REG_CONTROL, (control & ~5u) | fpca);
  uint32_t new_ipsr = to_thread ? 0 : (xpsr & 0x1FF);
  set_reg(UC_ARM_REG_IPSR, new_ipsr);
  if (to_thread) set_reg(UC_ARM_REG_CONTROL, (control & ~7u) | (use_psp ? 2u : 0u) | fpca | (control & 1u));
  set_reg(UC_ARM_REG_R0, words[0]);
  set_reg(UC_ARM_REG_R1, words[1]);
  set_reg(UC_ARM_REG_R2, words[2]);
  set_reg(UC_ARM_REG_R3, words[3]);
  set_reg(UC_ARM_REG_R12, words[4]);
  set_reg(UC_ARM_REG_LR, words[5]);
  if (fp) {
    for (int i = 0; i < 8; ++i) {
      uint64_t d = uint64_t(words[8 + 2 * i]) | (uint64_t(words[9 + 2 * i]) << 32);
      uc_reg_write(uc, UC_ARM_REG_D0 + i, &d);
    }
    set_reg(UC_ARM_REG_FPSCR, words[24]);
  }
  set_reg(UC_ARM_REG_XPSR_NZCVQG, (xpsr & ~(1u << 9)) | (1u << 24));
  set_pc(words[6]);
  rebuild_hflags();
  if (ct) {
    charge_run(ct->exc_exit + (fp ? ct->fp_frame_extra : 0u), exit_loc);
    just_returned = !fp;
    exit_at = cycles;
    exit_closed = timeline.closed();
  }
  if (to_thread && scs->sleep_on_exit()) {
    sleeping = true;
    wfe_sleep = false;
  }
  return true;
}

// --- pending exceptions -----------------------------------------------------------------------
/// Take the highest pending exception if it can preempt. Sets poll when a
/// pending exception is held back only by PRIMASK/BASEPRI/FAULTMASK.
void Simulator::Impl::take_pending() {
  poll = false;
  poll_prio = 256;
  for (int guard = 0; guard < 64 && !finished; ++guard) {
    int exc = scs->highest_pending();
    if (exc < 0) return;
    int gp = scs->group_priority(scs->priority(exc));
    if (gp < execution_priority()) {
      if (!enter_exception(exc, pc())) return;
      continue;
    }
    if (gp < scs->active_priority()) {
      poll = true;
      poll_prio = gp;
    }
    return;
  }
}

// --- interrupts from the engine ------------------------------------------------------------
void Simulator::Impl::handle_intr() {
  uint32_t p = stop_pc;
  switch (intno) {
  case 2: { // SVC: PC is after the instruction
    int exec_prio = execution_priority();
    if (scs->group_priority(scs->priority(kExcSVCall)) >= exec_prio) {
      raise_fault(kExcHardFault, 0, p - 2, "SVC executed at a priority that blocks SVCall", std::nullopt, true);
      if (!core_is_v6m(sim.device_.core)) scs->hfsr |= hfsr::FORCED;
      return;
    }
    enter_exception(kExcSVCall, p);
    return;
  }
  case 7: { // BKPT: PC at the instruction
    auto hw = mem.read16(p);
    if (hw && *hw == 0xBEAB) {
      uint32_t op = reg(UC_ARM_REG_R0), a = reg(UC_ARM_REG_R1);
      auto out = semi->call(op, a);
      if (out.exit_code) {
        RunResult r;
        r.reason = StopReason::Exited;
        r.exit_code = *out.exit_code;
        r.pc = p;
        if (out.exit_abnormal) r.message = "firmware exited with reason " + hex(out.exit_reason);
        finished = r;
        return;
      }
      set_reg(UC_ARM_REG_R0, out.r0);
      set_pc(p + 2);
      return;
    }
    if (!core_is_v6m(sim.device_.core)) scs->hfsr |= hfsr::DEBUGEVT;
    raise_fault(kExcHardFault, 0, p, "BKPT #" + std::to_string(hw.value_or(0) & 0xFF) + " with no debugger attached",
                std::nullopt, true);
    return;
  }
  case 8: // EXCEPTION_EXIT: PC holds EXC_RETURN without bit 0
    exception_return(p | 1);
    return;
  case 3: // prefetch abort at an EXC_RETURN address (stale hflags): treat as a return
    if (p >= 0xFFFFFFE0u && ipsr() != 0) {
      exception_return(p | 1);
      return;
    }
    raise_fault(kExcBusFault, cfsr::IBUSERR, p, "instruction bus error at " + hex8(p), p, true);
    return;
  case 17: // NOCP
    raise_fault(kExcUsageFault, cfsr::NOCP, p, "coprocessor (FPU) instruction on a core or configuration without access",
                std::nullopt, true);
    return;
  case 1: // UDEF
    raise_fault(kExcUsageFault, cfsr::UNDEFINSTR, p, "undefined instruction", std::nullopt, true);
    return;
  default:
    finish(StopReason::Internal, "unexpected CPU exception " + std::to_string(intno) + " at " + sim.elf_.describe(p));
    return;
  }
}

// --- reset ------------------------------------------------------------------------------------
/// Standby/Shutdown ends in a reset: the core restarts from the reset
/// vector; the peripherals keep their backup domain and flag the wake-up
/// (PeripheralSpace::standby_reset). SRAM is kept (see docs/peripherals.md, "Low power").
void Simulator::Impl::wake_from_standby() {
  lose_standby_ram();
  reset_cpu(true);
  cur = &no_block;
}

void Simulator::Impl::reset_cpu(bool standby) {
  scs->reset();
  if (periph) {
    if (standby) periph->standby_reset(); // the wake-up from Standby keeps the backup domain
    else periph->reset(); // a system reset resets the peripherals too
    if (clock_from_firmware) clock_dirty = true; // the firmware's clock was in force: back to the reset clock
  }
  if (l1_changed) { // CCR.IC/DC back to reset: the device file's caches again
    l1_changed = 0;
    l1_dirty = true;
  }
  fpu_on = !sim.device_.has_fpu() || scs->fpu_enabled();
  set_reg(UC_ARM_REG_IPSR, 0);
  set_reg(UC_ARM_REG_CONTROL, 0);
  set_reg(UC_ARM_REG_PRIMASK, 0);
  set_reg(UC_ARM_REG_FAULTMASK, 0);
  set_reg(UC_ARM_REG_BASEPRI, 0);
  set_reg(UC_ARM_REG_MSP, vectors.initial_sp & ~3u);
  set_reg(UC_ARM_REG_PSP, 0);
  set_reg(UC_ARM_REG_LR, 0xFFFFFFFF);
  set_reg(UC_ARM_REG_XPSR_NZCVQG, 1u << 24);
  set_pc(vectors.reset);
  rebuild_hflags();
  sleeping = false;
  poll = false;
}

} // namespace mcusim
