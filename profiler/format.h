/// \file
/// Number formatting shared by the renderers and the command line.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace mcusim::text {

/// 1234567 -> "1,234,567"
inline std::string thousands(uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

/// printf-style formatting of one double.
inline std::string number(const char *format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

} // namespace mcusim::text
