/// \file
/// Small pieces of C source text for the code generator: identifiers, exact
/// float literals, and constant arrays laid out a fixed number per line.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mcusim::nnc::c {

/// `name` with every character outside [A-Za-z0-9_] replaced by '_', and
/// "m_" in front of a leading digit (an empty name gives "m_").
std::string identifier(std::string_view name);
/// Upper case of an identifier.
std::string upper(std::string_view s);
/// A C string literal with quotes, backslashes and control characters escaped.
std::string string_literal(std::string_view s);

/// An exact float literal: C99 hexadecimal ("0x1.99999ap-4f"), or
/// INFINITY / -INFINITY / NAN (from <math.h>).
std::string float_literal(float v);

/// The elements of an initializer, `per_line` per line, each line indented
/// by two spaces, without the braces.
std::string int8_elements(std::span<const int8_t> v);
std::string int32_elements(std::span<const int32_t> v);
std::string float_elements(std::span<const float> v);

/// Reads little-endian elements from a constant tensor's bytes.
std::vector<int8_t> as_int8(std::span<const uint8_t> bytes);
std::vector<int32_t> as_int32(std::span<const uint8_t> bytes);
std::vector<float> as_float(std::span<const uint8_t> bytes);

} // namespace mcusim::nnc::c
