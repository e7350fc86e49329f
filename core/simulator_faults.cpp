/// \file
/// Faults: locating the instruction in a block that made an access (the
/// faulting instruction, the exact cycle of a peripheral access, a counted
/// run up to an instruction), raising and escalating faults, the fault record
/// with its backtrace, engine errors, and the readable fault report.
#include "core/simulator_impl.h"

#include "isa/divide_operands.h"
#include "isa/thumb.h"

#include <array>
#include <sstream>
#include <string>

namespace mcusim {

using simulator_detail::hex;
using simulator_detail::hex8;

// --- locating the instruction --------------------------------------------------------------
void Simulator::Impl::locate_access(uint32_t addr, bool write) {
  precise_valid = false;
  if (!in_emulation || cur == &no_block) return;
  const std::vector<uint16_t> *pre = timing->prefix(cur->cost.prefix);
  std::array<uint32_t, 16> r{};
  int ids[15];
  void *ptrs[15];
  for (int i = 0; i < 15; ++i) {
    ids[i] = UC_ARM_REG_R0 + i;
    ptrs[i] = &r[size_t(i)];
  }
  ids[13] = UC_ARM_REG_SP;
  ids[14] = UC_ARM_REG_LR;
  uc_reg_read_batch(uc, ids, ptrs, 15);
  uint64_t mark = (insns << 1) ^ uint64_t(uintptr_t(cur));
  int start = mark == mmio_mark ? mmio_last_idx + 1 : 0;
  uint32_t off = 0;
  int idx = 0, found = -1;
  while (off + 2 <= last_block_size()) {
    auto h1 = mem.read16(last_block() + off);
    if (!h1) break;
    uint16_t h2 = mem.read16(last_block() + off + 2).value_or(0);
    if (idx >= start) {
      r[15] = last_block() + off;
      auto a = isa::mem_access(*h1, h2, r);
      if (a && a->write == write && addr >= a->addr && uint64_t(addr) < uint64_t(a->addr) + std::max<uint32_t>(a->len, 1)) {
        found = idx;
        break;
      }
    }
    off += isa::is32(*h1) ? 4 : 2;
    ++idx;
  }
  if (found < 0) return;
  mmio_mark = mark;
  mmio_last_idx = found;
  // The access is timed at the end of its instruction (a load's data phase):
  // so a counter read returns the same count whether or not it pipelines or
  // pairs with what precedes it, and two reads differ by exactly the cycles
  // of what lies between them plus the second read.
  uint64_t stat = pre && size_t(found) + 1 < pre->size() ? (*pre)[size_t(found) + 1] : uint64_t(found) + 1;
  const bool divided = div_extra_entry == cur; // the block's divides, priced on this execution
  uint64_t block_start = cycles - cur->cost.cycles - (divided ? div_extra : 0);
  uint64_t dynamic = 0; // the divides before the access
  if (divided) {
    if (const isa::DivideProgram *dp = timing->divide_program(cur->cost.prefix)) {
      for (size_t k = 0; k < dp->sites.size() && k < div_site_extra.size(); ++k)
        if (int(dp->sites[k].index) < found) dynamic += div_site_extra[k];
    }
  }
  precise_now = block_start + stat + dynamic;
  precise_valid = true;
}

/// Execute the first `n` instructions of the block at `addr` and stop
/// exactly there (a counted run of a freshly translated copy of the block),
/// so a fault can be raised on instruction n with the right state.
bool Simulator::Impl::run_prefix(uint32_t addr, uint32_t size, unsigned n) {
  if (n == 0) return true;
  uint32_t stop = addr;
  for (unsigned i = 0; i < n; ++i) {
    auto h = mem.read16(stop);
    if (!h) return true;
    stop += isa::is32(*h) ? 4 : 2;
  }
  // A fresh translation of the block that ends at `stop` (the engine's
  // "until" address is applied when code is translated).
  uc_ctl_remove_cache(uc, addr, uint64_t(addr) + size);
  prefix_run = true;
  stop_at.store(0, std::memory_order_relaxed); // the block hook's slow path sees prefix_run
  uc_err err = uc_emu_start(uc, addr | 1, stop, 0, 0);
  prefix_run = false;
  uc_ctl_remove_cache(uc, addr, uint64_t(addr) + size);
  insns += n;
  const std::vector<uint16_t> *pre = timing->prefix(prefix_index);
  charge_run(pre && n < pre->size() ? (*pre)[n] : n, loc_of(addr));
  if (err != UC_ERR_OK) {
    handle_engine_error(err);
    return false;
  }
  return true;
}

/// The exact instruction in the last block that made a data access to addr.
std::pair<uint32_t, bool> Simulator::Impl::faulting_instruction(uint32_t addr, bool write) {
  std::array<uint32_t, 16> r{};
  for (int i = 0; i <= 12; ++i) r[i] = reg(UC_ARM_REG_R0 + i);
  r[13] = reg(UC_ARM_REG_SP);
  r[14] = reg(UC_ARM_REG_LR);
  uint32_t off = 0;
  while (off + 2 <= last_block_size()) {
    auto h1 = mem.read16(last_block() + off);
    if (!h1) break;
    uint16_t h2 = mem.read16(last_block() + off + 2).value_or(0);
    r[15] = last_block() + off;
    if (auto a = isa::mem_access(*h1, h2, r)) {
      if (a->write == write && addr >= a->addr && uint64_t(addr) < uint64_t(a->addr) + std::max<uint32_t>(a->len, 1))
        return {last_block() + off, true};
    }
    off += isa::is32(*h1) ? 4 : 2;
  }
  return {last_block(), false};
}

/// An FP instruction with the FPU disabled: run up to it, then NOCP UsageFault.
void Simulator::Impl::handle_fp_check() {
  auto *e = static_cast<const Impl::Entry *>(stop_entry);
  prefix_index = e->cost.prefix;
  uint32_t size = uint32_t(e->key >> 32);
  if (!run_prefix(stop_pc, size, e->cost.fp_index)) return;
  raise_fault(kExcUsageFault, cfsr::NOCP, pc(),
              "floating-point instruction while the FPU is disabled (CPACR CP10/CP11 not enabled)", std::nullopt, true);
}

/// A divide with DIV_0_TRP set: run up to it; a zero divisor faults, else the
/// divide's block runs once without the check.
void Simulator::Impl::handle_div_check() {
  auto *e = static_cast<const Impl::Entry *>(stop_entry);
  prefix_index = e->cost.prefix;
  uint32_t size = uint32_t(e->key >> 32);
  uint8_t rm = e->cost.div_rm;
  if (!run_prefix(stop_pc, size, e->cost.div_index)) return;
  uint32_t at = pc();
  if (reg(UC_ARM_REG_R0 + rm) == 0) {
    raise_fault(kExcUsageFault, cfsr::DIVBYZERO, at, "integer divide by zero (CCR.DIV_0_TRP set)", std::nullopt, true);
  } else {
    div_bypass_pc = at; // the divide's own block runs once without the check
  }
}

// --- traps ---------------------------------------------------------------------------
void Simulator::Impl::update_traps() {
  traps_dirty = false;
  div_trap_on = scs->div0_trap() && !core_is_v6m(sim.device_.core);
  fpu_on = !sim.device_.has_fpu() || scs->fpu_enabled();
}

// --- faults -------------------------------------------------------------------------------
Registers Simulator::Impl::read_registers() {
  Registers r;
  for (int i = 0; i <= 12; ++i) r.r[i] = reg(UC_ARM_REG_R0 + i);
  r.r[13] = reg(UC_ARM_REG_SP);
  r.r[14] = reg(UC_ARM_REG_LR);
  r.r[15] = reg(UC_ARM_REG_PC);
  r.xpsr = reg(UC_ARM_REG_XPSR);
  r.msp = reg(UC_ARM_REG_MSP);
  r.psp = reg(UC_ARM_REG_PSP);
  r.control = reg(UC_ARM_REG_CONTROL);
  r.primask = reg(UC_ARM_REG_PRIMASK);
  r.basepri = reg(UC_ARM_REG_BASEPRI);
  r.faultmask = reg(UC_ARM_REG_FAULTMASK);
  return r;
}

FaultInfo Simulator::Impl::make_fault(const std::string &kind, const std::string &cause, uint32_t fault_pc, std::optional<uint32_t> addr,
                                      bool exact) {
  FaultInfo f;
  f.kind = kind;
  f.cause = cause;
  f.pc = fault_pc & ~1u;
  f.address = addr;
  f.pc_exact = exact;
  f.regs = read_registers();
  f.regs.r[15] = f.pc;
  f.backtrace = backtrace(f.regs);
  f.cfsr = scs->cfsr;
  f.hfsr = scs->hfsr;
  return f;
}

std::vector<uint32_t> Simulator::Impl::backtrace(const Registers &r) {
  std::vector<uint32_t> out{r.r[15] & ~1u};
  auto is_code = [&](uint32_t a) {
    const MemoryRegionDesc *reg = sim.device_.region_at(a & ~1u, 2);
    return reg && reg->exec && sim.elf_.symbolize(a).symbol;
  };
  auto after_call = [&](uint32_t ret) {
    // The return address follows a BL (32-bit) or BLX Rm (16-bit).
    uint32_t a = ret & ~1u;
    auto h1 = mem.read16(a - 4), h2 = mem.read16(a - 2);
    if (h1 && h2 && (*h1 & 0xF800) == 0xF000 && (*h2 & 0xD000) == 0xD000) return true;
    if (h2 && (*h2 & 0xFF87) == 0x4780) return true;
    return false;
  };
  uint32_t lr = r.r[14];
  if ((lr & 1) && lr < 0xF0000000u && is_code(lr) && after_call(lr)) out.push_back(lr & ~1u);
  uint32_t sp = r.r[13];
  for (unsigned i = 0; i < 512 && out.size() < 16; ++i) {
    auto w = mem.read32(sp + 4 * i);
    if (!w) break;
    if ((*w & 1) && *w < 0xF0000000u && is_code(*w) && after_call(*w) && (*w & ~1u) != out.back())
      out.push_back(*w & ~1u);
  }
  return out;
}

/// A synchronous fault: escalate as the hardware would and enter the handler.
void Simulator::Impl::raise_fault(int exc, uint32_t cfsr_bits, uint32_t fault_pc, const std::string &cause, std::optional<uint32_t> addr,
                                  bool exact) {
  const bool v6m = core_is_v6m(sim.device_.core);
  if (!v6m) {
    scs->cfsr |= cfsr_bits;
    if ((cfsr_bits & cfsr::BFARVALID) && addr) scs->bfar = *addr;
    if ((cfsr_bits & cfsr::MMARVALID) && addr) scs->mmfar = *addr;
  }
  int target = exc;
  int exec_prio = execution_priority();
  if (v6m || !scs->fault_enabled(exc) || scs->group_priority(scs->priority(exc)) >= exec_prio) {
    if (exc != kExcHardFault && !v6m) scs->hfsr |= hfsr::FORCED;
    target = kExcHardFault;
  }
  // ARMv6-M has only HardFault; name the fault by what the firmware sees.
  std::string kind = v6m ? "HardFault" : exception_name(exc);
  last_fault = make_fault(kind, cause, fault_pc, addr, exact);
  if (target == kExcHardFault && exc != kExcHardFault && !v6m) last_fault->note = "escalated to HardFault";
  if (target == kExcHardFault && exec_prio <= -1) {
    last_fault->kind = "Lockup";
    last_fault->note = kind + " while " + exception_name(ipsr()) + " was active: the core locks up";
    finish_fault(StopReason::Lockup);
    return;
  }
  enter_exception(target, fault_pc);
}

void Simulator::Impl::fatal_fault(const std::string &kind, const std::string &cause, uint32_t fault_pc, std::optional<uint32_t> addr,
                                  StopReason reason) {
  last_fault = make_fault(kind, cause, fault_pc, addr, true);
  finish_fault(reason);
}

void Simulator::Impl::no_handler(int exc, uint32_t vec) {
  std::string note = "the vector table has no handler for " + exception_name(exc) + " (entry " + hex8(vec) + ")";
  if (!last_fault || exc >= kExcSVCall) {
    last_fault = make_fault("Unhandled " + exception_name(exc), "exception " + std::to_string(exc) + " taken with no handler",
                            pc(), std::nullopt, true);
  }
  last_fault->note = note;
  finish_fault(StopReason::Fault);
}

void Simulator::Impl::finish_fault(StopReason reason) {
  RunResult r;
  r.reason = reason;
  r.fault = last_fault;
  r.pc = last_fault ? last_fault->pc : pc();
  r.message = last_fault ? last_fault->kind + ": " + last_fault->cause : "fault";
  finished = r;
}

void Simulator::Impl::finish(StopReason reason, const std::string &message) {
  RunResult r;
  r.reason = reason;
  r.message = message;
  r.pc = pc();
  finished = r;
}

void Simulator::Impl::handle_engine_error(uc_err err) {
  bool data = err == UC_ERR_READ_UNMAPPED || err == UC_ERR_WRITE_UNMAPPED || err == UC_ERR_READ_PROT ||
              err == UC_ERR_WRITE_PROT || err == UC_ERR_READ_UNALIGNED || err == UC_ERR_WRITE_UNALIGNED;
  bool fetch = err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_FETCH_PROT || err == UC_ERR_FETCH_UNALIGNED;
  if (data) {
    bool write = err == UC_ERR_WRITE_UNMAPPED || err == UC_ERR_WRITE_PROT || err == UC_ERR_WRITE_UNALIGNED;
    uint32_t addr = uint32_t(mem_fault_addr);
    auto [fpc, exact] = faulting_instruction(addr, write);
    std::string what = std::string(write ? "write to " : "read of ") +
                       (err == UC_ERR_WRITE_PROT ? "read-only address " : err == UC_ERR_READ_PROT ? "unreadable address " : "unmapped address ") +
                       hex8(addr);
    raise_fault(kExcBusFault, cfsr::PRECISERR | cfsr::BFARVALID, fpc, "precise data bus error: " + what, addr, exact);
    return;
  }
  if (fetch) {
    uint32_t addr = uint32_t(mem_fault_addr ? mem_fault_addr : pc());
    raise_fault(kExcBusFault, cfsr::IBUSERR, addr,
                "instruction bus error: fetch from " + std::string(err == UC_ERR_FETCH_PROT ? "non-executable" : "unmapped") +
                    " address " + hex8(addr),
                addr, true);
    return;
  }
  if (err == UC_ERR_INSN_INVALID) {
    uint32_t p = pc();
    auto h1 = mem.read16(p);
    std::string enc = h1 ? (isa::is32(*h1) ? hex8(uint32_t(*h1) << 16 | mem.read16(p + 2).value_or(0)) : hex(*h1)) : "?";
    raise_fault(kExcUsageFault, cfsr::UNDEFINSTR, p, "undefined instruction " + enc + " for " +
                                                        std::string(core_display_name(sim.device_.core)),
                std::nullopt, true);
    return;
  }
  finish(StopReason::Internal, std::string("engine error: ") + uc_strerror(err) + " at " + sim.elf_.describe(pc()));
}

// --- the fault report ------------------------------------------------------------------------
std::string format_fault(const FaultInfo &f, const ElfImage &elf) {
  std::ostringstream os;
  os << f.kind << ": " << f.cause << "\n";
  os << "  at " << elf.describe(f.pc) << (f.pc_exact ? "" : " (start of the block holding the faulting instruction)") << "\n";
  if (f.address) os << "  data address " << hex8(*f.address) << "\n";
  if (!f.note.empty()) os << "  " << f.note << "\n";
  if (f.cfsr || f.hfsr) os << "  CFSR " << hex8(f.cfsr) << "  HFSR " << hex8(f.hfsr) << "\n";
  os << "  registers:\n";
  for (int i = 0; i < 16; ++i) {
    static const char *names[] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"};
    char buf[32];
    std::snprintf(buf, sizeof buf, "    %-4s %s", names[i], hex8(f.regs.r[i]).c_str());
    os << buf << ((i % 4 == 3) ? "\n" : "");
  }
  os << "    xpsr " << hex8(f.regs.xpsr) << "    msp " << hex8(f.regs.msp) << "    psp " << hex8(f.regs.psp)
     << "    control " << hex8(f.regs.control) << "\n";
  os << "  backtrace (best effort):\n";
  for (size_t i = 0; i < f.backtrace.size(); ++i) os << "    #" << i << " " << elf.describe(f.backtrace[i]) << "\n";
  std::string out = os.str();
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

} // namespace mcusim
