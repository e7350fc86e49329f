/// \file
/// Run loop, hooks, exception entry/return, sleep and fault handling.
///
/// Hot path: UC_HOOK_BLOCK -> one open-addressed table lookup of the block's
/// static cost -> two adds. Everything else (interrupts, semihosting, faults,
/// peripheral events) happens with the engine stopped, between uc_emu_start
/// calls.
#include "core/simulator.h"

#include "core/scheduler.h"
#include "core/semihosting.h"
#include "core/system_control.h"
#include "core/call_tracker.h"
#include "isa/core_timing.h"
#include "isa/cycle_model.h"
#include "isa/thumb.h"
#include "memory/memory_map.h"
#include "memory/memory_system.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <mutex>
#include <sstream>
#include <regex>
#include <thread>
#include <pthread.h>
#include <unordered_map>
#include <unicorn/unicorn.h>
#include <llvm/Demangle/Demangle.h>

namespace mcusim {

const char *stop_reason_name(StopReason r) {
  switch (r) {
  case StopReason::Exited: return "exited";
  case StopReason::Fault: return "fault";
  case StopReason::Lockup: return "lockup";
  case StopReason::InstructionLimit: return "instruction limit";
  case StopReason::CycleLimit: return "cycle limit";
  case StopReason::WallTimeout: return "wall-clock timeout";
  case StopReason::Hang: return "hang";
  case StopReason::Stopped: return "stopped";
  case StopReason::Internal: return "internal error";
  }
  return "?";
}

std::string stop_reason_text(const RunResult &r) {
  return r.reason == StopReason::Stopped && !r.stop_cause.empty() ? r.stop_cause : stop_reason_name(r.reason);
}

namespace {
std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}
std::string hex8(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}
constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();
constexpr uint32_t kUntil = 0xFFFFFFFE; // never a Thumb instruction address
constexpr uint64_t kSliceCycles = 20'000'000; // run at most this long between host checks
} // namespace

enum class StopKind { None, Boundary, Intr, SelfLoop, FpCheck, DivCheck };

struct Simulator::Impl {
  Simulator &sim;
  Console &console;
  RunOptions opts;
  uc_engine *uc = nullptr;
  MemoryMap mem;
  Scheduler sched;
  std::unique_ptr<SystemControl> scs;
  std::unique_ptr<Semihosting> semi;
  std::unique_ptr<MemorySystem> memsys;
  std::unique_ptr<isa::TimingModel> timing;
  const isa::CoreTiming *ct = nullptr; // the core's table when the cycle model is on
  VectorTable vectors;

  // Counters (the hot path touches these and the block table only).
  uint64_t cycles = 0, insns = 0, sleep_cycles = 0;
  // The block hook compares the cycle count with `stop_at` only. `deadline` is
  // the next event or limit; `stop_at` may be lower (instruction limit, a
  // masked exception to poll), and then the slow path decides.
  std::atomic<uint64_t> stop_at{0}; // also lowered to 0 by other threads (attend)
  std::atomic<uint64_t> deadline{0};  // this thread only
  uint64_t stop_insns = kNoLimit;
  bool poll = false;
  /// The fast-path threshold for the current deadline, instruction limit and poll state.
  void refresh_stop_at() {
    uint64_t t = deadline.load(std::memory_order_relaxed);
    if (stop_insns != kNoLimit) t = std::min(t, cycles + (stop_insns > insns ? (stop_insns - insns) / 2 : 0));
    if (poll) t = 0;
    if (t == 0) {
      stop_at.store(0, std::memory_order_relaxed);
      return;
    }
    // A request from another thread between the load above and this store
    // must not be overwritten: store, then look (both seq_cst, as in attend()).
    stop_at.store(t);
    if (attention.load()) stop_at.store(0);
  }
  /// Lower the fast-path threshold to `when` (never raise it: a 0 stored by
  /// another thread stays).
  void lower_stop_at(uint64_t when) {
    uint64_t cur = stop_at.load(std::memory_order_relaxed);
    while (when < cur && !stop_at.compare_exchange_weak(cur, when, std::memory_order_relaxed)) {
    }
  }
  // Requests from other threads (request_stop, the run's timer thread): a bit
  // here and stop_at = 0, so the block hook's slow path stops the engine at
  // the next block boundary and the run loop looks at the bits. Nothing else
  // is shared, so a run nobody stops runs exactly as without them.
  enum : unsigned { kAttendStop = 1, kAttendTimeout = 2, kAttendProgress = 4 };
  std::atomic<unsigned> attention{0};
  void attend(unsigned what) {
    attention.fetch_or(what);
    stop_at.store(0);
  }
  std::mutex cause_mutex;
  std::string stop_cause;   // guarded by cause_mutex; set by the first request_stop()
  void stop_soon() {
    deadline.store(0, std::memory_order_relaxed);
    stop_at.store(0, std::memory_order_relaxed);
  }
  int poll_prio = 256;
  // The block executing now (or last executed) is `cur` (see below); its
  // divide cost so far, for exact DWT/SysTick reads inside the block.
  const void *div_extra_entry = nullptr;
  const uint64_t *icache_epoch = nullptr;
  uint32_t div_extra = 0;
  uint64_t mmio_mark = UINT64_MAX;
  int mmio_last_idx = -1;
  bool in_emulation = false;
  bool just_returned = false;

  // Why the engine stopped.
  StopKind stop_kind = StopKind::None;
  uint32_t intno = 0;
  uint32_t stop_pc = 0;
  bool mem_fault = false;
  uc_mem_type mem_fault_type = UC_MEM_READ;
  uint64_t mem_fault_addr = 0;

  // Block cost cache: open addressing, key = size << 32 | address.
  struct Entry {
    uint64_t key = 0;
    isa::BlockCost cost;
    uint64_t cache_epoch = 0; ///< instruction-cache epoch at which all its lines were present
    uint32_t func = 0;        ///< profiling: index of the function holding the block
  };
  std::vector<Entry> table;
  /// The block executing now, or the last one executed; its final branch is
  /// priced when the next block starts. `no_block` after host-side redirects.
  Entry no_block{0, isa::BlockCost{0, 0, 0, UINT32_MAX}, 0, 0};
  const Entry *cur = &no_block;
  uint32_t last_block() const { return uint32_t(cur->key); }
  uint32_t last_block_size() const { return uint32_t(cur->key >> 32); }
  uint64_t table_mask = 0;
  size_t table_count = 0;
  unsigned table_shift = 0;

  bool traps_dirty = false;

  // FPU access check: blocks holding FP instructions stop while CPACR denies
  // CP10/CP11; the block is then stepped with a temporary code hook to find
  // the exact instruction (NOCP UsageFault, as on hardware).
  bool fpu_on = true;
  bool div_trap_on = false;
  const void *stop_entry = nullptr;

  bool sleeping = false;
  bool wfe_sleep = false;
  bool slept = false;
  std::optional<FaultInfo> last_fault;
  uint32_t self_loop_pc = 0;
  unsigned self_loop_repeats = 0;

  std::optional<RunResult> finished;

  Impl(Simulator &s, Console &c) : sim(s), console(c) {}
  ~Impl() {
    if (uc) uc_close(uc);
  }

  // --- registers ---------------------------------------------------------------------
  uint32_t reg(int id) {
    uint32_t v = 0;
    uc_reg_read(uc, id, &v);
    return v;
  }
  void set_reg(int id, uint32_t v) { uc_reg_write(uc, id, &v); }
  uint32_t pc() { return reg(UC_ARM_REG_PC); }
  void set_pc(uint32_t v) { set_reg(UC_ARM_REG_PC, v | 1); }
  int ipsr() { return int(reg(UC_ARM_REG_IPSR) & 0x1FF); }
  /// Rewrite APSR so Unicorn rebuilds its cached hflags after IPSR/CONTROL
  /// changes (needed on cores without the security extension).
  void rebuild_hflags() { set_reg(UC_ARM_REG_APSR_NZCV, reg(UC_ARM_REG_APSR_NZCV)); }

  Registers read_registers() {
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

  // --- block cache -----------------------------------------------------------------------
  void table_init(unsigned bits) {
    table.assign(size_t(1) << bits, Entry{});
    table_mask = (uint64_t(1) << bits) - 1;
    table_shift = 64 - bits;
    table_count = 0;
  }
  size_t slot(uint64_t key) const { return size_t((key * 0x9E3779B97F4A7C15ull) >> table_shift); }

  Entry &lookup(uint32_t address, uint32_t size) {
    uint64_t key = (uint64_t(size) << 32) | address;
    size_t i = slot(key);
    for (;;) {
      Entry &e = table[i];
      if (e.key == key) return e;
      if (e.key == 0) return insert(address, size);
      i = (i + 1) & table_mask;
    }
  }
  __attribute__((noinline, cold)) Entry &insert(uint32_t address, uint32_t size) {
    if ((table_count + 1) * 2 > table.size()) {
      auto old = std::move(table);
      table_init(table_shift ? 64 - table_shift + 1 : 12);
      for (auto &e : old)
        if (e.key) place(e.key, e.cost);
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
    return place((uint64_t(size) << 32) | address, cost);
  }
  Entry &place(uint64_t key, const isa::BlockCost &cost) {
    size_t i = slot(key);
    while (table[i].key) i = (i + 1) & table_mask;
    table[i] = Entry{key, cost, 0, profiling ? tracker.func_of(uint32_t(key)) : 0};
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
  template <bool Profile> static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    auto *s = static_cast<Impl *>(user);
    const uint64_t key = (uint64_t(size) << 32) | uint32_t(address);
    const Entry *e = &s->table[s->slot(key)];
    const isa::BlockCost &c = e->cost;
    const bool cached_hit = c.flags == isa::kBlockFetchLines && e->cache_epoch == *s->icache_epoch;
    if (__builtin_expect(s->cycles < s->stop_at.load(std::memory_order_relaxed) && e->key == key && (c.flags == 0 || cached_hit), 1)) {
      const Entry *p = s->cur;
      const uint32_t branch = uint32_t(address) == p->cost.fallthrough ? p->cost.fallthrough_extra : p->cost.taken_extra;
      if constexpr (Profile) {
        if (!s->tracker.block_fast(p->func, p->cost.end == isa::kEndCall, uint32_t(address), e->func, branch, c.cycles, c.insns)) {
          s->template block_full<Profile>(address, size);
          return;
        }
      }
      // One store per counter: a store followed by a wider load of the same
      // bytes would stall on store forwarding.
      s->cycles = s->cycles + branch + c.cycles;
      s->insns = s->insns + c.insns;
      s->cur = e;
      return;
    }
    s->template block_full<Profile>(address, size);
  }

  template <bool Profile> __attribute__((noinline)) void block_full(uint64_t address, uint32_t size) {
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
        if constexpr (Profile) s->tracker.branch_only(p->func, branch);
        return;
      }
    } else {
      s->cycles = s->cycles + branch + c.cycles;
    }
    s->insns = s->insns + c.insns;
    s->cur = e;
    if constexpr (Profile)
      s->tracker.block(p->func, p->cost.end == isa::kEndCall, p->cost.fallthrough, uint32_t(address), e->func, branch,
                       s->cycles - before - branch, c.insns, before);
  }

  // --- profiling ---------------------------------------------------------------------------
  CallTracker tracker;
  bool profiling = false;
  struct GuestProbe final : CallTracker::Probe {
    Impl &s;
    explicit GuestProbe(Impl &impl) : s(impl) {}
    uint32_t reg(int r) override {
      return s.reg(r == 13 ? UC_ARM_REG_SP : r == 14 ? UC_ARM_REG_LR : r == 15 ? UC_ARM_REG_PC : UC_ARM_REG_R0 + r);
    }
    std::optional<uint8_t> read8(uint32_t a) override {
      const uint8_t *p = s.mem.host_ptr(a, 1);
      return p ? std::optional<uint8_t>(*p) : std::nullopt;
    }
    std::optional<uint16_t> read16(uint32_t a) override { return s.mem.read16(a); }
    std::optional<uint32_t> read32(uint32_t a) override { return s.mem.read32(a); }
  } probe{*this};

  void measure_arena(ProfileData &d) {
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
  /// Whether the engine stops before the block at `address` (slow path).
  __attribute__((noinline, cold)) bool stop_here(uint32_t address) {
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

  __attribute__((noinline)) Entry &find_or_insert(uint64_t key) {
    size_t i = slot(key);
    for (;;) {
      Entry &e = table[i];
      if (e.key == key) return e;
      if (e.key == 0) return insert(uint32_t(key), uint32_t(key >> 32));
      i = (i + 1) & table_mask;
    }
  }

  /// The rare per-block work: idle loops, FPU and divide checks, divide
  /// timing, instruction-cache lines. True if the engine must stop here.
  __attribute__((noinline)) bool block_flags(Entry &e, uint32_t address, uint32_t branch) {
    const isa::BlockCost &c = e.cost;
    cycles += branch;
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
      if (ct && (c.div_flags & isa::kDivDynamic)) {
        uint32_t n = reg(UC_ARM_REG_R0 + c.div_rn), d = reg(UC_ARM_REG_R0 + c.div_rm);
        div_extra = isa::divide_cycles(*ct, n, d, c.div_flags & isa::kDivSigned) - ct->div_min;
        div_extra_entry = &e;
        cycles += div_extra;
      }
    }
    if ((c.flags & isa::kBlockFetchLines) && e.cache_epoch != memsys->epoch()) {
      cycles += uint64_t(memsys->touch_lines(c.first_line, c.lines)) * c.line_miss;
      e.cache_epoch = memsys->epoch();
    }
    cycles += c.cycles;
    return false;
  }

  static void on_intr(uc_engine *uc, uint32_t intno, void *user) {
    auto *s = static_cast<Impl *>(user);
    s->stop_kind = StopKind::Intr;
    s->intno = intno;
    s->stop_pc = s->pc();
    uc_emu_stop(uc);
  }

  static bool on_mem_invalid(uc_engine *, uc_mem_type type, uint64_t address, int, int64_t, void *user) {
    auto *s = static_cast<Impl *>(user);
    s->mem_fault = true;
    s->mem_fault_type = type;
    s->mem_fault_addr = address;
    return false;
  }

  static uint64_t on_ppb_read(uc_engine *, uint64_t offset, unsigned size, void *user) {
    auto *s = static_cast<Impl *>(user);
    s->locate_access(kPpbBase + uint32_t(offset), false);
    return s->scs->read(kPpbBase + uint32_t(offset), size);
  }
  static void on_ppb_write(uc_engine *, uint64_t offset, unsigned size, uint64_t value, void *user) {
    auto *s = static_cast<Impl *>(user);
    s->locate_access(kPpbBase + uint32_t(offset), true);
    s->scs->write(kPpbBase + uint32_t(offset), size, uint32_t(value));
  }

  /// Cycle count at the instruction of the block now executing that makes
  /// this access: the block's start, plus the static cost of the instructions
  /// before it, plus what dynamic costs (divides) have added since.
  uint64_t precise_now = 0;
  bool precise_valid = false;
  void locate_access(uint32_t addr, bool write) {
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
    uint64_t stat = pre && size_t(found) < pre->size() ? (*pre)[size_t(found)] : uint64_t(found);
    uint64_t dynamic = div_extra_entry == cur ? div_extra : 0; // the block's divide, if any
    uint64_t block_start = cycles - cur->cost.cycles - dynamic;
    // The divide's extra cycles count only for accesses after it.
    precise_now = block_start + stat + (found > int(cur->cost.div_index) ? dynamic : 0);
    precise_valid = true;
  }

  /// Execute the first `n` instructions of the block at `addr` and stop
  /// exactly there (a counted run of a freshly translated copy of the block),
  /// so a fault can be raised on instruction n with the right state.
  bool run_prefix(uint32_t addr, uint32_t size, unsigned n) {
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
    cycles += pre && n < pre->size() ? (*pre)[n] : n;
    if (err != UC_ERR_OK) {
      handle_engine_error(err);
      return false;
    }
    return true;
  }
  uint32_t prefix_index = UINT32_MAX;
  bool prefix_run = false;
  uint32_t div_bypass_pc = 0xFFFFFFFF;

  // --- exception priority -------------------------------------------------------------------
  int execution_priority() {
    int p = scs->active_priority();
    uint32_t basepri = reg(UC_ARM_REG_BASEPRI) & 0xFF;
    if (basepri) p = std::min(p, scs->group_priority(int(basepri)));
    if (reg(UC_ARM_REG_PRIMASK) & 1) p = std::min(p, 0);
    if (reg(UC_ARM_REG_FAULTMASK) & 1) p = std::min(p, -1);
    return p;
  }
  bool masked_exception_now_takeable() { return poll_prio < execution_priority(); }

  // --- memory helpers -----------------------------------------------------------------------
  bool push_words(uint32_t addr, const uint32_t *words, unsigned n) { return mem.write(addr, words, n * 4); }

  // --- exception entry ------------------------------------------------------------------------
  /// Take exception `exc` with `ret` as the stacked return address.
  bool enter_exception(int exc, uint32_t ret) {
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
      if (just_returned) cycles = cycles - ct->exc_exit + ct->tail_chain;
      else cycles += ct->exc_entry + (fp ? ct->fp_frame_extra : 0);
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
    if (profiling) tracker.exception_entry(*vec, cycles);
    return true;
  }

  // --- exception return -------------------------------------------------------------------------
  bool exception_return(uint32_t exc_return) {
    int cur = ipsr();
    bool valid = (exc_return & 0xFFFFFFE0u) == 0xFFFFFFE0u &&
                 ((exc_return & 0xF) == 0x1 || (exc_return & 0xF) == 0x9 || (exc_return & 0xF) == 0xD) &&
                 ((exc_return & 0x10) || sim.device_.has_fpu()) && cur != 0;
    if (!valid) {
      raise_fault(kExcUsageFault, cfsr::INVPC, last_block(), "invalid EXC_RETURN " + hex8(exc_return), std::nullopt, false);
      return false;
    }
    bool to_thread = exc_return & 8, use_psp = exc_return & 4, fp = !(exc_return & 0x10);
    scs->set_active(cur, false);
    if (profiling) tracker.exception_return(cycles);
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
      cycles += ct->exc_exit + (fp ? ct->fp_frame_extra : 0);
      just_returned = !fp;
    }
    if (to_thread && scs->sleep_on_exit()) {
      sleeping = true;
      wfe_sleep = false;
    }
    return true;
  }

  // --- faults -------------------------------------------------------------------------------
  FaultInfo make_fault(const std::string &kind, const std::string &cause, uint32_t fault_pc, std::optional<uint32_t> addr,
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

  std::vector<uint32_t> backtrace(const Registers &r) {
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
  void raise_fault(int exc, uint32_t cfsr_bits, uint32_t fault_pc, const std::string &cause, std::optional<uint32_t> addr,
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

  void fatal_fault(const std::string &kind, const std::string &cause, uint32_t fault_pc, std::optional<uint32_t> addr,
                   StopReason reason) {
    last_fault = make_fault(kind, cause, fault_pc, addr, true);
    finish_fault(reason);
  }

  void no_handler(int exc, uint32_t vec) {
    std::string note = "the vector table has no handler for " + exception_name(exc) + " (entry " + hex8(vec) + ")";
    if (!last_fault || exc >= kExcSVCall) {
      last_fault = make_fault("Unhandled " + exception_name(exc), "exception " + std::to_string(exc) + " taken with no handler",
                              pc(), std::nullopt, true);
    }
    last_fault->note = note;
    finish_fault(StopReason::Fault);
  }

  void finish_fault(StopReason reason) {
    RunResult r;
    r.reason = reason;
    r.fault = last_fault;
    r.pc = last_fault ? last_fault->pc : pc();
    r.message = last_fault ? last_fault->kind + ": " + last_fault->cause : "fault";
    finished = r;
  }

  void finish(StopReason reason, const std::string &message) {
    RunResult r;
    r.reason = reason;
    r.message = message;
    r.pc = pc();
    finished = r;
  }

  /// The exact instruction in the last block that made a data access to addr.
  std::pair<uint32_t, bool> faulting_instruction(uint32_t addr, bool write) {
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

  void handle_engine_error(uc_err err) {
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

  // --- interrupts from the engine ------------------------------------------------------------
  void handle_intr() {
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

  // --- pending exceptions -----------------------------------------------------------------------
  /// Take the highest pending exception if it can preempt. Sets poll when a
  /// pending exception is held back only by PRIMASK/BASEPRI/FAULTMASK.
  void take_pending() {
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

  /// WFI/WFE: advance time to the next event until something wakes the core.
  bool wake_condition() {
    int exc = scs->highest_pending();
    if (exc >= 0 && scs->group_priority(scs->priority(exc)) < scs->active_priority()) return true; // PRIMASK ignored
    if (wfe_sleep && scs->event_flag) {
      scs->event_flag = false;
      return true;
    }
    return false;
  }

  void sleep_step(uint64_t cycle_limit) {
    if (wake_condition()) {
      sleeping = false;
      if (ct && slept) {
        uint64_t wake = uint64_t(sim.device_.wakeup_us * sim.hz_ / 1e6);
        cycles += wake;
        sleep_cycles += wake;
      }
      slept = false;
      return;
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
      cycles = target;
    }
    sched.run_due(cycles);
  }

  /// "b ." reached: idle until the next event, or report what it means.
  void handle_self_loop() {
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
      cycles = target;
      insns += c.cycles ? delta / c.cycles : delta;
    }
    sched.run_due(cycles);
  }
  uint32_t last_block_size_for(uint32_t p) {
    auto h1 = mem.read16(p);
    return h1 && isa::is32(*h1) ? 4 : 2;
  }

  // --- traps ---------------------------------------------------------------------------
  void update_traps() {
    traps_dirty = false;
    div_trap_on = scs->div0_trap() && !core_is_v6m(sim.device_.core);
    fpu_on = !sim.device_.has_fpu() || scs->fpu_enabled();
  }

  // --- reset ------------------------------------------------------------------------------------
  void reset_cpu() {
    scs->reset();
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
};

// -----------------------------------------------------------------------------------------------

Simulator::~Simulator() = default;

void Simulator::request_stop(const std::string &cause) {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->cause_mutex);
    if (impl_->attention.load() & Impl::kAttendStop) return; // the first request wins
    impl_->stop_cause = cause;
    impl_->attend(Impl::kAttendStop);
  }
}

Expected<std::unique_ptr<Simulator>> Simulator::create(const Device &device, const ElfImage &elf, const RunOptions &options,
                                                       Console &console, std::unique_ptr<isa::TimingModel> timing) {
  if (options.mhz > 2000)
    return make_error(ErrorKind::Usage, "a clock of " + std::to_string(int(options.mhz)) +
                                            " MHz is not a Cortex-M clock (at most 2000 MHz)");
  if (auto fit = check_image_fits(elf, device); !fit) return tl::unexpected(fit.error());
  auto vt = check_vector_table(elf, device);
  if (!vt) return tl::unexpected(vt.error());

  std::unique_ptr<Simulator> sim(new Simulator());
  sim->device_ = device;
  sim->elf_ = elf;
  sim->hz_ = (options.mhz > 0 ? options.mhz : device.default_mhz) * 1e6;
  sim->impl_ = std::make_unique<Impl>(*sim, console);
  Impl &s = *sim->impl_;
  s.opts = options;
  s.vectors = *vt;
  MemoryTimingOptions mopts;
  mopts.flash_ws = options.flash_ws;
  mopts.caches = options.caches;
  s.memsys = std::make_unique<MemorySystem>(sim->device_, sim->hz_ / 1e6, mopts);
  if (timing) {
    s.timing = std::move(timing);
  } else if (options.timing == RunOptions::Timing::None) {
    s.timing = isa::make_unit_timing();
  } else {
    auto model = isa::CycleModel::create(sim->device_, *s.memsys);
    if (!model) return tl::unexpected(model.error());
    s.timing = std::move(*model);
  }
  s.ct = s.timing->core_timing();
  s.icache_epoch = s.memsys->epoch_ptr();

  auto fail = [&](const std::string &what, uc_err err) {
    return make_error(ErrorKind::Internal, what + ": " + uc_strerror(err));
  };
  uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &s.uc);
  if (err != UC_ERR_OK) return fail("cannot create the CPU engine", err);
  int model = UC_CPU_ARM_CORTEX_M4;
  switch (device.core) {
  case CoreKind::M0plus: model = UC_CPU_ARM_CORTEX_M0; break;
  case CoreKind::M3: model = UC_CPU_ARM_CORTEX_M3; break;
  case CoreKind::M4:
  case CoreKind::M4F: model = UC_CPU_ARM_CORTEX_M4; break;
  case CoreKind::M7: model = UC_CPU_ARM_CORTEX_M7; break;
  case CoreKind::M33: model = UC_CPU_ARM_CORTEX_M33; break;
  }
  // Must precede anything that initialises the engine (uc_mem_map).
  if ((err = uc_ctl_set_cpu_model(s.uc, model)) != UC_ERR_OK) return fail("cannot select the CPU model", err);

  auto mem = MemoryMap::create(device);
  if (!mem) return tl::unexpected(mem.error());
  s.mem = std::move(*mem);
  if (auto m = s.mem.map_into(s.uc); !m) return tl::unexpected(m.error());
  if ((err = uc_mmio_map(s.uc, kPpbBase, kPpbSize, &Impl::on_ppb_read, &s, &Impl::on_ppb_write, &s)) != UC_ERR_OK)
    return fail("cannot map the system control space", err);

  // Load segments at their physical (load) addresses.
  for (const auto &seg : elf.segments) {
    if (seg.data.empty()) continue;
    if (!s.mem.write(seg.paddr, seg.data.data(), uint32_t(seg.data.size())))
      return make_error(ErrorKind::BadElf, elf.path.string() + ": segment at " + hex(seg.paddr) + " is outside the device's memory");
  }

  s.scs = std::make_unique<SystemControl>(sim->device_, sim->hz_, s.sched, s.cycles, console);
  s.scs->current_ipsr = [&s] { return s.ipsr(); };
  s.scs->on_marker = [&s](unsigned port, uint32_t value) {
    if (s.profiling) s.tracker.marker(port, value, s.scs->now());
  };
  s.scs->now_fn = [&s] { return s.precise_valid && s.in_emulation ? s.precise_now : s.cycles; };
  s.sched.on_schedule = [&s](uint64_t when) {
    if (when < s.deadline.load(std::memory_order_relaxed)) s.deadline.store(when, std::memory_order_relaxed);
    s.lower_stop_at(when);
  };
  s.scs->on_exception_state_change = [&s] { s.stop_soon(); };
  s.scs->on_trap_config_change = [&s] {
    s.traps_dirty = true;
    s.stop_soon();
    s.fpu_on = !s.sim.device_.has_fpu() || s.scs->fpu_enabled();
    s.div_trap_on = s.scs->div0_trap() && !core_is_v6m(s.sim.device_.core);
  };

  Semihosting::Config sc;
  sc.sandbox = options.semihost_dir;
  sc.cmdline = options.cmdline.empty() ? elf.path.filename().string() : options.cmdline;
  HeapInfo heap;
  const ElfSymbol *end = elf.find_symbol("end");
  if (!end) end = elf.find_symbol("_end");
  if (!end) end = elf.find_symbol("__end__");
  heap.stack_base = vt->initial_sp;
  if (const ElfSymbol *lim = elf.find_symbol("__StackLimit")) heap.stack_limit = lim->addr;
  else if (const ElfSymbol *mss = elf.find_symbol("_Min_Stack_Size")) heap.stack_limit = vt->initial_sp - mss->addr;
  else heap.stack_limit = vt->initial_sp - 0x1000;
  heap.heap_base = end ? (end->addr + 7) & ~7u : heap.stack_limit;
  heap.heap_limit = heap.stack_limit;
  sc.heap = heap;
  s.semi = std::make_unique<Semihosting>(s.mem, console, sc, [&s] { return s.cycles; }, sim->hz_);

  s.table_init(12);
  uc_hook h;
  if (options.profile) {
    std::string perr;
    s.profiling = true;
    s.tracker.probe = &s.probe;
    std::vector<FunctionProfile> fns{{"(no symbol)", 0, 0, ""}};
    for (const auto &sym : sim->elf_.symbols) {
      if (!sym.func) continue;
      if (fns.size() > 1 && fns.back().addr == sym.addr) continue; // aliases: the strong name sorts first
      std::string src;
      if (sym.line) src = std::filesystem::path(sym.file).filename().string() + ":" + std::to_string(sym.line);
      fns.push_back({llvm::demangle(sym.name), sym.addr, sym.size, src});
    }
    if (!s.tracker.init(std::move(fns), vt->reset, options.layer_pattern, &perr)) return make_error(ErrorKind::Usage, perr);
  }
  void *block_hook = options.profile ? reinterpret_cast<void *>(&Impl::on_block<true>) : reinterpret_cast<void *>(&Impl::on_block<false>);
  if ((err = uc_hook_add(s.uc, &h, UC_HOOK_BLOCK, block_hook, &s, 1, 0)) != UC_ERR_OK)
    return fail("cannot install the block hook", err);
  if ((err = uc_hook_add(s.uc, &h, UC_HOOK_INTR, reinterpret_cast<void *>(&Impl::on_intr), &s, 1, 0)) != UC_ERR_OK)
    return fail("cannot install the interrupt hook", err);
  if ((err = uc_hook_add(s.uc, &h, UC_HOOK_MEM_INVALID, reinterpret_cast<void *>(&Impl::on_mem_invalid), &s, 1, 0)) != UC_ERR_OK)
    return fail("cannot install the memory-fault hook", err);
  return sim;
}

std::string Simulator::timing_description() const {
  if (!impl_->ct) return "one cycle per instruction (--timing none)";
  return std::string(impl_->ct->name) + " tables, " + impl_->memsys->describe();
}

namespace {
using RunClock = std::chrono::steady_clock;

/// The run's wall-clock timer: a thread that sleeps until the --timeout
/// deadline or the next progress time and then asks the engine to stop at the
/// next block boundary (Impl::attend). The engine is never touched from this
/// thread (no uc_emu_stop), and it does nothing between those times, so the
/// hot path is unchanged. Exists only while run() does, and only when there
/// is a timeout or a progress callback.
class RunTimer {
public:
  RunTimer(Simulator::Impl &s, RunClock::time_point start, double timeout_seconds, double progress_seconds)
      : s_(s), start_(start) {
    auto span = [](double seconds) { return std::chrono::duration_cast<RunClock::duration>(std::chrono::duration<double>(seconds)); };
    if (timeout_seconds > 0) timeout_at_ = start + span(timeout_seconds);
    if (progress_seconds > 0) period_ = std::max(span(progress_seconds), RunClock::duration(std::chrono::microseconds(100)));
    if (!timeout_at_ && period_ == RunClock::duration::zero()) return;
    // Signals go to the other threads (a handler there may need to interrupt a blocking read).
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    try {
      thread_ = std::thread([this] { loop(); });
    } catch (const std::system_error &) {
      // No timer: the timeout is still checked between slices, progress between slices.
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  ~RunTimer() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  RunTimer(const RunTimer &) = delete;
  RunTimer &operator=(const RunTimer &) = delete;
  bool running() const { return thread_.joinable(); }

private:
  void loop();
  Simulator::Impl &s_;
  RunClock::time_point start_;
  std::optional<RunClock::time_point> timeout_at_;
  RunClock::duration period_ = RunClock::duration::zero();
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

void RunTimer::loop() {
  std::unique_lock lock(mutex_);
  std::optional<RunClock::time_point> next_progress;
  if (period_ != RunClock::duration::zero()) next_progress = start_ + period_;
  while (!done_) {
    std::optional<RunClock::time_point> wake = timeout_at_;
    if (next_progress && (!wake || *next_progress < *wake)) wake = next_progress;
    if (!wake) {
      wake_.wait(lock, [this] { return done_; });
      break;
    }
    if (wake_.wait_until(lock, *wake, [this] { return done_; })) break;
    auto now = RunClock::now();
    if (timeout_at_ && now >= *timeout_at_) {
      s_.attend(Simulator::Impl::kAttendTimeout);
      timeout_at_.reset();
    }
    if (next_progress && now >= *next_progress) {
      s_.attend(Simulator::Impl::kAttendProgress);
      while (*next_progress <= now) *next_progress += period_;
    }
  }
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}
} // namespace

RunResult Simulator::run() {
  Impl &s = *impl_;
  using clock = RunClock;
  const auto wall_start = clock::now();
  auto last_progress = wall_start;
  std::optional<clock::time_point> emulation_start; // the first uc_emu_start: MIPS excludes the start-up before it
  uint64_t last_progress_insns = 0;
  const uint64_t max_cycles = s.opts.max_cycles ? s.opts.max_cycles : kNoLimit;
  const uint64_t max_insns = s.opts.max_instructions ? s.opts.max_instructions : kNoLimit;
  const auto progress_period = std::chrono::duration<double>(s.opts.progress_seconds > 0 ? s.opts.progress_seconds : 0.2);

  s.reset_cpu();
  s.finished.reset();
  s.attention.fetch_and(Impl::kAttendStop); // a stop requested before run() still counts
  RunTimer timer(s, wall_start, s.opts.timeout_seconds, s.opts.on_progress ? progress_period.count() : 0);
  while (!s.finished) {
    const unsigned attention = s.attention.load();
    if (attention & Impl::kAttendStop) {
      std::lock_guard lock(s.cause_mutex);
      s.finish(StopReason::Stopped, s.stop_cause.empty() ? "stopped on request" : s.stop_cause);
      s.finished->stop_cause = s.stop_cause;
      break;
    }
    if (attention & Impl::kAttendProgress) s.attention.fetch_and(~unsigned(Impl::kAttendProgress));
    if (s.scs->reset_requested) s.reset_cpu();
    if (s.traps_dirty) s.update_traps();
    s.sched.run_due(s.cycles);
    if (s.insns >= max_insns) {
      s.finish(StopReason::InstructionLimit, "instruction limit of " + std::to_string(max_insns) + " reached");
      break;
    }
    if (s.cycles >= max_cycles) {
      s.finish(StopReason::CycleLimit, "cycle limit of " + std::to_string(max_cycles) + " reached");
      break;
    }
    auto now = clock::now();
    double wall = std::chrono::duration<double>(now - wall_start).count();
    if (s.opts.timeout_seconds > 0 && (wall >= s.opts.timeout_seconds || (attention & Impl::kAttendTimeout))) {
      s.finish(StopReason::WallTimeout, "wall-clock timeout of " + seconds_text(s.opts.timeout_seconds) + " s reached");
      break;
    }
    // With the timer, progress comes at its ticks; without it (no thread), between slices.
    if (s.opts.on_progress && (timer.running() ? (attention & Impl::kAttendProgress) != 0 : now - last_progress >= progress_period)) {
      double dt = std::chrono::duration<double>(now - last_progress).count();
      s.opts.on_progress({s.cycles, s.insns, double(s.cycles) / hz_, wall, double(s.insns - last_progress_insns) / dt / 1e6});
      last_progress = now;
      last_progress_insns = s.insns;
    }

    if (!s.sleeping) s.take_pending();
    if (s.finished) break;
    if (s.sleeping) {
      s.sleep_step(max_cycles);
      continue;
    }

    s.deadline.store(std::min({s.sched.next_time(), max_cycles, s.cycles + kSliceCycles}), std::memory_order_relaxed);
    s.stop_insns = max_insns;
    s.refresh_stop_at(); // keeps stop_at at 0 if a request came after the look above
    if (s.attention.load()) continue;
    s.stop_kind = StopKind::None;
    s.mem_fault = false;
    uint32_t start = s.pc();
    s.in_emulation = true;
    s.just_returned = false; // code runs now: no tail-chain from here
    if (!emulation_start) emulation_start = clock::now();
    uc_err err = uc_emu_start(s.uc, start | 1, kUntil, 0, 0);
    s.in_emulation = false;
    // Host-side work follows (exceptions, semihosting): the next block is not
    // reached by the last block's branch, so its branch cost is settled here.
    if (s.stop_kind == StopKind::Boundary) {
      uint32_t branch = s.stop_pc == s.cur->cost.fallthrough ? s.cur->cost.fallthrough_extra : s.cur->cost.taken_extra;
      s.cycles += branch;
      if (s.profiling) {
        s.tracker.branch_only(s.cur->func, branch);
        s.tracker.transition(s.cur->func, s.cur->cost.end == isa::kEndCall, s.cur->cost.fallthrough, s.stop_pc,
                             s.tracker.func_of(s.stop_pc), s.cycles);
      }
      s.cur = &s.no_block;
    }
    if (err != UC_ERR_OK) {
      s.handle_engine_error(err);
      continue;
    }
    switch (s.stop_kind) {
    case StopKind::Boundary: break;
    case StopKind::Intr: s.handle_intr(); break;
    case StopKind::SelfLoop: s.handle_self_loop(); break;
    case StopKind::FpCheck: {
      auto *e = static_cast<const Impl::Entry *>(s.stop_entry);
      s.prefix_index = e->cost.prefix;
      uint32_t size = uint32_t(e->key >> 32);
      if (!s.run_prefix(s.stop_pc, size, e->cost.fp_index)) break;
      s.raise_fault(kExcUsageFault, cfsr::NOCP, s.pc(),
                    "floating-point instruction while the FPU is disabled (CPACR CP10/CP11 not enabled)", std::nullopt, true);
      break;
    }
    case StopKind::DivCheck: {
      auto *e = static_cast<const Impl::Entry *>(s.stop_entry);
      s.prefix_index = e->cost.prefix;
      uint32_t size = uint32_t(e->key >> 32);
      uint8_t rm = e->cost.div_rm;
      if (!s.run_prefix(s.stop_pc, size, e->cost.div_index)) break;
      uint32_t at = s.pc();
      if (s.reg(UC_ARM_REG_R0 + rm) == 0) {
        s.raise_fault(kExcUsageFault, cfsr::DIVBYZERO, at, "integer divide by zero (CCR.DIV_0_TRP set)", std::nullopt, true);
      } else {
        s.div_bypass_pc = at; // the divide's own block runs once without the check
      }
      break;
    }
    case StopKind::None: {
      uint32_t p = s.pc();
      auto m4 = s.mem.read16(p - 4), m2 = s.mem.read16(p - 2);
      auto kind = isa::sleep_insn_before(m4.value_or(0), m2.value_or(0));
      if (kind == isa::SleepInsn::Wfe && s.scs->event_flag) {
        s.scs->event_flag = false; // WFE consumes a pending event and continues
      } else if (kind != isa::SleepInsn::None) {
        s.sleeping = true;
        s.wfe_sleep = kind == isa::SleepInsn::Wfe;
      } else if (!(s.attention.load() & Impl::kAttendStop)) {
        s.finish(StopReason::Internal, "the engine stopped unexpectedly at " + elf_.describe(p));
      }
      break;
    }
    }
  }

  RunResult r = *s.finished;
  r.cycles = s.cycles;
  r.instructions = s.insns;
  r.sleep_cycles = s.sleep_cycles;
  if (s.profiling) {
    r.profile = s.tracker.finish(s.cycles, s.vectors.initial_sp);
    s.measure_arena(*r.profile);
  }
  r.icache_hits = s.memsys->hits();
  r.icache_misses = s.memsys->misses();
  r.hz = hz_;
  const auto wall_end = clock::now();
  r.wall_seconds = std::chrono::duration<double>(wall_end - wall_start).count();
  if (emulation_start) r.emulation_seconds = std::chrono::duration<double>(wall_end - *emulation_start).count();
  return r;
}

// -----------------------------------------------------------------------------------------------

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
