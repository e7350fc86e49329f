/// \file
/// Device description loading (TOML, via toml++).
#include "base/device.h"
#include "base/device_reader.h"
#include "base/toml_input.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace mcusim {
namespace fs = std::filesystem;
using device_detail::number_text;
using device_detail::Reader;

namespace {
struct CoreInfo {
  CoreKind kind;
  const char *name;
  const char *display;
};
constexpr CoreInfo kCores[] = {
    {CoreKind::M0plus, "cortex-m0plus", "Cortex-M0+"}, {CoreKind::M3, "cortex-m3", "Cortex-M3"},
    {CoreKind::M4, "cortex-m4", "Cortex-M4"},          {CoreKind::M4F, "cortex-m4f", "Cortex-M4F"},
    {CoreKind::M7, "cortex-m7", "Cortex-M7"},          {CoreKind::M33, "cortex-m33", "Cortex-M33"},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto &c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
} // namespace

std::optional<CoreKind> parse_core(std::string_view name) {
  std::string n = lower(name);
  if (n == "cortex-m0+" || n == "cortex-m0") n = "cortex-m0plus";
  for (const auto &c : kCores)
    if (n == c.name) return c.kind;
  return std::nullopt;
}
const char *core_name(CoreKind core) {
  for (const auto &c : kCores)
    if (c.kind == core) return c.name;
  return "?";
}
const char *core_display_name(CoreKind core) {
  for (const auto &c : kCores)
    if (c.kind == core) return c.display;
  return "?";
}
bool core_is_v6m(CoreKind core) { return core == CoreKind::M0plus; }
bool core_has_dsp(CoreKind core) {
  return core == CoreKind::M4 || core == CoreKind::M4F || core == CoreKind::M7 || core == CoreKind::M33;
}
bool core_is_v8m(CoreKind core) { return core == CoreKind::M33; }

const char *region_kind_name(RegionKind kind) {
  switch (kind) {
  case RegionKind::Flash: return "flash";
  case RegionKind::Sram: return "sram";
  case RegionKind::Tcm: return "tcm";
  case RegionKind::Rom: return "rom";
  case RegionKind::Peripheral: return "peripheral";
  }
  return "?";
}

const MemoryRegionDesc *Device::region_at(uint64_t addr, uint64_t len) const {
  for (const auto &r : memory) {
    if (r.contains(addr, len)) return &r;
    for (uint32_t a : r.aliases)
      if (addr >= a && addr + len <= uint64_t(a) + r.size) return &r;
  }
  return nullptr;
}

const PeripheralDesc *Device::peripheral_at(uint64_t addr) const {
  for (const auto &p : peripherals)
    if (p.contains(addr)) return &p;
  return nullptr;
}

uint64_t Device::capacity(std::initializer_list<RegionKind> kinds) const {
  uint64_t total = 0;
  for (const auto &r : memory)
    if (std::find(kinds.begin(), kinds.end(), r.kind) != kinds.end()) total += r.size;
  return total;
}

namespace {

// Bounds on the figures of a device file. Anything outside them is a mistake in
// the file (or a part no Cortex-M has), caught here rather than in the engine.
constexpr double kMaxMhz = 10000;               ///< clock rates, MHz
constexpr unsigned kMaxWaitStates = 255;        ///< flash wait states
constexpr unsigned kMaxLineBytes = 1024;        ///< flash, accelerator and cache lines
constexpr unsigned kMaxCacheLines = 65536;      ///< accelerator lines
constexpr unsigned kMaxCacheBytes = 1u << 20;   ///< L1 cache sizes
constexpr unsigned kMaxCacheWays = 64;          ///< L1 and accelerator associativity
constexpr double kMaxWakeupUs = 1e6;            ///< wake-up from Sleep, microseconds
constexpr unsigned kMaxIrqs = 480;              ///< Armv7-M / Armv8-M NVIC
constexpr unsigned kMaxIrqsV6m = 32;            ///< Armv6-M NVIC
constexpr size_t kMaxRegions = 64;
constexpr size_t kMaxAliases = 8;
constexpr uint64_t kSystemSpace = 0xE0000000;   ///< PPB (NVIC, SysTick, SCB, debug) and vendor system space up to 4 GiB
constexpr uint64_t kAddressSpace = 0x100000000ull;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08llX", static_cast<unsigned long long>(v));
  return buf;
}
/// One stretch of the address space a region (or one of its aliases) occupies.
struct Span {
  uint64_t begin, end;
  std::string what; ///< "memory flash" or "alias 0x00000000 of memory flash"
};

/// Regions and aliases must stay below the system space, inside 32 bits, and apart from each other.
void check_address_map(const Device &d, Reader &rd) {
  std::vector<Span> spans;
  for (const auto &r : d.memory) {
    spans.push_back({r.base, r.end(), "memory " + r.name});
    for (auto a : r.aliases) spans.push_back({a, uint64_t(a) + r.size, "alias " + hex(a) + " of memory " + r.name});
  }
  for (const auto &s : spans) {
    if (s.end > kAddressSpace) rd.fail(s.what + " (" + hex(s.begin) + " + size) extends past 4 GiB");
    else if (s.end > kSystemSpace)
      rd.fail(s.what + " (" + hex(s.begin) + "-" + hex(s.end - 1) + ") overlaps the system space at " + hex(kSystemSpace) +
              "-0xFFFFFFFF (NVIC, SysTick, SCB, debug: provided by the simulator, not described in device files)");
  }
  std::sort(spans.begin(), spans.end(), [](const Span &a, const Span &b) { return a.begin < b.begin; });
  for (size_t i = 1; i < spans.size(); ++i)
    if (spans[i].begin < spans[i - 1].end)
      rd.fail("memory regions overlap at " + hex(spans[i].begin) + ": " + spans[i - 1].what + " (" + hex(spans[i - 1].begin) +
              "-" + hex(spans[i - 1].end - 1) + ") and " + spans[i].what + " (" + hex(spans[i].begin) + "-" +
              hex(spans[i].end - 1) + ")");
}

/// The optional `standby` parts of a region: { name, base, size, kept_by?, source? }, inside the region.
void read_standby_parts(const toml::table &t, MemoryRegionDesc &r, Reader &rd) {
  auto node = t.get("standby");
  if (!node) return;
  auto parts = node->as_array();
  if (!parts) {
    rd.fail("standby of " + r.name + " must be an array of tables {name, base, size, kept_by}", node);
    return;
  }
  const std::string where = "memory." + r.name + ".standby.";
  for (auto &pn : *parts) {
    auto pt = pn.as_table();
    if (!pt) {
      rd.fail("standby of " + r.name + " must be an array of tables {name, base, size, kept_by}", &pn);
      return;
    }
    MemoryRegionDesc::StandbyPart p;
    p.name = rd.get<std::string>(*pt, "name", where.c_str()).value_or("?");
    p.base = rd.get<uint32_t>(*pt, "base", where.c_str()).value_or(0);
    p.size = rd.get<uint32_t>(*pt, "size", where.c_str()).value_or(0);
    p.kept_by = rd.get<std::string>(*pt, "kept_by", where.c_str(), false).value_or("");
    p.source = rd.get<std::string>(*pt, "source", where.c_str(), false).value_or("");
    if (p.size == 0 || p.base < r.base || uint64_t(p.base) + p.size > r.end())
      rd.fail("standby part " + p.name + " of memory " + r.name + " must be a non-empty range inside the region", &pn);
    r.standby.push_back(std::move(p));
  }
}

void read_memory(const toml::array &mem, Device &d, Reader &rd) {
  if (mem.empty()) rd.fail("[[memory]] has no regions");
  if (mem.size() > kMaxRegions) rd.fail("more than " + std::to_string(kMaxRegions) + " [[memory]] regions", &mem);
  for (auto &node : mem) {
    auto t = node.as_table();
    if (!t) {
      rd.fail("[[memory]] entries must be tables", &node);
      break;
    }
    MemoryRegionDesc r;
    r.name = rd.get<std::string>(*t, "name", "memory.").value_or("?");
    if (r.name.empty() || r.name.find_first_of("\r\n") != std::string::npos)
      rd.fail("a memory region's name must be one non-empty line", &node);
    if (std::any_of(d.memory.begin(), d.memory.end(), [&](const MemoryRegionDesc &o) { return o.name == r.name; }))
      rd.fail("two memory regions are named '" + r.name + "'", &node);
    std::string where = "memory." + r.name + ".";
    if (auto k = rd.get<std::string>(*t, "kind", where.c_str())) {
      if (*k == "flash") r.kind = RegionKind::Flash;
      else if (*k == "sram") r.kind = RegionKind::Sram;
      else if (*k == "tcm") r.kind = RegionKind::Tcm;
      else if (*k == "rom") r.kind = RegionKind::Rom;
      else if (*k == "peripheral") r.kind = RegionKind::Peripheral;
      else rd.fail("unknown memory kind '" + *k + "' in " + r.name, t->get("kind"));
    }
    r.base = rd.get<uint32_t>(*t, "base", where.c_str()).value_or(0);
    r.size = rd.get<uint32_t>(*t, "size", where.c_str()).value_or(0);
    if (auto a = rd.get<std::string>(*t, "access", where.c_str())) {
      r.read = a->find('r') != std::string::npos;
      r.write = a->find('w') != std::string::npos;
      r.exec = a->find('x') != std::string::npos;
      if (a->find_first_not_of("rwx") != std::string::npos) rd.fail("access of " + r.name + " must use only r, w, x", t->get("access"));
    }
    if (auto aliases = t->get("aliases")) {
      if (auto al = aliases->as_array()) {
        if (al->size() > kMaxAliases) rd.fail("memory " + r.name + " has more than " + std::to_string(kMaxAliases) + " aliases", al);
        for (auto &an : *al) {
          auto v = an.value_exact<int64_t>();
          if (v && *v >= 0 && *v <= 0xFFFFFFFF && *v % 1024 == 0) r.aliases.push_back(uint32_t(*v));
          else rd.fail("aliases of " + r.name + " must be 32-bit addresses, multiples of 1 KiB", &an);
        }
      } else {
        rd.fail("aliases of " + r.name + " must be an array of addresses", aliases);
      }
    }
    r.source = rd.get<std::string>(*t, "source", where.c_str(), false).value_or("");
    r.single_cycle = rd.get<bool>(*t, "single_cycle", where.c_str(), false).value_or(false);
    read_standby_parts(*t, r, rd);
    if (r.size == 0 || r.size % 1024 != 0 || r.base % 1024 != 0)
      rd.fail("memory " + r.name + ": base and size must be non-zero multiples of 1 KiB", &node);
    d.memory.push_back(std::move(r));
  }
}

void read_timing(const toml::table &root, Device &d, Reader &rd) {
  if (auto fl = root["flash"].as_table()) {
    d.flash.line_bytes = rd.power_of_two(*fl, "line_bytes", "flash.", 1, kMaxLineBytes, false).value_or(16);
    d.flash.prefetch = rd.get<bool>(*fl, "prefetch", "flash.", false).value_or(true);
    if (auto rows = (*fl)["wait_states"].as_array()) {
      for (auto &row : *rows) {
        auto t = row.as_table();
        if (!t) {
          rd.fail("flash.wait_states rows must be tables {max_mhz, ws}", &row);
          break;
        }
        auto mhz = rd.number(*t, "max_mhz", "flash.wait_states.", 0, true, kMaxMhz, true);
        auto ws = rd.whole(*t, "ws", "flash.wait_states.", 0, kMaxWaitStates, true);
        if (mhz && ws) d.flash.wait_states.push_back({*mhz, *ws});
      }
      for (size_t i = 1; i < d.flash.wait_states.size(); ++i)
        if (!(d.flash.wait_states[i].max_mhz > d.flash.wait_states[i - 1].max_mhz))
          rd.fail("flash.wait_states must be sorted by max_mhz", rows);
    } else if (fl->get("wait_states")) {
      rd.fail("flash.wait_states must be an array of {max_mhz, ws}", fl->get("wait_states"));
    }
  }
  if (auto ac = root["accelerator"].as_table()) {
    FlashAccelerator a;
    a.kind = rd.get<std::string>(*ac, "kind", "accelerator.", false).value_or("art");
    if (a.kind != "art" && a.kind != "nvmc-icache" && a.kind != "xip-cache")
      rd.fail("unknown accelerator.kind '" + a.kind + "' (art, nvmc-icache, xip-cache)", ac->get("kind"));
    a.icache_lines = rd.whole(*ac, "icache_lines", "accelerator.", 0, kMaxCacheLines, false).value_or(0);
    a.dcache_lines = rd.whole(*ac, "dcache_lines", "accelerator.", 0, kMaxCacheLines, false).value_or(0);
    a.line_bytes = rd.power_of_two(*ac, "line_bytes", "accelerator.", 1, kMaxLineBytes, false).value_or(16);
    a.ways = rd.whole(*ac, "ways", "accelerator.", 0, kMaxCacheWays, false).value_or(0);
    if (a.ways && a.icache_lines && (a.ways > a.icache_lines || a.icache_lines % a.ways))
      rd.fail("accelerator.icache_lines (" + std::to_string(a.icache_lines) + ") must be a multiple of accelerator.ways (" +
                  std::to_string(a.ways) + ")",
              ac->get("ways"));
    a.enabled = rd.get<bool>(*ac, "enabled", "accelerator.", false).value_or(true);
    d.accelerator = a;
  }
  if (auto c = root["cache"].as_table()) {
    L1Caches l;
    l.line_bytes = rd.power_of_two(*c, "line_bytes", "cache.", 4, kMaxLineBytes, false).value_or(32);
    l.icache_bytes = rd.whole(*c, "icache_bytes", "cache.", 0, kMaxCacheBytes, false).value_or(0);
    l.icache_ways = rd.whole(*c, "icache_ways", "cache.", 1, kMaxCacheWays, false).value_or(2);
    l.dcache_bytes = rd.whole(*c, "dcache_bytes", "cache.", 0, kMaxCacheBytes, false).value_or(0);
    l.dcache_ways = rd.whole(*c, "dcache_ways", "cache.", 1, kMaxCacheWays, false).value_or(4);
    if (l.icache_bytes % (l.line_bytes * l.icache_ways))
      rd.fail("cache.icache_bytes must be a multiple of line_bytes x icache_ways", c->get("icache_bytes"));
    if (l.dcache_bytes % (l.line_bytes * l.dcache_ways))
      rd.fail("cache.dcache_bytes must be a multiple of line_bytes x dcache_ways", c->get("dcache_bytes"));
    d.l1 = l;
  }
  if (auto co = root["core_options"].as_table()) {
    auto m = rd.get<std::string>(*co, "multiplier", "core_options.", false).value_or("fast");
    if (m != "fast" && m != "small") rd.fail("core_options.multiplier must be \"fast\" or \"small\"", co->get("multiplier"));
    d.small_multiplier = m == "small";
  }
  if (auto sl = root["sleep"].as_table())
    d.wakeup_us = rd.number(*sl, "wakeup_us", "sleep.", 0, false, kMaxWakeupUs, false).value_or(0);
}

} // namespace

Expected<Device> parse_device(std::string_view text, const fs::path &file) {
  auto parsed = parse_toml_input(text, file.string(), "malformed device file");
  if (!parsed) return make_error(ErrorKind::BadDevice, parsed.error());
  const toml::table &root = *parsed;
  Reader rd{file, {}};
  Device d;
  d.file = file;
  if (auto schema = rd.get<unsigned>(root, "schema", "", false); schema && *schema != 1)
    rd.fail("unsupported schema " + std::to_string(*schema) + " (this mcusim reads schema 1)", root.get("schema"));
  if (auto v = rd.get<std::string>(root, "name", "")) {
    d.name = lower(*v);
    if (d.name.empty() || d.name.find_first_of("\r\n") != std::string::npos)
      rd.fail("name must be one non-empty line", root.get("name"));
  }
  if (auto v = rd.get<std::string>(root, "title", "", false)) {
    d.title = *v;
    if (d.title.find_first_of("\r\n") != std::string::npos) rd.fail("title must be one line", root.get("title"));
  }
  if (auto v = rd.get<std::string>(root, "core", "")) {
    if (auto c = parse_core(*v)) d.core = *c;
    else rd.fail("unknown core '" + *v + "' (cortex-m0plus, cortex-m3, cortex-m4, cortex-m4f, cortex-m7, cortex-m33)", root.get("core"));
  }
  if (auto v = rd.get<std::string>(root, "fpu", "", false)) {
    static const char *ok[] = {"none", "fpv4-sp-d16", "fpv5-sp-d16", "fpv5-d16"};
    if (std::find_if(std::begin(ok), std::end(ok), [&](const char *s) { return *v == s; }) == std::end(ok))
      rd.fail("unknown fpu '" + *v + "'", root.get("fpu"));
    d.fpu = *v;
  } else {
    d.fpu = d.core == CoreKind::M4F ? "fpv4-sp-d16" : d.core == CoreKind::M7 ? "fpv5-d16" : "none";
  }
  if (d.core == CoreKind::M0plus || d.core == CoreKind::M3 || d.core == CoreKind::M4) {
    if (d.fpu != "none") rd.fail(std::string(core_name(d.core)) + " has no FPU but fpu = '" + d.fpu + "'");
  }
  if (auto clk = root["clock"].as_table()) {
    if (auto v = rd.number(*clk, "default_mhz", "clock.", 0, true, kMaxMhz, true)) d.default_mhz = *v;
    if (auto v = rd.number(*clk, "max_mhz", "clock.", 0, true, kMaxMhz, false)) {
      d.max_mhz = *v;
      if (d.max_mhz < d.default_mhz)
        rd.fail("clock.max_mhz (" + number_text(d.max_mhz) + ") is below clock.default_mhz (" + number_text(d.default_mhz) + ")",
                clk->get("max_mhz"));
    } else {
      d.max_mhz = d.default_mhz;
    }
  } else {
    rd.fail("missing table [clock]");
  }
  if (auto vt = root["vector_table"].as_table()) {
    if (auto v = rd.get<uint32_t>(*vt, "address", "vector_table.")) {
      d.vector_table = *v;
      if (*v % 128) rd.fail("vector_table.address must be a multiple of 128 (VTOR alignment)", vt->get("address"));
    }
  } else {
    rd.fail("missing table [vector_table]");
  }
  const bool v6m = core_is_v6m(d.core);
  d.irqs = 32;
  d.priority_bits = v6m ? 2 : 4;
  if (auto nv = root["nvic"].as_table()) {
    const unsigned max_irqs = v6m ? kMaxIrqsV6m : kMaxIrqs;
    d.irqs = rd.whole(*nv, "irqs", "nvic.", 1, max_irqs, false).value_or(32);
    d.priority_bits = rd.whole(*nv, "priority_bits", "nvic.", v6m ? 2 : 3, v6m ? 2 : 8, false).value_or(v6m ? 2 : 4);
  }
  if (auto mem = root["memory"].as_array()) read_memory(*mem, d, rd);
  else rd.fail("missing [[memory]] regions");
  read_timing(root, d, rd);
  device_detail::read_power(root, d, rd);
  check_address_map(d, rd);
  device_detail::read_peripherals(root, d, rd);
  if (rd.error.empty() && !d.region_at(d.vector_table, 8))
    rd.fail("vector_table.address is not inside any memory region", root["vector_table"]["address"].node());
  if (!rd.error.empty()) {
    std::string loc = file.string();
    if (rd.error_line) loc += ":" + std::to_string(rd.error_line);
    return make_error(ErrorKind::BadDevice, loc + ": malformed device file: " + printable(rd.error));
  }
  if (d.title.empty()) d.title = d.name;
  return d;
}

Expected<Device> load_device_file(const fs::path &file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorKind::BadDevice, file.string() + ": cannot read device file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_device(ss.str(), file);
}

std::vector<fs::path> device_search_path() {
  std::vector<fs::path> dirs;
  if (const char *env = std::getenv("MCUSIM_DEVICES_DIR"); env && *env) dirs.emplace_back(env);
  dirs.emplace_back(MCUSIM_INSTALL_DEVICES_DIR);
  dirs.emplace_back(MCUSIM_SOURCE_DEVICES_DIR);
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto &d : dirs)
    if (fs::is_directory(d, ec)) out.push_back(d);
  return out;
}

Expected<Device> find_device(const std::string &name_or_path) {
  bool looks_like_path = name_or_path.find('/') != std::string::npos ||
                         (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".toml");
  std::error_code ec;
  if (looks_like_path) {
    if (!fs::exists(name_or_path, ec)) return make_error(ErrorKind::BadDevice, name_or_path + ": no such device file");
    return load_device_file(name_or_path);
  }
  std::string want = lower(name_or_path);
  for (const auto &dir : device_search_path()) {
    fs::path p = dir / (want + ".toml");
    if (fs::exists(p, ec)) return load_device_file(p);
  }
  std::string names;
  for (const auto &d : list_devices()) names += (names.empty() ? "" : ", ") + d.name;
  return make_error(ErrorKind::BadDevice, "unknown device '" + name_or_path + "' (known: " + names + ")");
}

std::vector<Device> list_devices(std::vector<Error> *errors) {
  std::vector<Device> out;
  std::error_code ec;
  for (const auto &dir : device_search_path()) {
    for (const auto &entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() != ".toml") continue;
      auto d = load_device_file(entry.path());
      if (!d) {
        if (errors) errors->push_back(d.error());
        continue;
      }
      if (std::none_of(out.begin(), out.end(), [&](const Device &x) { return x.name == d->name; }))
        out.push_back(std::move(*d));
    }
  }
  std::sort(out.begin(), out.end(), [](const Device &a, const Device &b) { return a.name < b.name; });
  return out;
}

} // namespace mcusim
