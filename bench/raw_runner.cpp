/// \file
/// Bare Unicorn runner: device memory map, ELF load, reset from the vector
/// table, semihosting in UC_HOOK_INTR. See raw_runner.h.
#include "bench/raw_runner.h"
#include "base/format.h"
#include "image/auto_device.h"

#include "core/simulator.h"
#include "core/system_control.h"
#include "isa/timing.h"
#include "memory/memory_map.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <unicorn/unicorn.h>

namespace mcusim::bench {

namespace {

using Clock = std::chrono::steady_clock;

using text::hex;

// The system control space is mapped as MMIO, as mcusim maps it; this runner
// has no NVIC/SCB model, so reads return 0 and writes are ignored.
uint64_t ppb_read(uc_engine *, uint64_t, unsigned, void *) { return 0; }
void ppb_write(uc_engine *, uint64_t, unsigned, uint64_t, void *) {}

} // namespace

int unicorn_cpu_model(CoreKind core) {
  switch (core) {
  case CoreKind::M0plus: return UC_CPU_ARM_CORTEX_M0;
  case CoreKind::M3: return UC_CPU_ARM_CORTEX_M3;
  case CoreKind::M4:
  case CoreKind::M4F: return UC_CPU_ARM_CORTEX_M4;
  case CoreKind::M7: return UC_CPU_ARM_CORTEX_M7;
  case CoreKind::M33: return UC_CPU_ARM_CORTEX_M33;
  }
  return UC_CPU_ARM_CORTEX_M4;
}

// ---------------------------------------------------------------------------
// Memory map
// ---------------------------------------------------------------------------

struct MappedDevice {
  MemoryMap mem; // host buffers (uc_mem_map_ptr) or unused (uc_mem_map)
  std::vector<uint8_t> ppb_ram;
};

namespace {
// RAM served through MMIO callbacks (RawMapOptions::ram_as_mmio).
uint64_t ram_read(uc_engine *, uint64_t off, unsigned size, void *user) {
  uint64_t v = 0;
  std::memcpy(&v, static_cast<uint8_t *>(user) + off, size);
  return v;
}
void ram_write(uc_engine *, uint64_t off, unsigned size, uint64_t value, void *user) {
  std::memcpy(static_cast<uint8_t *>(user) + off, &value, size);
}
} // namespace

void MappedDeviceDeleter::operator()(MappedDevice *m) const { delete m; }

MappedDeviceHandle map_device(uc_engine *uc, const Device &device, const ElfImage *elf, const RawMapOptions &opts,
                              std::string *error) {
  auto fail = [&](const std::string &what) {
    if (error) *error = what;
    return MappedDeviceHandle{};
  };
  MappedDeviceHandle md(new MappedDevice);
  auto mem = MemoryMap::create(device);
  if (!mem) return fail(mem.error().message);
  md->mem = std::move(*mem);

  const bool ptr = opts.use_ptr || opts.ram_as_mmio; // host buffers back every region
  const bool identical =
      opts.use_ptr && opts.aliases && opts.peripheral && opts.split_stack_page == 0 && !opts.ram_as_mmio;
  uint32_t stack_top = 0;
  if (elf) {
    if (auto vt = check_vector_table(*elf, device)) stack_top = vt->initial_sp;
  }

  if (identical) {
    // Exactly mcusim's code path.
    if (auto m = md->mem.map_into(uc); !m) return fail(m.error().message);
  } else {
    for (const auto &r : md->mem.regions()) {
      if (r.desc.kind == RegionKind::Peripheral && !opts.peripheral) continue;
      uint32_t perms = (r.desc.read ? UC_PROT_READ : 0) | (r.desc.write ? UC_PROT_WRITE : 0) | (r.desc.exec ? UC_PROT_EXEC : 0);
      std::vector<uint32_t> addrs{r.desc.base};
      if (opts.aliases) addrs.insert(addrs.end(), r.desc.aliases.begin(), r.desc.aliases.end());
      for (uint32_t a : addrs) {
        // Pieces: the whole region, or [base, top-split) + [top-split, top)
        // when this region holds the initial stack.
        std::vector<std::pair<uint64_t, uint64_t>> pieces{{0, r.size}};
        if (opts.split_stack_page && a == r.desc.base && stack_top > r.desc.base && stack_top <= r.desc.end() &&
            r.size > opts.split_stack_page) {
          uint64_t cut = r.size - opts.split_stack_page;
          pieces = {{0, cut}, {cut, opts.split_stack_page}};
        }
        for (auto [off, len] : pieces) {
          bool mmio = opts.ram_as_mmio && r.desc.write && r.desc.kind != RegionKind::Peripheral;
          uc_err err = mmio ? uc_mmio_map(uc, a + off, len, &ram_read, r.host + off, &ram_write, r.host + off)
                       : ptr ? uc_mem_map_ptr(uc, a + off, len, perms, r.host + off) : uc_mem_map(uc, a + off, len, perms);
          if (err != UC_ERR_OK)
            return fail("cannot map " + r.desc.name + " at " + hex(a + off) + " (+" + hex(len, 0) + "): " + uc_strerror(err));
        }
      }
    }
  }
  if (opts.ppb != RawMapOptions::Ppb::None) {
    uc_err err;
    if (opts.ppb == RawMapOptions::Ppb::Mmio) {
      err = uc_mmio_map(uc, kPpbBase, kPpbSize, &ppb_read, nullptr, &ppb_write, nullptr);
    } else {
      md->ppb_ram.assign(kPpbSize, 0);
      err = uc_mem_map_ptr(uc, kPpbBase, kPpbSize, UC_PROT_READ | UC_PROT_WRITE, md->ppb_ram.data());
    }
    if (err != UC_ERR_OK) return fail(std::string("cannot map the system control space: ") + uc_strerror(err));
  }

  if (elf) {
    for (const auto &seg : elf->segments) {
      if (seg.data.empty()) continue;
      const MappedRegion *r = md->mem.region_at(seg.paddr);
      if (!r) return fail("segment at " + hex(seg.paddr) + " is outside the device's memory");
      // Load address, then the same bytes at every alias of that region
      // (with uc_mem_map the alias is separate memory).
      std::vector<uint32_t> addrs{seg.paddr};
      if (opts.aliases)
        for (uint32_t alias : r->desc.aliases) addrs.push_back(alias + (seg.paddr - r->desc.base));
      for (uint32_t a : addrs) {
        if (ptr) {
          if (!md->mem.write(a, seg.data.data(), uint32_t(seg.data.size())))
            return fail("segment at " + hex(a) + " is outside the device's memory");
        } else if (uc_err err = uc_mem_write(uc, a, seg.data.data(), seg.data.size()); err != UC_ERR_OK) {
          return fail("cannot load the segment at " + hex(a) + ": " + uc_strerror(err));
        }
        if (ptr) break; // aliases share the host buffer
      }
    }
  }
  return md;
}

// ---------------------------------------------------------------------------
// Semihosting: the subset newlib's rdimon uses, answering exactly as mcusim
// does so that the firmware takes the same path (and runs the same
// instructions) under both.
// ---------------------------------------------------------------------------

namespace {

enum : uint32_t {
  SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05, SYS_READ = 0x06,
  SYS_ISTTY = 0x09, SYS_SEEK = 0x0A, SYS_FLEN = 0x0C, SYS_ERRNO = 0x13, SYS_GET_CMDLINE = 0x15, SYS_HEAPINFO = 0x16,
  SYS_EXIT = 0x18, SYS_EXIT_EXTENDED = 0x20,
};
constexpr uint32_t kAppExit = 0x20026; // ADP_Stopped_ApplicationExit
constexpr uint32_t kFail = 0xFFFFFFFF;
constexpr char kFeatures[] = {'S', 'H', 'F', 'B', 0x03}; // same bytes as mcusim

struct Semihost {
  uc_engine *uc = nullptr;
  std::string cmdline;
  uint32_t heap[4] = {};
  std::string out;
  struct Handle {
    enum Kind { In, Out, Err, Features } kind;
    size_t pos = 0;
  };
  std::map<int, Handle> handles;
  int next = 1;
  uint32_t err = 0;

  bool word(uint32_t addr, uint32_t &v) { return uc_mem_read(uc, addr, &v, 4) == UC_ERR_OK; }
  bool bytes(uint32_t addr, std::string &s, uint32_t len) {
    s.resize(len);
    return len == 0 || uc_mem_read(uc, addr, s.data(), len) == UC_ERR_OK;
  }

  struct Outcome {
    uint32_t r0 = 0;
    bool exit = false;
    int code = 0;
  };

  Outcome call(uint32_t op, uint32_t a) {
    Outcome o;
    uint32_t p0 = 0, p1 = 0, p2 = 0;
    auto fail = [&](uint32_t e) {
      err = e;
      o.r0 = kFail;
      return o;
    };
    switch (op) {
    case SYS_OPEN: {
      std::string name;
      if (!word(a, p0) || !word(a + 4, p1) || !word(a + 8, p2) || !bytes(p0, name, p2)) return fail(14);
      if (name == ":tt") {
        handles[next] = Handle{p1 < 4 ? Handle::In : p1 < 8 ? Handle::Out : Handle::Err};
        o.r0 = uint32_t(next++);
      } else if (name == ":semihosting-features" && p1 < 4) {
        handles[next] = Handle{Handle::Features};
        o.r0 = uint32_t(next++);
      } else {
        return fail(2);
      }
      return o;
    }
    case SYS_CLOSE:
      if (!word(a, p0) || !handles.erase(int(p0))) return fail(9);
      return o;
    case SYS_WRITEC: {
      std::string c;
      if (!bytes(a, c, 1)) return fail(14);
      out += c;
      return o;
    }
    case SYS_WRITE0: {
      for (uint32_t addr = a;; ++addr) {
        char c;
        if (uc_mem_read(uc, addr, &c, 1) != UC_ERR_OK) return fail(14);
        if (!c || out.size() > (1u << 20)) break;
        out.push_back(c);
      }
      return o;
    }
    case SYS_WRITE: {
      std::string data;
      if (!word(a, p0) || !word(a + 4, p1) || !word(a + 8, p2)) return fail(14);
      auto it = handles.find(int(p0));
      if (it == handles.end() || (it->second.kind != Handle::Out && it->second.kind != Handle::Err) || !bytes(p1, data, p2)) {
        o.r0 = p2;
        return o;
      }
      out += data;
      return o; // 0 bytes not written
    }
    case SYS_READ: {
      if (!word(a, p0) || !word(a + 4, p1) || !word(a + 8, p2)) return fail(14);
      auto it = handles.find(int(p0));
      size_t n = 0;
      if (it != handles.end() && it->second.kind == Handle::Features) {
        Handle &h = it->second;
        n = std::min<size_t>(p2, sizeof kFeatures - std::min(h.pos, sizeof kFeatures));
        if (n && uc_mem_write(uc, p1, kFeatures + h.pos, n) != UC_ERR_OK) n = 0;
        h.pos += n;
      }
      o.r0 = uint32_t(p2 - n); // stdin is empty
      return o;
    }
    case SYS_ISTTY: {
      if (!word(a, p0)) return fail(14);
      auto it = handles.find(int(p0));
      if (it == handles.end()) return fail(9);
      o.r0 = it->second.kind == Handle::Features ? 0 : 1;
      return o;
    }
    case SYS_SEEK: {
      if (!word(a, p0) || !word(a + 4, p1)) return fail(14);
      auto it = handles.find(int(p0));
      if (it == handles.end() || it->second.kind != Handle::Features) return fail(22);
      it->second.pos = p1;
      return o;
    }
    case SYS_FLEN: {
      if (!word(a, p0)) return fail(14);
      auto it = handles.find(int(p0));
      if (it == handles.end()) return fail(9);
      o.r0 = it->second.kind == Handle::Features ? sizeof kFeatures : 0;
      return o;
    }
    case SYS_ERRNO:
      o.r0 = err;
      return o;
    case SYS_GET_CMDLINE: {
      if (!word(a, p0) || !word(a + 4, p1)) return fail(14);
      if (cmdline.size() + 1 > p1) return fail(7);
      uint32_t len = uint32_t(cmdline.size());
      if (uc_mem_write(uc, p0, cmdline.c_str(), len + 1) != UC_ERR_OK || uc_mem_write(uc, a + 4, &len, 4) != UC_ERR_OK)
        return fail(14);
      return o;
    }
    case SYS_HEAPINFO:
      if (!word(a, p0) || uc_mem_write(uc, p0, heap, sizeof heap) != UC_ERR_OK) return fail(14);
      return o;
    case SYS_EXIT:
      o.exit = true;
      o.code = a == kAppExit ? 0 : 1;
      return o;
    case SYS_EXIT_EXTENDED:
      if (!word(a, p0) || !word(a + 4, p1)) return fail(14);
      o.exit = true;
      o.code = p0 == kAppExit ? int(p1) : 1;
      return o;
    default:
      return fail(38); // ENOSYS
    }
  }
};

struct IntrState {
  bool hit = false;
  uint32_t intno = 0, pc = 0;
};

void on_block_empty(uc_engine *, uint64_t, uint32_t, void *) {}

/// RawRunOptions::BlockHook::Counting.
struct CountingHook {
  struct Entry {
    uint64_t key = 0;
    uint32_t insns = 0, cycles = 0;
  };
  std::vector<Entry> table;
  uint64_t mask = 0;
  unsigned shift = 0;
  size_t used = 0;
  uint64_t cycles = 0, insns = 0;
  uint64_t stop_at = ~uint64_t(0), stop_insns = ~uint64_t(0);
  bool poll = false;
  uint32_t last_block = 0, last_size = 0;
  const MemoryMap *mem = nullptr;

  void init(unsigned bits) {
    table.assign(size_t(1) << bits, Entry{});
    mask = (uint64_t(1) << bits) - 1;
    shift = 64 - bits;
    used = 0;
  }
  size_t slot(uint64_t key) const { return size_t((key * 0x9E3779B97F4A7C15ull) >> shift); }

  [[gnu::noinline, gnu::cold]] const Entry &miss(uint32_t address, uint32_t size) {
    if ((used + 1) * 2 > table.size()) {
      auto old = std::move(table);
      init(64 - shift + 1);
      for (const auto &e : old)
        if (e.key) place(e);
    }
    isa::BlockCost c = isa::scan_block(mem->host_ptr(address, size), size);
    return place(Entry{(uint64_t(size) << 32) | address, c.insns, c.insns});
  }
  const Entry &place(const Entry &e) {
    size_t i = slot(e.key);
    while (table[i].key) i = (i + 1) & mask;
    table[i] = e;
    ++used;
    return table[i];
  }

  static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    auto *s = static_cast<CountingHook *>(user);
    if (__builtin_expect((s->cycles >= s->stop_at) | (s->insns >= s->stop_insns) | s->poll, 0)) {
      uc_emu_stop(uc);
      return;
    }
    const uint64_t key = (uint64_t(size) << 32) | uint32_t(address);
    size_t i = s->slot(key);
    const Entry *e;
    for (;;) {
      e = &s->table[i];
      if (__builtin_expect(e->key == key, 1)) break;
      if (!e->key) {
        e = &s->miss(uint32_t(address), size);
        break;
      }
      i = (i + 1) & s->mask;
    }
    s->cycles += e->cycles;
    s->insns += e->insns;
    s->last_block = uint32_t(address);
    s->last_size = size;
  }
};

void on_intr(uc_engine *uc, uint32_t intno, void *user) {
  auto *s = static_cast<IntrState *>(user);
  s->hit = true;
  s->intno = intno;
  uc_reg_read(uc, UC_ARM_REG_PC, &s->pc);
  uc_emu_stop(uc);
}

} // namespace

// ---------------------------------------------------------------------------

RawRunResult run_raw(const Device &device, const ElfImage &elf, const RawRunOptions &options) {
  RawRunResult res;
  const auto t0 = Clock::now();
  auto vt = check_vector_table(elf, device);
  if (!vt) {
    res.error = vt.error().message;
    return res;
  }

  uc_engine *uc = nullptr;
  uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc);
  if (err != UC_ERR_OK) {
    res.error = std::string("uc_open: ") + uc_strerror(err);
    return res;
  }
  struct Closer {
    uc_engine *uc;
    ~Closer() { uc_close(uc); }
  } closer{uc};
  // Before anything that initialises the engine (uc_mem_map).
  if ((err = uc_ctl_set_cpu_model(uc, unicorn_cpu_model(device.core))) != UC_ERR_OK) {
    res.error = std::string("uc_ctl_set_cpu_model: ") + uc_strerror(err);
    return res;
  }
  auto mapped = map_device(uc, device, &elf, options.map, &res.error);
  if (!mapped) return res;

  // Semihosting state, with the heap block computed as mcusim computes it.
  Semihost sh;
  sh.uc = uc;
  sh.cmdline = options.cmdline.empty() ? elf.path.filename().string() : options.cmdline;
  const ElfSymbol *end = elf.find_symbol("end");
  if (!end) end = elf.find_symbol("_end");
  if (!end) end = elf.find_symbol("__end__");
  uint32_t stack_limit = vt->initial_sp - 0x1000;
  if (const ElfSymbol *lim = elf.find_symbol("__StackLimit")) stack_limit = lim->addr;
  else if (const ElfSymbol *mss = elf.find_symbol("_Min_Stack_Size")) stack_limit = vt->initial_sp - mss->addr;
  uint32_t heap_base = end ? (end->addr + 7) & ~7u : stack_limit;
  sh.heap[0] = heap_base;
  sh.heap[1] = stack_limit;
  sh.heap[2] = vt->initial_sp;
  sh.heap[3] = stack_limit;

  IntrState intr;
  uc_hook h;
  if ((err = uc_hook_add(uc, &h, UC_HOOK_INTR, reinterpret_cast<void *>(&on_intr), &intr, 1, 0)) != UC_ERR_OK) {
    res.error = std::string("uc_hook_add: ") + uc_strerror(err);
    return res;
  }

  CountingHook counter;
  counter.mem = &mapped->mem;
  counter.init(12);
  if (options.block_hook != RawRunOptions::BlockHook::None) {
    bool empty = options.block_hook == RawRunOptions::BlockHook::Empty;
    void *cb = empty ? reinterpret_cast<void *>(&on_block_empty) : reinterpret_cast<void *>(&CountingHook::on_block);
    if ((err = uc_hook_add(uc, &h, UC_HOOK_BLOCK, cb, empty ? nullptr : &counter, 1, 0)) != UC_ERR_OK) {
      res.error = std::string("uc_hook_add: ") + uc_strerror(err);
      return res;
    }
  }

  uint32_t sp = vt->initial_sp & ~3u;
  uc_reg_write(uc, UC_ARM_REG_SP, &sp);
  uint32_t pc = vt->reset & ~1u;
  const auto t1 = Clock::now();
  res.setup_seconds = std::chrono::duration<double>(t1 - t0).count();

  for (;;) {
    intr.hit = false;
    err = uc_emu_start(uc, pc | 1, 0xFFFFFFFE, options.timeout_us, options.count);
    if (err != UC_ERR_OK) {
      uint32_t at = 0;
      uc_reg_read(uc, UC_ARM_REG_PC, &at);
      res.error = std::string("engine error at ") + hex(at) + ": " + uc_strerror(err);
      break;
    }
    if (!intr.hit) {
      // Count or timeout reached (or an unexpected stop).
      res.ok = options.count || options.timeout_us;
      res.bounded_stop = res.ok;
      if (!res.ok) res.error = "the engine stopped without a semihosting call";
      break;
    }
    uint16_t insn = 0;
    if (intr.intno != 7 || uc_mem_read(uc, intr.pc, &insn, 2) != UC_ERR_OK || insn != 0xBEAB) {
      res.error = "CPU exception " + std::to_string(intr.intno) + " at " + hex(intr.pc) + " (not a semihosting call)";
      break;
    }
    ++res.semihost_calls;
    uint32_t op = 0, arg = 0;
    uc_reg_read(uc, UC_ARM_REG_R0, &op);
    uc_reg_read(uc, UC_ARM_REG_R1, &arg);
    auto o = sh.call(op, arg);
    if (o.exit) {
      res.ok = res.exited = true;
      res.exit_code = o.code;
      break;
    }
    uc_reg_write(uc, UC_ARM_REG_R0, &o.r0);
    pc = intr.pc + 2;
  }
  res.wall_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  res.output = std::move(sh.out);
  res.hook_instructions = counter.insns;
  uc_reg_read(uc, UC_ARM_REG_PC, &res.pc);
  uc_reg_read(uc, UC_ARM_REG_SP, &res.sp);
  uc_reg_read(uc, UC_ARM_REG_R3, &res.r3);
  return res;
}

} // namespace mcusim::bench
