/// \file
/// ELF loading through llvm::object.
#include "image/elf_image.h"
#include "image/file_bytes.h"

#include "image/elf_checks.h"
#include "image/elf_dwarf.h"

#include "base/format.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Support/ARMAttributeParser.h>
#include <llvm/Support/ARMBuildAttributes.h>
#include <llvm/Support/MemoryBuffer.h>

namespace mcusim {
namespace fs = std::filesystem;

namespace {

/// The debug sections' bytes (the section table is already checked: every
/// section's bytes lie inside the file).
DebugSections debug_sections(const llvm::object::ELF32LEFile &elf,
                             llvm::ArrayRef<llvm::object::ELF32LEFile::Elf_Shdr> shdrs) {
  DebugSections d;
  for (const auto &sh : shdrs) {
    if (sh.sh_type == llvm::ELF::SHT_NOBITS) continue;
    auto name = elf.getSectionName(sh);
    if (!name) {
      llvm::consumeError(name.takeError());
      continue;
    }
    if (!name->startswith(".debug_")) continue;
    if (sh.sh_flags & llvm::ELF::SHF_COMPRESSED) {
      if (d.compressed.empty()) d.compressed = name->str();
      continue;
    }
    std::string_view *slot = *name == ".debug_info"       ? &d.info
                             : *name == ".debug_abbrev"   ? &d.abbrev
                             : *name == ".debug_line"     ? &d.line
                             : *name == ".debug_line_str" ? &d.line_str
                             : *name == ".debug_str"      ? &d.str
                                                          : nullptr;
    if (!slot) continue;
    auto contents = elf.getSectionContents(sh);
    if (!contents) {
      llvm::consumeError(contents.takeError());
      continue;
    }
    *slot = std::string_view(reinterpret_cast<const char *>(contents->data()), contents->size());
  }
  return d;
}

using ElfFile = llvm::object::ELF32LEFile;
using Phdr = ElfFile::Elf_Phdr;
using Shdr = ElfFile::Elf_Shdr;

/// The PT_LOAD segments that occupy memory, with their file bytes (inside the
/// file: checked by check_elf_structure).
Expected<void> read_segments(std::span<const uint8_t> bytes, llvm::ArrayRef<Phdr> phdrs, const std::string &name,
                             ElfImage &img) {
  for (const auto &ph : phdrs) {
    if (ph.p_type != llvm::ELF::PT_LOAD || ph.p_memsz == 0) continue;
    ElfSegment s;
    s.paddr = uint32_t(ph.p_paddr);
    s.vaddr = uint32_t(ph.p_vaddr);
    s.memsz = uint32_t(ph.p_memsz);
    s.read = ph.p_flags & llvm::ELF::PF_R;
    s.write = ph.p_flags & llvm::ELF::PF_W;
    s.exec = ph.p_flags & llvm::ELF::PF_X;
    s.data.assign(bytes.begin() + ph.p_offset, bytes.begin() + ph.p_offset + ph.p_filesz); // inside: checked
    if (uint64_t(s.paddr) + s.memsz > 0x100000000ull)
      return make_error(ErrorKind::BadElf, name + ": segment at " + text::hex(s.paddr) + " extends past 4 GiB");
    img.segments.push_back(std::move(s));
  }
  return {};
}

/// Tag_CPU_name, Tag_CPU_arch, the profile and Tag_FP_arch from .ARM.attributes.
void read_build_attributes(const ElfFile &elf, const Shdr &sh, ElfImage &img) {
  auto contents = elf.getSectionContents(sh);
  if (contents) {
    llvm::ARMAttributeParser parser;
    if (auto err = parser.parse(*contents, llvm::support::little)) {
      llvm::consumeError(std::move(err));
    } else {
      if (auto v = parser.getAttributeString(llvm::ARMBuildAttrs::CPU_name)) img.attributes.cpu_name = v->str();
      if (auto v = parser.getAttributeValue(llvm::ARMBuildAttrs::CPU_arch)) img.attributes.cpu_arch = *v;
      if (auto v = parser.getAttributeValue(llvm::ARMBuildAttrs::CPU_arch_profile)) img.attributes.profile = char(*v);
      if (auto v = parser.getAttributeValue(llvm::ARMBuildAttrs::FP_arch)) img.attributes.fp_arch = *v;
    }
  } else {
    llvm::consumeError(contents.takeError());
  }
}

/// An allocated section, with its load address (LMA) from the file segments
/// (PT_LOAD with file bytes, sorted by file offset).
ElfSection read_section(const Shdr &sh, llvm::StringRef secName, const std::vector<const Phdr *> &file_segments) {
  ElfSection s;
  s.name = secName.str();
  s.addr = uint32_t(sh.sh_addr);
  s.size = uint32_t(sh.sh_size);
  s.alloc = true;
  s.write = sh.sh_flags & llvm::ELF::SHF_WRITE;
  s.exec = sh.sh_flags & llvm::ELF::SHF_EXECINSTR;
  s.nobits = sh.sh_type == llvm::ELF::SHT_NOBITS;
  s.load_addr = s.addr;
  // LMA: the segment whose file bytes hold this section gives the offset.
  // Segments do not share file bytes (checked), so only the last one that
  // starts at or before the section can hold it: a binary search keeps this
  // O(sections log segments) whatever the counts.
  if (!s.nobits) {
    auto seg = std::upper_bound(file_segments.begin(), file_segments.end(), uint64_t(sh.sh_offset),
                                [](uint64_t off, const Phdr *ph) { return off < ph->p_offset; });
    if (seg != file_segments.begin()) {
      const auto &ph = **std::prev(seg);
      if (uint64_t(sh.sh_offset) + sh.sh_size <= uint64_t(ph.p_offset) + ph.p_filesz)
        s.load_addr = uint32_t(ph.p_paddr + (sh.sh_offset - ph.p_offset));
    }
  }
  return s;
}

/// Symbols, and the mapping symbols ($d/$t/$a) as marks in img.data_ranges.
void read_symbols(const llvm::object::ELF32LEObjectFile &obj, ElfImage &img) {
  for (const auto &sym : obj.symbols()) {
    // Section and file symbols name nothing the profiler uses, and they are
    // skipped before their name is asked for: LLVM 16 names a section symbol
    // after its section, and for one whose section index is 0 it reads the
    // section header one past the table (past the end of the bytes when the
    // table ends the file).
    auto typeOrErr = sym.getType();
    if (!typeOrErr) {
      llvm::consumeError(typeOrErr.takeError());
      continue;
    }
    if (*typeOrErr == llvm::object::SymbolRef::ST_File || *typeOrErr == llvm::object::SymbolRef::ST_Debug) continue;
    auto nameOrErr = sym.getName();
    auto addrOrErr = sym.getAddress();
    if (!nameOrErr || !addrOrErr) {
      if (!nameOrErr) llvm::consumeError(nameOrErr.takeError());
      if (!addrOrErr) llvm::consumeError(addrOrErr.takeError());
      continue;
    }
    llvm::StringRef n = *nameOrErr;
    uint32_t addr = uint32_t(*addrOrErr);
    if (n.startswith("$d") || n.startswith("$t") || n.startswith("$a")) {
      // Mapping symbols: remember where literal pools and tables live.
      img.data_ranges.emplace_back(addr, n.startswith("$d") ? 1u : 0u);
      continue;
    }
    if (n.empty()) continue;
    llvm::object::ELFSymbolRef esym(sym);
    ElfSymbol s;
    s.name = n.str();
    s.func = *typeOrErr == llvm::object::SymbolRef::ST_Function;
    s.addr = s.func ? (addr & ~1u) : addr;
    s.size = uint32_t(esym.getSize());
    s.global = esym.getBinding() != llvm::ELF::STB_LOCAL;
    s.weak = esym.getBinding() == llvm::ELF::STB_WEAK;
    img.symbols.push_back(std::move(s));
  }
}

/// By address; at one address functions first, strong before weak, global before local.
void sort_symbols(ElfImage &img) {
  std::sort(img.symbols.begin(), img.symbols.end(), [](const ElfSymbol &a, const ElfSymbol &b) {
    if (a.addr != b.addr) return a.addr < b.addr;
    if (a.func != b.func) return a.func;
    if (a.weak != b.weak) return !a.weak; // a strong definition names the address best
    return a.global > b.global;
  });
}

/// Turn mapping-symbol marks into [start, end) data ranges.
void close_data_ranges(ElfImage &img) {
  auto marks = std::move(img.data_ranges);
  std::sort(marks.begin(), marks.end());
  img.data_ranges.clear();
  for (size_t i = 0; i < marks.size(); ++i) {
    if (marks[i].second != 1) continue;
    uint32_t end = i + 1 < marks.size() ? marks[i + 1].first : marks[i].first;
    if (i + 1 >= marks.size()) {
      for (const auto &s : img.sections)
        if (marks[i].first >= s.addr && marks[i].first < s.addr + s.size) end = s.addr + s.size;
    }
    if (end > marks[i].first) img.data_ranges.emplace_back(marks[i].first, end);
  }
}

} // namespace

Expected<ElfImage> load_elf(const fs::path &path) {
  auto bytes = read_file_bytes(path);
  if (!bytes) return tl::unexpected(bytes.error());
  auto img = load_elf_from_memory(*bytes, path.string());
  if (img) img->path = path;
  return img;
}

Expected<ElfImage> load_elf_from_memory(std::span<const uint8_t> bytes, std::string name) {
  if (auto e = check_elf_structure(bytes, name)) return tl::unexpected(*e);

  auto buffer = llvm::MemoryBuffer::getMemBuffer(
      llvm::StringRef(reinterpret_cast<const char *>(bytes.data()), bytes.size()), name, false);
  auto objOrErr = llvm::object::ELF32LEObjectFile::create(buffer->getMemBufferRef());
  if (!objOrErr) {
    std::string msg = llvm::toString(objOrErr.takeError());
    return make_error(ErrorKind::BadElf, name + ": malformed ELF: " + msg);
  }
  auto &obj = *objOrErr;
  const auto &elf = obj.getELFFile();

  ElfImage img;
  img.path = name;
  img.entry = uint32_t(elf.getHeader().e_entry);

  auto phdrs = elf.program_headers();
  if (!phdrs) return make_error(ErrorKind::BadElf, name + ": malformed program headers: " + llvm::toString(phdrs.takeError()));
  if (auto segs = read_segments(bytes, *phdrs, name, img); !segs) return tl::unexpected(segs.error());
  if (img.segments.empty()) return make_error(ErrorKind::BadElf, name + ": no loadable segments");

  // PT_LOAD segments with file bytes, by file offset (for section load addresses).
  std::vector<const Phdr *> file_segments;
  for (const auto &ph : *phdrs)
    if (ph.p_type == llvm::ELF::PT_LOAD && ph.p_filesz) file_segments.push_back(&ph);
  std::stable_sort(file_segments.begin(), file_segments.end(), [](const auto *a, const auto *b) { return a->p_offset < b->p_offset; });

  auto shdrs = elf.sections();
  if (!shdrs) return make_error(ErrorKind::BadElf, name + ": malformed section headers: " + llvm::toString(shdrs.takeError()));
  for (const auto &sh : *shdrs) {
    auto secName = elf.getSectionName(sh);
    if (!secName) {
      llvm::consumeError(secName.takeError());
      continue;
    }
    if (sh.sh_type == llvm::ELF::SHT_ARM_ATTRIBUTES) read_build_attributes(elf, sh, img);
    if (!(sh.sh_flags & llvm::ELF::SHF_ALLOC) || sh.sh_size == 0) continue;
    img.sections.push_back(read_section(sh, *secName, file_segments));
  }

  read_symbols(obj, img);
  // file:line of each function's entry, where DWARF line tables exist.
  std::string debug_problem = attach_source_lines(debug_sections(elf, *shdrs), img.symbols);
  if (!debug_problem.empty()) img.warnings.push_back(name + ": " + debug_problem);
  sort_symbols(img);
  close_data_ranges(img);
  return img;
}

SymbolRef ElfImage::symbolize(uint32_t addr) const {
  addr &= ~1u;
  // Last function symbol with symbol.addr <= addr.
  const ElfSymbol *best = nullptr;
  auto it = std::upper_bound(symbols.begin(), symbols.end(), addr, [](uint32_t a, const ElfSymbol &s) { return a < s.addr; });
  while (it != symbols.begin()) {
    --it;
    if (!it->func) continue;
    // Several names may share this address (weak aliases): take the first.
    auto first = it;
    while (first != symbols.begin() && std::prev(first)->addr == it->addr && std::prev(first)->func) --first;
    if (first->size == 0 || addr < first->addr + first->size) best = &*first;
    break;
  }
  if (!best) return {};
  return {best, addr - best->addr};
}

std::string ElfImage::describe(uint32_t addr) const {
  auto ref = symbolize(addr);
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", addr & ~1u);
  std::string out = buf;
  if (ref.symbol) {
    out += " (" + ref.symbol->name;
    if (ref.offset) out += "+" + text::hex(ref.offset, 0);
    out += ")";
  }
  return out;
}

const ElfSymbol *ElfImage::find_symbol(std::string_view name) const {
  for (const auto &s : symbols)
    if (s.name == name) return &s;
  return nullptr;
}

std::pair<uint32_t, uint64_t> ElfImage::load_span() const {
  uint32_t lo = 0xFFFFFFFF;
  uint64_t hi = 0;
  for (const auto &s : segments) {
    if (s.data.empty()) continue;
    lo = std::min(lo, s.paddr);
    hi = std::max(hi, uint64_t(s.paddr) + s.data.size());
  }
  return {lo, hi};
}

std::optional<uint32_t> ElfImage::read_word(uint32_t paddr) const {
  for (const auto &s : segments) {
    if (paddr >= s.paddr && uint64_t(paddr) + 4 <= uint64_t(s.paddr) + s.data.size()) {
      uint32_t v;
      std::memcpy(&v, s.data.data() + (paddr - s.paddr), 4);
      return v;
    }
  }
  return std::nullopt;
}

bool ElfImage::is_data(uint32_t addr) const {
  auto it = std::upper_bound(data_ranges.begin(), data_ranges.end(), std::make_pair(addr, 0xFFFFFFFFu));
  if (it == data_ranges.begin()) return false;
  --it;
  return addr >= it->first && addr < it->second;
}

} // namespace mcusim
