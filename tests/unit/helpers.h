/// \file
/// Shared helpers for the unit tests.
#pragma once

#include "core/console.h"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

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

/// A fresh directory under the system temp directory, removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string &tag = "unit") {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("mcusim-test-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path operator/(const std::string &name) const { return path / name; }
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
