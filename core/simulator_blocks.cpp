/// \file
/// The block cost cache and the block hook (the hot path), and the profiling
/// that rides on the block hook. The hook and everything it calls are in this
/// one file so the compiler sees them together.
#include "core/simulator_impl.h"

#include "isa/core_timing.h"
#include "isa/cycle_model.h"

#include <array>
#include <cstring>
#include <filesystem>
#include <llvm/Demangle/Demangle.h>

namespace mcusim {

// --- block cache -----------------------------------------------------------------------
void Simulator::Impl::table_init(unsigned bits) {
  table.assign(size_t(1) << bits, Entry{});
  if (class_decoder) block_classes.assign(table.size(), BlockClasses{});
  table_mask = (uint64_t(1) << bits) - 1;
  table_shift = 64 - bits;
  table_count = 0;
}

__attribute__((noinline, cold)) Simulator::Impl::Entry &Simulator::Impl::insert(uint32_t address, uint32_t size) {
  if ((table_count + 1) * 2 > table.size()) {
    auto old = std::move(table);
    auto old_classes = std::move(block_classes);
    table_init(table_shift ? 64 - table_shift + 1 : 12);
    for (size_t i = 0; i < old.size(); ++i) {
      if (!old[i].key) continue;
      Entry &moved = place(old[i].key, old[i].cost);
      if (class_decoder) block_classes[size_t(&moved - table.data())] = old_classes[i];
    }
  }
  // First execution: the registers at entry let the model see where the
  // block's loads go (flash, SRAM, peripherals).
  std::array<uint32_t, 16> regs{};
  for (int i = 0; i <= 12; ++i) regs[size_t(i)] = reg(UC_ARM_REG_R0 + i);
  regs[13] = reg(UC_ARM_REG_SP);
  regs[14] = reg(UC_ARM_REG_LR);
  isa::BlockContext ctx;
  ctx.regs = &regs;
  ctx.read32 = [this](uint32_t a) { return mem.read32(a); };
  isa::BlockCost cost = timing->price_block(mem.host_ptr(address, size), address, size, ctx);
  Entry &e = place((uint64_t(size) << 32) | address, cost);
  if (class_decoder) block_classes[size_t(&e - table.data())] = classify_block(address, size, regs);
  return e;
}
Simulator::Impl::Entry &Simulator::Impl::place(uint64_t key, const isa::BlockCost &cost) {
  size_t i = slot(key);
  while (table[i].key) i = (i + 1) & table_mask;
  table[i] = Entry{key, cost, 0, profiling ? tracker->func_of(uint32_t(key)) : 0, loc_of(uint32_t(key))};
  // Code in RAM takes the out-of-line path, which counts its cycles in ram_cycles.
  if (table[i].loc == uint8_t(CodeLocation::Ram)) table[i].cost.flags |= kBlockInRam;
  ++table_count;
  return table[i];
}

// --- hooks ------------------------------------------------------------------------------
/// The block hook. The profiling variant is a separate instantiation, so the
/// plain one carries no profiling test.
/// The block hook. The plain variant's common case (no stop, a cached
/// block, no flags) makes no calls, so it needs no stack frame; anything
/// else goes to the full version out of line. The profiling variant is a
/// separate instantiation, so the plain one carries no profiling test.
template <bool Profile, bool Classes> void Simulator::Impl::on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
  auto *s = static_cast<Impl *>(user);
  const uint64_t key = (uint64_t(size) << 32) | uint32_t(address);
  const Entry *e = &s->table[s->slot(key)];
  const isa::BlockCost &c = e->cost;
  const bool cached_hit = c.flags == isa::kBlockFetchLines && e->cache_epoch == *s->icache_epoch;
  if (__builtin_expect(s->cycles < s->stop_at.load(std::memory_order_relaxed) && e->key == key && (c.flags == 0 || cached_hit), 1)) {
    const Entry *p = s->cur;
    const uint32_t branch = uint32_t(address) == p->cost.fallthrough ? p->cost.fallthrough_extra : p->cost.taken_extra;
    if constexpr (Profile) {
      if (!s->tracker->block_fast(p->func, p->cost.end == isa::kEndCall, uint32_t(address), e->func, branch, c.cycles, c.insns)) {
        s->template block_full<Profile, Classes>(address, size);
        return;
      }
    }
    // One store per counter: a store followed by a wider load of the same
    // bytes would stall on store forwarding. Blocks here run from flash (a
    // block in RAM has kBlockInRam set and takes block_flags), so the run
    // cycles by location need nothing here (see ram_cycles).
    s->cycles = s->cycles + branch + c.cycles;
    s->insns = s->insns + c.insns;
    s->cur = e;
    if constexpr (Classes) s->count_classes(*e);
    return;
  }
  // A plain block in RAM: the same, and its cycles by location too.
  if (!Profile && __builtin_expect(c.flags == kBlockInRam && e->key == key && s->cycles < s->stop_at.load(std::memory_order_relaxed), 1)) {
    const Entry *p = s->cur;
    const uint32_t branch = uint32_t(address) == p->cost.fallthrough ? p->cost.fallthrough_extra : p->cost.taken_extra;
    const uint64_t spent = uint64_t(branch) + c.cycles;
    s->cycles = s->cycles + spent;
    s->ram_cycles = s->ram_cycles + spent;
    s->insns = s->insns + c.insns;
    s->cur = e;
    if constexpr (Classes) s->count_classes(*e);
    return;
  }
  s->template block_full<Profile, Classes>(address, size);
}

template <bool Profile, bool Classes> __attribute__((noinline)) void Simulator::Impl::block_full(uint64_t address, uint32_t size) {
  Impl *s = this;
  const uint64_t stop_at = s->stop_at.load(std::memory_order_relaxed);
  if (__builtin_expect(s->cycles >= stop_at, 0)) {
    if (s->stop_here(uint32_t(address))) return;
  }
  // The previous block ended in a branch whose outcome is known now.
  const Entry *p = s->cur;
  const uint32_t branch = uint32_t(address) == p->cost.fallthrough ? p->cost.fallthrough_extra : p->cost.taken_extra;
  const uint64_t key = (uint64_t(size) << 32) | uint32_t(address);
  Entry *e = &s->table[s->slot(key)];
  if (__builtin_expect(e->key != key, 0)) e = &s->find_or_insert(key);
  const isa::BlockCost &c = e->cost;
  [[maybe_unused]] const uint64_t before = s->cycles;
  // A cached block whose lines are known present (no eviction since) needs no work.
  const bool cached_hit = c.flags == isa::kBlockFetchLines && e->cache_epoch == *s->icache_epoch;
  if (__builtin_expect(c.flags != 0 && !cached_hit, 0)) {
    if (s->block_flags(*e, uint32_t(address), branch)) {
      if constexpr (Profile) s->tracker->branch_only(p->func, branch);
      return;
    }
  } else {
    s->cycles = s->cycles + branch + c.cycles; // flash code (see ram_cycles)
  }
  s->insns = s->insns + c.insns;
  s->cur = e;
  if constexpr (Classes) s->count_classes(*e);
  if constexpr (Profile)
    s->tracker->block(p->func, p->cost.end == isa::kEndCall, p->cost.fallthrough, uint32_t(address), e->func, branch,
                     s->cycles - before - branch, c.insns, before);
}

/// SRAM and TCM are Ram; flash, ROM and anything else (no region) Flash.
uint8_t Simulator::Impl::loc_of(uint32_t addr) const {
  const MemoryRegionDesc *r = sim.device_.region_at(addr & ~1u, 2);
  const bool ram = r && (r->kind == RegionKind::Sram || r->kind == RegionKind::Tcm);
  return uint8_t(ram ? CodeLocation::Ram : CodeLocation::Flash);
}

void *Simulator::Impl::block_hook(bool profile, bool classes) {
  if (classes)
    return profile ? reinterpret_cast<void *>(&Impl::on_block<true, true>) : reinterpret_cast<void *>(&Impl::on_block<false, true>);
  return profile ? reinterpret_cast<void *>(&Impl::on_block<true, false>) : reinterpret_cast<void *>(&Impl::on_block<false, false>);
}

/// Whether the engine stops before the block at `address` (slow path).
__attribute__((noinline, cold)) bool Simulator::Impl::stop_here(uint32_t address) {
  if (prefix_run) return true; // counted by run_prefix
  if (cycles >= deadline.load(std::memory_order_relaxed) || insns >= stop_insns || attention.load(std::memory_order_relaxed) ||
      (poll && masked_exception_now_takeable())) {
    stop_kind = StopKind::Boundary;
    stop_pc = address;
    uc_emu_stop(uc);
    return true;
  }
  refresh_stop_at();
  return false;
}

__attribute__((noinline)) Simulator::Impl::Entry &Simulator::Impl::find_or_insert(uint64_t key) {
  size_t i = slot(key);
  for (;;) {
    Entry &e = table[i];
    if (e.key == key) return e;
    if (e.key == 0) return insert(uint32_t(key), uint32_t(key >> 32));
    i = (i + 1) & table_mask;
  }
}

/// The rare per-block work: idle loops, FPU and divide checks, divide
/// timing, instruction-cache lines, and every block that runs from RAM
/// (kBlockInRam: its cycles go to ram_cycles too). True if the engine must
/// stop here.
__attribute__((noinline)) bool Simulator::Impl::block_flags(Entry &e, uint32_t address, uint32_t branch) {
  const isa::BlockCost &c = e.cost;
  charge_run(branch, e.loc);
  if (c.flags & isa::kBlockSelfLoop) {
    stop_kind = StopKind::SelfLoop;
    stop_pc = address;
    cur = &no_block;
    uc_emu_stop(uc);
    return true;
  }
  if ((c.flags & isa::kBlockHasFp) && !fpu_on) {
    stop_kind = StopKind::FpCheck;
    stop_pc = address;
    stop_entry = &e;
    cur = &no_block;
    uc_emu_stop(uc);
    return true;
  }
  if (c.flags & isa::kBlockHasDiv) {
    if (div_trap_on && div_bypass_pc != address) {
      stop_kind = StopKind::DivCheck;
      stop_pc = address;
      stop_entry = &e;
      cur = &no_block;
      uc_emu_stop(uc);
      return true;
    }
    div_bypass_pc = 0xFFFFFFFF;
    if (ct && (c.div_flags & isa::kDivDynamic)) charge_divides(e);
  }
  if ((c.flags & isa::kBlockFetchLines) && e.cache_epoch != memsys->epoch()) {
    charge_run(uint64_t(memsys->touch_lines(c.first_line, c.lines)) * c.line_miss, e.loc);
    e.cache_epoch = memsys->epoch();
  }
  charge_run(c.cycles, e.loc);
  return false;
}

/// The divides of a block, priced from the values they see on this execution:
/// the block's divide program (isa/divide_operands.h) evaluated from the
/// registers at entry. Their cycles are kept per divide for exact counter
/// reads inside the block (locate_access).
void Simulator::Impl::charge_divides(const Entry &e) {
  const isa::DivideProgram *dp = timing->divide_program(e.cost.prefix);
  if (!dp) return;
  std::array<uint32_t, 16> r{};
  int ids[15];
  void *ptrs[15];
  int n = 0;
  for (int i = 0; i < 15; ++i) {
    if (!(dp->entry_regs >> i & 1)) continue;
    ids[n] = i == 13 ? UC_ARM_REG_SP : i == 14 ? UC_ARM_REG_LR : UC_ARM_REG_R0 + i;
    ptrs[n++] = &r[size_t(i)];
  }
  if (n) uc_reg_read_batch(uc, ids, ptrs, n);
  if (div_site_extra.size() < dp->sites.size()) div_site_extra.resize(dp->sites.size());
  auto read = [](void *ctx, uint32_t a, unsigned len) -> std::optional<uint32_t> {
    const uint8_t *p = static_cast<const MemoryMap *>(ctx)->host_ptr(a, len);
    if (!p) return std::nullopt;
    uint32_t v = 0;
    std::memcpy(&v, p, len);
    return v;
  };
  div_extra = isa::evaluate_divides(*dp, *ct, r, read, &mem, div_site_extra.data());
  div_extra_entry = &e;
  charge_run(div_extra, e.loc);
}

// --- profiling ---------------------------------------------------------------------------
// (The listener, the `profiling` flag and GuestProbe are members: core/simulator_impl.h.)

/// Called by Simulator::create with RunOptions::profile: the functions of the
/// image, the layer rules, and the probe the listener reads the guest through.
Expected<void> Simulator::Impl::init_profiling() {
  std::string perr;
  profiling = true;
  tracker = opts.profile_listener ? opts.profile_listener() : nullptr;
  if (!tracker) return make_error(ErrorKind::Usage, "profiling needs a profile listener (RunOptions::profile_listener)");
  tracker->probe = &probe;
  std::vector<FunctionProfile> fns{{"(no symbol)", 0, 0, ""}};
  for (const auto &sym : sim.elf_.symbols) {
    if (!sym.func) continue;
    if (fns.size() > 1 && fns.back().addr == sym.addr) continue; // aliases: the strong name sorts first
    std::string src;
    if (sym.line) src = std::filesystem::path(sym.file).filename().string() + ":" + std::to_string(sym.line);
    fns.push_back({llvm::demangle(sym.name), sym.addr, sym.size, src});
  }
  if (!tracker->init(std::move(fns), vectors.reset, opts.layer_pattern, &perr)) return make_error(ErrorKind::Usage, perr);
  return {};
}

void Simulator::Impl::measure_arena(ProfileData &d) {
  const ElfSymbol *arena = nullptr;
  if (!opts.arena_symbol.empty()) {
    for (const auto &sym : sim.elf_.symbols)
      if (sym.name == opts.arena_symbol || llvm::demangle(sym.name) == opts.arena_symbol) arena = &sym;
  } else {
    for (const char *n : {"tensor_arena", "g_tensor_arena", "kTensorArena", "mcusim_arena"}) {
      for (const auto &sym : sim.elf_.symbols) {
        if (sym.func || !sym.size) continue;
        std::string dm = llvm::demangle(sym.name);
        if (sym.name == n || dm == n || (dm.size() > strlen(n) + 2 && dm.compare(dm.size() - strlen(n) - 2, std::string::npos, std::string("::") + n) == 0))
          arena = &sym;
      }
      if (arena) break;
    }
  }
  if (!arena) return;
  d.arena_symbol = llvm::demangle(arena->name);
  d.arena_size = arena->size;
  const uint8_t *p = mem.host_ptr(arena->addr, arena->size);
  if (!p) return;
  ArenaUse use = measure_arena_use(p, arena->size);
  d.arena_head = use.head;
  d.arena_tail = use.tail;
  d.arena_used = use.head + use.tail;
  d.arena_nonzero = use.nonzero;
}

} // namespace mcusim
