/// \file
/// Source lines of function entries from an ELF's DWARF line tables
/// (.debug_line). The debug sections are checked on their raw bytes first and
/// read through LLVM's recoverable-error interfaces: damaged debug information
/// costs the source lines and gives one warning, never the load.
#pragma once

#include "image/elf_image.h"

#include <string>
#include <string_view>
#include <vector>

namespace mcusim {

/// The bytes of the debug sections the loader looks at (empty when absent).
struct DebugSections {
  std::string_view info, abbrev, line, line_str, str;
  std::string compressed; ///< name of a compressed (SHF_COMPRESSED) debug section, if any
  bool empty() const { return info.empty() && abbrev.empty() && line.empty(); }
};

/// Set file and line of every function symbol whose first instruction a line
/// table covers. On damaged debug information no symbol gets a line and the
/// result is one line saying what is wrong; otherwise the result is empty.
std::string attach_source_lines(const DebugSections &debug, std::vector<ElfSymbol> &symbols);

} // namespace mcusim
