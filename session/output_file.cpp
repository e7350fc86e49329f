/// \file
/// Output files checked before a run and written after it.
#include "session/output_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace mcusim::session {

OutputFile::~OutputFile() { discard(); }

bool OutputFile::open(const std::string &path, std::string *error) {
  path_ = path;
  std::error_code ec;
  created_ = !std::filesystem::exists(path, ec);
  errno = 0;
  // Append mode: an existing file keeps its content until the run has something to put there.
  file_ = std::fopen(path.c_str(), "ab");
  if (!file_) {
    *error = "cannot write " + path + ": " + std::strerror(errno ? errno : EIO);
    return false;
  }
  return true;
}

bool OutputFile::write(std::string_view text, std::string *error) {
  if (!file_) {
    *error = "cannot write " + path_ + ": not open";
    return false;
  }
  std::fflush(file_);
  // A regular file is emptied first; a pipe or device (/dev/stdout) cannot be and need not be.
  if (ftruncate(fileno(file_), 0) == 0) std::fseek(file_, 0, SEEK_SET);
  errno = 0;
  bool ok = std::fwrite(text.data(), 1, text.size(), file_) == text.size();
  ok = std::fflush(file_) == 0 && ok;
  int saved = errno;
  ok = std::fclose(file_) == 0 && ok;
  file_ = nullptr;
  created_ = false;
  if (!ok) *error = "cannot write " + path_ + ": " + std::strerror(saved ? saved : EIO);
  return ok;
}

std::FILE *OutputFile::stream() {
  if (!file_) return nullptr;
  if (ftruncate(fileno(file_), 0) == 0) std::fseek(file_, 0, SEEK_SET);
  created_ = false; // the run's own output from now on
  return file_;
}

bool OutputFile::close(std::string *error) {
  if (!file_) return true;
  errno = 0;
  bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
  int saved = errno;
  ok = std::fclose(file_) == 0 && ok;
  file_ = nullptr;
  if (!ok) *error = "cannot write " + path_ + ": " + std::strerror(saved ? saved : EIO);
  return ok;
}

void OutputFile::discard() {
  if (!file_) return;
  std::fclose(file_);
  file_ = nullptr;
  if (created_) {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
}

} // namespace mcusim::session
