/// \file
/// Reading a TOML input file (device descriptions, budgets, and any other
/// TOML the tool reads): the text is checked before toml++ sees it, and every
/// problem, found here or by toml++, comes back as one line naming the file,
/// the line, the column and what is wrong.
///
/// The check before parsing: at most `max_bytes` bytes; valid UTF-8 (no
/// overlong forms, no surrogates, nothing above U+10FFFF, no truncated
/// sequence); no control bytes except tab, line feed, and a carriage return
/// directly before a line feed; nothing toml++ 3.3.0 is known to meet with a
/// failed assertion or undefined behaviour instead of a parse error (a table
/// header without a key, a '}' inside an array, a non-ASCII character outside
/// strings and comments). After parsing, no key may hold a control character
/// and no string one other than tab, line feed and carriage return (an escape
/// such as "\u001b" or "\u0000" decodes to one).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <tl/expected.hpp>
#include <toml++/toml.h>

namespace mcusim {

/// Largest TOML input accepted, in bytes (the shipped files are a few KiB).
constexpr size_t kMaxTomlInputBytes = size_t(1) << 20;

/// A problem in a text, where it is (line and column from 1, in characters;
/// byte offset from 0) and what it is.
struct TextProblem {
  size_t line = 0, column = 0, byte = 0;
  std::string what;
};

/// The first thing wrong with `text` as TOML input (size, encoding, control
/// bytes), or nullopt when there is nothing.
std::optional<TextProblem> check_toml_text(std::string_view text, size_t max_bytes = kMaxTomlInputBytes);

/// `s` with every control character (and every byte that is not valid UTF-8)
/// written as \xNN, so it prints on one line.
std::string printable(std::string_view s);

/// "a table", "an integer", ...: a TOML value's type in an error message.
const char *toml_type_name(toml::node_type t);

/// Checks `text`, parses it, and checks its keys and strings. On failure the
/// error is one line: "<file>:<line>: <label>: <what> at column <C>"
/// (label such as "malformed device file" or "malformed budget").
tl::expected<toml::table, std::string> parse_toml_input(std::string_view text, const std::string &file, const std::string &label,
                                                        size_t max_bytes = kMaxTomlInputBytes);

/// A table's entries in the order the file gives them (toml++ keeps them
/// sorted by key), so errors and lists follow the file.
std::vector<std::pair<const toml::key *, const toml::node *>> in_file_order(const toml::table &t);

} // namespace mcusim
