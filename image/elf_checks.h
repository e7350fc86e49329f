/// \file
/// Structural checks of an ELF file on its raw bytes, made before LLVM parses
/// it: header, program headers, section table, string and symbol tables. Each
/// problem gets one precise line, and everything LLVM later walks (sections,
/// symbols, names) is known to lie inside the file, so loading time is bounded
/// by the file's size, not by a count a header claims.
#pragma once

#include "base/error.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace mcusim {

/// nullopt if the bytes are a structurally sound 32-bit little-endian ARM
/// executable; else an ErrorKind::BadElf error "<name>: <what is wrong>".
std::optional<Error> check_elf_structure(std::span<const uint8_t> bytes, const std::string &name);

} // namespace mcusim
