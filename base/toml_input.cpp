/// \file
/// Checked TOML input (see toml_input.h).
#include "base/toml_input.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace mcusim {

namespace {

std::string hex_byte(unsigned b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b & 0xFFu);
  return buf;
}
std::string code_point(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", unsigned(cp));
  return buf;
}

/// One UTF-8 sequence at the start of `s`: its length and code point, or, when
/// it is not valid UTF-8, what is wrong (and length 1: the bad lead byte).
struct Utf8 {
  size_t len = 1;
  uint32_t cp = 0;
  std::string error;
};

Utf8 decode_utf8(std::string_view s) {
  const auto byte = [&](size_t i) { return unsigned(static_cast<unsigned char>(s[i])); };
  const unsigned b = byte(0);
  if (b < 0x80) return {1, b, {}};
  if (b < 0xC0) return {1, 0, "invalid UTF-8: byte " + hex_byte(b) + " cannot start a character (a continuation byte without a lead byte)"};
  if (b < 0xC2) return {1, 0, "invalid UTF-8: overlong encoding (lead byte " + hex_byte(b) + ")"};
  if (b > 0xF4) return {1, 0, "invalid UTF-8: byte " + hex_byte(b) + " never occurs in UTF-8"};
  const size_t len = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  uint32_t cp = b & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
  for (size_t i = 1; i < len; ++i) {
    if (i >= s.size() || (byte(i) & 0xC0) != 0x80)
      return {1, 0, "invalid UTF-8: truncated sequence (lead byte " + hex_byte(b) + " needs " + std::to_string(len - 1) +
                        " continuation byte" + (len == 2 ? "" : "s") + ")"};
    cp = (cp << 6) | (byte(i) & 0x3Fu);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len]) return {1, 0, "invalid UTF-8: overlong encoding of " + code_point(cp)};
  if (cp >= 0xD800 && cp <= 0xDFFF) return {1, 0, "invalid UTF-8: UTF-16 surrogate " + code_point(cp) + " encoded as a character"};
  if (cp > 0x10FFFF) return {1, 0, "invalid UTF-8: " + code_point(cp) + " is above U+10FFFF"};
  return {len, cp, {}};
}

bool is_control(uint32_t cp) { return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F); }

std::string control_name(unsigned b) {
  if (b == 0) return "NUL byte (0x00)";
  if (b == 0x7F) return "control byte 0x7F (DEL)";
  return "control byte " + hex_byte(b);
}

std::string one_line(const std::string &file, const std::string &label, size_t line, const std::string &what, size_t column) {
  std::string s = file;
  if (line) s += ":" + std::to_string(line);
  s += ": " + label + ": " + what;
  if (line && column) s += " at column " + std::to_string(column);
  return s;
}

/// The first key or string value under `node` that holds a control character
/// (tab allowed; line feed and carriage return allowed in strings, not in keys).
struct ControlHit {
  toml::source_region where;
  std::string what;
};

std::optional<uint32_t> first_control(std::string_view s, bool line_breaks_allowed) {
  for (size_t i = 0; i < s.size();) {
    Utf8 u = decode_utf8(s.substr(i));
    if (!u.error.empty()) return uint32_t(static_cast<unsigned char>(s[i]));
    if (is_control(u.cp) && u.cp != '\t' && !(line_breaks_allowed && (u.cp == '\n' || u.cp == '\r'))) return u.cp;
    i += u.len;
  }
  return std::nullopt;
}

std::optional<ControlHit> find_control(const toml::node &node, const std::string &path) {
  if (auto t = node.as_table()) {
    for (auto &&[k, v] : *t) {
      const std::string sub = path.empty() ? std::string(k.str()) : path + "." + std::string(k.str());
      if (auto c = first_control(k.str(), false))
        return ControlHit{k.source().begin.line ? k.source() : v.source(),
                          "key '" + printable(sub) + "' holds a control character (" + code_point(*c) + ")"};
      if (auto hit = find_control(v, sub)) return hit;
    }
  } else if (auto a = node.as_array()) {
    for (size_t i = 0; i < a->size(); ++i)
      if (auto hit = find_control(*a->get(i), path + "[" + std::to_string(i) + "]")) return hit;
  } else if (auto s = node.as_string()) {
    if (auto c = first_control(s->get(), true))
      return ControlHit{node.source(), "'" + printable(path) + "' holds a control character (" + code_point(*c) + ")"};
  }
  return std::nullopt;
}

/// Line and column (from 1, in characters) of byte `offset` in valid UTF-8 text.
TextProblem position_of(std::string_view text, size_t offset, std::string what) {
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') ++line, line_start = i + 1;
  size_t column = 1;
  for (size_t i = line_start; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  return TextProblem{line, column, offset, std::move(what)};
}

bool is_bare_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::string char_at(std::string_view t, size_t j) {
  if (t[j] == '\n' || t[j] == '\r') return "the end of the line";
  if (t[j] == '#') return "a comment";
  return "'" + printable(t.substr(j, decode_utf8(t.substr(j)).len)) + "'";
}

/// Skips a string starting at t[i] (a quote): basic or literal, one line or
/// multi-line. In a multi-line basic string, toml++ 3.3.0 tests the character
/// after a backslash, and the first one after a line-ending backslash, for
/// Unicode white space, and that test has undefined behaviour for many non-ASCII
/// characters (U+00A7 among them): such a character there is refused.
std::optional<TextProblem> skip_string(std::string_view t, size_t &i) {
  const char q = t[i];
  const bool multi = t.substr(i, 3) == std::string(3, q);
  const size_t width = multi ? 3 : 1;
  const std::string close(width, q);
  i += width;
  while (i < t.size()) {
    if (q == '"' && t[i] == '\\') {
      ++i;
      if (multi) {
        size_t j = i;
        while (j < t.size() && (t[j] == ' ' || t[j] == '\t')) ++j;
        bool line_end = j < t.size() && (t[j] == '\n' || t[j] == '\r');
        if (line_end)
          while (j < t.size() && (t[j] == ' ' || t[j] == '\t' || t[j] == '\n' || t[j] == '\r')) ++j;
        if (j < t.size() && static_cast<unsigned char>(t[j]) >= 0x80)
          return position_of(t, j, std::string("non-ASCII character ") + char_at(t, j) +
                                       (line_end ? " right after a line-ending backslash" : " after a backslash") +
                                       " in a multi-line string (not supported)");
      }
      ++i;
      continue;
    }
    if (!multi && t[i] == '\n') return std::nullopt; // unterminated: toml++ reports it
    if (t.substr(i, width) == close) {
      i += width;
      if (multi)
        for (int extra = 0; extra < 2 && i < t.size() && t[i] == q; ++extra) ++i;
      return std::nullopt;
    }
    ++i;
  }
  return std::nullopt;
}

/// Steps over a statement's text from t[i] (strings, comments and nested arrays
/// included) to the line end outside any bracket (`one_line`: to the line end).
/// Outside strings and comments TOML is ASCII; toml++ 3.3.0 tests such
/// characters for Unicode white space with undefined behaviour, so a non-ASCII
/// one there is refused. A '}' directly inside an array is an error toml++ 3.3.0
/// asserts on instead of reporting.
std::optional<TextProblem> skip_statement(std::string_view t, size_t &i, bool one_line) {
  const size_t n = t.size();
  std::string open; // the brackets open at i, innermost last
  bool key = true;  // in a key (before '=', or after '{' or ',' in an inline table), not a value
  bool start = true; // where a key or a value may start
  while (i < n && !(t[i] == '\n' && (one_line || open.empty()))) {
    const char v = t[i];
    // A key or a value may start first in the statement, after '=' or ',',
    // after a '[' or '{' that itself stood where a value may start, and after
    // a '.' in a key. Only there does a quote start a string: anywhere else
    // (as in "8192'", "5.'" or "x['", right after a value) it is a TOML error
    // that toml++ 3.3.0 meets only after testing the characters that follow as
    // it would outside a string, so they are checked as such.
    if (v == '#') {
      while (i < n && t[i] != '\n') ++i;
    } else if ((v == '"' || v == '\'') && start) {
      if (auto p = skip_string(t, i)) return p;
      start = false;
    } else if (v == ' ' || v == '\t' || v == '\r' || v == '\n') {
      ++i;
    } else {
      if (static_cast<unsigned char>(v) >= 0x80)
        return position_of(t, i, "non-ASCII character " + char_at(t, i) + " outside a string or comment");
      if (v == '}' && !open.empty() && open.back() == '[')
        return position_of(t, i, "'}' inside an array (an array ends with ']')");
      if (v == '[' || v == '{') open += v;
      else if ((v == ']' || v == '}') && !open.empty()) open.pop_back();
      const bool opens = (v == '[' || v == '{') && start;
      // Only the '=' that ends a key starts a value: one inside a value ("t=6=")
      // is an error toml++ 3.3.0 meets after testing what follows as it would outside a string.
      const bool assigns = v == '=' && key;
      if (v == '=' || v == '[' || v == ']' || v == '}') key = false;
      else if (v == '{') key = true;
      else if (v == ',') key = !open.empty() && open.back() == '{';
      start = assigns || v == ',' || opens || (v == '.' && key);
      ++i;
    }
  }
  return std::nullopt;
}

/// Finds what toml++ 3.3.0 would meet with a failed assertion (debug builds) or
/// undefined behaviour (release builds) instead of a parse error. It follows the
/// statements of the document the way toml++ does (a '[' inside a value, a string
/// or a comment starts no header); where the text is malformed otherwise it may
/// flag a line toml++ would reject anyway, since toml++ stops at the first error.
/// A table header's key must start with a key character: toml++ asserts that
/// "[" + line end, "[#" or "[=" cannot happen.
std::optional<TextProblem> check_toml_structure(std::string_view t) {
  const size_t n = t.size();
  size_t i = t.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0; // a byte order mark, which toml++ skips
  while (i < n) {
    while (i < n && (t[i] == ' ' || t[i] == '\t')) ++i;
    if (i >= n) break;
    const char c = t[i];
    if (c == '\n' || c == '\r') {
      ++i;
    } else if (c == '#') {
      if (auto p = skip_statement(t, i, true)) return p;
    } else if (c == '[') {
      size_t j = i + 1;
      const size_t after_bracket = j;
      while (j < n && (t[j] == ' ' || t[j] == '\t')) ++j;
      if (j < n && t[j] == '[') {
        if (j != after_bracket) return std::nullopt; // "[ [": toml++ reports it, and stops there
        ++j;
        while (j < n && (t[j] == ' ' || t[j] == '\t')) ++j;
      }
      if (j < n && !is_bare_key_char(t[j]) && t[j] != '"' && t[j] != '\'' && t[j] != ']')
        return position_of(t, j, "a table header must name a key after '[', found " + char_at(t, j));
      i = j;
      if (auto p = skip_statement(t, i, true)) return p;
    } else {
      if (auto p = skip_statement(t, i, false)) return p;
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<TextProblem> check_toml_text(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes)
    return TextProblem{0, 0, 0, "the file is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                                    std::to_string(max_bytes)};
  size_t line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    const unsigned b = static_cast<unsigned char>(text[i]);
    if (b == '\n') {
      ++line;
      column = 1;
      ++i;
      continue;
    }
    if (b == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))
      return TextProblem{line, column, i, "carriage return not followed by a line feed"};
    if ((b < 0x20 && b != '\t' && b != '\r') || b == 0x7F) return TextProblem{line, column, i, control_name(b)};
    Utf8 u = decode_utf8(text.substr(i));
    if (!u.error.empty()) return TextProblem{line, column, i, u.error};
    i += u.len;
    ++column;
  }
  return check_toml_structure(text);
}

const char *toml_type_name(toml::node_type t) {
  switch (t) {
  case toml::node_type::table: return "a table";
  case toml::node_type::array: return "an array";
  case toml::node_type::string: return "a string";
  case toml::node_type::integer: return "an integer";
  case toml::node_type::floating_point: return "a floating-point number";
  case toml::node_type::boolean: return "a boolean";
  case toml::node_type::date: return "a date";
  case toml::node_type::time: return "a time";
  case toml::node_type::date_time: return "a date-time";
  default: return "nothing";
  }
}

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    Utf8 u = decode_utf8(s.substr(i));
    if (u.error.empty() && !is_control(u.cp)) {
      out.append(s.substr(i, u.len));
    } else {
      char buf[8];
      for (size_t k = 0; k < u.len; ++k) {
        std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(static_cast<unsigned char>(s[i + k])));
        out += buf;
      }
    }
    i += u.len;
  }
  return out;
}

tl::expected<toml::table, std::string> parse_toml_input(std::string_view text, const std::string &file, const std::string &label,
                                                        size_t max_bytes) {
  if (auto p = check_toml_text(text, max_bytes)) {
    std::string s = file;
    if (p->line) s += ":" + std::to_string(p->line);
    s += ": " + label + ": " + p->what;
    if (p->line) s += " at column " + std::to_string(p->column) + " (byte offset " + std::to_string(p->byte) + ")";
    return tl::unexpected(s);
  }
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error &e) {
    return tl::unexpected(
        one_line(file, label, e.source().begin.line, printable(e.description()), e.source().begin.column));
  }
  if (auto hit = find_control(root, ""))
    return tl::unexpected(one_line(file, label, hit->where.begin.line, hit->what, hit->where.begin.column));
  return root;
}

std::vector<std::pair<const toml::key *, const toml::node *>> in_file_order(const toml::table &t) {
  std::vector<std::pair<const toml::key *, const toml::node *>> v;
  for (auto &&[k, n] : t) v.emplace_back(&k, &n);
  std::stable_sort(v.begin(), v.end(), [](const auto &a, const auto &b) {
    const auto &x = a.first->source().begin, &y = b.first->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  return v;
}

} // namespace mcusim
