/// \file
/// ELF loading through llvm::object.
#include "core/elf_image.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Support/ARMAttributeParser.h>
#include <llvm/Support/ARMBuildAttributes.h>
#include <llvm/Support/MemoryBuffer.h>

namespace mcusim {
namespace fs = std::filesystem;

namespace {

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

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

/// Header checks done on raw bytes so each bad input gets a precise message.
std::optional<Error> check_header(const std::vector<uint8_t> &b, const std::string &name) {
  auto bad = [&](const std::string &why) { return Error{ErrorKind::BadElf, name + ": " + why}; };
  if (b.size() < 4 || std::memcmp(b.data(), "\x7f" "ELF", 4) != 0) return bad("not an ELF file");
  if (b.size() < 20) return bad("truncated ELF (" + std::to_string(b.size()) + " bytes)");
  if (b[5] != 1 && b[5] != 2) return bad("invalid ELF data encoding " + std::to_string(b[5]));
  uint16_t mach = b[5] == 2 ? uint16_t(b[18] << 8 | b[19]) : uint16_t(b[18] | b[19] << 8);
  if (mach != 40) {
    const char *m = machine_name(mach);
    return bad(std::string("ELF for ") + (m ? m : "machine " + std::to_string(mach)) + ", not ARM");
  }
  if (b[4] == 2) return bad("64-bit ELF; Cortex-M firmware is 32-bit (ELFCLASS32)");
  if (b[4] != 1) return bad("invalid ELF class " + std::to_string(b[4]));
  if (b[5] == 2) return bad("big-endian ELF; mcusim simulates little-endian Cortex-M only");
  if (b.size() < 52) return bad("truncated ELF (" + std::to_string(b.size()) + " bytes, the header needs 52)");
  auto u16 = [&](size_t o) { return uint16_t(b[o] | b[o + 1] << 8); };
  auto u32 = [&](size_t o) { return uint32_t(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | uint32_t(b[o + 3]) << 24); };
  uint16_t type = u16(16);
  if (type == 1) return bad("relocatable object file (ET_REL), not a linked executable");
  if (type != 2) return bad("ELF type " + std::to_string(type) + " is not an executable (ET_EXEC)");
  uint32_t phoff = u32(28), shoff = u32(32);
  uint16_t phentsize = u16(42), phnum = u16(44), shentsize = u16(46), shnum = u16(48);
  if (phnum == 0) return bad("no program headers: nothing to load");
  if (phentsize != 32 || uint64_t(phoff) + uint64_t(phnum) * 32 > b.size())
    return bad("truncated ELF (program headers end past the file's " + std::to_string(b.size()) + " bytes)");
  for (unsigned i = 0; i < phnum; ++i) {
    size_t p = phoff + i * 32;
    uint32_t off = u32(p + 4), filesz = u32(p + 16);
    if (u32(p) == 1 && uint64_t(off) + filesz > b.size())
      return bad("truncated ELF (segment " + std::to_string(i) + " ends at byte " + std::to_string(uint64_t(off) + filesz) +
                 ", file has " + std::to_string(b.size()) + ")");
  }
  if (shnum && (shentsize != 40 || uint64_t(shoff) + uint64_t(shnum) * 40 > b.size()))
    return bad("truncated ELF (section headers end past the file's " + std::to_string(b.size()) + " bytes)");
  return std::nullopt;
}

} // namespace

Expected<ElfImage> load_elf(const fs::path &path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return make_error(ErrorKind::FileUnreadable, name + ": no such file");
  if (fs::is_directory(path, ec)) return make_error(ErrorKind::FileUnreadable, name + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::FileUnreadable, name + ": cannot open (" + std::strerror(errno) + ")");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorKind::FileUnreadable, name + ": read error");
  if (auto e = check_header(bytes, name)) return tl::unexpected(*e);

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
  img.path = path;
  img.entry = uint32_t(elf.getHeader().e_entry);

  auto phdrs = elf.program_headers();
  if (!phdrs) return make_error(ErrorKind::BadElf, name + ": malformed program headers: " + llvm::toString(phdrs.takeError()));
  for (const auto &ph : *phdrs) {
    if (ph.p_type != llvm::ELF::PT_LOAD || ph.p_memsz == 0) continue;
    ElfSegment s;
    s.paddr = uint32_t(ph.p_paddr);
    s.vaddr = uint32_t(ph.p_vaddr);
    s.memsz = uint32_t(ph.p_memsz);
    s.read = ph.p_flags & llvm::ELF::PF_R;
    s.write = ph.p_flags & llvm::ELF::PF_W;
    s.exec = ph.p_flags & llvm::ELF::PF_X;
    s.data.assign(bytes.begin() + ph.p_offset, bytes.begin() + ph.p_offset + ph.p_filesz);
    if (uint64_t(s.paddr) + s.memsz > 0x100000000ull)
      return make_error(ErrorKind::BadElf, name + ": segment at " + hex(s.paddr) + " extends past 4 GiB");
    img.segments.push_back(std::move(s));
  }
  if (img.segments.empty()) return make_error(ErrorKind::BadElf, name + ": no loadable segments");

  auto shdrs = elf.sections();
  if (!shdrs) return make_error(ErrorKind::BadElf, name + ": malformed section headers: " + llvm::toString(shdrs.takeError()));
  for (const auto &sh : *shdrs) {
    auto secName = elf.getSectionName(sh);
    if (!secName) {
      llvm::consumeError(secName.takeError());
      continue;
    }
    if (sh.sh_type == llvm::ELF::SHT_ARM_ATTRIBUTES) {
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
    if (!(sh.sh_flags & llvm::ELF::SHF_ALLOC) || sh.sh_size == 0) continue;
    ElfSection s;
    s.name = secName->str();
    s.addr = uint32_t(sh.sh_addr);
    s.size = uint32_t(sh.sh_size);
    s.alloc = true;
    s.write = sh.sh_flags & llvm::ELF::SHF_WRITE;
    s.exec = sh.sh_flags & llvm::ELF::SHF_EXECINSTR;
    s.nobits = sh.sh_type == llvm::ELF::SHT_NOBITS;
    s.load_addr = s.addr;
    // LMA: the segment whose VMA range holds this section gives the offset.
    if (!s.nobits) {
      for (const auto &ph : *phdrs) {
        if (ph.p_type != llvm::ELF::PT_LOAD) continue;
        if (sh.sh_offset >= ph.p_offset && sh.sh_offset + sh.sh_size <= ph.p_offset + ph.p_filesz) {
          s.load_addr = uint32_t(ph.p_paddr + (sh.sh_offset - ph.p_offset));
          break;
        }
      }
    }
    img.sections.push_back(std::move(s));
  }

  for (const auto &sym : obj.symbols()) {
    auto nameOrErr = sym.getName();
    auto addrOrErr = sym.getAddress();
    auto typeOrErr = sym.getType();
    if (!nameOrErr || !addrOrErr || !typeOrErr) {
      if (!nameOrErr) llvm::consumeError(nameOrErr.takeError());
      if (!addrOrErr) llvm::consumeError(addrOrErr.takeError());
      if (!typeOrErr) llvm::consumeError(typeOrErr.takeError());
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
    if (*typeOrErr == llvm::object::SymbolRef::ST_File || *typeOrErr == llvm::object::SymbolRef::ST_Debug) continue;
    img.symbols.push_back(std::move(s));
  }
  // file:line of each function's entry, where DWARF line tables exist.
  bool has_debug = false;
  for (const auto &sec : obj.sections()) {
    auto nm = sec.getName();
    if (nm && *nm == ".debug_line") has_debug = true;
    if (!nm) llvm::consumeError(nm.takeError());
  }
  if (has_debug) {
    auto dwarf = llvm::DWARFContext::create(obj, llvm::DWARFContext::ProcessDebugRelocations::Ignore, nullptr, "",
                                            [](llvm::Error e) { llvm::consumeError(std::move(e)); },
                                            [](llvm::Error e) { llvm::consumeError(std::move(e)); });
    llvm::DILineInfoSpecifier spec(llvm::DILineInfoSpecifier::FileLineInfoKind::RelativeFilePath,
                                   llvm::DILineInfoSpecifier::FunctionNameKind::None);
    for (auto &sym : img.symbols) {
      if (!sym.func) continue;
      llvm::DILineInfo info = dwarf->getLineInfoForAddress({sym.addr, llvm::object::SectionedAddress::UndefSection}, spec);
      if (info.Line && info.FileName != llvm::DILineInfo::BadString) {
        sym.file = info.FileName;
        sym.line = info.Line;
      }
    }
  }
  std::sort(img.symbols.begin(), img.symbols.end(), [](const ElfSymbol &a, const ElfSymbol &b) {
    if (a.addr != b.addr) return a.addr < b.addr;
    if (a.func != b.func) return a.func;
    if (a.weak != b.weak) return !a.weak; // a strong definition names the address best
    return a.global > b.global;
  });
  // Turn mapping-symbol marks into [start, end) data ranges.
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
    if (ref.offset) out += "+" + hex(ref.offset);
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
