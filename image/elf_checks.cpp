/// \file
/// Raw-byte checks of an ELF's structure (see elf_checks.h).
#include "image/elf_checks.h"

#include "base/format.h"

#include <cstring>
#include <sstream>

namespace mcusim {

namespace {

// ELF constants used here (the same values as llvm/BinaryFormat/ELF.h).
constexpr uint32_t kShtNull = 0, kShtSymtab = 2, kShtStrtab = 3, kShtNobits = 8, kShtDynsym = 11;
constexpr uint32_t kPtLoad = 1;
constexpr unsigned kEhdrSize = 52, kPhdrSize = 32, kShdrSize = 40, kSymSize = 16;
constexpr uint16_t kShnXindex = 0xffff;

const char *machine_name(uint16_t m) {
  switch (m) {
  case 3: return "x86 (EM_386)";
  case 8: return "MIPS";
  case 20: return "PowerPC";
  case 40: return "ARM";
  case 62: return "x86-64";
  case 183: return "AArch64";
  case 243: return "RISC-V";
  case 94: return "Xtensa";
  default: return nullptr;
  }
}

/// Little-endian reads at offsets the caller has bounds-checked.
struct Bytes {
  std::span<const uint8_t> b;
  uint16_t u16(size_t o) const { return uint16_t(b[o] | b[o + 1] << 8); }
  uint32_t u32(size_t o) const { return uint32_t(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | uint32_t(b[o + 3]) << 24); }
  /// [offset, offset + size) lies inside the file.
  bool holds(uint64_t offset, uint64_t size) const { return offset <= b.size() && size <= b.size() - offset; }
};

/// One section header, decoded.
struct Shdr {
  uint32_t name, type, offset, size, link, entsize;
};

Shdr section_header(const Bytes &f, uint32_t shoff, unsigned i) {
  size_t p = size_t(shoff) + size_t(i) * kShdrSize;
  return {f.u32(p), f.u32(p + 4), f.u32(p + 16), f.u32(p + 20), f.u32(p + 24), f.u32(p + 36)};
}

/// A string table's problem, or nullopt: not empty and NUL-terminated, so
/// every offset below its size names a string that ends inside it.
std::optional<std::string> string_table_problem(const Bytes &f, const Shdr &s) {
  if (s.type != kShtStrtab) return "is not a string table (type " + std::to_string(s.type) + ", not SHT_STRTAB)";
  if (s.size == 0) return "is empty";
  if (f.b[size_t(s.offset) + s.size - 1] != 0) return "does not end with a NUL byte";
  return std::nullopt;
}

/// Header checks: identity, class, encoding, machine, type, program headers.
std::optional<std::string> header_problem(const Bytes &f) {
  const auto &b = f.b;
  if (b.size() < 4 || std::memcmp(b.data(), "\x7f" "ELF", 4) != 0) return "not an ELF file";
  if (b.size() < 20) return "truncated ELF (" + std::to_string(b.size()) + " bytes)";
  if (b[5] != 1 && b[5] != 2) return "invalid ELF data encoding " + std::to_string(b[5]);
  uint16_t mach = b[5] == 2 ? uint16_t(b[18] << 8 | b[19]) : uint16_t(b[18] | b[19] << 8);
  if (mach != 40) {
    const char *m = machine_name(mach);
    return std::string("ELF for ") + (m ? m : "machine " + std::to_string(mach)) + ", not ARM";
  }
  if (b[4] == 2) return "64-bit ELF; Cortex-M firmware is 32-bit (ELFCLASS32)";
  if (b[4] != 1) return "invalid ELF class " + std::to_string(b[4]);
  if (b[5] == 2) return "big-endian ELF; mcusim simulates little-endian Cortex-M only";
  if (b.size() < kEhdrSize) return "truncated ELF (" + std::to_string(b.size()) + " bytes, the header needs 52)";
  uint16_t type = f.u16(16);
  if (type == 1) return "relocatable object file (ET_REL), not a linked executable";
  if (type != 2) return "ELF type " + std::to_string(type) + " is not an executable (ET_EXEC)";
  return std::nullopt;
}

/// Program headers inside the file; each PT_LOAD's bytes inside the file, no
/// more file bytes than memory bytes, and all of them together no more than
/// the file holds (segments do not share file bytes).
std::optional<std::string> segments_problem(const Bytes &f) {
  uint32_t phoff = f.u32(28);
  uint16_t phentsize = f.u16(42), phnum = f.u16(44);
  if (phnum == 0) return "no program headers: nothing to load";
  if (phentsize != kPhdrSize || !f.holds(phoff, uint64_t(phnum) * kPhdrSize))
    return "truncated ELF (program headers end past the file's " + std::to_string(f.b.size()) + " bytes)";
  uint64_t total = 0;
  for (unsigned i = 0; i < phnum; ++i) {
    size_t p = size_t(phoff) + size_t(i) * kPhdrSize;
    if (f.u32(p) != kPtLoad) continue;
    uint32_t off = f.u32(p + 4), filesz = f.u32(p + 16), memsz = f.u32(p + 20);
    if (!f.holds(off, filesz))
      return "truncated ELF (segment " + std::to_string(i) + " ends at byte " + std::to_string(uint64_t(off) + filesz) +
             ", file has " + std::to_string(f.b.size()) + ")";
    if (filesz > memsz)
      return "segment " + std::to_string(i) + " has more file bytes (" + std::to_string(filesz) + ") than memory bytes (" +
             std::to_string(memsz) + ")";
    total += filesz;
  }
  if (total > f.b.size())
    return "loadable segments claim " + std::to_string(total) + " file bytes together, more than the file's " +
           std::to_string(f.b.size()) + " (they overlap)";
  return std::nullopt;
}

/// A symbol table's layout, its string table and every symbol's name offset.
std::optional<std::string> symbol_table_problem(const Bytes &f, uint32_t shoff, unsigned shnum, unsigned index,
                                                const Shdr &s, const std::string &what) {
  if (s.entsize != kSymSize)
    return what + " has entry size " + std::to_string(s.entsize) + ", not " + std::to_string(kSymSize);
  if (s.size % kSymSize != 0)
    return what + " size " + std::to_string(s.size) + " is not a multiple of its entry size " + std::to_string(kSymSize);
  if (s.offset % 4 != 0) return what + " at file offset " + text::hex(s.offset, 0) + " is not 4-byte aligned";
  if (s.link == 0 || s.link >= shnum || s.link == index)
    return what + " links to string table section " + std::to_string(s.link) + ", which is not a section (the file has " +
           std::to_string(shnum) + ")";
  Shdr str = section_header(f, shoff, s.link);
  if (auto p = string_table_problem(f, str)) return what + "'s string table (section " + std::to_string(s.link) + ") " + *p;
  for (uint32_t k = 0; k < s.size / kSymSize; ++k) {
    uint32_t st_name = f.u32(size_t(s.offset) + size_t(k) * kSymSize);
    if (st_name >= str.size)
      return what + " symbol " + std::to_string(k) + " has name offset " + text::hex(st_name, 0) +
             ", outside its string table (" + std::to_string(str.size) + " bytes)";
  }
  return std::nullopt;
}

/// The section table: inside the file, names inside the section-name string
/// table, every section's bytes inside the file, symbol tables sound.
std::optional<std::string> sections_problem(const Bytes &f) {
  uint32_t shoff = f.u32(32);
  uint16_t shentsize = f.u16(46), shnum = f.u16(48), shstrndx = f.u16(50);
  if (shnum == 0) {
    if (shoff != 0) return "extended section numbering (e_shnum 0, section headers at " + text::hex(shoff, 0) + ") is not supported";
    return std::nullopt;
  }
  if (shentsize != kShdrSize || !f.holds(shoff, uint64_t(shnum) * kShdrSize))
    return "truncated ELF (section headers end past the file's " + std::to_string(f.b.size()) + " bytes)";
  if (shoff % 4 != 0) return "section headers at file offset " + text::hex(shoff, 0) + " are not 4-byte aligned";
  if (shstrndx == kShnXindex) return "extended section-name table index (e_shstrndx 0xffff) is not supported";
  if (shstrndx == 0 || shstrndx >= shnum)
    return "e_shstrndx " + std::to_string(shstrndx) + " is not a section (the file has " + std::to_string(shnum) +
           "): no section-name string table";
  Shdr names = section_header(f, shoff, shstrndx);
  if (!f.holds(names.offset, names.size))
    return "the section-name string table (section " + std::to_string(shstrndx) + ") ends at byte " +
           std::to_string(uint64_t(names.offset) + names.size) + ", past the end of the file (" +
           std::to_string(f.b.size()) + " bytes)";
  if (auto p = string_table_problem(f, names))
    return "the section-name string table (e_shstrndx " + std::to_string(shstrndx) + ") " + *p;
  for (unsigned i = 0; i < shnum; ++i) {
    Shdr s = section_header(f, shoff, i);
    if (s.name >= names.size)
      return "section " + std::to_string(i) + " has name offset " + text::hex(s.name, 0) +
             ", outside the section-name string table (" + std::to_string(names.size) + " bytes)";
  }
  // A damaged name may hold any byte: keep the message on one printable line.
  auto name_of = [&](const Shdr &s) {
    std::string n(reinterpret_cast<const char *>(f.b.data()) + names.offset + s.name);
    for (char &c : n)
      if (c < 0x20 || c > 0x7e) c = '?';
    return n;
  };
  for (unsigned i = 0; i < shnum; ++i) {
    Shdr s = section_header(f, shoff, i);
    if (s.type == kShtNull || s.type == kShtNobits) continue;
    if (!f.holds(s.offset, s.size))
      return "section " + name_of(s) + " (" + std::to_string(i) + ") ends at byte " +
             std::to_string(uint64_t(s.offset) + s.size) + ", past the end of the file (" + std::to_string(f.b.size()) +
             " bytes)";
  }
  int symtab = -1;
  for (unsigned i = 0; i < shnum; ++i) {
    Shdr s = section_header(f, shoff, i);
    if (s.type != kShtSymtab && s.type != kShtDynsym) continue;
    if (s.type == kShtSymtab) {
      if (symtab >= 0)
        return "more than one symbol table (sections " + std::to_string(symtab) + " and " + std::to_string(i) + ")";
      symtab = int(i);
    }
    std::string what = "symbol table " + name_of(s) + " (section " + std::to_string(i) + ")";
    if (auto p = symbol_table_problem(f, shoff, shnum, i, s, what)) return p;
  }
  return std::nullopt;
}

} // namespace

std::optional<Error> check_elf_structure(std::span<const uint8_t> bytes, const std::string &name) {
  Bytes f{bytes};
  auto problem = header_problem(f);
  if (!problem) problem = segments_problem(f);
  if (!problem) problem = sections_problem(f);
  if (!problem) return std::nullopt;
  return Error{ErrorKind::BadElf, name + ": " + *problem};
}

} // namespace mcusim
