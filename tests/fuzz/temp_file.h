/// \file
/// A per-process scratch file for fuzz targets whose code under test reads a
/// path, not bytes: each input is written to it before the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

namespace mcusim::fuzz {

class TempFile {
public:
  explicit TempFile(const std::string &stem, const std::string &extension)
      : path_(std::filesystem::temp_directory_path() /
              ("mcusim-fuzz-" + stem + "-" + std::to_string(::getpid()) + extension)) {}
  ~TempFile() { remove(); }
  TempFile(const TempFile &) = delete;
  TempFile &operator=(const TempFile &) = delete;

  /// Replaces the file's contents with [data, data + size).
  void write(const uint8_t *data, size_t size) const {
    FILE *f = std::fopen(path_.c_str(), "wb");
    if (!f) std::abort();
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
  }
  /// Removes the file and the side files SQLite may leave next to it.
  void remove() const {
    std::error_code ec;
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
      std::filesystem::remove(path_.string() + suffix, ec);
  }
  const std::filesystem::path &path() const { return path_; }

private:
  std::filesystem::path path_;
};

} // namespace mcusim::fuzz
