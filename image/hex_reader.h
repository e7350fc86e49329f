/// \file
/// Intel HEX images (record types 00 data, 01 end of file, 02 extended segment
/// address, 03 start segment address, 04 extended linear address, 05 start
/// linear address), read into the same ElfImage the ELF loader produces:
/// contiguous data become loadable segments, and there are no sections or
/// symbols. Every malformed line is refused in one line naming the file and
/// the line number.
#pragma once

#include "base/error.h"
#include "image/elf_image.h"

#include <string>
#include <string_view>

namespace mcusim {

/// Read Intel HEX text. Errors are ErrorKind::BadElf, "<name>:<line>: <what is
/// wrong>" (bad start code, odd or non-hex digits, length mismatch, bad
/// checksum, unknown record type, a record of the wrong length for its type,
/// data after the end-of-file record, overlapping data), or "<name>: <what>"
/// for the whole file (empty, no end-of-file record, no data). The entry of the
/// result is the reset vector of the vector table at the lowest address (or 0).
Expected<ElfImage> read_intel_hex(std::string_view text, const std::string &name);

} // namespace mcusim
