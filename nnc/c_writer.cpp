#include "nnc/c_writer.h"

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace mcusim::nnc::c {

std::string identifier(std::string_view name) {
  std::string s;
  for (char ch : name)
    s += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "m_" + s;
  return s;
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (char &ch : u)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return u;
}

std::string string_literal(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string float_literal(float v) {
  if (std::isnan(v)) return "NAN";
  if (std::isinf(v)) return v > 0 ? "INFINITY" : "-INFINITY";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%af", static_cast<double>(v));
  return buf;
}

namespace {
template <typename T, typename F> std::string elements(std::span<const T> v, size_t per_line, F format) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    out += i % per_line == 0 ? "  " : " ";
    out += format(v[i]);
    out += ',';
    if (i % per_line == per_line - 1 || i + 1 == v.size()) out += '\n';
  }
  return out;
}
} // namespace

std::string int8_elements(std::span<const int8_t> v) {
  return elements(v, 16, [](int8_t x) { return std::to_string(x); });
}

std::string int32_elements(std::span<const int32_t> v) {
  // INT32_MIN has no literal of type int: write it as an expression.
  return elements(v, 8,
                  [](int32_t x) { return x == INT32_MIN ? std::string("(-2147483647 - 1)") : std::to_string(x); });
}

std::string float_elements(std::span<const float> v) { return elements(v, 6, float_literal); }

std::vector<int8_t> as_int8(std::span<const uint8_t> bytes) {
  std::vector<int8_t> v(bytes.size());
  if (!bytes.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

namespace {
uint32_t le32(const uint8_t *p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}
} // namespace

std::vector<int32_t> as_int32(std::span<const uint8_t> bytes) {
  std::vector<int32_t> v(bytes.size() / 4);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<int32_t>(le32(bytes.data() + 4 * i));
  return v;
}

std::vector<float> as_float(std::span<const uint8_t> bytes) {
  std::vector<float> v(bytes.size() / 4);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = std::bit_cast<float>(le32(bytes.data() + 4 * i));
  return v;
}

} // namespace mcusim::nnc::c
