/// \file
/// Device choice from an ELF's build attributes, and the checks that an
/// image fits a device and carries a vector table.
#include "image/auto_device.h"

#include "base/format.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace mcusim {

namespace {
using text::hex;
uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
} // namespace

std::optional<CoreKind> core_from_attributes(const BuildAttributes &a, std::string *why) {
  auto say = [&](const std::string &s) {
    if (why) *why = s;
  };
  bool fp = a.fp_arch && *a.fp_arch != 0;
  if (a.cpu_name) {
    std::string n = *a.cpu_name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    std::string tag = "Tag_CPU_name \"" + *a.cpu_name + "\"";
    if (n == "cortex-m0" || n == "cortex-m0plus" || n == "cortex-m0+" || n == "cortex-m1") {
      say(tag);
      return CoreKind::M0plus;
    }
    if (n == "cortex-m3") {
      say(tag);
      return CoreKind::M3;
    }
    if (n == "cortex-m4") {
      say(tag + (fp ? " with an FPU" : " without FPU"));
      return fp ? CoreKind::M4F : CoreKind::M4;
    }
    if (n == "cortex-m7") {
      say(tag);
      return CoreKind::M7;
    }
    if (n == "cortex-m33" || n == "cortex-m35p") {
      say(tag);
      return CoreKind::M33;
    }
    if (n == "cortex-m23") {
      say(tag + " (Armv8-M Baseline, simulated on the Cortex-M33 model)");
      return CoreKind::M33;
    }
    if (n == "cortex-m55" || n == "cortex-m85") {
      say(tag + " (no Helium/MVE support; simulated on the Cortex-M33 model)");
      return CoreKind::M33;
    }
  }
  if (a.cpu_arch) {
    std::string tag = "Tag_CPU_arch " + std::to_string(*a.cpu_arch);
    switch (*a.cpu_arch) {
    case 11:
    case 12: say(tag + " (Armv6-M)"); return CoreKind::M0plus;
    case 10:
      if (!a.profile || *a.profile == 'M') {
        say(tag + " (Armv7-M)");
        return CoreKind::M3;
      }
      break;
    case 13:
      if (a.fp_arch && (*a.fp_arch == 7 || *a.fp_arch == 8)) {
        say(tag + " (Armv7E-M) with an FPv5 FPU");
        return CoreKind::M7;
      }
      say(tag + (fp ? " (Armv7E-M) with an FPU" : " (Armv7E-M)"));
      return fp ? CoreKind::M4F : CoreKind::M4;
    case 16: say(tag + " (Armv8-M Baseline, simulated on the Cortex-M33 model)"); return CoreKind::M33;
    case 17: say(tag + " (Armv8-M Mainline)"); return CoreKind::M33;
    case 21: say(tag + " (Armv8.1-M, no Helium/MVE support; simulated on the Cortex-M33 model)"); return CoreKind::M33;
    default: break;
    }
  }
  return std::nullopt;
}

Expected<DeviceChoice> choose_device_for(const ElfImage &elf) {
  std::string why;
  auto core = core_from_attributes(elf.attributes, &why);
  if (!core) {
    core = CoreKind::M4F;
    why = "no ARM build attributes; assuming a Cortex-M4F";
  }
  std::string name = std::string("generic-") + (*core == CoreKind::M0plus ? "m0plus" : core_name(*core) + 7);
  auto dev = find_device(name);
  if (!dev) return tl::unexpected(dev.error());
  DeviceChoice choice{*dev, ""};
  Device &d = choice.device;
  std::vector<std::string> changes;

  // Ranges the image needs: load addresses of segments, run addresses of sections.
  struct Need {
    uint64_t lo, hi;
    bool exec, write;
    std::string what;
  };
  std::vector<Need> needs;
  for (const auto &s : elf.segments)
    if (!s.data.empty()) needs.push_back({s.paddr, uint64_t(s.paddr) + s.data.size(), s.exec, false, "load segment"});
  for (const auto &s : elf.sections) needs.push_back({s.addr, uint64_t(s.addr) + s.size, s.exec, s.write, s.name});

  // Move the generic flash to the image's code if it lives elsewhere below 0x20000000.
  auto flash = std::find_if(d.memory.begin(), d.memory.end(), [](const MemoryRegionDesc &r) { return r.kind == RegionKind::Flash; });
  auto [lo, hi] = elf.load_span();
  if (flash != d.memory.end() && lo < 0x20000000 && !flash->contains(lo)) {
    uint64_t code_hi = 0;
    for (const auto &n : needs)
      if (n.lo < 0x20000000 && !n.write) code_hi = std::max(code_hi, n.hi);
    flash->base = uint32_t(align_down(lo, 1024));
    flash->size = std::max<uint64_t>(flash->size, align_up(code_hi - flash->base, 1024));
    flash->aliases.clear();
    d.vector_table = flash->base;
    changes.push_back("flash moved to " + hex(flash->base) + " where the image is linked");
  }
  (void)hi;
  // Add RAM for anything still outside the map (e.g. CCM, AXI SRAM, DTCM at other addresses).
  for (const auto &n : needs) {
    if (n.hi <= n.lo || d.region_at(n.lo, n.hi - n.lo)) continue;
    MemoryRegionDesc r;
    r.name = "ram" + std::to_string(d.memory.size());
    r.kind = n.write || !n.exec ? RegionKind::Sram : RegionKind::Flash;
    r.base = uint32_t(align_down(n.lo, 1024));
    r.size = align_up(n.hi, 1024) - r.base;
    r.read = true;
    r.write = r.kind == RegionKind::Sram;
    r.exec = true;
    r.source = "added to hold " + n.what + " of " + elf.path.filename().string();
    bool overlaps = std::any_of(d.memory.begin(), d.memory.end(),
                                [&](const MemoryRegionDesc &m) { return r.base < m.end() && m.base < r.end(); });
    if (overlaps) continue; // check_image_fits will explain
    changes.push_back(std::string(region_kind_name(r.kind)) + " added at " + hex(r.base) + " (" + text::size(r.size) + ") for " + n.what);
    d.memory.push_back(std::move(r));
  }
  choice.explanation = "no --device given: using " + d.name + " (" + why + ")";
  for (const auto &c : changes) choice.explanation += "; " + c;
  return choice;
}

Expected<void> check_image_fits(const ElfImage &elf, const Device &d) {
  const std::string file = elf.path.filename().string();
  for (const auto &s : elf.segments) {
    if (s.data.empty()) continue;
    if (d.region_at(s.paddr, s.data.size())) continue;
    const MemoryRegionDesc *r = d.region_at(s.paddr);
    if (r) {
      uint64_t need = uint64_t(s.paddr) + s.data.size() - r->base;
      return make_error(ErrorKind::BadElf, file + ": image does not fit " + d.name + ": " + text::size(need) + " needed in " + r->name +
                                               " at " + hex(r->base) + ", which has " + text::size(r->size));
    }
    return make_error(ErrorKind::BadElf, file + ": loads " + text::size(s.data.size()) + " at " + hex(s.paddr) +
                                             ", where " + d.name + " has no memory (is the image linked for this device?)");
  }
  for (const auto &s : elf.sections) {
    if (d.region_at(s.addr, s.size)) continue;
    const MemoryRegionDesc *r = d.region_at(s.addr);
    if (r)
      return make_error(ErrorKind::BadElf, file + ": section " + s.name + " (" + text::size(s.size) + " at " + hex(s.addr) +
                                               ") overruns " + r->name + " of " + d.name + " (" + text::size(r->size) + " at " +
                                               hex(r->base) + ")");
    return make_error(ErrorKind::BadElf, file + ": section " + s.name + " at " + hex(s.addr) + " is outside every memory of " + d.name);
  }
  return {};
}

Expected<VectorTable> check_vector_table(const ElfImage &elf, const Device &d) {
  const std::string file = elf.path.filename().string();
  VectorTable vt;
  vt.address = d.vector_table;
  auto sp = elf.read_word(vt.address), reset = elf.read_word(vt.address + 4);
  if (!sp || !reset)
    return make_error(ErrorKind::BadElf, file + ": no vector table at " + hex(vt.address) + " (the boot address of " + d.name +
                                             "; nothing is loaded there)");
  vt.initial_sp = *sp;
  vt.reset = *reset;
  const MemoryRegionDesc *sp_region = d.region_at(vt.initial_sp - 4, 4);
  if (!sp_region || !sp_region->write || (vt.initial_sp & 3))
    return make_error(ErrorKind::BadElf, file + ": no valid vector table at " + hex(vt.address) + ": initial SP " +
                                             hex(vt.initial_sp) + " is not in writable RAM of " + d.name);
  const MemoryRegionDesc *code = d.region_at(vt.reset & ~1u, 2);
  if (!(vt.reset & 1) || !code || !code->exec)
    return make_error(ErrorKind::BadElf, file + ": no valid vector table at " + hex(vt.address) + ": reset vector " +
                                             hex(vt.reset) + " is not Thumb code in executable memory of " + d.name);
  return vt;
}

ImageUsage image_usage(const ElfImage &elf, const Device &d) {
  ImageUsage u;
  for (const auto &r : d.memory) {
    if (r.kind == RegionKind::Peripheral) continue;
    ImageUsage::Use use{r.name, 0, r.size};
    // Loaded bytes (flash contents) by load address, plus run-time sections by VMA.
    for (const auto &s : elf.sections) {
      if (!s.nobits && r.contains(s.load_addr, 1)) use.used += s.size;                      // bytes stored here
      if (r.contains(s.addr, 1) && (s.nobits || s.load_addr != s.addr)) use.used += s.size; // run-time copy or zeroed
    }
    // An image without sections (Intel HEX, raw binary without --symbols): its loaded bytes.
    if (elf.sections.empty())
      for (const auto &s : elf.segments)
        if (r.contains(s.paddr, 1)) use.used += s.data.size();
    if (use.used) u.regions.push_back(use);
  }
  return u;
}

} // namespace mcusim
