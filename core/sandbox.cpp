/// \file
/// Guest paths resolved one component at a time below a root descriptor.
#include "core/sandbox.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mcusim {

namespace {

/// Closes a descriptor it owns (not the root, which the caller owns).
class Fd {
public:
  Fd(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~Fd() { reset(); }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  int get() const { return fd_; }
  void replace(int fd) {
    reset();
    fd_ = fd;
    owned_ = true;
  }
  int release() {
    owned_ = false;
    return fd_;
  }

private:
  void reset() {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  int fd_;
  bool owned_;
};

bool is_symlink_at(int dir_fd, const std::string &name) {
  struct stat st;
  return ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/// The errno to report for a failed openat of `name` in dir_fd: a symbolic link
/// met with O_NOFOLLOW (ELOOP; ENOTDIR under O_DIRECTORY; EEXIST under
/// O_CREAT|O_EXCL) is a refusal.
int refusal_or(int dir_fd, const std::string &name, int err) {
  if (err == ELOOP) return EACCES;
  if ((err == ENOTDIR || err == EEXIST) && is_symlink_at(dir_fd, name)) return EACCES;
  return err;
}

/// Walk path.parents below root_fd; on success `dir` holds the leaf's parent
/// (the root itself when there are no parents). Returns 0 or an errno.
int walk_parents(const GuestPath &path, Fd &dir) {
  for (const std::string &part : path.parents) {
    int next = ::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) return refusal_or(dir.get(), part, errno);
    dir.replace(next);
  }
  return 0;
}

/// Split and walk: the leaf's parent in `dir`, the path in `path`. 0 or errno.
int resolve_parent(int root_fd, std::string_view guest, GuestPath &path, Fd &dir) {
  if (root_fd < 0) return EBADF;
  if (int err = split_guest_path(guest, path)) return err;
  return walk_parents(path, dir);
}

} // namespace

int split_guest_path(std::string_view guest, GuestPath &out) {
  out = GuestPath{};
  while (!guest.empty() && guest.back() == '\0') guest.remove_suffix(1);
  if (guest.empty() || guest.front() == '/') return EACCES;
  if (guest.size() > kMaxGuestPath) return ENAMETOOLONG;
  if (guest.find('\0') != std::string_view::npos) return EACCES;
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= guest.size()) {
    size_t end = guest.find('/', start);
    if (end == std::string_view::npos) end = guest.size();
    std::string_view part = guest.substr(start, end - start);
    if (part == "..") return EACCES;
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = end + 1;
  }
  if (parts.empty()) return EACCES; // the root itself is not a file
  out.leaf = std::move(parts.back());
  parts.pop_back();
  out.parents = std::move(parts);
  return 0;
}

int open_in_sandbox(int root_fd, std::string_view guest, int flags, mode_t mode) {
  GuestPath path;
  Fd dir(root_fd, false);
  if (int err = resolve_parent(root_fd, guest, path, dir)) return -err;
  // O_NONBLOCK: a FIFO in the sandbox must not hang the open; cleared below.
  int fd = ::openat(dir.get(), path.leaf.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
  if (fd < 0) return -refusal_or(dir.get(), path.leaf, errno);
  Fd file(fd, true);
  struct stat st;
  if (::fstat(fd, &st) != 0) return -errno;
  if (S_ISDIR(st.st_mode)) return -EISDIR;
  if (!S_ISREG(st.st_mode)) return -EACCES;
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) return -errno;
  return file.release();
}

int remove_in_sandbox(int root_fd, std::string_view guest) {
  GuestPath path;
  Fd dir(root_fd, false);
  if (int err = resolve_parent(root_fd, guest, path, dir)) return -err;
  // unlinkat never follows the leaf; a link is still refused, as for open.
  if (is_symlink_at(dir.get(), path.leaf)) return -EACCES;
  if (::unlinkat(dir.get(), path.leaf.c_str(), 0) == 0) return 0;
  if (errno != EISDIR) return -errno;
  return ::unlinkat(dir.get(), path.leaf.c_str(), AT_REMOVEDIR) == 0 ? 0 : -errno;
}

int rename_in_sandbox(int root_fd, std::string_view from, std::string_view to) {
  GuestPath src, dst;
  Fd src_dir(root_fd, false), dst_dir(root_fd, false);
  if (int err = resolve_parent(root_fd, from, src, src_dir)) return -err;
  if (int err = resolve_parent(root_fd, to, dst, dst_dir)) return -err;
  // renameat never follows either leaf; links are still refused, as for open.
  if (is_symlink_at(src_dir.get(), src.leaf) || is_symlink_at(dst_dir.get(), dst.leaf)) return -EACCES;
  if (::renameat(src_dir.get(), src.leaf.c_str(), dst_dir.get(), dst.leaf.c_str()) != 0) return -errno;
  return 0;
}

SandboxRoot::SandboxRoot(const std::filesystem::path &dir) {
  fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) error_ = errno;
}

SandboxRoot::~SandboxRoot() {
  if (fd_ >= 0) ::close(fd_);
}

} // namespace mcusim
