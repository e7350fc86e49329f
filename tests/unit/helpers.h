/// \file
/// Shared helpers for the unit tests.
#pragma once

#include "core/console.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

namespace mcusim::test {

/// Captures firmware output; serves stdin from a string.
class CaptureConsole final : public Console {
public:
  std::string out_text, err_text, input;
  size_t input_pos = 0;
  void out(std::string_view t) override { out_text.append(t); }
  void err(std::string_view t) override { err_text.append(t); }
  size_t in(char *buf, size_t n) override {
    size_t k = std::min(n, input.size() - input_pos);
    input.copy(buf, k, input_pos);
    input_pos += k;
    return k;
  }
};

inline std::filesystem::path firmware(const std::string &name) {
  return std::filesystem::path(MCUSIM_TEST_FIRMWARE_DIR) / (name + ".elf");
}
/// Whether a firmware image is there. When the build makes the firmware
/// (MCUSIM_BUILD_FIRMWARE), a missing image fails the test instead of skipping it.
inline bool have_firmware(const std::string &name) {
  bool ok = std::filesystem::exists(firmware(name));
#if MCUSIM_TEST_REQUIRE_FIRMWARE
  if (!ok) FAIL_CHECK("firmware image missing: " << firmware(name).string());
#endif
  return ok;
}
inline std::filesystem::path source_dir() { return MCUSIM_TEST_SOURCE_DIR; }

} // namespace mcusim::test
