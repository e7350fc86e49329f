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

/// Where a byte is, lexically: TOML allows non-ASCII text only in strings and comments.
enum class Lex { Normal, Comment, Basic, Literal, MultiBasic, MultiLiteral };

/// How many times `c` repeats from text[i].
size_t run_of(std::string_view text, size_t i, char c) {
  size_t n = 0;
  while (i + n < text.size() && text[i + n] == c) ++n;
  return n;
}

/// True when text[i] exists and is a printable ASCII character (what an escape may skip).
bool printable_ascii(std::string_view text, size_t i) {
  return i < text.size() && text[i] >= 0x20 && text[i] < 0x7F;
}

} // namespace

std::optional<std::string> check_toml_text(std::string_view text, const std::string &file) {
  size_t line = 1, column = 1;
  size_t i = 0;
  Lex lex = Lex::Normal;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3; // a byte-order mark is allowed at the start
  while (i < text.size()) {
    unsigned char b = static_cast<unsigned char>(text[i]);
    auto where = [&] { return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": "; };
    if (b == '\n') {
      ++line;
      column = 1;
      ++i;
      // Single-line strings and comments end at the line's end (an unterminated string is the parser's to report).
      if (lex != Lex::MultiBasic && lex != Lex::MultiLiteral) lex = Lex::Normal;
      continue;
    }
    if ((b < 0x20 && b != '\t' && b != '\r') || b == 0x7F)
      return where() + "control byte " + hex_byte(b) + " is not allowed in TOML text";
    size_t n = utf8_length(text, i);
    if (n == 0) return where() + "not valid UTF-8 (byte " + hex_byte(b) + ")";
    if (n > 1 && lex == Lex::Normal)
      return where() + "non-ASCII character outside a string or comment (TOML allows it in neither keys nor values)";
    size_t step = n;
    switch (lex) {
    case Lex::Normal:
      if (b == '#') lex = Lex::Comment;
      else if (b == '"' || b == '\'') {
        size_t q = run_of(text, i, char(b));
        if (q >= 3) {
          lex = b == '"' ? Lex::MultiBasic : Lex::MultiLiteral;
          step = 3;
        } else if (q == 2) {
          step = 2; // an empty string
        } else {
          lex = b == '"' ? Lex::Basic : Lex::Literal;
        }
      }
      break;
    case Lex::Comment: break;
    case Lex::Basic:
      if (b == '\\' && printable_ascii(text, i + 1)) step = 2; // an escape: \" does not end the string
      else if (b == '"') lex = Lex::Normal;
      break;
    case Lex::Literal:
      if (b == '\'') lex = Lex::Normal;
      break;
    case Lex::MultiBasic:
    case Lex::MultiLiteral: {
      char quote = lex == Lex::MultiBasic ? '"' : '\'';
      if (lex == Lex::MultiBasic && b == '\\' && printable_ascii(text, i + 1)) {
        step = 2;
      } else if (b == static_cast<unsigned char>(quote)) {
        size_t q = run_of(text, i, quote);
        if (q >= 3) lex = Lex::Normal; // up to two more quotes belong to the string
        step = q;
      }
      break;
    }
    }
    i += step;
    column += step == n ? 1 : step;
  }
  return std::nullopt;
}

} // namespace mcusim::power
