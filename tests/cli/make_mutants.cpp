// Writes byte-mutated copies of a good firmware ELF for the loader's mutation
// test (tests/cli/check_mutants.cmake):
//   make_mutants GOOD_ELF OUTDIR COUNT [SEED]
// Deterministic: the same ELF, count and seed give the same files. Each copy
// gets one to four mutations aimed at one part of the file in turn: the ELF
// header, the program headers, the section header table, the symbol table,
// the string tables, the debug sections, or anywhere.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "splitmix64.h"

namespace fs = std::filesystem;

namespace {

using mcusim::test::Random;

uint32_t get32(const std::vector<uint8_t> &b, size_t o) {
  return uint32_t(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | uint32_t(b[o + 3]) << 24);
}

struct Region {
  std::string what;
  size_t begin = 0, size = 0;
};

// The parts of the (valid) ELF that mutations aim at.
std::vector<Region> regions_of(const std::vector<uint8_t> &elf) {
  std::vector<Region> r;
  r.push_back({"elf-header", 0, 52});
  uint32_t phoff = get32(elf, 28), shoff = get32(elf, 32);
  unsigned phnum = elf[44] | elf[45] << 8, shnum = elf[48] | elf[49] << 8, shstrndx = elf[50] | elf[51] << 8;
  r.push_back({"program-headers", phoff, phnum * 32u});
  r.push_back({"section-headers", shoff, shnum * 40u});
  uint32_t names = get32(elf, shoff + shstrndx * 40 + 16);
  Region debug{"debug", 0, 0};
  for (unsigned i = 0; i < shnum; ++i) {
    size_t h = shoff + i * 40;
    std::string name = reinterpret_cast<const char *>(elf.data()) + names + get32(elf, h);
    uint32_t type = get32(elf, h + 4), off = get32(elf, h + 16), size = get32(elf, h + 20);
    if (size == 0 || type == 8) continue;
    if (name == ".symtab" || name == ".strtab" || name == ".shstrtab" || name == ".ARM.attributes" ||
        name.rfind(".debug_", 0) == 0)
      r.push_back({name, off, size});
  }
  r.push_back({"anywhere", 0, elf.size()});
  return r;
}

// One mutation inside [begin, begin + size): a bit flip, a random byte, or a
// 32-bit field (aligned) set to a value that tends to break bounds.
void mutate(std::vector<uint8_t> &b, const Region &where, Random &rng) {
  size_t at = where.begin + rng.below(where.size);
  switch (rng.below(3)) {
  case 0: b[at] ^= uint8_t(1u << rng.below(8)); break;
  case 1: b[at] = uint8_t(rng.next()); break;
  default: {
    at &= ~size_t(3);
    if (at + 4 > b.size()) at = b.size() - 4;
    const uint32_t values[] = {0, 1, 0x7fffffff, 0xffffffff, 0xfffffff0, uint32_t(b.size()), uint32_t(b.size() - 1), 0x10000};
    uint32_t v = values[rng.below(sizeof values / sizeof values[0])];
    for (int i = 0; i < 4; ++i) b[at + i] = uint8_t(v >> (8 * i));
  }
  }
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 4) {
    std::cerr << "usage: make_mutants GOOD_ELF OUTDIR COUNT [SEED]\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (good.size() < 1024) {
    std::cerr << argv[1] << ": not a usable ELF to mutate\n";
    return 1;
  }
  fs::path dir = argv[2];
  unsigned count = unsigned(std::stoul(argv[3]));
  Random rng{argc > 4 ? std::stoull(argv[4]) : 20261130};
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto regions = regions_of(good);
  for (unsigned i = 0; i < count; ++i) {
    const Region &where = regions[i % regions.size()];
    auto copy = good;
    unsigned n = 1 + unsigned(rng.below(4));
    for (unsigned k = 0; k < n; ++k) mutate(copy, where, rng);
    char file[64];
    std::snprintf(file, sizeof file, "mutant-%03u.elf", i);
    std::ofstream(dir / file, std::ios::binary).write(reinterpret_cast<const char *>(copy.data()), std::streamsize(copy.size()));
  }
  std::cout << count << " mutants of " << argv[1] << " written to " << dir << " (" << regions.size() << " regions)\n";
  return 0;
}
