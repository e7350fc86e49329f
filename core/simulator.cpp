/// \file
/// Engine creation: Simulator::create checks the image, builds the timing
/// model, opens the Unicorn engine for the device's core, maps memory and the
/// system control space, loads the image, connects the system control block,
/// semihosting and profiling, and registers the hooks. The rest of
/// Simulator::Impl (core/simulator_impl.h) lives in the other simulator_*.cpp.
#include "core/simulator_impl.h"

#include "isa/cycle_model.h"

#include <filesystem>
#include <string>

namespace mcusim {

using simulator_detail::hex;

namespace {
tl::unexpected<Error> engine_error(const std::string &what, uc_err err) {
  return make_error(ErrorKind::Internal, what + ": " + uc_strerror(err));
}
} // namespace

Simulator::~Simulator() = default;

Expected<std::unique_ptr<Simulator>> Simulator::create(const Device &device, const ElfImage &elf, const RunOptions &options,
                                                       Console &console, std::unique_ptr<isa::TimingModel> timing) {
  if (options.mhz > 2000)
    return make_error(ErrorKind::Usage, "a clock of " + std::to_string(int(options.mhz)) +
                                            " MHz is not a Cortex-M clock (at most 2000 MHz)");
  if (options.profile && !options.profile_listener)
    return make_error(ErrorKind::Usage, "profiling needs a profile listener (RunOptions::profile_listener)");
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
  if (auto made = s.make_timing(std::move(timing)); !made) return tl::unexpected(made.error());
  if (auto opened = s.open_engine(device); !opened) return tl::unexpected(opened.error());
  if (auto mapped = s.map_memory(device, elf); !mapped) return tl::unexpected(mapped.error());
  s.connect_system_control();
  s.start_semihosting(elf, *vt);

  s.table_init(12);
  s.init_clock();
  if (auto powered = s.init_power(device); !powered) return tl::unexpected(powered.error());
  if (options.profile) {
    if (auto prof = s.init_profiling(); !prof) return tl::unexpected(prof.error());
  }
  if (auto hooked = s.install_hooks(); !hooked) return tl::unexpected(hooked.error());
  return sim;
}

std::string Simulator::timing_description() const {
  if (!impl_->ct) return "one cycle per instruction (--timing none)";
  return std::string(impl_->ct->name) + " tables, " + impl_->memsys->describe();
}

/// The memory system (wait states, caches) and the timing model: the one
/// given, the unit model (--timing none) or the core's cycle model.
Expected<void> Simulator::Impl::make_timing(std::unique_ptr<isa::TimingModel> model) {
  MemoryTimingOptions mopts;
  mopts.flash_ws = opts.flash_ws;
  mopts.caches = opts.caches;
  memsys = std::make_unique<MemorySystem>(sim.device_, sim.hz_ / 1e6, mopts);
  if (model) {
    timing = std::move(model);
  } else if (opts.timing == RunOptions::Timing::None) {
    timing = isa::make_unit_timing();
  } else {
    auto cycle_model = isa::CycleModel::create(sim.device_, *memsys);
    if (!cycle_model) return tl::unexpected(cycle_model.error());
    timing = std::move(*cycle_model);
  }
  ct = timing->core_timing();
  icache_epoch = memsys->epoch_ptr();
  return {};
}

Expected<void> Simulator::Impl::open_engine(const Device &device) {
  uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc);
  if (err != UC_ERR_OK) return engine_error("cannot create the CPU engine", err);
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
  if ((err = uc_ctl_set_cpu_model(uc, model)) != UC_ERR_OK) return engine_error("cannot select the CPU model", err);
  return {};
}

/// The device's memory, the system control space (MMIO) and the image's
/// segments at their physical (load) addresses.
Expected<void> Simulator::Impl::map_memory(const Device &device, const ElfImage &elf) {
  auto map = MemoryMap::create(device);
  if (!map) return tl::unexpected(map.error());
  mem = std::move(*map);
  auto holes = make_peripherals(device);
  if (!holes) return tl::unexpected(holes.error());
  if (auto m = mem.map_into(uc, *holes); !m) return tl::unexpected(m.error());
  if (auto p = map_peripherals(); !p) return tl::unexpected(p.error());
  if (uc_err err = uc_mmio_map(uc, kPpbBase, kPpbSize, &Impl::on_ppb_read, this, &Impl::on_ppb_write, this); err != UC_ERR_OK)
    return engine_error("cannot map the system control space", err);

  // Load segments at their physical (load) addresses.
  for (const auto &seg : elf.segments) {
    if (seg.data.empty()) continue;
    if (!mem.write(seg.paddr, seg.data.data(), uint32_t(seg.data.size())))
      return make_error(ErrorKind::BadElf, elf.path.string() + ": segment at " + hex(seg.paddr) + " is outside the device's memory");
  }
  return {};
}

/// NVIC, SCB, SysTick, DWT, ITM, and what they tell the run loop.
void Simulator::Impl::connect_system_control() {
  scs = std::make_unique<SystemControl>(sim.device_, sim.hz_, sched, cycles, console);
  scs->current_ipsr = [this] { return ipsr(); };
  scs->on_marker = [this](unsigned port, uint32_t value) {
    if (profiling) tracker->marker(port, value, scs->now());
  };
  scs->now_fn = [this] { return precise_valid && in_emulation ? precise_now : cycles; };
  sched.on_schedule = [this](uint64_t when) {
    if (when < deadline.load(std::memory_order_relaxed)) deadline.store(when, std::memory_order_relaxed);
    lower_stop_at(when);
  };
  scs->on_exception_state_change = [this] { stop_soon(); };
  if (sim.device_.l1) // the M7's CCR.IC/DC: applied at the next block boundary with the clock (simulator_clock.cpp)
    scs->on_cache_enable_change = [this](uint32_t bits) {
      l1_changed |= bits;
      l1_dirty = true;
      stop_soon();
    };
  scs->on_trap_config_change = [this] {
    traps_dirty = true;
    stop_soon();
    fpu_on = !sim.device_.has_fpu() || scs->fpu_enabled();
    div_trap_on = scs->div0_trap() && !core_is_v6m(sim.device_.core);
  };
}

/// Semihosting: the sandbox, the command line, and the heap and stack bounds
/// from the image's symbols (for SYS_HEAPINFO).
void Simulator::Impl::start_semihosting(const ElfImage &elf, const VectorTable &vt) {
  Semihosting::Config sc;
  sc.sandbox = opts.semihost_dir;
  sc.cmdline = opts.cmdline.empty() ? elf.path.filename().string() : opts.cmdline;
  HeapInfo heap;
  const ElfSymbol *end = elf.find_symbol("end");
  if (!end) end = elf.find_symbol("_end");
  if (!end) end = elf.find_symbol("__end__");
  heap.stack_base = vt.initial_sp;
  if (const ElfSymbol *lim = elf.find_symbol("__StackLimit")) heap.stack_limit = lim->addr;
  else if (const ElfSymbol *mss = elf.find_symbol("_Min_Stack_Size")) heap.stack_limit = vt.initial_sp - mss->addr;
  else heap.stack_limit = vt.initial_sp - 0x1000;
  heap.heap_base = end ? (end->addr + 7) & ~7u : heap.stack_limit;
  heap.heap_limit = heap.stack_limit;
  sc.heap = heap;
  semi = std::make_unique<Semihosting>(mem, console, sc, [this] { return cycles; }, sim.hz_);
}

/// BLOCK (all code: the plain or the profiling hook), INTR, MEM_INVALID.
Expected<void> Simulator::Impl::install_hooks() {
  uc_hook h;
  uc_err err;
  if ((err = uc_hook_add(uc, &h, UC_HOOK_BLOCK, block_hook(opts.profile, opts.count_instruction_classes), this, 1, 0)) != UC_ERR_OK)
    return engine_error("cannot install the block hook", err);
  if ((err = uc_hook_add(uc, &h, UC_HOOK_INTR, reinterpret_cast<void *>(&Impl::on_intr), this, 1, 0)) != UC_ERR_OK)
    return engine_error("cannot install the interrupt hook", err);
  if ((err = uc_hook_add(uc, &h, UC_HOOK_MEM_INVALID, reinterpret_cast<void *>(&Impl::on_mem_invalid), this, 1, 0)) != UC_ERR_OK)
    return engine_error("cannot install the memory-fault hook", err);
  return {};
}

// --- the hooks other than the block hook ------------------------------------------------------
void Simulator::Impl::on_intr(uc_engine *uc, uint32_t intno, void *user) {
  auto *s = static_cast<Impl *>(user);
  s->stop_kind = StopKind::Intr;
  s->intno = intno;
  s->stop_pc = s->pc();
  uc_emu_stop(uc);
}

bool Simulator::Impl::on_mem_invalid(uc_engine *, uc_mem_type type, uint64_t address, int, int64_t, void *user) {
  auto *s = static_cast<Impl *>(user);
  s->mem_fault = true;
  s->mem_fault_type = type;
  s->mem_fault_addr = address;
  return false;
}

uint64_t Simulator::Impl::on_ppb_read(uc_engine *, uint64_t offset, unsigned size, void *user) {
  auto *s = static_cast<Impl *>(user);
  s->locate_access(kPpbBase + uint32_t(offset), false);
  return s->scs->read(kPpbBase + uint32_t(offset), size);
}

void Simulator::Impl::on_ppb_write(uc_engine *, uint64_t offset, unsigned size, uint64_t value, void *user) {
  auto *s = static_cast<Impl *>(user);
  s->locate_access(kPpbBase + uint32_t(offset), true);
  s->scs->write(kPpbBase + uint32_t(offset), size, uint32_t(value));
}

} // namespace mcusim
