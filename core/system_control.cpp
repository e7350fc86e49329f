/// \file
/// NVIC, SCB, SysTick, DWT and ITM registers (ARMv7-M ARM B3, ARMv6-M ARM B3,
/// Cortex-M TRMs for the IMPLEMENTATION DEFINED reset values).
#include "core/system_control.h"

#include <algorithm>

namespace mcusim {

std::string exception_name(int exc) {
  switch (exc) {
  case kExcReset: return "Reset";
  case kExcNMI: return "NMI";
  case kExcHardFault: return "HardFault";
  case kExcMemManage: return "MemManage";
  case kExcBusFault: return "BusFault";
  case kExcUsageFault: return "UsageFault";
  case kExcSecureFault: return "SecureFault";
  case kExcSVCall: return "SVCall";
  case kExcDebugMon: return "DebugMonitor";
  case kExcPendSV: return "PendSV";
  case kExcSysTick: return "SysTick";
  default:
    if (exc >= kExcIrq0) return "IRQ" + std::to_string(exc - kExcIrq0);
    return "exception " + std::to_string(exc);
  }
}

namespace {
uint32_t cpuid_for(CoreKind core) {
  switch (core) {
  case CoreKind::M0plus: return 0x410CC601; // r0p1
  case CoreKind::M3: return 0x412FC231;     // r2p1
  case CoreKind::M4:
  case CoreKind::M4F: return 0x410FC241;    // r0p1
  case CoreKind::M7: return 0x411FC272;     // r1p2
  case CoreKind::M33: return 0x410FD213;    // r0p3
  }
  return 0;
}
} // namespace

SystemControl::SystemControl(const Device &device, double hz, Scheduler &sched, const uint64_t &cycles, Console &console)
    : device_(device), hz_(hz), sched_(sched), cycles_(cycles), console_(console) {
  int n = kExcIrq0 + int(device.irqs);
  pending_.assign(n, 0);
  active_.assign(n, 0);
  enabled_irq_.assign(n, 0);
  prio_.assign(n, 0);
  prio_mask_ = uint8_t(0xFF << (8 - device.priority_bits));
  reset();
}

void SystemControl::reset() {
  std::fill(pending_.begin(), pending_.end(), 0);
  std::fill(active_.begin(), active_.end(), 0);
  std::fill(enabled_irq_.begin(), enabled_irq_.end(), 0);
  std::fill(prio_.begin(), prio_.end(), 0);
  shcsr_enables_ = 0;
  vtor = device_.vector_table & 0xFFFFFF80;
  ccr = core_is_v6m(device_.core) ? 0x208 : 0x200; // STKALIGN (and UNALIGN_TRP RAO on v6-M)
  scr = cpacr = cfsr = hfsr = mmfar = bfar = 0;
  prigroup = 0;
  reset_requested = false;
  event_flag = false;
  if (st_event_) sched_.cancel(st_event_);
  st_event_ = 0;
  st_ctrl_ = st_reload_ = st_value_ = 0;
  st_countflag_ = false;
  demcr_ = 0;
  dwt_ctrl_ = core_is_v6m(device_.core) ? (1u << 25) : (4u << 28); // NOCYCCNT on v6-M; 4 comparators
  cyc_base_ = 0;
  cyc_start_ = cycles_;
  dwt_locked_ = device_.core == CoreKind::M7;
  // ITM enabled for port 0 as a debugger would leave it, so ITM_SendChar works.
  itm_tcr_ = 1;
  itm_ter_ = 1;
  itm_tpr_ = 0;
  fpccr_ = device_.has_fpu() ? 0xC0000000 : 0;
  fpcar_ = fpdscr_ = 0;
}

// --- Exceptions ----------------------------------------------------------------

void SystemControl::set_pending(int e) {
  if (!valid(e)) return;
  pending_[e] = true;
  if (sevonpend()) event_flag = true;
}

bool SystemControl::fault_enabled(int e) const {
  switch (e) {
  case kExcMemManage: return shcsr_enables_ & (1u << 16);
  case kExcBusFault: return shcsr_enables_ & (1u << 17);
  case kExcUsageFault: return shcsr_enables_ & (1u << 18);
  default: return true;
  }
}

bool SystemControl::enabled(int e) const {
  if (!valid(e)) return false;
  if (e >= kExcIrq0) return enabled_irq_[e];
  return fault_enabled(e);
}

int SystemControl::priority(int e) const {
  if (e == kExcReset) return -3;
  if (e == kExcNMI) return -2;
  if (e == kExcHardFault) return -1;
  return valid(e) ? prio_[e] : 256;
}

int SystemControl::group_priority(int prio) const {
  if (prio < 0) return prio;
  unsigned sub_bits = core_is_v6m(device_.core) ? 0 : prigroup + 1;
  return sub_bits >= 8 ? 0 : int(prio & (0xFF << sub_bits) & 0xFF);
}

int SystemControl::active_priority() const {
  int best = 256;
  for (int e = 1; e < int(active_.size()); ++e)
    if (active_[e]) best = std::min(best, group_priority(priority(e)));
  return best;
}

int SystemControl::active_count() const { return int(std::count(active_.begin(), active_.end(), 1)); }

int SystemControl::highest_pending() const {
  int best = -1, best_prio = 1000;
  for (int e = 1; e < int(pending_.size()); ++e) {
    if (!pending_[e] || !enabled(e)) continue;
    int p = priority(e);
    if (p < best_prio) { // ties: lower exception number wins
      best = e;
      best_prio = p;
    }
  }
  return best;
}

// --- SysTick ---------------------------------------------------------------------

uint32_t SystemControl::systick_value() const {
  if (!(st_ctrl_ & 1)) return st_value_;
  uint64_t now = this->now(), div = systick_div();
  if (now <= st_zero_) return uint32_t((st_zero_ - now) / div) & 0xFFFFFF;
  if (st_reload_ == 0) return 0;
  uint64_t period = (uint64_t(st_reload_) + 1) * div;
  uint64_t ticks = ((now - st_zero_) % period) / div;
  return ticks == 0 ? 0 : uint32_t(st_reload_ - (ticks - 1));
}

void SystemControl::systick_start(uint32_t from) {
  uint64_t div = systick_div();
  if (from == 0) {
    if (st_reload_ == 0) return; // nothing to count
    st_zero_ = now() + (uint64_t(st_reload_) + 1) * div;
  } else {
    st_zero_ = now() + uint64_t(from) * div;
  }
  if (st_event_) sched_.cancel(st_event_);
  st_event_ = sched_.schedule(st_zero_, [this](uint64_t now) { systick_wrap(now); });
}

void SystemControl::systick_stop() {
  st_value_ = systick_value();
  if (st_event_) sched_.cancel(st_event_);
  st_event_ = 0;
}

void SystemControl::systick_wrap(uint64_t) {
  st_event_ = 0;
  st_countflag_ = true;
  if (st_ctrl_ & 2) {
    set_pending(kExcSysTick);
    changed();
  }
  if (st_reload_ == 0) {
    st_ctrl_ &= ~1u; // a reload of 0 stops the counter at the next wrap
    st_value_ = 0;
    return;
  }
  st_zero_ += (uint64_t(st_reload_) + 1) * systick_div();
  st_event_ = sched_.schedule(st_zero_, [this](uint64_t now) { systick_wrap(now); });
}

// --- DWT -------------------------------------------------------------------------

uint32_t SystemControl::cyccnt() const {
  if (core_is_v6m(device_.core)) return 0;
  if (!cyc_running()) return cyc_base_;
  return uint32_t(cyc_base_ + (now() - cyc_start_));
}

void SystemControl::cyc_update(uint32_t new_ctrl, uint32_t new_demcr) {
  uint32_t now_value = cyccnt();
  dwt_ctrl_ = new_ctrl;
  demcr_ = new_demcr;
  cyc_base_ = now_value;
  cyc_start_ = now();
}

// --- Register file ------------------------------------------------------------------

uint32_t SystemControl::read(uint32_t addr, unsigned size) {
  uint32_t word = read32(addr & ~3u);
  unsigned shift = (addr & 3) * 8;
  if (size >= 4) return word;
  uint32_t mask = size == 2 ? 0xFFFF : 0xFF;
  return (word >> shift) & mask;
}

void SystemControl::write(uint32_t addr, unsigned size, uint32_t value) {
  unsigned shift = (addr & 3) * 8;
  uint32_t mask = size >= 4 ? 0xFFFFFFFF : ((size == 2 ? 0xFFFFu : 0xFFu) << shift);
  write32(addr & ~3u, size >= 4 ? value : (value << shift), mask);
}

uint32_t SystemControl::read32(uint32_t a) {
  if (a < 0xE000E000) return read_trace(a);
  if (a >= 0xE000F000) return 0;
  uint32_t off = a - 0xE000E000;
  if (off >= 0x100 && off < 0x5F0) return read_nvic(off);
  return read_scb(off);
}

/// ITM and DWT (below the SCS).
uint32_t SystemControl::read_trace(uint32_t a) {
  // ITM
  if (a < 0xE0000080) return 1; // stimulus ports: FIFO ready
  if (a == 0xE0000E00) return itm_ter_;
  if (a == 0xE0000E40) return itm_tpr_;
  if (a == 0xE0000E80) return itm_tcr_;
  // DWT
  if (a >= 0xE0001000 && a < 0xE0002000) {
    switch (a - 0xE0001000) {
    case 0x000: return dwt_ctrl_;
    case 0x004: return cyccnt();
    case 0xFB4: return device_.core == CoreKind::M7 ? (1u | (dwt_locked_ ? 2u : 0u)) : 0u; // LSR
    default: return 0;
    }
  }
  return 0;
}

/// NVIC enable, pending, active and priority registers (SCS offsets 0x100-0x5EF).
uint32_t SystemControl::read_nvic(uint32_t off) {
  auto irq_bits = [&](const std::vector<uint8_t> &v, uint32_t base) {
    uint32_t w = 0, first = (off - base) * 8;
    for (unsigned i = 0; i < 32; ++i) {
      int e = kExcIrq0 + int(first + i);
      if (e < int(v.size()) && v[e]) w |= 1u << i;
    }
    return w;
  };
  if (off >= 0x100 && off < 0x140) return irq_bits(enabled_irq_, 0x100);
  if (off >= 0x180 && off < 0x1C0) return irq_bits(enabled_irq_, 0x180);
  if (off >= 0x200 && off < 0x240) return irq_bits(pending_, 0x200);
  if (off >= 0x280 && off < 0x2C0) return irq_bits(pending_, 0x280);
  if (off >= 0x300 && off < 0x340) return irq_bits(active_, 0x300);
  if (off >= 0x400 && off < 0x5F0) {
    uint32_t w = 0;
    for (unsigned i = 0; i < 4; ++i) {
      int e = kExcIrq0 + int(off - 0x400 + i);
      if (e < int(prio_.size())) w |= uint32_t(prio_[e]) << (8 * i);
    }
    return w;
  }
  return 0;
}

/// The SCS registers outside the NVIC arrays: SysTick, SCB, FPU (SCS offset).
uint32_t SystemControl::read_scb(uint32_t off) {
  const bool v6m = core_is_v6m(device_.core);
  switch (off) {
  case 0x004: return (device_.irqs + 31) / 32 - 1; // ICTR
  case 0x010: { // SysTick CSR
    sched_.run_due(now());
    uint32_t v = st_ctrl_ | (st_countflag_ ? (1u << 16) : 0);
    st_countflag_ = false;
    return v;
  }
  case 0x014: return st_reload_;
  case 0x018: return systick_value();
  case 0x01C: return uint32_t(hz_ / 8 / 100 - 1) & 0xFFFFFF; // CALIB: 10 ms of the reference clock
  case 0xD00: return cpuid_for(device_.core);
  case 0xD04: { // ICSR
    int ipsr = current_ipsr ? current_ipsr() : 0;
    int hp = highest_pending();
    uint32_t v = uint32_t(ipsr) & 0x1FF;
    if (hp > 0) v |= uint32_t(hp) << 12;
    bool isr_pending = false;
    for (int e = kExcIrq0; e < int(pending_.size()); ++e) isr_pending |= pending_[e];
    if (isr_pending) v |= 1u << 22;
    if (active_count() <= 1) v |= 1u << 11; // RETTOBASE
    if (pending_[kExcSysTick]) v |= 1u << 26;
    if (pending_[kExcPendSV]) v |= 1u << 28;
    if (pending_[kExcNMI]) v |= 1u << 31;
    return v;
  }
  case 0xD08: return vtor;
  case 0xD0C: return 0xFA050000u | (v6m ? 0 : prigroup << 8);
  case 0xD10: return scr;
  case 0xD14: return ccr;
  case 0xD18:
  case 0xD1C:
  case 0xD20: {
    uint32_t w = 0;
    for (unsigned i = 0; i < 4; ++i) w |= uint32_t(prio_[4 + (off - 0xD18) + i]) << (8 * i);
    return w;
  }
  case 0xD24: { // SHCSR
    uint32_t v = shcsr_enables_;
    if (active_[kExcMemManage]) v |= 1u << 0;
    if (active_[kExcBusFault]) v |= 1u << 1;
    if (active_[kExcUsageFault]) v |= 1u << 3;
    if (active_[kExcSVCall]) v |= 1u << 7;
    if (active_[kExcPendSV]) v |= 1u << 10;
    if (active_[kExcSysTick]) v |= 1u << 11;
    if (pending_[kExcUsageFault]) v |= 1u << 12;
    if (pending_[kExcMemManage]) v |= 1u << 13;
    if (pending_[kExcBusFault]) v |= 1u << 14;
    if (pending_[kExcSVCall]) v |= 1u << 15;
    return v;
  }
  case 0xD28: return v6m ? 0 : cfsr;
  case 0xD2C: return v6m ? 0 : hfsr;
  case 0xD34: return mmfar;
  case 0xD38: return bfar;
  case 0xD88: return cpacr;
  case 0xDFC: return demcr_;
  case 0xF34: return fpccr_;
  case 0xF38: return fpcar_;
  case 0xF3C: return fpdscr_;
  case 0xF40: return !device_.has_fpu() ? 0 : device_.fpu_double() ? 0x10110221 : 0x10110021; // MVFR0
  case 0xF44: return !device_.has_fpu() ? 0 : device_.fpu_double() ? 0x12000011 : 0x11000011; // MVFR1
  default: return 0;
  }
}

void SystemControl::write32(uint32_t a, uint32_t value, uint32_t mask) {
  value &= mask;
  if (a < 0xE000E000) return write_trace(a, value, mask);
  if (a >= 0xE000F000) return;
  uint32_t off = a - 0xE000E000;
  if (off >= 0x100 && off < 0x5F0) return write_nvic(off, value, mask);
  write_scb(off, value, mask);
}

/// ITM and DWT (below the SCS); `value` is already masked.
void SystemControl::write_trace(uint32_t a, uint32_t value, uint32_t mask) {
  const bool v6m = core_is_v6m(device_.core);
  auto merge = [&](uint32_t old) { return (old & ~mask) | (value & mask); };
  // ITM stimulus ports
  if (a < 0xE0000080) {
    unsigned port = (a - 0xE0000000) / 4;
    if ((port == 1 || port == 2) && on_marker) {
      on_marker(port, value);
      return;
    }
    if ((itm_tcr_ & 1) && (itm_ter_ >> port & 1) && port == 0) {
      char buf[4];
      unsigned n = 0;
      for (unsigned i = 0; i < 4; ++i)
        if (mask >> (8 * i) & 0xFF) buf[n++] = char(value >> (8 * i));
      console_.out(std::string_view(buf, n));
    }
    return;
  }
  if (a == 0xE0000E00) { itm_ter_ = merge(itm_ter_); return; }
  if (a == 0xE0000E40) { itm_tpr_ = merge(itm_tpr_); return; }
  if (a == 0xE0000E80) { itm_tcr_ = merge(itm_tcr_); return; }
  if (a >= 0xE0001000 && a < 0xE0002000) {
    uint32_t off = a - 0xE0001000;
    if (off == 0xFB0) { // LAR
      if (device_.core == CoreKind::M7) dwt_locked_ = value != 0xC5ACCE55;
      return;
    }
    if (dwt_locked_ || v6m) return;
    if (off == 0x000) cyc_update((merge(dwt_ctrl_) & 0x0FFFFFFF) | (dwt_ctrl_ & 0xF0000000), demcr_);
    else if (off == 0x004) {
      cyc_base_ = merge(cyccnt());
      cyc_start_ = now();
    }
    return;
  }
}

/// NVIC set/clear-enable, set/clear-pending and priority registers (SCS offsets 0x100-0x5EF).
void SystemControl::write_nvic(uint32_t off, uint32_t value, uint32_t mask) {
  auto irq_apply = [&](uint32_t base, auto fn) {
    uint32_t first = (off - base) * 8;
    for (unsigned i = 0; i < 32; ++i) {
      if (!(value >> i & 1)) continue;
      int e = kExcIrq0 + int(first + i);
      if (e < int(pending_.size())) fn(e);
    }
    changed();
  };
  if (off >= 0x100 && off < 0x140) return irq_apply(0x100, [&](int e) { enabled_irq_[e] = 1; });
  if (off >= 0x180 && off < 0x1C0) return irq_apply(0x180, [&](int e) { enabled_irq_[e] = 0; });
  if (off >= 0x200 && off < 0x240) return irq_apply(0x200, [&](int e) { set_pending(e); });
  if (off >= 0x280 && off < 0x2C0) return irq_apply(0x280, [&](int e) { pending_[e] = 0; });
  if (off >= 0x400 && off < 0x5F0) {
    for (unsigned i = 0; i < 4; ++i) {
      if (!(mask >> (8 * i) & 0xFF)) continue;
      int e = kExcIrq0 + int(off - 0x400 + i);
      if (e < int(prio_.size())) prio_[e] = uint8_t(value >> (8 * i)) & prio_mask_;
    }
    changed();
    return;
  }
}

/// The SCS registers outside the NVIC arrays: SysTick, SCB, STIR, FPU (SCS offset).
void SystemControl::write_scb(uint32_t off, uint32_t value, uint32_t mask) {
  const bool v6m = core_is_v6m(device_.core);
  auto merge = [&](uint32_t old) { return (old & ~mask) | (value & mask); };
  switch (off) {
  case 0x010: { // SysTick CSR
    uint32_t old = st_ctrl_;
    uint32_t nv = merge(st_ctrl_) & 7;
    bool was_on = old & 1, on = nv & 1;
    if (was_on && (!on || ((old ^ nv) & 4))) systick_stop();
    st_ctrl_ = nv;
    if (on && (!was_on || ((old ^ nv) & 4))) systick_start(st_value_);
    return;
  }
  case 0x014: st_reload_ = merge(st_reload_) & 0xFFFFFF; return;
  case 0x018: // any write clears the counter and COUNTFLAG
    st_countflag_ = false;
    st_value_ = 0;
    if (st_ctrl_ & 1) systick_start(0);
    return;
  case 0xD04: { // ICSR
    if (value & (1u << 31)) set_pending(kExcNMI);
    if (value & (1u << 28)) set_pending(kExcPendSV);
    if (value & (1u << 27)) pending_[kExcPendSV] = 0;
    if (value & (1u << 26)) set_pending(kExcSysTick);
    if (value & (1u << 25)) pending_[kExcSysTick] = 0;
    changed();
    return;
  }
  case 0xD08: vtor = merge(vtor) & 0xFFFFFF80; return;
  case 0xD0C: { // AIRCR
    uint32_t v = merge(0xFA050000u | prigroup << 8);
    if ((v >> 16) != 0x05FA) return;
    if (!v6m) prigroup = (v >> 8) & 7;
    if (v & 4) reset_requested = true;
    changed();
    return;
  }
  case 0xD10: scr = merge(scr) & 0x16; return;
  case 0xD14: {
    uint32_t old = ccr;
    if (v6m) return; // CCR is read-only on ARMv6-M
    ccr = (merge(ccr) & 0x000F031B) | 0x200;
    if ((old ^ ccr) & 0x10 && on_trap_config_change) on_trap_config_change();
    if ((old ^ ccr) & 0x30000 && on_cache_enable_change) on_cache_enable_change((old ^ ccr) & 0x30000);
    return;
  }
  case 0xD18:
  case 0xD1C:
  case 0xD20:
    for (unsigned i = 0; i < 4; ++i) {
      if (!(mask >> (8 * i) & 0xFF)) continue;
      int e = 4 + int(off - 0xD18) + int(i);
      prio_[e] = uint8_t(value >> (8 * i)) & prio_mask_;
    }
    changed();
    return;
  case 0xD24:
    if (!v6m) shcsr_enables_ = merge(shcsr_enables_) & (7u << 16);
    changed();
    return;
  case 0xD28: cfsr &= ~value; return; // write one to clear
  case 0xD2C: hfsr &= ~value; return;
  case 0xD34: mmfar = merge(mmfar); return;
  case 0xD38: bfar = merge(bfar); return;
  case 0xD88: {
    uint32_t old = cpacr;
    cpacr = merge(cpacr) & (device_.has_fpu() ? 0x00F00000u : 0u);
    if (old != cpacr && on_trap_config_change) on_trap_config_change();
    return;
  }
  case 0xDFC: cyc_update(dwt_ctrl_, merge(demcr_) & 0x010F07F1); return;
  case 0xF00: // STIR
    if (!v6m) {
      int e = kExcIrq0 + int(value & 0x1FF);
      if (e < int(pending_.size())) set_pending(e);
      changed();
    }
    return;
  case 0xF34: fpccr_ = merge(fpccr_); return;
  case 0xF38: fpcar_ = merge(fpcar_) & ~7u; return;
  case 0xF3C: fpdscr_ = merge(fpdscr_); return;
  default: return;
  }
}

} // namespace mcusim
