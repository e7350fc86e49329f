/// \file
/// Checked TOML input (see toml_input.h).
#include "core/toml_input.h"

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

/// The first key or string value under `node` that holds a control character (tab allowed).
struct ControlHit {
  toml::source_region where;
  std::string what;
};

std::optional<uint32_t> first_control(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    Utf8 u = decode_utf8(s.substr(i));
    if (!u.error.empty()) return uint32_t(static_cast<unsigned char>(s[i]));
    if (is_control(u.cp) && u.cp != '\t') return u.cp;
    i += u.len;
  }
  return std::nullopt;
}

std::optional<ControlHit> find_control(const toml::node &node, const std::string &path) {
  if (auto t = node.as_table()) {
    for (auto &&[k, v] : *t) {
      const std::string sub = path.empty() ? std::string(k.str()) : path + "." + std::string(k.str());
      if (auto c = first_control(k.str()))
        return ControlHit{k.source().begin.line ? k.source() : v.source(),
                          "key '" + printable(sub) + "' holds a control character (" + code_point(*c) + ")"};
      if (auto hit = find_control(v, sub)) return hit;
    }
  } else if (auto a = node.as_array()) {
    for (size_t i = 0; i < a->size(); ++i)
      if (auto hit = find_control(*a->get(i), path + "[" + std::to_string(i) + "]")) return hit;
  } else if (auto s = node.as_string()) {
    if (auto c = first_control(s->get()))
      return ControlHit{node.source(), "'" + printable(path) + "' holds a control character (" + code_point(*c) + ")"};
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
  return std::nullopt;
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

} // namespace mcusim
