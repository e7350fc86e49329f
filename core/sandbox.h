/// \file
/// A host directory that guest-supplied paths are resolved inside, and never out of.
///
/// Every component is opened relative to the directory before it (openat with
/// O_NOFOLLOW), starting from a descriptor of the root opened once, so no symbolic
/// link is ever followed, whether it leads out of the root or stays inside, exists
/// or dangles, and a link swapped in between two calls cannot redirect one.
/// Refused: empty names, absolute names, any ".." component, embedded NUL bytes,
/// names longer than kMaxGuestPath, a name that is the root itself, and any
/// component that is a symbolic link. Refusals report EACCES; other failures report
/// the host's errno (ENOENT, ENOTDIR, EISDIR, ...).
///
/// The free functions take the root descriptor and raw guest bytes and touch
/// nothing outside the root, so a fuzzer can call them with arbitrary input.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace mcusim {

/// Longest guest path accepted (bytes, after trailing NULs are dropped).
constexpr size_t kMaxGuestPath = 4096;

/// The components of a guest path: "a//./b/" gives {"a", "b"}. Trailing NUL bytes
/// are dropped (a length that counted the terminator); returns the errno of the
/// refusal (EACCES, or ENAMETOOLONG) when the path may not be used. Pure.
struct GuestPath {
  std::vector<std::string> parents; ///< directories to walk, in order
  std::string leaf;                 ///< the last component
};
int split_guest_path(std::string_view guest, GuestPath &out);

/// Open a regular file inside root_fd. flags: O_RDONLY/O_WRONLY/O_RDWR with
/// O_CREAT, O_TRUNC, O_APPEND, O_EXCL as for open(2); O_NOFOLLOW and O_CLOEXEC are
/// always added. Returns the new descriptor, or -errno (a directory gives -EISDIR,
/// any other non-regular file -EACCES).
int open_in_sandbox(int root_fd, std::string_view guest, int flags, mode_t mode = 0666);
/// Remove a file (or an empty directory) inside root_fd. 0, or -errno.
int remove_in_sandbox(int root_fd, std::string_view guest);
/// Rename inside root_fd; both names are resolved in the sandbox. 0, or -errno.
int rename_in_sandbox(int root_fd, std::string_view from, std::string_view to);

/// Owns the root directory descriptor.
class SandboxRoot {
public:
  /// Opens dir once; on failure fd() is -1 and error() holds the errno.
  explicit SandboxRoot(const std::filesystem::path &dir);
  ~SandboxRoot();
  SandboxRoot(const SandboxRoot &) = delete;
  SandboxRoot &operator=(const SandboxRoot &) = delete;

  int fd() const { return fd_; }
  int error() const { return error_; }
  int open(std::string_view guest, int flags, mode_t mode = 0666) const {
    return fd_ < 0 ? -error_ : open_in_sandbox(fd_, guest, flags, mode);
  }
  int remove(std::string_view guest) const { return fd_ < 0 ? -error_ : remove_in_sandbox(fd_, guest); }
  int rename(std::string_view from, std::string_view to) const {
    return fd_ < 0 ? -error_ : rename_in_sandbox(fd_, from, to);
  }

private:
  int fd_ = -1;
  int error_ = 0;
};

} // namespace mcusim
