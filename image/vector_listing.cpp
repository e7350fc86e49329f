/// \file
/// Vector-table listing for `mcusim info`.
#include "image/vector_listing.h"

#include <algorithm>

namespace mcusim {
namespace {

/// Entries the ELF gives the table: an object symbol at its address, else the
/// section that starts there. 0 when neither does.
unsigned length_from_elf(const ElfImage &elf, uint32_t address, std::string *from) {
  uint32_t best = 0;
  for (const auto &s : elf.symbols) {
    if (s.addr == address && !s.func && s.size > best) {
      best = s.size;
      *from = "symbol " + s.name + " (" + std::to_string(s.size) + " bytes)";
    }
  }
  if (best == 0) {
    for (const auto &s : elf.sections) {
      if (s.alloc && !s.nobits && s.load_addr == address && s.size > best) {
        best = s.size;
        *from = "section " + s.name + " (" + std::to_string(s.size) + " bytes)";
      }
    }
  }
  return best / 4;
}

bool is_thumb_code(const Device &device, uint32_t value) {
  if (!(value & 1)) return false;
  const MemoryRegionDesc *r = device.region_at(value & ~1u, 2);
  return r && r->exec;
}

} // namespace

VectorListing list_vector_table(const ElfImage &elf, const Device &device) {
  VectorListing out;
  out.address = device.vector_table;
  const unsigned device_max = 16 + device.irqs;
  unsigned n = length_from_elf(elf, out.address, &out.length_from);
  if (n == 0) {
    n = device_max;
    out.length_from = "the device (16 + " + std::to_string(device.irqs) + " IRQs)";
  } else if (n > device_max) {
    out.length_from += ", capped at the device's 16 + " + std::to_string(device.irqs) + " IRQs";
    n = device_max;
  }
  for (unsigned i = 0; i < n; ++i) {
    auto w = elf.read_word(out.address + 4 * i);
    if (!w) break; // the loaded bytes end here
    VectorEntry e;
    e.index = i;
    e.value = *w;
    e.empty = (*w == 0);
    e.valid = (i == 0 || e.empty) ? true : is_thumb_code(device, *w);
    out.entries.push_back(e);
  }
  out.length = unsigned(out.entries.size());
  return out;
}

} // namespace mcusim
