/// \file
/// Segments of images without ELF headers (see image_segments.h).
#include "image/image_segments.h"

namespace mcusim {

ElfSegment loadable_segment(uint32_t addr, std::vector<uint8_t> bytes) {
  ElfSegment s;
  s.paddr = s.vaddr = addr;
  s.memsz = uint32_t(bytes.size());
  s.data = std::move(bytes);
  s.read = s.exec = true;
  return s;
}

uint32_t entry_from_vector_table(const ElfImage &img) {
  auto [lo, hi] = img.load_span();
  if (hi < uint64_t(lo) + 8) return 0;
  auto reset = img.read_word(lo + 4);
  return reset ? *reset & ~1u : 0;
}

} // namespace mcusim
