/// \file
/// Entry points of an image without symbols (see address_functions.h).
#include "image/address_functions.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace mcusim {

namespace {

bool in_exec_segment(const ElfImage &img, uint32_t addr) {
  for (const auto &s : img.segments)
    if (s.exec && addr >= s.paddr && uint64_t(addr) + 2 <= uint64_t(s.paddr) + s.data.size()) return true;
  return false;
}

/// BL targets of one segment, decoded linearly as Thumb from its start.
void bl_targets(const ElfSegment &s, std::set<uint32_t> &out) {
  const auto &b = s.data;
  size_t i = 0;
  while (i + 2 <= b.size()) {
    uint16_t hw1 = uint16_t(b[i] | b[i + 1] << 8);
    bool wide = (hw1 >> 11) == 0x1D || (hw1 >> 11) == 0x1E || (hw1 >> 11) == 0x1F;
    if (!wide || i + 4 > b.size()) {
      i += 2;
      continue;
    }
    uint16_t hw2 = uint16_t(b[i + 2] | b[i + 3] << 8);
    if ((hw1 >> 11) == 0x1E && (hw2 & 0xD000) == 0xD000) { // BL (T1)
      uint32_t S = (hw1 >> 10) & 1, J1 = (hw2 >> 13) & 1, J2 = (hw2 >> 11) & 1;
      uint32_t I1 = !(J1 ^ S), I2 = !(J2 ^ S);
      uint32_t imm = S << 24 | I1 << 23 | I2 << 22 | uint32_t(hw1 & 0x3FF) << 12 | uint32_t(hw2 & 0x7FF) << 1;
      int32_t offset = int32_t(imm << 7) >> 7; // sign-extend 25 bits
      out.insert(uint32_t(s.paddr + i + 4 + uint32_t(offset)));
    }
    i += 4;
  }
}

} // namespace

void name_functions_by_address(ElfImage &img) {
  if (!img.symbols.empty() || img.segments.empty()) return;
  std::set<uint32_t> entries;
  // Vector table at the lowest address: entries 1..15 and the IRQs after them,
  // as long as the words look like Thumb code addresses in the image.
  auto [lo, hi] = img.load_span();
  for (uint32_t k = 1; k < 256; ++k) {
    auto w = img.read_word(lo + 4 * k);
    if (!w) break;
    if (*w == 0) continue; // a reserved entry
    if (!(*w & 1) || !in_exec_segment(img, *w & ~1u)) {
      if (k >= 16) break; // the IRQ vectors have ended
      continue;
    }
    entries.insert(*w & ~1u);
  }
  for (const auto &s : img.segments)
    if (s.exec) bl_targets(s, entries);
  for (uint32_t a : entries) {
    if (!in_exec_segment(img, a) || a < lo + 8) continue;
    char name[16];
    std::snprintf(name, sizeof name, "0x%08x", a);
    ElfSymbol sym;
    sym.name = name;
    sym.addr = a;
    sym.func = true;
    sym.global = true;
    img.symbols.push_back(std::move(sym));
  }
  img.named_by_address = true;
}

} // namespace mcusim
