/// \file
/// Function source lines from DWARF line tables (see elf_dwarf.h).
#include "core/elf_dwarf.h"

#include <optional>
#include <sstream>

#include <llvm/ADT/StringMap.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/DebugInfo/DWARF/DWARFDataExtractor.h>
#include <llvm/DebugInfo/DWARF/DWARFDebugLine.h>
#include <llvm/Support/MemoryBuffer.h>

namespace mcusim {

namespace {

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

uint64_t le(std::string_view s, uint64_t at, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t(uint8_t(s[at + i])) << (8 * i);
  return v;
}

/// Walks the unit headers of .debug_info or .debug_line: every unit's length
/// inside the section, a DWARF version 2..5 and, for .debug_info, 4-byte
/// addresses and an abbreviation offset inside .debug_abbrev. Each unit is at
/// least a few bytes long, so the walk is bounded by the section's size.
std::optional<std::string> units_problem(std::string_view sec, const char *sec_name, std::string_view abbrev, bool is_info) {
  uint64_t off = 0;
  while (off < sec.size()) {
    std::string where = std::string(sec_name) + " unit at offset " + hex(off);
    uint64_t room = sec.size() - off;
    if (room < 4) return where + " is cut short";
    uint64_t len = le(sec, off, 4);
    unsigned head = 4, offset_size = 4;
    if (len >= 0xfffffff0) {
      if (len != 0xffffffff) return where + " has a reserved length " + hex(len);
      if (room < 12) return where + " is cut short";
      len = le(sec, off + 4, 8);
      head = 12, offset_size = 8;
    }
    if (len > room - head)
      return where + " claims " + std::to_string(len) + " bytes, past the end of the section (" + std::to_string(sec.size()) +
             " bytes)";
    uint64_t body = off + head;
    if (len < 2) return where + " is too short (" + std::to_string(len) + " bytes)";
    unsigned version = unsigned(le(sec, body, 2));
    if (version < 2 || version > 5) return where + " has DWARF version " + std::to_string(version) + ", not 2 to 5";
    if (is_info) {
      // v5: version, unit_type, address_size, abbrev_offset; v2-4: version, abbrev_offset, address_size.
      uint64_t need = 2 + 1 + offset_size + (version >= 5 ? 1 : 0);
      if (len < need) return where + " is too short for its header (" + std::to_string(len) + " bytes)";
      uint64_t abbrev_off = version >= 5 ? le(sec, body + 4, offset_size) : le(sec, body + 2, offset_size);
      unsigned addr_size = unsigned(uint8_t(sec[version >= 5 ? body + 3 : body + 2 + offset_size]));
      if (addr_size != 4) return where + " has " + std::to_string(addr_size) + "-byte addresses, not 4";
      if (abbrev_off >= abbrev.size())
        return where + " has abbreviation offset " + hex(abbrev_off) + ", outside .debug_abbrev (" +
               std::to_string(abbrev.size()) + " bytes)";
    }
    off = body + len;
  }
  return std::nullopt;
}

/// The raw-byte checks of the debug sections, or nullopt.
std::optional<std::string> debug_sections_problem(const DebugSections &d) {
  if (!d.compressed.empty()) return "compressed debug section " + d.compressed + " is not supported";
  if (!d.info.empty() && d.abbrev.empty()) return ".debug_info without .debug_abbrev";
  if (auto p = units_problem(d.info, ".debug_info", d.abbrev, true)) return p;
  if (auto p = units_problem(d.line, ".debug_line", {}, false)) return p;
  return std::nullopt;
}

/// An LLVM error as one line.
std::string one_line(std::string s) {
  for (char &c : s)
    if (c == '\n' || c == '\r') c = ';';
  return s;
}

/// Every line table in .debug_line, each parsed on its own (no compile unit
/// is read). The tables refer to the context (file names in .debug_line_str),
/// so both live here together.
struct LineTables {
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> sections;
  std::unique_ptr<llvm::DWARFContext> context;
  std::vector<llvm::DWARFDebugLine::LineTable> tables;
  std::string problem; ///< the first problem LLVM reported: the tables are then empty

  explicit LineTables(const DebugSections &d) {
    auto add = [&](const char *name, std::string_view bytes) {
      if (!bytes.empty())
        sections[name] = llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(bytes.data(), bytes.size()), name, false);
    };
    add("debug_line", d.line);
    add("debug_line_str", d.line_str);
    add("debug_str", d.str);
    auto record = [this](llvm::Error e) {
      std::string m = llvm::toString(std::move(e));
      if (problem.empty()) problem = one_line(m.empty() ? "unreadable line table" : m);
    };
    context = llvm::DWARFContext::create(sections, 4, true, record, record);
    const llvm::DWARFObject &obj = context->getDWARFObj();
    llvm::DWARFDataExtractor data(obj, obj.getLineSection(), true, 4);
    llvm::DWARFUnitVector no_units;
    llvm::DWARFDebugLine::SectionParser parser(data, *context,
                                               llvm::DWARFUnitVector::iterator_range(no_units.begin(), no_units.end()));
    while (!parser.done() && problem.empty()) {
      uint64_t before = parser.getOffset();
      auto table = parser.parseNext(record, record);
      if (!problem.empty()) break;
      tables.push_back(std::move(table));
      if (parser.getOffset() <= before) break; // no progress: never loop on one offset
    }
    if (!problem.empty()) tables.clear();
  }
};

} // namespace

std::string attach_source_lines(const DebugSections &debug, std::vector<ElfSymbol> &symbols) {
  if (debug.line.empty()) return {};
  if (auto p = debug_sections_problem(debug)) return "damaged debug information (" + *p + "); no source lines";
  LineTables lines(debug);
  if (!lines.problem.empty()) return "damaged debug information (" + lines.problem + "); no source lines";
  for (auto &sym : symbols) {
    if (!sym.func) continue;
    for (const auto &table : lines.tables) {
      llvm::DILineInfo info;
      if (!table.getFileLineInfoForAddress({sym.addr, llvm::object::SectionedAddress::UndefSection}, "",
                                           llvm::DILineInfoSpecifier::FileLineInfoKind::RelativeFilePath, info))
        continue;
      if (info.Line && info.FileName != llvm::DILineInfo::BadString) {
        sym.file = info.FileName;
        sym.line = info.Line;
        break;
      }
    }
  }
  return {};
}

} // namespace mcusim
