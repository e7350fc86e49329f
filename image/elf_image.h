/// \file
/// A Cortex-M firmware image read from an ELF file through LLVM's Object
/// library: loadable segments (by physical address), sections, symbols and
/// the ARM build attributes.
#pragma once

#include "base/error.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mcusim {

struct ElfSegment {
  uint32_t paddr = 0; ///< load (physical) address: where the bytes go
  uint32_t vaddr = 0; ///< run (virtual) address
  uint32_t memsz = 0;
  std::vector<uint8_t> data; ///< file bytes (p_filesz)
  bool read = false, write = false, exec = false;
};

struct ElfSection {
  std::string name;
  uint32_t addr = 0;     ///< VMA
  uint32_t load_addr = 0; ///< LMA (differs from addr for .data)
  uint32_t size = 0;
  bool alloc = false, write = false, exec = false, nobits = false;
};

struct ElfSymbol {
  std::string name;
  uint32_t addr = 0; ///< Thumb bit cleared for functions
  uint32_t size = 0;
  bool func = false;
  bool global = false;
  bool weak = false;
  std::string file; ///< source file of a function's first instruction (DWARF), if known
  unsigned line = 0;
};

/// ARM EABI build attributes (Tag_CPU_name, Tag_CPU_arch, Tag_FP_arch...).
struct BuildAttributes {
  std::optional<std::string> cpu_name;
  std::optional<unsigned> cpu_arch;
  std::optional<char> profile;
  std::optional<unsigned> fp_arch;
};

struct SymbolRef {
  const ElfSymbol *symbol = nullptr;
  uint32_t offset = 0;
};

class ElfImage {
public:
  std::filesystem::path path;
  uint32_t entry = 0;
  std::vector<ElfSegment> segments;  ///< PT_LOAD with file bytes or memory
  std::vector<ElfSection> sections;
  std::vector<ElfSymbol> symbols;    ///< sorted by address
  BuildAttributes attributes;
  /// Address ranges that hold data, not code ($d mapping symbols), sorted.
  std::vector<std::pair<uint32_t, uint32_t>> data_ranges;
  /// Problems that did not stop the load, one line each, naming the file
  /// (damaged debug information: the image loads without source lines).
  std::vector<std::string> warnings;
  /// No symbol table (a .hex or .bin without --symbols): `symbols` holds
  /// entry points named by their address (image/address_functions.h).
  bool named_by_address = false;

  /// Function symbol containing addr (or the closest preceding one).
  SymbolRef symbolize(uint32_t addr) const;
  /// "main+0x12" or "0x08000123".
  std::string describe(uint32_t addr) const;
  const ElfSymbol *find_symbol(std::string_view name) const;
  /// Lowest and one-past-highest physical load address of all segments.
  std::pair<uint32_t, uint64_t> load_span() const;
  /// Read a 32-bit word from the loaded image at a physical address.
  std::optional<uint32_t> read_word(uint32_t paddr) const;
  bool is_data(uint32_t addr) const;
};

/// Validate and read an ELF held in memory: 32-bit, little-endian, EM_ARM,
/// executable, and structurally sound on its raw bytes (elf_checks.h) before
/// LLVM parses it. Errors name the problem in one line, prefixed by name; the
/// time taken is bounded by the size of the bytes. Damaged debug information
/// is not an error: it leaves the symbols without source lines and adds one
/// line to ElfImage::warnings. path of the result is name.
Expected<ElfImage> load_elf_from_memory(std::span<const uint8_t> bytes, std::string name);

/// Read a file and load_elf_from_memory it (path of the result is path).
Expected<ElfImage> load_elf(const std::filesystem::path &path);

} // namespace mcusim
