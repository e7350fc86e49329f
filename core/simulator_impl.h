/// \file
/// The simulator's private state (Simulator::Impl), shared by the files that
/// implement it, one job each:
///   simulator.cpp            engine creation: Simulator::create, memory map, hooks registration
///   simulator_blocks.cpp     block cost cache and the block (pricing) hook; profiling
///   simulator_exceptions.cpp exception entry and return, tail-chaining, pending exceptions, reset
///   simulator_faults.cpp     fault location (faulting instruction, precise access time),
///                            escalation, backtrace, engine errors, fault reports
///   simulator_sleep.cpp      WFI/WFE sleep and idle-loop detection
///   simulator_run.cpp        the run loop, its wall-clock timer (RunTimer) and stop requests
///   simulator_classes.cpp    instruction classes of a block (RunOptions::count_instruction_classes)
///   power_timeline.cpp       the power-state timeline (RunResult::power.timeline)
///
/// Hot path: UC_HOOK_BLOCK -> one open-addressed table lookup of the block's
/// static cost -> two adds (three for a block in RAM: its cycles by location). Everything else (interrupts, semihosting, faults,
/// peripheral events) happens with the engine stopped, between uc_emu_start
/// calls. The block hook and everything it calls live in simulator_blocks.cpp
/// (one translation unit, so the compiler sees them together).
#pragma once

#include "core/simulator.h"

#include "core/scheduler.h"
#include "core/semihosting.h"
#include "core/system_control.h"
#include "core/arena_use.h"
#include "core/profile_listener.h"
#include "core/power_timeline.h"
#include "isa/core_timing.h"
#include "isa/decoder.h"
#include "memory/memory_map.h"
#include "memory/memory_system.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>
#include <unicorn/unicorn.h>

namespace mcusim {

namespace simulator_detail {
inline std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}
inline std::string hex8(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}
constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();
} // namespace simulator_detail

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
  // The firmware's clock (core/simulator_clock.cpp): segments so far, a change
  // waiting for the next block boundary, the too-few-wait-states warning.
  std::vector<ClockSegment> clock_segments;
  bool clock_dirty = false;
  std::optional<std::string> power_off; ///< PeripheralHost::power_off's message: the run ends at the next boundary
  std::string clock_warning;
  bool clock_from_firmware = false; ///< the registers set the clock (no --mhz, the firmware wrote RCC/FLASH)
  void init_clock();
  void apply_clock();
  std::string power_mode_in_force(const CoreClock &c) const;
  /// The firmware's FLASH_ACR / ICACHE enables (CoreClock::accel) put in force; true when the memory system changed.
  bool apply_accel(const std::optional<CoreClock::Accel> &accel);
  void reprice_blocks(); ///< empty the block cost cache (wait states or enables changed)
  uint32_t l1_changed = 0; ///< SCB->CCR.IC/DC bits the firmware changed since the last reset (Cortex-M7 L1)
  bool l1_dirty = false;   ///< they changed: apply_l1() at the next block boundary
  void apply_l1();
  void check_wait_states(const CoreClock &c);
  /// The wake-up latencies in cycles at `hz` (0 without a cycle model).
  void retime_sleep(double hz);
  double sleep_wakeup_us = 0, deep_wakeup_us = 0;
  std::unique_ptr<isa::TimingModel> timing;
  const isa::CoreTiming *ct = nullptr; // the core's table when the cycle model is on
  VectorTable vectors;

  // Counters (the hot path touches these and the block table only).
  // (Aligned so that these and stop_at share one cache line whatever precedes them.)
  alignas(64) uint64_t cycles = 0;
  uint64_t insns = 0, sleep_cycles = 0;
  // The block hook compares the cycle count with `stop_at` only. `deadline` is
  // the next event or limit; `stop_at` may be lower (instruction limit, a
  // masked exception to poll), and then the slow path decides.
  std::atomic<uint64_t> stop_at{0}; // also lowered to 0 by other threads (attend)
  std::atomic<uint64_t> deadline{0};  // this thread only
  uint64_t stop_insns = simulator_detail::kNoLimit;
  bool poll = false;
  /// The fast-path threshold for the current deadline, instruction limit and poll state.
  void refresh_stop_at() {
    uint64_t t = deadline.load(std::memory_order_relaxed);
    if (stop_insns != simulator_detail::kNoLimit) t = std::min(t, cycles + (stop_insns > insns ? (stop_insns - insns) / 2 : 0));
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
  // divides' cost on this execution (div_extra, each divide's in
  // div_site_extra), for exact DWT/SysTick reads inside the block.
  // div_extra_entry names the block they belong to (reset when the table is).
  const void *div_extra_entry = nullptr;
  std::vector<uint8_t> div_site_extra;
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
    uint8_t loc = 0;          ///< CodeLocation of the block's region, set by place()
  };
  std::vector<Entry> table;
  /// The block executing now, or the last one executed; its final branch is
  /// priced when the next block starts. `no_block` after host-side redirects.
  Entry no_block{0, isa::BlockCost{0, 0, 0, UINT32_MAX}, 0, 0, 0};
  const Entry *cur = &no_block;
  uint32_t last_block() const { return uint32_t(cur->key); }
  uint32_t last_block_size() const { return uint32_t(cur->key >> 32); }
  uint64_t table_mask = 0;
  size_t table_count = 0;
  unsigned table_shift = 0;

  bool traps_dirty = false;

  // --- power counters (RunResult::power) --------------------------------------------------
  // Run cycles by location without work on the block hook's fast path: a
  // block in RAM (SRAM/TCM) is placed with kBlockInRam, which sends it to
  // block_flags, where its cycles (and the branch it settles) are added to
  // ram_cycles as well; cycles charged outside blocks go through charge_run()
  // with the location of the code that was running. Run cycles from flash are
  // then all the others: cycles - ram_cycles - asleep - waking up
  // (synced_power()).
  static constexpr uint32_t kBlockInRam = 1u << 31; ///< core-only BlockCost flag (isa/ uses the low bits)
  uint64_t ram_cycles = 0;
  PowerCounters power;
  PowerTimeline timeline;
  uint64_t deep_wakeup_cycles = 0;   ///< the deep-sleep state's wake-up time (with the cycle model)
  uint64_t sleep_wakeup_cycles = 0;  ///< Device::wakeup_us (with the cycle model)
  bool slept_deep = false;           ///< the sleep now in progress has SLEEPDEEP set
  int deep_state = -1;               ///< its index in power.deep_states (-1: not counted by state)
  bool standby_reset_pending = false;///< it is a Standby/Shutdown state: the wake-up resets the core
  bool warned_unknown_state = false;
  int enter_deep_state();            // simulator_sleep.cpp
  void wake_from_standby();          // simulator_exceptions.cpp
  void lose_standby_ram();           // simulator_sleep.cpp: the RAM Standby does not retain
  // The last exception exit's charge: a tail-chain replaces it, possibly after a sleep.
  uint8_t exit_loc = 0;
  uint64_t exit_at = 0, exit_closed = 0;
  /// CodeLocation of the code at `addr` (Flash for flash, ROM and unknown regions).
  uint8_t loc_of(uint32_t addr) const;
  /// The location of the code running now: the current block's, else the PC's.
  uint8_t running_loc() { return cur != &no_block ? cur->loc : loc_of(pc()); }
  void charge_run(uint64_t n, uint8_t loc) {
    cycles += n;
    if (loc == uint8_t(CodeLocation::Ram)) ram_cycles += n;
  }
  /// `power` with its run cycles brought up to date.
  PowerCounters &synced_power() {
    const uint64_t asleep = power.sleep_cycles + power.deep_sleep_cycles + power.sleep_wakeup_cycles + power.deep_wakeup_cycles;
    power.run_cycles[size_t(CodeLocation::Ram)] = ram_cycles;
    power.run_cycles[size_t(CodeLocation::Flash)] = cycles - ram_cycles - asleep;
    return power;
  }
  Expected<void> init_power(const Device &device); // simulator_sleep.cpp

  // Instruction classes (RunOptions::count_instruction_classes): each block's
  // counts, found when it is placed, in a vector parallel to `table`; the
  // counting hook adds them per execution.
  struct BlockClasses {
    uint32_t mac = 0, fpu = 0, flash_loads = 0, sram_accesses = 0;
  };
  std::vector<BlockClasses> block_classes;
  InstructionClassCounts class_counts;
  std::unique_ptr<isa::Decoder> class_decoder;
  BlockClasses classify_block(uint32_t address, uint32_t size, const std::array<uint32_t, 16> &regs) const; // simulator_classes.cpp
  void count_classes(const Entry &e) {
    const BlockClasses &k = block_classes[size_t(&e - table.data())];
    class_counts.mac += k.mac;
    class_counts.fpu += k.fpu;
    class_counts.flash_loads += k.flash_loads;
    class_counts.sram_accesses += k.sram_accesses;
  }

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
  Registers read_registers(); // simulator_faults.cpp

  // --- engine creation (simulator.cpp) ---------------------------------------------------
  Expected<void> make_timing(std::unique_ptr<isa::TimingModel> model);
  Expected<void> open_engine(const Device &device);
  Expected<void> map_memory(const Device &device, const ElfImage &elf);
  void connect_system_control();
  void start_semihosting(const ElfImage &elf, const VectorTable &vt);
  Expected<void> install_hooks();
  // --- peripheral space (simulator_peripherals.cpp) ------------------------------------------------
  std::unique_ptr<PeripheralHost> periph_host;
  std::unique_ptr<PeripheralSpace> periph;
  struct PeriphWindow {
    Impl *s;
    uint32_t base;
  };
  std::vector<std::unique_ptr<PeriphWindow>> periph_windows; ///< the uc_mmio_map user data, one per window
  bool periph_fault_pending = false; ///< a refused access in the slice that just ran
  uint32_t periph_fault_addr = 0;
  bool periph_fault_write = false;
  std::string periph_fault_cause;
  /// Builds the peripheral space (RunOptions::peripherals) and the MMIO windows
  /// it needs; returns the address ranges to leave out of the plain mapping.
  Expected<std::vector<std::pair<uint32_t, uint64_t>>> make_peripherals(const Device &device);
  Expected<void> map_peripherals();
  void peripheral_bus_error(uint32_t addr, bool write, const std::string &cause);
  void handle_peripheral_fault();
  static uint64_t on_periph_read(uc_engine *, uint64_t offset, unsigned size, void *user);
  static void on_periph_write(uc_engine *, uint64_t offset, unsigned size, uint64_t value, void *user);
  static uint64_t on_ppb_read(uc_engine *, uint64_t offset, unsigned size, void *user);
  static void on_ppb_write(uc_engine *, uint64_t offset, unsigned size, uint64_t value, void *user);
  static void on_intr(uc_engine *uc, uint32_t intno, void *user);
  static bool on_mem_invalid(uc_engine *, uc_mem_type type, uint64_t address, int, int64_t, void *user);

  // --- block cache and block hook (simulator_blocks.cpp) -----------------------------------
  void table_init(unsigned bits);
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
  __attribute__((noinline, cold)) Entry &insert(uint32_t address, uint32_t size);
  Entry &place(uint64_t key, const isa::BlockCost &cost);

  /// The block hook to install: the plain or the profiling instantiation.
  static void *block_hook(bool profile, bool classes);
  template <bool Profile, bool Classes> static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user);
  template <bool Profile, bool Classes> __attribute__((noinline)) void block_full(uint64_t address, uint32_t size);
  __attribute__((noinline, cold)) bool stop_here(uint32_t address);
  __attribute__((noinline)) Entry &find_or_insert(uint64_t key);
  __attribute__((noinline)) bool block_flags(Entry &e, uint32_t address, uint32_t branch);
  void charge_divides(const Entry &e);

  // --- profiling (state here; the code in simulator_blocks.cpp) -----------------------------
  std::unique_ptr<ProfileListener> tracker; ///< from RunOptions::profile_listener, with RunOptions::profile
  bool profiling = false;
  struct GuestProbe final : ProfileListener::Probe {
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
  Expected<void> init_profiling();
  void measure_arena(ProfileData &d);

  // --- locating instructions in a block (simulator_faults.cpp) -------------------------------
  /// Cycle count at the end of the instruction of the block now executing
  /// that makes this access (its data phase, where a counter is sampled): the
  /// block's start, plus the static cost of the instructions up to and
  /// including it, plus what the block's divides before it cost this time.
  uint64_t precise_now = 0;
  bool precise_valid = false;
  void locate_access(uint32_t addr, bool write);
  bool run_prefix(uint32_t addr, uint32_t size, unsigned n);
  uint32_t prefix_index = UINT32_MAX;
  bool prefix_run = false;
  uint32_t div_bypass_pc = 0xFFFFFFFF;
  std::pair<uint32_t, bool> faulting_instruction(uint32_t addr, bool write);

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

  // --- exceptions (simulator_exceptions.cpp) --------------------------------------------------
  bool enter_exception(int exc, uint32_t ret);
  bool exception_return(uint32_t exc_return);
  void tail_chain_charge(int64_t delta);
  void take_pending();
  void handle_intr();
  void reset_cpu(bool standby = false);

  // --- faults (simulator_faults.cpp) ------------------------------------------------------------
  FaultInfo make_fault(const std::string &kind, const std::string &cause, uint32_t fault_pc, std::optional<uint32_t> addr,
                       bool exact);
  std::vector<uint32_t> backtrace(const Registers &r);
  void raise_fault(int exc, uint32_t cfsr_bits, uint32_t fault_pc, const std::string &cause, std::optional<uint32_t> addr,
                   bool exact);
  void fatal_fault(const std::string &kind, const std::string &cause, uint32_t fault_pc, std::optional<uint32_t> addr,
                   StopReason reason);
  void no_handler(int exc, uint32_t vec);
  void finish_fault(StopReason reason);
  void finish(StopReason reason, const std::string &message);
  void handle_engine_error(uc_err err);
  void handle_fp_check();
  void handle_div_check();
  void update_traps();

  // --- sleep and idle (simulator_sleep.cpp) -------------------------------------------------------
  bool wake_condition();
  void sleep_step(uint64_t cycle_limit);
  void handle_self_loop();
  uint32_t last_block_size_for(uint32_t p);
  void handle_sleep_insn();

  // --- the run loop (simulator_run.cpp) -----------------------------------------------------------
  struct RunLoop;
  void check_between_slices(RunLoop &loop);
  void report_progress(RunLoop &loop, unsigned bits, std::chrono::steady_clock::time_point now, double wall);
  void run_slice(RunLoop &loop);
  void settle_boundary_branch();
  void handle_stop();
  RunResult result(const RunLoop &loop);
};

} // namespace mcusim
