/// \file
/// UTF-8 and control-byte check of TOML text (see toml_text.h).
#include "power/toml_text.h"

#include <cstdio>

namespace mcusim::power {

namespace {

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

/// Length of the UTF-8 sequence starting at text[i], or 0 when it is not a
/// valid one (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_length(std::string_view text, size_t i) {
  auto at = [&](size_t k) -> unsigned { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
  auto cont = [&](size_t k) { return (at(k) & 0xC0u) == 0x80u && k < text.size(); };
  unsigned b = at(i);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    unsigned b1 = at(i + 1);
    if (b == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b == 0xED && b1 >= 0xA0) return 0; // UTF-16 surrogate
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    unsigned b1 = at(i + 1);
    if (b == 0xF0 && b1 < 0x90) return 0; // overlong
    if (b == 0xF4 && b1 >= 0x90) return 0; // above U+10FFFF
    return 4;
  }
  return 0;
}

} // namespace

std::optional<std::string> check_toml_text(std::string_view text, const std::string &file) {
  size_t line = 1, column = 1;
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3; // a byte-order mark is allowed at the start
  while (i < text.size()) {
    unsigned char b = static_cast<unsigned char>(text[i]);
    auto where = [&] { return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": "; };
    if (b == '\n') {
      ++line;
      column = 1;
      ++i;
      continue;
    }
    if ((b < 0x20 && b != '\t' && b != '\r') || b == 0x7F)
      return where() + "control byte " + hex_byte(b) + " is not allowed in TOML text";
    size_t n = utf8_length(text, i);
    if (n == 0) return where() + "not valid UTF-8 (byte " + hex_byte(b) + ")";
    i += n;
    ++column;
  }
  return std::nullopt;
}

} // namespace mcusim::power
