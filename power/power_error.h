/// \file
/// Errors of the battery-life library: one line each, starting with the file
/// name (and line, when known), never an exception across the public API.
#pragma once

#include <string>
#include <tl/expected.hpp>

namespace mcusim::power {

struct PowerError {
  enum class Kind {
    Unreadable, ///< the file cannot be opened or read
    Malformed,  ///< bad text, syntax error, unknown key, wrong type, out-of-range value, unknown preset
    // Energy of a run (power/energy.h)
    NoFigures,    ///< the device has no [power] section
    UnknownMode,  ///< a run mode the device's figures do not name
    UnknownState, ///< a low-power state the device's figures do not name (or no sleep state)
    NoRunCurrent, ///< no run current row covers the clock in the mode
  };
  Kind kind = Kind::Malformed;
  std::string message; ///< one line
};

template <typename T> using PowerExpected = tl::expected<T, PowerError>;

inline tl::unexpected<PowerError> power_error(PowerError::Kind kind, std::string message) {
  return tl::unexpected<PowerError>(PowerError{kind, std::move(message)});
}

} // namespace mcusim::power
