/// \file
/// Where the firmware's console goes: semihosting and ITM write here, and
/// semihosting reads come from here. The CLI writes to stdout; the GUI and
/// tests capture it.
#pragma once

#include <cstddef>
#include <string_view>

namespace mcusim {

class Console {
public:
  virtual ~Console() = default;
  virtual void out(std::string_view text) = 0; ///< firmware stdout
  virtual void err(std::string_view text) = 0; ///< firmware stderr
  /// Read up to n bytes of firmware stdin; 0 at end of input.
  virtual size_t in(char *buf, size_t n) = 0;
  virtual bool out_is_tty() const { return false; }
  virtual bool in_is_tty() const { return false; }
};

} // namespace mcusim
