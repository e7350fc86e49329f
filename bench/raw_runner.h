/// \file
/// A bare Unicorn runner for the speed benchmark: the same device memory map
/// as mcusim (MemoryMap, uc_mem_map_ptr, the system control space as MMIO),
/// the same ELF loading and vector-table reset, and only a UC_HOOK_INTR for
/// the semihosting calls a newlib (rdimon) firmware needs. No cycle
/// accounting and no exceptions, and by default no block hook: it measures
/// what the engine alone costs.
#pragma once

#include "base/device.h"
#include "image/elf_image.h"

#include <cstdint>
#include <memory>
#include <string>

struct uc_struct;

namespace mcusim::bench {

/// How the device's memory is put into the engine. The defaults reproduce
/// mcusim's mapping exactly; the other settings exist for experiments.
struct RawMapOptions {
  bool use_ptr = true;    ///< uc_mem_map_ptr over host buffers (as mcusim); false: uc_mem_map
  bool aliases = true;    ///< map the regions' aliases (e.g. the flash boot alias at 0)
  bool peripheral = true; ///< map RegionKind::Peripheral regions
  enum class Ppb { Mmio, Ram, None };
  Ppb ppb = Ppb::Mmio;    ///< the system control space (0xE0000000, 1 MiB): MMIO as mcusim, plain RAM, or absent
  /// Map the writable non-peripheral regions with uc_mmio_map (callbacks on
  /// the host buffers) instead of as RAM. Code cannot run from them then.
  /// Implies use_ptr for the other regions.
  bool ram_as_mmio = false;
  /// Map the RAM region that holds the initial stack pointer in two parts,
  /// its topmost `split_stack_page` bytes separately (0: one mapping).
  uint32_t split_stack_page = 0;
};

struct RawRunOptions {
  std::string cmdline;     ///< returned by SYS_GET_CMDLINE
  RawMapOptions map;
  uint64_t count = 0;      ///< uc_emu_start's instruction count per start (0: none)
  uint64_t timeout_us = 0; ///< uc_emu_start's timeout per start (0: none)
  /// An optional UC_HOOK_BLOCK, to measure what a block hook costs:
  /// Empty: a callback that does nothing (Unicorn's own dispatch cost);
  /// Counting: the same work as mcusim's hot path (limit check, open-addressed
  /// lookup of the block's instruction count, two adds, last block), with the
  /// table-miss path kept out of line. Counting reads the block bytes from
  /// the host buffers, so it needs map.use_ptr.
  enum class BlockHook { None, Empty, Counting };
  BlockHook block_hook = BlockHook::None;
};

struct RawRunResult {
  bool ok = false;          ///< ran to SYS_EXIT / SYS_EXIT_EXTENDED or to the count/timeout bound
  bool exited = false;      ///< the firmware exited through semihosting
  bool bounded_stop = false; ///< stopped by count or timeout before exiting
  int exit_code = 0;
  std::string output;       ///< everything the firmware wrote (stdout and stderr)
  std::string error;        ///< why it did not run (ok == false)
  double setup_seconds = 0; ///< uc_open, cpu model, mapping, loading
  double wall_seconds = 0;  ///< from the first uc_emu_start to the end
  uint64_t semihost_calls = 0;
  uint32_t pc = 0, sp = 0;  ///< where it stopped
  uint64_t hook_instructions = 0; ///< instructions counted by BlockHook::Counting
  uint32_t r3 = 0;          ///< r3 when it stopped (spin's counter after "ldr r3; adds r3")
};

/// Run `elf` on `device` from reset with bare Unicorn.
RawRunResult run_raw(const Device &device, const ElfImage &elf, const RawRunOptions &options);

/// Unicorn CPU model (UC_CPU_ARM_*) for a core, as mcusim selects it.
int unicorn_cpu_model(CoreKind core);

/// Map `device` into `uc` according to `opts`, load `elf`'s segments at
/// their physical addresses. Host buffers (when opts.use_ptr) are owned by
/// the returned handle; keep it alive as long as the engine runs.
struct MappedDevice;
struct MappedDeviceDeleter {
  void operator()(MappedDevice *) const;
};
using MappedDeviceHandle = std::unique_ptr<MappedDevice, MappedDeviceDeleter>;
MappedDeviceHandle map_device(uc_struct *uc, const Device &device, const ElfImage *elf, const RawMapOptions &opts,
                              std::string *error);

} // namespace mcusim::bench
