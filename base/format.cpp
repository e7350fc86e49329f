/// \file
/// Number formatting (see base/format.h for the rules).
#include "base/format.h"

#include <cstdio>

namespace mcusim::text {

std::string thousands(uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string size(uint64_t bytes) {
  constexpr uint64_t kKiB = 1024, kMiB = 1024 * 1024;
  const bool mib = bytes >= kMiB;
  const uint64_t unit = mib ? kMiB : kKiB;
  const char *name = mib ? "MiB" : "KiB";
  char buf[48];
  if (bytes % unit == 0) std::snprintf(buf, sizeof buf, "%llu %s", (unsigned long long)(bytes / unit), name);
  else std::snprintf(buf, sizeof buf, "%.1f %s", double(bytes) / double(unit), name);
  return buf;
}

std::string hex(uint64_t v, unsigned digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", int(digits ? (digits > 16 ? 16 : digits) : 1), (unsigned long long)v);
  return buf;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string number(const char *format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string html_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&': o += "&amp;"; break;
    case '<': o += "&lt;"; break;
    case '>': o += "&gt;"; break;
    case '"': o += "&quot;"; break;
    default: o += c;
    }
  }
  return o;
}

} // namespace mcusim::text
