/// \file
/// Function source lines from DWARF line tables (see elf_dwarf.h).
#include "image/elf_dwarf.h"

#include "base/format.h"

#include <optional>
#include <sstream>

#include <llvm/ADT/StringMap.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/DebugInfo/DWARF/DWARFDataExtractor.h>
#include <llvm/DebugInfo/DWARF/DWARFDebugLine.h>
#include <llvm/Support/MemoryBuffer.h>

namespace mcusim {

namespace {

uint64_t le(std::string_view s, uint64_t at, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t(uint8_t(s[at + i])) << (8 * i);
  return v;
}

/// Reads inside [pos, end) of a section; any read past end sets bad.
struct Cursor {
  std::string_view s;
  uint64_t pos, end;
  bool bad = false;
  uint64_t fixed(unsigned n) {
    if (bad || n > end - pos) {
      bad = true;
      return 0;
    }
    uint64_t v = le(s, pos, n);
    pos += n;
    return v;
  }
  uint64_t uleb() {
    uint64_t v = 0;
    for (unsigned shift = 0; !bad; shift += 7) {
      uint64_t byte = fixed(1);
      if (shift < 64) v |= (byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
    }
    return v;
  }
  void skip(uint64_t n) {
    if (bad || n > end - pos) bad = true;
    else pos += n;
  }
  void cstring() {
    while (!bad && fixed(1) != 0) {
    }
  }
};

/// Skips one attribute value of a DWARF 5 line-table entry; false for a form
/// such an entry does not use (every form allowed takes at least one byte).
bool skip_form(Cursor &c, uint64_t form, unsigned offset_size) {
  switch (form) {
  case 0x08: c.cstring(); return true;                                 // DW_FORM_string
  case 0x0e: case 0x1f: case 0x17: c.skip(offset_size); return true;   // strp, line_strp, sec_offset
  case 0x0f: case 0x1a: c.uleb(); return true;                         // udata, strx
  case 0x0b: case 0x25: c.skip(1); return true;                        // data1, strx1
  case 0x05: case 0x26: c.skip(2); return true;                        // data2, strx2
  case 0x27: c.skip(3); return true;                                   // strx3
  case 0x06: case 0x28: c.skip(4); return true;                        // data4, strx4
  case 0x07: c.skip(8); return true;                                   // data8
  case 0x1e: c.skip(16); return true;                                  // data16 (MD5)
  case 0x09: c.skip(c.uleb()); return true;                            // block
  default: return false;
  }
}

/// A DWARF 5 line-table header's directory and file tables: entry formats
/// that LLVM can read and entry counts the header can hold. (LLVM reads as
/// many entries as the count claims, even when they take no bytes.)
std::optional<std::string> line_v5_tables_problem(std::string_view sec, uint64_t body, uint64_t unit_end,
                                                  unsigned offset_size, const std::string &where) {
  Cursor c{sec, body + 2, unit_end};
  c.skip(2); // address_size, segment_selector_size
  uint64_t header_length = c.fixed(offset_size);
  if (c.bad || header_length > unit_end - c.pos) return where + " has a header longer than the unit";
  c.end = c.pos + header_length;
  c.skip(5); // minimum_instruction_length .. line_range
  uint64_t opcode_base = c.fixed(1);
  if (opcode_base == 0) return where + " has opcode base 0";
  c.skip(opcode_base - 1);
  for (const char *table : {"directory", "file name"}) {
    uint64_t formats = c.fixed(1);
    std::vector<uint64_t> forms;
    for (uint64_t k = 0; k < formats && !c.bad; ++k) {
      c.uleb(); // content type
      forms.push_back(c.uleb());
    }
    uint64_t count = c.uleb();
    if (c.bad) return where + " has a header cut short in its " + table + " table";
    if (count && forms.empty()) return where + " lists " + std::to_string(count) + " " + table + " entries with no format";
    if (count > c.end - c.pos)
      return where + " claims " + std::to_string(count) + " " + table + " entries, more than its header holds";
    for (uint64_t k = 0; k < count && !c.bad; ++k)
      for (uint64_t form : forms)
        if (!skip_form(c, form, offset_size)) return where + " uses form " + text::hex(form, 0) + " in its " + table + " table";
    if (c.bad) return where + " has a " + table + " table past the end of its header";
  }
  return std::nullopt;
}

/// Walks the unit headers of .debug_info or .debug_line: every unit's length
/// inside the section, a DWARF version 2..5 and, for .debug_info, 4-byte
/// addresses and an abbreviation offset inside .debug_abbrev. Each unit is at
/// least a few bytes long, so the walk is bounded by the section's size.
std::optional<std::string> units_problem(std::string_view sec, const char *sec_name, std::string_view abbrev, bool is_info) {
  uint64_t off = 0;
  while (off < sec.size()) {
    std::string where = std::string(sec_name) + " unit at offset " + text::hex(off, 0);
    uint64_t room = sec.size() - off;
    if (room < 4) return where + " is cut short";
    uint64_t len = le(sec, off, 4);
    unsigned head = 4, offset_size = 4;
    if (len >= 0xfffffff0) {
      if (len != 0xffffffff) return where + " has a reserved length " + text::hex(len, 0);
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
    if (!is_info && version >= 5)
      if (auto p = line_v5_tables_problem(sec, body, body + len, offset_size, where)) return p;
    if (is_info) {
      // v5: version, unit_type, address_size, abbrev_offset; v2-4: version, abbrev_offset, address_size.
      uint64_t need = 2 + 1 + offset_size + (version >= 5 ? 1 : 0);
      if (len < need) return where + " is too short for its header (" + std::to_string(len) + " bytes)";
      uint64_t abbrev_off = version >= 5 ? le(sec, body + 4, offset_size) : le(sec, body + 2, offset_size);
      unsigned addr_size = unsigned(uint8_t(sec[version >= 5 ? body + 3 : body + 2 + offset_size]));
      if (addr_size != 4) return where + " has " + std::to_string(addr_size) + "-byte addresses, not 4";
      if (abbrev_off >= abbrev.size())
        return where + " has abbreviation offset " + text::hex(abbrev_off, 0) + ", outside .debug_abbrev (" +
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
