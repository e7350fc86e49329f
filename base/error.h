/// \file
/// Error values for the core API. No C++ exception crosses the core's public
/// boundary: functions that can fail return Expected<T> (tl::expected).
#pragma once

#include <string>
#include <tl/expected.hpp>

namespace mcusim {

/// What went wrong, coarse enough for a front end to pick an exit code.
enum class ErrorKind {
  Usage,          ///< bad command-line or API usage
  FileUnreadable, ///< an input file cannot be opened or read
  BadElf,         ///< not a usable Cortex-M image: ELF, Intel HEX or raw binary (format, machine, layout, fit)
  BadDevice,      ///< unknown device name or malformed device description
  Internal,       ///< a simulator or engine failure that is not the input's fault
};

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string message;
};

template <typename T>
using Expected = tl::expected<T, Error>;

inline tl::unexpected<Error> make_error(ErrorKind kind, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(message)});
}

} // namespace mcusim
