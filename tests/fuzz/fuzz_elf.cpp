// Fuzzes the ELF loader (image/elf_image.cpp): headers, segments, sections,
// symbols, ARM build attributes and the DWARF line table. Seeds: bundled
// firmware with debug info and stripped (corpus/elf/).
//
// Each input is loaded from memory (load_elf_from_memory): no file is written.
#include "image/elf_image.h"

#include <cstddef>
#include <cstdint>
#include <span>

using namespace mcusim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto image = load_elf_from_memory(std::span<const uint8_t>(data, size), "fuzz.elf");
  if (!image) return 0;
  // Use what was loaded the way the simulator and the profiler do.
  (void)image->load_span();
  for (const auto &s : image->segments) (void)image->read_word(s.paddr);
  for (const auto &sym : image->symbols) {
    (void)image->describe(sym.addr + 1);
    (void)image->is_data(sym.addr);
    (void)image->find_symbol(sym.name);
  }
  (void)image->describe(image->entry);
  return 0;
}
