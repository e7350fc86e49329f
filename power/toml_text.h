/// \file
/// The check every TOML text of this library passes before toml++ sees it:
/// valid UTF-8, no control bytes other than tab, line feed and carriage
/// return, and non-ASCII characters only inside strings and comments (where
/// TOML allows them; toml++ 3.3 reaches an unreachable point on some non-ASCII
/// characters between values, e.g. "a = 1\u022C", in release builds). This is
/// a small local stand-in, kept behind one function so that it can be replaced
/// by the project's shared TOML input validator.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mcusim::power {

/// Nothing when `text` is acceptable; otherwise one line naming `file`, the
/// line and column, and the offending byte(s).
std::optional<std::string> check_toml_text(std::string_view text, const std::string &file);

} // namespace mcusim::power
