/// \file
/// Reading checked values out of a toml++ table: every number finite and in
/// range, every key known, the first problem kept as one line naming the
/// file, the line, the key and what is wrong. Internal to power/.
#pragma once

#include "base/toml_input.h"
#include "power/power_error.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <utility>
#include <vector>

namespace mcusim::power {

/// Parses checked TOML text (parse_toml_input of base/toml_input.h: the text
/// check, toml++, then the key and string check); errors name `file` and `what`.
PowerExpected<toml::table> parse_toml(std::string_view text, const std::string &file, const std::string &what);

/// Reads the whole file; an error names `what` ("battery scenario", "battery preset").
PowerExpected<std::string> read_text_file(const std::string &file, const std::string &what);


class TomlReader {
public:
  TomlReader(std::string file, std::string what) : file_(std::move(file)), what_(std::move(what)) {}

  bool failed() const { return error_.has_value(); }
  const PowerError &error() const { return *error_; }

  /// Records the first problem: "file:line: malformed <what>: message".
  bool fail(const toml::source_region &where, const std::string &message);
  bool fail_at_line(uint32_t line, const std::string &message);

  /// A finite number in [min, max] (integers are accepted); `unit` names it in messages.
  std::optional<double> number(const toml::node &n, const std::string &key, const char *unit, double min, double max,
                               bool min_exclusive = false);
  /// A whole number in [min, max].
  std::optional<int64_t> integer(const toml::node &n, const std::string &key, int64_t min, int64_t max);
  std::optional<std::string> string(const toml::node &n, const std::string &key);
  const toml::table *table(const toml::node &n, const std::string &key);
  const toml::array *array_of_tables(const toml::node &n, const std::string &key);

  /// Fails on an unknown key, listing the known ones.
  bool unknown(const toml::key &k, const toml::node &n, const std::string &prefix, std::initializer_list<const char *> known);
  /// Fails when `key` is absent from `t`; `hint` says what the key is.
  bool require(const toml::table &t, const char *key, const std::string &full, const std::string &hint);

private:
  std::string file_, what_;
  std::optional<PowerError> error_;
};


/// `text` with every control character (a newline from a TOML escape, say)
/// shown as \xNN, so that a message stays one line.
std::string one_line(std::string text);

/// "%g"-style text of a number, for messages.
std::string number_text(double v);

} // namespace mcusim::power
