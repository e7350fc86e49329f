/// \file
/// Reading an image file's bytes (see file_bytes.h).
#include "image/file_bytes.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace mcusim {

Expected<std::vector<uint8_t>> read_file_bytes(const std::filesystem::path &path) {
  namespace fs = std::filesystem;
  const std::string name = path.string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return make_error(ErrorKind::FileUnreadable, name + ": no such file");
  if (fs::is_directory(path, ec)) return make_error(ErrorKind::FileUnreadable, name + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::FileUnreadable, name + ": cannot open (" + std::strerror(errno) + ")");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorKind::FileUnreadable, name + ": read error");
  return bytes;
}

} // namespace mcusim
