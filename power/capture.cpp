/// \file
/// Reading current captures (CSV) into time and current vectors.
#include "power/capture.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mcusim::power {

namespace {

constexpr size_t kMaxCaptureBytes = size_t(1) << 30; ///< 1 GiB: about 30 million PPK2 rows
constexpr int kMaxMetadataLines = 64;                 ///< lines an ST-style metadata block may take before the header

struct Line {
  std::string_view text;
  uint32_t number = 0;
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  uint32_t number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    ++number;
    lines.push_back({l, number});
    pos = end + 1;
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool blank(std::string_view s) { return trim(s).empty(); }

/// The delimiter of a line: the most frequent of comma, semicolon and tab (comma when none).
char delimiter_of(std::string_view line) {
  auto n = [&](char c) { return std::count(line.begin(), line.end(), c); };
  long comma = n(','), semi = n(';'), tab = n('\t');
  if (semi > comma && semi >= tab) return ';';
  if (tab > comma && tab > semi) return '\t';
  return ',';
}

std::vector<std::string_view> split_cells(std::string_view line, char delim) {
  std::vector<std::string_view> cells;
  size_t pos = 0;
  for (;;) {
    size_t end = line.find(delim, pos);
    if (end == std::string_view::npos) {
      cells.push_back(line.substr(pos));
      break;
    }
    cells.push_back(line.substr(pos, end - pos));
    pos = end + 1;
  }
  return cells;
}

std::string_view unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim(s.substr(1, s.size() - 2));
  return s;
}

/// A cell as a finite number; nullopt when it is not one.
std::optional<double> number_of(std::string_view cell) {
  cell = unquote(cell);
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
  if (cell.empty()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (ec != std::errc() || p != cell.data() + cell.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

/// A cell shown in a message: at most 40 characters, control bytes as \xNN.
std::string shown(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 40; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  if (s.size() > 40) out += "...";
  return out;
}

/// A header cell split into its name and unit, both lower case ASCII with µ/μ as 'u':
/// "Current(uA)" -> {"current", "ua"}; "time_s" -> {"time", "s"}; "#time" -> {"time", ""}.
struct ColumnName {
  std::string base, unit;
};

std::string lower_ascii(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    // U+00B5 MICRO SIGN (C2 B5) and U+03BC GREEK SMALL LETTER MU (CE BC) -> 'u'
    if ((c == 0xC2 || c == 0xCE) && i + 1 < s.size() &&
        ((c == 0xC2 && static_cast<unsigned char>(s[i + 1]) == 0xB5) || (c == 0xCE && static_cast<unsigned char>(s[i + 1]) == 0xBC))) {
      out += 'u';
      ++i;
      continue;
    }
    out += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : char(c);
  }
  return out;
}

bool is_time_unit(std::string_view u) { return u == "s" || u == "ms" || u == "us" || u == "ns"; }
bool is_current_unit(std::string_view u) { return u == "a" || u == "ma" || u == "ua" || u == "na"; }

ColumnName column_name(std::string_view cell) {
  std::string s = lower_ascii(unquote(cell));
  while (!s.empty() && s.front() == '#') s.erase(s.begin());
  ColumnName c;
  auto strip = [](std::string x) { return std::string(trim(x)); };
  if (!s.empty() && (s.back() == ')' || s.back() == ']')) {
    char open = s.back() == ')' ? '(' : '[';
    size_t o = s.rfind(open);
    if (o != std::string::npos) {
      c.unit = strip(s.substr(o + 1, s.size() - o - 2));
      c.base = strip(s.substr(0, o));
      return c;
    }
  }
  size_t us = s.rfind('_');
  if (us != std::string::npos) {
    std::string suffix = s.substr(us + 1);
    if (is_time_unit(suffix) || is_current_unit(suffix)) {
      c.unit = suffix;
      c.base = strip(s.substr(0, us));
      return c;
    }
  }
  c.base = strip(s);
  return c;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_current_name(const std::string &b) {
  return b == "current" || b == "i" || b == "amps" || ends_with(b, " current") || ends_with(b, "_current");
}
bool is_time_name(const std::string &b) {
  return b == "time" || b == "timestamp" || b == "timestamps" || b == "t" || ends_with(b, " time") || ends_with(b, " timestamp") ||
         ends_with(b, "_time") || ends_with(b, "_timestamp");
}

double time_scale(std::string_view u) { return u == "ms" ? 1e-3 : u == "us" ? 1e-6 : u == "ns" ? 1e-9 : 1.0; }
double current_scale(std::string_view u) { return u == "ma" ? 1e-3 : u == "ua" ? 1e-6 : u == "na" ? 1e-9 : 1.0; }

/// The columns of a header line.
struct Header {
  char delim = ',';
  std::vector<std::string_view> cells;
  std::vector<ColumnName> names;
  int time = -1, current = -1;
};

Header read_header(std::string_view line) {
  Header h;
  h.delim = delimiter_of(line);
  h.cells = split_cells(line, h.delim);
  for (size_t i = 0; i < h.cells.size(); ++i) {
    h.names.push_back(column_name(h.cells[i]));
    const auto &n = h.names.back();
    if (h.current < 0 && is_current_name(n.base)) h.current = int(i);
    else if (h.time < 0 && is_time_name(n.base)) h.time = int(i);
  }
  return h;
}

/// Every cell of the line is a number (a data row, not a header).
bool numeric_line(std::string_view line) {
  auto cells = split_cells(line, delimiter_of(line));
  for (auto c : cells)
    if (!number_of(c)) return false;
  return true;
}

std::string column_list(const Header &h) {
  std::string out;
  for (size_t i = 0; i < h.cells.size() && i < 12; ++i) {
    if (i) out += ", ";
    out += '\'';
    out += shown(unquote(h.cells[i]));
    out += '\'';
  }
  if (h.cells.size() > 12) out += ", ...";
  return out;
}

} // namespace

const char *capture_format_name(CaptureFormat f) {
  switch (f) {
  case CaptureFormat::Auto: return "auto";
  case CaptureFormat::Ppk2: return "ppk2";
  case CaptureFormat::Joulescope: return "joulescope";
  case CaptureFormat::Stpm: return "stpm";
  case CaptureFormat::Generic: return "generic";
  }
  return "auto";
}

std::optional<CaptureFormat> parse_capture_format(std::string_view name) {
  for (auto f : {CaptureFormat::Auto, CaptureFormat::Ppk2, CaptureFormat::Joulescope, CaptureFormat::Stpm, CaptureFormat::Generic})
    if (name == capture_format_name(f)) return f;
  return std::nullopt;
}

double Capture::sample_s(size_t i) const {
  if (time_s.size() < 2) return 0;
  if (i + 1 < time_s.size()) return time_s[i + 1] - time_s[i];
  return time_s[i] - time_s[i - 1];
}

double Capture::duration_s() const {
  if (time_s.size() < 2) return 0;
  return time_s.back() - time_s.front() + sample_s(time_s.size() - 1);
}

PowerExpected<Capture> parse_capture(std::string_view text, const std::string &file, CaptureFormat format) {
  auto bad = [&](uint32_t line, const std::string &what) {
    return power_error(PowerError::Kind::Malformed, file + ":" + std::to_string(line) + ": bad capture: " + what);
  };
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF && static_cast<unsigned char>(text[1]) == 0xBB &&
      static_cast<unsigned char>(text[2]) == 0xBF)
    text.remove_prefix(3); // UTF-8 byte order mark
  std::vector<Line> lines = split_lines(text);
  size_t first = 0;
  while (first < lines.size() && blank(lines[first].text)) ++first;
  if (first == lines.size()) return bad(lines.empty() ? 1 : lines.back().number, "no samples (the file is empty)");

  Capture cap;
  cap.file = file;
  Header h;
  size_t data_from = 0;
  double tscale = 1, iscale = 1;

  if (numeric_line(lines[first].text)) {
    // No header: only the old Joulescope UI's sample export (time s, current A, voltage V) has none.
    if (format != CaptureFormat::Joulescope)
      return bad(lines[first].number, "no current column: the first line holds numbers, not column names "
                                      "(a header-less Joulescope export needs --format joulescope)");
    h.delim = delimiter_of(lines[first].text);
    h.time = 0;
    h.current = 1;
    cap.time_column = "column 1";
    cap.current_column = "column 2";
    cap.format = CaptureFormat::Joulescope;
    if (split_cells(lines[first].text, h.delim).size() < 2)
      return bad(lines[first].number, "no current column: a header-less Joulescope export has time, current and voltage columns");
    data_from = first;
  } else {
    // The header: the first line, or (ST tools) the first line with a current column after a block of metadata.
    size_t at = first;
    h = read_header(lines[first].text);
    if (h.current < 0 && (format == CaptureFormat::Auto || format == CaptureFormat::Stpm)) {
      for (size_t i = first + 1; i < lines.size() && int(i - first) <= kMaxMetadataLines; ++i) {
        if (blank(lines[i].text)) continue;
        if (numeric_line(lines[i].text)) break; // data started without a header naming the current
        Header c = read_header(lines[i].text);
        if (c.current >= 0) {
          h = c;
          at = i;
          break;
        }
      }
    }
    if (h.current < 0)
      return bad(lines[first].number, "no current column (columns: " + column_list(h) +
                                          "; expected a name such as Current(uA), current, current_a or Current (mA))");
    if (h.time < 0)
      return bad(lines[at].number, "no time column (columns: " + column_list(h) +
                                       "; expected a name such as Timestamp(ms), #time, time_s or Time (ms))");
    const ColumnName &tn = h.names[size_t(h.time)], &in = h.names[size_t(h.current)];
    cap.time_column = std::string(unquote(h.cells[size_t(h.time)]));
    cap.current_column = std::string(unquote(h.cells[size_t(h.current)]));
    // The format: asked for, or recognised by its header.
    CaptureFormat detected = CaptureFormat::Generic;
    if (tn.base == "timestamp" && tn.unit == "ms" && in.base == "current" && in.unit == "ua") detected = CaptureFormat::Ppk2;
    else if (!h.cells.empty() && unquote(h.cells[0]).substr(0, 1) == "#" && tn.unit.empty() && in.unit.empty())
      detected = CaptureFormat::Joulescope;
    else if (at != first) detected = CaptureFormat::Stpm;
    cap.format = format == CaptureFormat::Auto ? detected : format;
    // Units: from the header; a Joulescope header has none (SI: s and A), a PPK2 one always has them.
    std::string tu = tn.unit, iu = in.unit;
    if (tu.empty() && cap.format == CaptureFormat::Joulescope) tu = "s";
    if (iu.empty() && cap.format == CaptureFormat::Joulescope) iu = "a";
    if (tu.empty() && cap.format == CaptureFormat::Ppk2) tu = "ms";
    if (iu.empty() && cap.format == CaptureFormat::Ppk2) iu = "ua";
    if (iu.empty() && in.base == "amps") iu = "a";
    if (tu.empty())
      return bad(lines[at].number, "the time column '" + shown(cap.time_column) +
                                       "' gives no unit (name it time_s, time_ms, Time (us) or Timestamp(ms))");
    if (iu.empty())
      return bad(lines[at].number, "the current column '" + shown(cap.current_column) +
                                       "' gives no unit (name it current_a, current_ma, Current (uA) or Current(nA))");
    if (!is_time_unit(tu))
      return bad(lines[at].number, "the time column '" + shown(cap.time_column) + "' is in '" + shown(tu) + "', not s, ms, us or ns");
    if (!is_current_unit(iu))
      return bad(lines[at].number,
                 "the current column '" + shown(cap.current_column) + "' is in '" + shown(iu) + "', not A, mA, uA or nA");
    tscale = time_scale(tu);
    iscale = current_scale(iu);
    data_from = at + 1;
  }

  const size_t need = size_t(std::max(h.time, h.current)) + 1;
  for (size_t i = data_from; i < lines.size(); ++i) {
    const Line &l = lines[i];
    if (blank(l.text)) continue;
    auto cells = split_cells(l.text, h.delim);
    if (cells.size() < need)
      return bad(l.number, "the row has " + std::to_string(cells.size()) + " cell" + (cells.size() == 1 ? "" : "s") + ", column " +
                               std::to_string(need) + " ('" + shown(need - 1 == size_t(h.time) ? cap.time_column : cap.current_column) +
                               "') is missing");
    double v[2];
    int cols[2] = {h.time, h.current};
    for (int k = 0; k < 2; ++k) {
      auto n = number_of(cells[size_t(cols[k])]);
      if (!n)
        return bad(l.number, "column " + std::to_string(cols[k] + 1) + " ('" + shown(k == 0 ? cap.time_column : cap.current_column) +
                                 "') is not a number: '" + shown(unquote(cells[size_t(cols[k])])) + "'");
      v[k] = *n;
    }
    double t = v[0] * tscale;
    if (!cap.time_s.empty() && !(t > cap.time_s.back())) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "time does not increase: %.9g s after %.9g s on the row before", t, cap.time_s.back());
      return bad(l.number, buf);
    }
    cap.time_s.push_back(t);
    cap.current_a.push_back(v[1] * iscale);
  }
  if (cap.time_s.size() < 2)
    return bad(lines.back().number, cap.time_s.empty() ? "no samples after the header"
                                                       : "only one sample (at least two are needed to know how long it lasts)");
  return cap;
}

PowerExpected<Capture> load_capture(const std::string &file, CaptureFormat format) {
  std::error_code ec;
  auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status))
    return power_error(PowerError::Kind::Unreadable, file + ": cannot read the capture: no such file");
  if (!std::filesystem::is_regular_file(status))
    return power_error(PowerError::Kind::Unreadable, file + ": cannot read the capture: not a regular file");
  auto size = std::filesystem::file_size(file, ec);
  if (!ec && size > kMaxCaptureBytes)
    return power_error(PowerError::Kind::Malformed, file + ":1: bad capture: larger than 1 GiB (export a shorter selection)");
  std::ifstream in(file, std::ios::binary);
  if (!in) return power_error(PowerError::Kind::Unreadable, file + ": cannot read the capture: " + std::strerror(errno));
  std::string text;
  text.resize(ec ? 0 : size_t(size));
  if (!text.empty()) in.read(text.data(), std::streamsize(text.size()));
  if (!in && !in.eof()) return power_error(PowerError::Kind::Unreadable, file + ": cannot read the capture: read error");
  text.resize(size_t(in.gcount() > 0 ? in.gcount() : 0));
  return parse_capture(text, file, format);
}

} // namespace mcusim::power
