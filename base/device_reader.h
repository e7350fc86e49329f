/// \file
/// The checked reader the device-file parser uses (base/device.cpp and the
/// `[power]` section in base/device_power.cpp): it keeps the first problem
/// found, with the line it was found on. Internal to mcusim_base.
#pragma once

#include "base/device.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <toml++/toml.h>
#include <type_traits>

namespace mcusim::device_detail {

inline std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// Collects the first problem found while reading a device table.
struct Reader {
  std::filesystem::path file;
  std::string error;
  size_t error_line = 0;

  void fail(const std::string &msg, const toml::node *at = nullptr) {
    if (!error.empty()) return;
    error = msg;
    if (at) error_line = at->source().begin.line;
  }
  template <typename T> std::optional<T> get(const toml::table &t, const char *key, const char *where, bool required = true) {
    auto node = t.get(key);
    if (!node) {
      if (required) fail(std::string("missing key '") + where + key + "'");
      return std::nullopt;
    }
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node->value<std::string>()) return *v;
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node->as_boolean()) return v->get();
    } else if constexpr (std::is_same_v<T, double>) {
      std::optional<double> v;
      if (auto i = node->as_integer()) v = double(i->get());
      else if (auto f = node->as_floating_point()) v = f->get();
      if (v) {
        if (!std::isfinite(*v)) {
          fail(std::string("'") + where + key + "' must be a finite number (got " + number_text(*v) + ")", node);
          return std::nullopt;
        }
        return v;
      }
    } else {
      if (auto v = node->as_integer()) {
        if (v->get() < 0 || uint64_t(v->get()) > std::numeric_limits<T>::max()) {
          fail(std::string("'") + where + key + "' is out of range (got " + std::to_string(v->get()) + ")", node);
          return std::nullopt;
        }
        return T(v->get());
      }
    }
    fail(std::string("'") + where + key + "' has the wrong type", node);
    return std::nullopt;
  }
  /// A finite number in [lo, hi] (lo excluded when `lo_open`).
  std::optional<double> number(const toml::table &t, const char *key, const char *where, double lo, bool lo_open, double hi,
                               bool required) {
    auto v = get<double>(t, key, where, required);
    if (v && (!(lo_open ? *v > lo : *v >= lo) || !(*v <= hi))) {
      fail(std::string("'") + where + key + "' must be " + (lo_open ? "greater than " : "at least ") + number_text(lo) +
               " and at most " + number_text(hi) + " (got " + number_text(*v) + ")",
           t.get(key));
      return std::nullopt;
    }
    return v;
  }
  /// A whole number in [lo, hi].
  std::optional<unsigned> whole(const toml::table &t, const char *key, const char *where, unsigned lo, unsigned hi,
                                bool required) {
    auto v = get<unsigned>(t, key, where, required);
    if (v && (*v < lo || *v > hi)) {
      fail(std::string("'") + where + key + "' must be " + std::to_string(lo) + ".." + std::to_string(hi) + " (got " +
               std::to_string(*v) + ")",
           t.get(key));
      return std::nullopt;
    }
    return v;
  }
  /// A power of two in [lo, hi].
  std::optional<unsigned> power_of_two(const toml::table &t, const char *key, const char *where, unsigned lo, unsigned hi,
                                       bool required) {
    auto v = get<unsigned>(t, key, where, required);
    if (v && (*v < lo || *v > hi || (*v & (*v - 1)))) {
      fail(std::string("'") + where + key + "' must be a power of two from " + std::to_string(lo) + " to " + std::to_string(hi) +
               " (got " + std::to_string(*v) + ")",
           t.get(key));
      return std::nullopt;
    }
    return v;
  }
};

/// Reads the `[power]` section of a device file into `d.power` (nothing when
/// the file has none) and keeps `d.wakeup_us` consistent with its Sleep
/// state. Called after the other tables are read (base/device_power.cpp).
void read_power(const toml::table &root, Device &d, Reader &rd);

/// Reads the `[[peripheral]]` blocks into `d.peripherals` and checks them
/// against the memory map and the NVIC (base/device_peripherals.cpp).
void read_peripherals(const toml::table &root, Device &d, Reader &rd);

} // namespace mcusim::device_detail
