/// \file
/// Device description loading (TOML, via toml++).
#include "base/device.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace mcusim {
namespace fs = std::filesystem;

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

uint64_t Device::capacity(std::initializer_list<RegionKind> kinds) const {
  uint64_t total = 0;
  for (const auto &r : memory)
    if (std::find(kinds.begin(), kinds.end(), r.kind) != kinds.end()) total += r.size;
  return total;
}

namespace {

/// Collects the first problem found while reading a device table.
struct Reader {
  fs::path file;
  std::string error;

  void fail(const std::string &msg) {
    if (error.empty()) error = msg;
  }
  template <typename T> std::optional<T> get(const toml::table &t, const char *key, const char *where, bool required = true) {
    auto node = t.get(key);
    if (!node) {
      if (required) fail(std::string("missing key '") + where + key + "'");
      return std::nullopt;
    }
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node->value<std::string>()) return *v;
    } else if constexpr (std::is_same_v<T, double>) {
      if (auto v = node->value<double>()) return *v; // accepts integers too
    } else {
      if (auto v = node->value<int64_t>()) {
        if (*v < 0 || uint64_t(*v) > std::numeric_limits<T>::max()) {
          fail(std::string("'") + where + key + "' is out of range");
          return std::nullopt;
        }
        return T(*v);
      }
    }
    fail(std::string("'") + where + key + "' has the wrong type");
    return std::nullopt;
  }
};

} // namespace

Expected<Device> parse_device(std::string_view text, const fs::path &file) {
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error &e) {
    std::ostringstream os;
    os << file.string() << ":" << e.source().begin.line << ": malformed device file: " << e.description();
    return make_error(ErrorKind::BadDevice, os.str());
  }
  Reader rd{file, {}};
  Device d;
  d.file = file;
  if (auto schema = rd.get<unsigned>(root, "schema", "", false); schema && *schema != 1)
    rd.fail("unsupported schema " + std::to_string(*schema) + " (this mcusim reads schema 1)");
  if (auto v = rd.get<std::string>(root, "name", "")) d.name = lower(*v);
  if (auto v = rd.get<std::string>(root, "title", "", false)) d.title = *v;
  if (auto v = rd.get<std::string>(root, "core", "")) {
    if (auto c = parse_core(*v)) d.core = *c;
    else rd.fail("unknown core '" + *v + "' (cortex-m0plus, cortex-m3, cortex-m4, cortex-m4f, cortex-m7, cortex-m33)");
  }
  if (auto v = rd.get<std::string>(root, "fpu", "", false)) {
    static const char *ok[] = {"none", "fpv4-sp-d16", "fpv5-sp-d16", "fpv5-d16"};
    if (std::find_if(std::begin(ok), std::end(ok), [&](const char *s) { return *v == s; }) == std::end(ok))
      rd.fail("unknown fpu '" + *v + "'");
    d.fpu = *v;
  } else {
    d.fpu = d.core == CoreKind::M4F ? "fpv4-sp-d16" : d.core == CoreKind::M7 ? "fpv5-d16" : "none";
  }
  if (d.core == CoreKind::M0plus || d.core == CoreKind::M3 || d.core == CoreKind::M4) {
    if (d.fpu != "none") rd.fail(std::string(core_name(d.core)) + " has no FPU but fpu = '" + d.fpu + "'");
  }
  if (auto clk = root["clock"].as_table()) {
    if (auto v = rd.get<double>(*clk, "default_mhz", "clock.")) d.default_mhz = *v;
    d.max_mhz = rd.get<double>(*clk, "max_mhz", "clock.", false).value_or(d.default_mhz);
    if (d.default_mhz <= 0 || d.max_mhz <= 0) rd.fail("clock frequencies must be positive");
  } else {
    rd.fail("missing table [clock]");
  }
  if (auto vt = root["vector_table"].as_table()) {
    if (auto v = rd.get<uint32_t>(*vt, "address", "vector_table.")) d.vector_table = *v;
  } else {
    rd.fail("missing table [vector_table]");
  }
  if (auto nv = root["nvic"].as_table()) {
    d.irqs = rd.get<unsigned>(*nv, "irqs", "nvic.", false).value_or(32);
    d.priority_bits = rd.get<unsigned>(*nv, "priority_bits", "nvic.", false).value_or(d.core == CoreKind::M0plus ? 2 : 4);
    if (d.irqs > 480) rd.fail("nvic.irqs must be at most 480");
    if (d.priority_bits < 2 || d.priority_bits > 8) rd.fail("nvic.priority_bits must be 2..8");
  }
  if (auto mem = root["memory"].as_array()) {
    for (auto &node : *mem) {
      auto t = node.as_table();
      if (!t) {
        rd.fail("[[memory]] entries must be tables");
        break;
      }
      MemoryRegionDesc r;
      r.name = rd.get<std::string>(*t, "name", "memory.").value_or("?");
      std::string where = "memory." + r.name + ".";
      if (auto k = rd.get<std::string>(*t, "kind", where.c_str())) {
        if (*k == "flash") r.kind = RegionKind::Flash;
        else if (*k == "sram") r.kind = RegionKind::Sram;
        else if (*k == "tcm") r.kind = RegionKind::Tcm;
        else if (*k == "rom") r.kind = RegionKind::Rom;
        else if (*k == "peripheral") r.kind = RegionKind::Peripheral;
        else rd.fail("unknown memory kind '" + *k + "' in " + r.name);
      }
      r.base = rd.get<uint32_t>(*t, "base", where.c_str()).value_or(0);
      r.size = rd.get<uint64_t>(*t, "size", where.c_str()).value_or(0);
      if (auto a = rd.get<std::string>(*t, "access", where.c_str())) {
        r.read = a->find('r') != std::string::npos;
        r.write = a->find('w') != std::string::npos;
        r.exec = a->find('x') != std::string::npos;
        if (a->find_first_not_of("rwx") != std::string::npos) rd.fail("access of " + r.name + " must use only r, w, x");
      }
      if (auto al = (*t)["aliases"].as_array()) {
        for (auto &an : *al) {
          if (auto v = an.value<int64_t>(); v && *v >= 0 && *v <= 0xFFFFFFFF) r.aliases.push_back(uint32_t(*v));
          else rd.fail("aliases of " + r.name + " must be 32-bit addresses");
        }
      }
      r.source = rd.get<std::string>(*t, "source", where.c_str(), false).value_or("");
      if (auto sc = (*t)["single_cycle"].value<bool>()) r.single_cycle = *sc;
      if (r.size == 0 || r.size % 1024 != 0 || r.base % 1024 != 0)
        rd.fail("memory " + r.name + ": base and size must be non-zero multiples of 1 KiB");
      if (uint64_t(r.base) + r.size > 0x100000000ull) rd.fail("memory " + r.name + " extends past 4 GiB");
      d.memory.push_back(std::move(r));
    }
  } else {
    rd.fail("missing [[memory]] regions");
  }
  // Optional timing tables (cycle model).
  if (auto fl = root["flash"].as_table()) {
    d.flash.line_bytes = rd.get<unsigned>(*fl, "line_bytes", "flash.", false).value_or(16);
    if (auto p = (*fl)["prefetch"].value<bool>()) d.flash.prefetch = *p;
    if (auto rows = (*fl)["wait_states"].as_array()) {
      for (auto &row : *rows) {
        auto t = row.as_table();
        if (!t) {
          rd.fail("flash.wait_states rows must be tables {max_mhz, ws}");
          break;
        }
        auto mhz = rd.get<double>(*t, "max_mhz", "flash.wait_states.");
        auto ws = rd.get<unsigned>(*t, "ws", "flash.wait_states.");
        if (mhz && ws) d.flash.wait_states.push_back({*mhz, *ws});
      }
      for (size_t i = 1; i < d.flash.wait_states.size(); ++i)
        if (d.flash.wait_states[i].max_mhz <= d.flash.wait_states[i - 1].max_mhz)
          rd.fail("flash.wait_states must be sorted by max_mhz");
    }
    if (d.flash.line_bytes == 0 || (d.flash.line_bytes & (d.flash.line_bytes - 1))) rd.fail("flash.line_bytes must be a power of two");
  }
  if (auto ac = root["accelerator"].as_table()) {
    FlashAccelerator a;
    a.kind = rd.get<std::string>(*ac, "kind", "accelerator.", false).value_or("art");
    a.icache_lines = rd.get<unsigned>(*ac, "icache_lines", "accelerator.", false).value_or(0);
    a.dcache_lines = rd.get<unsigned>(*ac, "dcache_lines", "accelerator.", false).value_or(0);
    a.line_bytes = rd.get<unsigned>(*ac, "line_bytes", "accelerator.", false).value_or(16);
    a.ways = rd.get<unsigned>(*ac, "ways", "accelerator.", false).value_or(0);
    if (auto e = (*ac)["enabled"].value<bool>()) a.enabled = *e;
    if (a.line_bytes == 0 || (a.line_bytes & (a.line_bytes - 1))) rd.fail("accelerator.line_bytes must be a power of two");
    d.accelerator = a;
  }
  if (auto c = root["cache"].as_table()) {
    L1Caches l;
    l.icache_bytes = rd.get<unsigned>(*c, "icache_bytes", "cache.", false).value_or(0);
    l.icache_ways = rd.get<unsigned>(*c, "icache_ways", "cache.", false).value_or(2);
    l.dcache_bytes = rd.get<unsigned>(*c, "dcache_bytes", "cache.", false).value_or(0);
    l.dcache_ways = rd.get<unsigned>(*c, "dcache_ways", "cache.", false).value_or(4);
    l.line_bytes = rd.get<unsigned>(*c, "line_bytes", "cache.", false).value_or(32);
    if (l.line_bytes == 0 || (l.line_bytes & (l.line_bytes - 1))) rd.fail("cache.line_bytes must be a power of two");
    d.l1 = l;
  }
  if (auto co = root["core_options"].as_table()) {
    auto m = rd.get<std::string>(*co, "multiplier", "core_options.", false).value_or("fast");
    if (m != "fast" && m != "small") rd.fail("core_options.multiplier must be \"fast\" or \"small\"");
    d.small_multiplier = m == "small";
  }
  if (auto sl = root["sleep"].as_table()) d.wakeup_us = rd.get<double>(*sl, "wakeup_us", "sleep.", false).value_or(0);

  // Overlap check across regions and aliases.
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (const auto &r : d.memory) {
    spans.emplace_back(r.base, r.end());
    for (auto a : r.aliases) spans.emplace_back(a, uint64_t(a) + r.size);
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i)
    if (spans[i].first < spans[i - 1].second) {
      std::ostringstream os;
      os << "memory regions overlap at 0x" << std::hex << spans[i].first;
      rd.fail(os.str());
    }
  if (rd.error.empty() && !d.region_at(d.vector_table, 8))
    rd.fail("vector_table.address is not inside any memory region");
  if (!rd.error.empty()) return make_error(ErrorKind::BadDevice, file.string() + ": malformed device file: " + rd.error);
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
