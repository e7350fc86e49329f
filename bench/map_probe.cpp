/// \file
/// mcusim-bench-mapprobe: why does a loop that stores to RAM run slowly?
///
///   mcusim-bench-mapprobe [--seconds S] [--count N] [--store-loop-only] SPIN_ELF DEVICE
///
/// SPIN_ELF is firmware/examples/spin (main loops on
/// "ldr r3,[sp,#4]; adds r3,#1; str r3,[sp,#4]; b", 4 instructions per
/// iteration, its counter at [sp,#4]). The probe measures:
///   1. mcusim on the ELF, bounded by RunOptions::max_instructions = N;
///   2. bare Unicorn on the ELF with mcusim's memory map, bounded by
///      uc_emu_start's count = N (this adds Unicorn's internal counting hook);
///   3. bare Unicorn on the ELF, bounded by uc_emu_start's timeout (S
///      seconds, no counting cost), under several memory-map variants; the
///      instruction count is 4 x the counter the firmware left at [sp,#4];
///   4. a synthetic 4-instruction loop placed in flash, storing to (or only
///      loading from) different memory regions, under the same variants;
///   5. the same loops with the engine hooks mcusim installs (empty callbacks).
/// Every rate is instructions / wall seconds, best of three.
/// --store-loop-only runs just the synthetic store loop on the stack page
/// with mcusim's map once (for running under a profiler).
#include "bench/raw_runner.h"

#include "core/console.h"
#include "base/device.h"
#include "image/auto_device.h"
#include "image/elf_image.h"
#include "core/simulator.h"
#include "core/system_control.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <unicorn/unicorn.h>
#include <vector>

using namespace mcusim;
using Clock = std::chrono::steady_clock;

namespace {

class NullConsole final : public Console {
public:
  void out(std::string_view) override {}
  void err(std::string_view) override {}
  size_t in(char *, size_t) override { return 0; }
};

struct Variant {
  const char *name;
  bench::RawMapOptions map;
  bool firmware_runs = true; // the spin ELF can run under it (its startup writes CPACR in the PPB)
};

std::vector<Variant> variants() {
  using Ppb = bench::RawMapOptions::Ppb;
  std::vector<Variant> v;
  v.push_back({"as mcusim (uc_mem_map_ptr, alias, periph, PPB MMIO)", {}});
  bench::RawMapOptions m;
  m.use_ptr = false;
  v.push_back({"uc_mem_map instead of uc_mem_map_ptr", m});
  m = {};
  m.aliases = false;
  v.push_back({"no flash alias at 0", m});
  m = {};
  m.peripheral = false;
  v.push_back({"no 512 MiB peripheral region", m});
  m = {};
  m.ppb = Ppb::Ram;
  v.push_back({"PPB as plain RAM instead of MMIO", m});
  m = {};
  m.ppb = Ppb::None;
  v.push_back({"no PPB mapping at all", m, false});
  m = {};
  m.split_stack_page = 0x400;
  v.push_back({"top 1 KiB of stack RAM mapped separately", m});
  m = {};
  m.use_ptr = false;
  m.aliases = false;
  m.peripheral = false;
  m.ppb = Ppb::None;
  v.push_back({"minimal: uc_mem_map of flash and RAM only", m, false});
  m = {};
  m.ram_as_mmio = true;
  v.push_back({"writable RAM as MMIO (uc_mmio_map callbacks)", m});
  return v;
}

// ---------------------------------------------------------------------------
// 4. Synthetic loops
// ---------------------------------------------------------------------------

struct Loop {
  const char *name;
  uint16_t code[4];
};

// Each is one 8-byte block of 4 instructions ending in "b" back to itself;
// r3 counts the iterations in both (memory at r0 starts at zero).
const Loop kStoreLoop = {"ldr r3,[r0]; adds r3,#1; str r3,[r0]; b", {0x6803, 0x3301, 0x6003, 0xe7fb}};
const Loop kLoadLoop = {"adds r3,#1; ldr r2,[r0]; mov r1,r3; b", {0x3301, 0x6802, 0x4619, 0xe7fb}};

struct Target {
  std::string name;
  uint32_t addr;
};

enum HookSet : unsigned { kNoHooks = 0, kBlockHook = 1, kMemInvalidHook = 2 };

void empty_block_hook(uc_engine *, uint64_t, uint32_t, void *) {}
bool empty_invalid_hook(uc_engine *, uc_mem_type, uint64_t, int, int64_t, void *) { return false; }

/// MIPS of `loop` (code at flash + 0x1000) with r0 = target, run for `seconds`.
double run_loop(const Device &dev, const bench::RawMapOptions &map, const Loop &loop, uint32_t target, double seconds,
                std::string *error, unsigned hooks = kNoHooks, uint32_t *iterations = nullptr) {
  uc_engine *uc = nullptr;
  if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc) != UC_ERR_OK) {
    *error = "uc_open failed";
    return 0;
  }
  struct Closer {
    uc_engine *uc;
    ~Closer() { uc_close(uc); }
  } closer{uc};
  if (uc_ctl_set_cpu_model(uc, bench::unicorn_cpu_model(dev.core)) != UC_ERR_OK) {
    *error = "uc_ctl_set_cpu_model failed";
    return 0;
  }
  auto md = bench::map_device(uc, dev, nullptr, map, error);
  if (!md) return 0;
  const MemoryRegionDesc *flash = nullptr;
  for (const auto &r : dev.memory)
    if (r.exec && !r.write && (!flash || r.base > flash->base)) flash = &r;
  if (!flash) {
    *error = "no flash region";
    return 0;
  }
  uint32_t pc = flash->base + 0x1000;
  if (uc_mem_write(uc, pc, loop.code, sizeof loop.code) != UC_ERR_OK) {
    *error = "cannot write the loop";
    return 0;
  }
  uc_hook h;
  if (hooks & kBlockHook) uc_hook_add(uc, &h, UC_HOOK_BLOCK, reinterpret_cast<void *>(&empty_block_hook), nullptr, 1, 0);
  if (hooks & kMemInvalidHook)
    uc_hook_add(uc, &h, UC_HOOK_MEM_INVALID, reinterpret_cast<void *>(&empty_invalid_hook), nullptr, 1, 0);
  uint32_t zero = 0, sp = target & ~7u;
  uc_reg_write(uc, UC_ARM_REG_R0, &target);
  uc_reg_write(uc, UC_ARM_REG_R3, &zero);
  uc_reg_write(uc, UC_ARM_REG_SP, &sp);
  auto t0 = Clock::now();
  uc_err err = uc_emu_start(uc, pc | 1, 0xFFFFFFFE, uint64_t(seconds * 1e6), 0);
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  if (err != UC_ERR_OK) {
    *error = std::string("uc_emu_start: ") + uc_strerror(err);
    return 0;
  }
  uint32_t iters = 0;
  uc_reg_read(uc, UC_ARM_REG_R3, &iters);
  if (iterations) *iterations = iters;
  return 4.0 * iters / wall / 1e6;
}

double best_of(int n, const std::function<double()> &f) {
  double best = 0;
  for (int i = 0; i < n; ++i) best = std::max(best, f());
  return best;
}

} // namespace

int main(int argc, char **argv) {
  double seconds = 1.0;
  uint64_t count = 200'000'000;
  bool one = false;
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) seconds = std::atof(argv[++i]);
    else if (a == "--count" && i + 1 < argc) count = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--store-loop-only") one = true;
    else pos.push_back(a);
  }
  if (pos.size() != 2 || seconds <= 0 || count == 0) {
    std::fprintf(stderr, "usage: mcusim-bench-mapprobe [--seconds S] [--count N] [--store-loop-only] SPIN_ELF DEVICE\n");
    return 2;
  }
  auto elf = load_elf(pos[0]);
  if (!elf) {
    std::fprintf(stderr, "mcusim-bench-mapprobe: %s\n", elf.error().message.c_str());
    return 1;
  }
  auto dev = find_device(pos[1]);
  if (!dev) {
    std::fprintf(stderr, "mcusim-bench-mapprobe: %s\n", dev.error().message.c_str());
    return 1;
  }
  auto vt = check_vector_table(*elf, *dev);
  if (!vt) {
    std::fprintf(stderr, "mcusim-bench-mapprobe: %s\n", vt.error().message.c_str());
    return 1;
  }
  std::string error;

  if (one) {
    // Only the synthetic store loop on the stack page, mcusim's map: for a profiler.
    uint32_t iters = 0;
    double mips = run_loop(*dev, {}, kStoreLoop, vt->initial_sp - 8, seconds, &error, kNoHooks, &iters);
    std::printf("store loop at 0x%08x, mcusim's map: %.0f MIPS, %u iterations (stores)\n", vt->initial_sp - 8, mips, iters);
    if (!error.empty()) std::fprintf(stderr, "mcusim-bench-mapprobe: %s\n", error.c_str());
    return error.empty() ? 0 : 1;
  }

  // 1. mcusim, bounded by instruction count.
  double sim_mips = best_of(3, [&] {
    NullConsole console;
    RunOptions opts;
    opts.max_instructions = count;
    auto sim = Simulator::create(*dev, *elf, opts, console);
    if (!sim) {
      error = sim.error().message;
      return 0.0;
    }
    RunResult r = (*sim)->run();
    if (r.reason != StopReason::InstructionLimit) error = std::string("mcusim stopped: ") + stop_reason_name(r.reason);
    return r.mips();
  });
  std::printf("1. mcusim, %s, max_instructions=%llu: %.0f MIPS\n", elf->path.filename().c_str(),
              static_cast<unsigned long long>(count), sim_mips);

  // 2. bare Unicorn, same map, uc_emu_start count.
  double count_mips = best_of(3, [&] {
    bench::RawRunOptions ro;
    ro.count = count;
    auto r = bench::run_raw(*dev, *elf, ro);
    if (!r.ok) error = r.error;
    return r.ok ? double(count) / r.wall_seconds / 1e6 : 0.0;
  });
  std::printf("2. bare Unicorn, same map, uc_emu_start count=%llu: %.0f MIPS\n", static_cast<unsigned long long>(count),
              count_mips);

  // 3. bare Unicorn, timeout, map variants.
  std::printf("3. bare Unicorn on %s, uc_emu_start timeout %.1f s (instructions = 4 x the loop counter):\n",
              elf->path.filename().c_str(), seconds);
  for (const auto &v : variants()) {
    if (!v.firmware_runs) continue;
    double mips = best_of(3, [&] {
      bench::RawRunOptions ro;
      ro.map = v.map;
      ro.timeout_us = uint64_t(seconds * 1e6);
      auto r = bench::run_raw(*dev, *elf, ro);
      if (!r.ok) {
        error = r.error;
        return 0.0;
      }
      return 4.0 * r.r3 / r.wall_seconds / 1e6;
    });
    std::printf("   %-55s %6.0f MIPS\n", v.name, mips);
  }

  // 4. Synthetic loops.
  std::vector<Target> targets;
  targets.push_back({"stack top (initial SP - 8)", vt->initial_sp - 8});
  for (const auto &r : dev->memory) {
    if (r.kind == RegionKind::Peripheral || !r.write) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s base + 0x100 (%s)", r.name.c_str(), r.exec ? "rwx" : "rw");
    targets.push_back({buf, r.base + 0x100});
  }
  for (const auto &r : dev->memory)
    if (r.kind == RegionKind::Peripheral) {
      targets.push_back({r.name + " base (peripheral, mapped as RAM)", r.base});
      break;
    }
  std::printf("4. synthetic loop in flash, uc_emu_start timeout %.1f s:\n", seconds);
  for (const auto &v : variants()) {
    std::printf("   map: %s\n", v.name);
    for (const auto &t : targets) {
      if (!v.map.peripheral && t.addr >= 0x40000000 && t.addr < 0x60000000) continue;
      double st = best_of(3, [&] { return run_loop(*dev, v.map, kStoreLoop, t.addr, seconds, &error); });
      double ld = best_of(3, [&] { return run_loop(*dev, v.map, kLoadLoop, t.addr, seconds, &error); });
      std::printf("     %-45s store loop %6.0f MIPS   load-only loop %6.0f MIPS   %5.1fx   +%.1f ns per store\n",
                  t.name.c_str(), st, ld, st > 0 ? ld / st : 0.0, st > 0 && ld > 0 ? 4000.0 / st - 4000.0 / ld : 0.0);
    }
  }

  // 5. The hooks mcusim installs (empty callbacks), mcusim's map, stack page.
  std::printf("5. synthetic loop on the stack page, mcusim's map, with the engine hooks mcusim installs (empty callbacks):\n");
  const std::pair<const char *, unsigned> hook_sets[] = {{"no hooks", kNoHooks},
                                                         {"UC_HOOK_BLOCK", kBlockHook},
                                                         {"UC_HOOK_MEM_INVALID", kMemInvalidHook},
                                                         {"UC_HOOK_BLOCK + UC_HOOK_MEM_INVALID", kBlockHook | kMemInvalidHook}};
  for (const auto &[name, hooks] : hook_sets) {
    unsigned set = hooks; // a plain variable: clang before 16 cannot capture a structured binding
    double st = best_of(3, [&] { return run_loop(*dev, {}, kStoreLoop, vt->initial_sp - 8, seconds, &error, set); });
    double ld = best_of(3, [&] { return run_loop(*dev, {}, kLoadLoop, vt->initial_sp - 8, seconds, &error, set); });
    std::printf("     %-45s store loop %6.0f MIPS   load-only loop %6.0f MIPS\n", name, st, ld);
  }
  if (!error.empty()) {
    std::fprintf(stderr, "mcusim-bench-mapprobe: %s\n", error.c_str());
    return 1;
  }
  return 0;
}
