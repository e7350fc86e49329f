/// \file
/// Checked reading of TOML values (see toml_reader.h).
#include "power/toml_reader.h"
#include "base/toml_input.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mcusim::power {

PowerExpected<toml::table> parse_toml(std::string_view text, const std::string &file, const std::string &what) {
  auto root = parse_toml_input(text, file, "malformed " + what);
  if (!root) return power_error(PowerError::Kind::Malformed, one_line(root.error()));
  return std::move(*root);
}

PowerExpected<std::string> read_text_file(const std::string &path, const std::string &what) {
  namespace fs = std::filesystem;
  const std::string file = one_line(path);
  std::error_code ec;
  if (fs::is_directory(path, ec))
    return power_error(PowerError::Kind::Unreadable, file + ": cannot read the " + what + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    bool exists = fs::exists(path, ec);
    return power_error(PowerError::Kind::Unreadable,
                       file + ": cannot read the " + what + ": " + (exists ? "permission denied" : "no such file"));
  }
  // A device node or a FIFO (battery.file = "/dev/zero") would never end: only
  // regular files are read, and no more than one byte past the TOML size limit
  // (parse_toml then reports the size).
  if (!fs::is_regular_file(path, ec))
    return power_error(PowerError::Kind::Unreadable, file + ": cannot read the " + what + ": not a regular file");
  std::string text(kMaxTomlInputBytes + 1, '\0');
  in.read(text.data(), std::streamsize(text.size()));
  if (in.bad()) return power_error(PowerError::Kind::Unreadable, file + ": cannot read the " + what);
  text.resize(size_t(in.gcount()));
  return text;
}

std::string one_line(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

bool TomlReader::fail(const toml::source_region &where, const std::string &message) {
  return fail_at_line(where.begin.line, message);
}

bool TomlReader::fail_at_line(uint32_t line, const std::string &message) {
  if (!error_) {
    std::string loc = file_;
    if (line) loc.append(":").append(std::to_string(line));
    error_ = PowerError{PowerError::Kind::Malformed, one_line(loc + ": malformed " + what_ + ": " + message)};
  }
  return false;
}

std::optional<double> TomlReader::number(const toml::node &n, const std::string &key, const char *unit, double min,
                                         double max, bool min_exclusive) {
  std::optional<double> v;
  if (auto i = n.as_integer()) v = double(i->get());
  else if (auto f = n.as_floating_point()) v = f->get();
  if (!v) {
    fail(n.source(), "'" + key + "' must be a number of " + unit + ", not " + toml_type_name(n.type()));
    return std::nullopt;
  }
  if (!std::isfinite(*v)) {
    fail(n.source(), "'" + key + "' must be a finite number of " + unit + " (got " + number_text(*v) + ")");
    return std::nullopt;
  }
  bool below = min_exclusive ? *v <= min : *v < min;
  if (below || *v > max) {
    std::string rule;
    if (!below) rule = "must be at most " + number_text(max) + " " + unit;
    else if (min_exclusive) rule = "must be greater than " + number_text(min) + " " + unit;
    else if (min == 0) rule = "must not be negative";
    else rule = "must be at least " + number_text(min) + " " + unit;
    fail(n.source(), "'" + key + "' " + rule + " (got " + number_text(*v) + ")");
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> TomlReader::integer(const toml::node &n, const std::string &key, int64_t min, int64_t max) {
  auto i = n.as_integer();
  if (!i) {
    fail(n.source(), "'" + key + "' must be a whole number, not " + std::string(toml_type_name(n.type())));
    return std::nullopt;
  }
  if (i->get() < min || i->get() > max) {
    fail(n.source(), "'" + key + "' must be from " + std::to_string(min) + " to " + std::to_string(max) + " (got " +
                         std::to_string(i->get()) + ")");
    return std::nullopt;
  }
  return i->get();
}

std::optional<std::string> TomlReader::string(const toml::node &n, const std::string &key) {
  if (auto s = n.as_string()) return s->get();
  fail(n.source(), "'" + key + "' must be a string, not " + std::string(toml_type_name(n.type())));
  return std::nullopt;
}

const toml::table *TomlReader::table(const toml::node &n, const std::string &key) {
  if (auto t = n.as_table()) return t;
  fail(n.source(), "'" + key + "' must be a table, not " + std::string(toml_type_name(n.type())));
  return nullptr;
}

const toml::array *TomlReader::array_of_tables(const toml::node &n, const std::string &key) {
  auto a = n.as_array();
  if (!a || !a->is_array_of_tables()) {
    fail(n.source(), "'" + key + "' must be an array of tables ([[" + key + "]]), not " +
                         (a ? std::string("an array of other values") : std::string(toml_type_name(n.type()))));
    return nullptr;
  }
  return a;
}

bool TomlReader::unknown(const toml::key &k, const toml::node &n, const std::string &prefix,
                         std::initializer_list<const char *> known) {
  std::string list;
  for (const char *s : known) list += (list.empty() ? "" : ", ") + std::string(s);
  return fail(k.source().begin.line ? k.source() : n.source(),
              "unknown key '" + prefix + std::string(k.str()) + "' (known: " + list + ")");
}

bool TomlReader::require(const toml::table &t, const char *key, const std::string &full, const std::string &hint) {
  if (t.contains(key)) return true;
  return fail(t.source(), "missing '" + full + "' (" + hint + ")");
}

} // namespace mcusim::power
