/// \file
/// JUnit XML rendering.
#include "profiler/junit.h"

#include <cstdint>
#include <sstream>

namespace mcusim {

namespace {
/// Length of the valid UTF-8 sequence at s[i] (0 if invalid). Overlong forms,
/// surrogates and code points above U+10FFFF are invalid.
size_t utf8_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || cp == 0xFFFE || cp == 0xFFFF) return 0;
  return n;
}
} // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
    case '&': out += "&amp;"; ++i; continue;
    case '<': out += "&lt;"; ++i; continue;
    case '>': out += "&gt;"; ++i; continue;
    case '"': out += "&quot;"; ++i; continue;
    case '\'': out += "&apos;"; ++i; continue;
    default: break;
    }
    if (c < 0x20) {
      // XML 1.0 allows only tab, newline and carriage return below 0x20.
      out += (c == '\t' || c == '\n' || c == '\r') ? char(c) : '?';
      ++i;
      continue;
    }
    size_t n = utf8_length(text, i);
    if (n == 0) {
      out += '?';
      ++i;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

std::string render_junit(const JUnitSuite &suite) {
  size_t failures = 0;
  for (const auto &c : suite.cases) failures += c.failed;
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<testsuites name=\"" << xml_escape(suite.name) << "\" tests=\"" << suite.cases.size() << "\" failures=\"" << failures
     << "\" errors=\"0\">\n";
  os << "  <testsuite name=\"" << xml_escape(suite.name) << "\" tests=\"" << suite.cases.size() << "\" failures=\"" << failures
     << "\" errors=\"0\" skipped=\"0\" time=\"0\">\n";
  if (!suite.properties.empty()) {
    os << "    <properties>\n";
    for (const auto &[k, v] : suite.properties)
      os << "      <property name=\"" << xml_escape(k) << "\" value=\"" << xml_escape(v) << "\"/>\n";
    os << "    </properties>\n";
  }
  for (const auto &c : suite.cases) {
    os << "    <testcase name=\"" << xml_escape(c.name) << "\" classname=\"" << xml_escape(c.classname) << "\" time=\"0\"";
    if (!c.failed) {
      os << "/>\n";
      continue;
    }
    os << ">\n      <failure message=\"" << xml_escape(c.message) << "\" type=\"" << xml_escape(c.type) << "\">" << xml_escape(c.detail)
       << "</failure>\n    </testcase>\n";
  }
  os << "  </testsuite>\n</testsuites>\n";
  return os.str();
}

} // namespace mcusim
