/// \file
/// Number formatting for every renderer and both front ends, one rule each
/// (docs/report.md, "Numbers in text"):
///   thousands(1234567)  "1,234,567"
///   size(bytes)         below 1 MiB in KiB, from 1 MiB in MiB; one decimal,
///                       none for an exact multiple of the unit:
///                       "0 KiB", "0.5 KiB", "12.3 KiB", "192 KiB", "1 MiB", "1.5 MiB"
///   hex(v)              an address or 32-bit word: "0x" and at least 8 digits, "0x08000000"
///   hex(v, 0)           an offset, a size or a code: as few digits as needed, "0x1a"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mcusim::text {

/// Decimal with a comma between groups of three digits: 1234567 -> "1,234,567".
std::string thousands(uint64_t v);

/// A size in bytes, in KiB below 1 MiB and in MiB from 1 MiB, with one decimal
/// unless the size is an exact multiple of the unit.
std::string size(uint64_t bytes);

/// "0x" and lowercase hex digits, zero-padded to at least `digits` (at least one).
std::string hex(uint64_t v, unsigned digits = 8);

/// The value of one hex digit (0-9, a-f, A-F), or -1 for any other character.
int hex_digit(char c);

/// printf-style formatting of one double.
std::string number(const char *format, double v);

/// Text for an HTML page: & < > " as character references.
std::string html_escape(std::string_view s);

} // namespace mcusim::text
