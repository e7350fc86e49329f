/// \file
/// Semihosting operations (Arm "Semihosting for AArch32 and AArch64", v2.0).
#include "core/semihosting.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

namespace mcusim {
namespace {
enum Op : uint32_t {
  SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05, SYS_READ = 0x06,
  SYS_READC = 0x07, SYS_ISERROR = 0x08, SYS_ISTTY = 0x09, SYS_SEEK = 0x0A, SYS_FLEN = 0x0C, SYS_TMPNAM = 0x0D,
  SYS_REMOVE = 0x0E, SYS_RENAME = 0x0F, SYS_CLOCK = 0x10, SYS_TIME = 0x11, SYS_SYSTEM = 0x12, SYS_ERRNO = 0x13,
  SYS_GET_CMDLINE = 0x15, SYS_HEAPINFO = 0x16, SYS_EXIT = 0x18, SYS_EXIT_EXTENDED = 0x20, SYS_ELAPSED = 0x30,
  SYS_TICKFREQ = 0x31,
};
constexpr uint32_t ADP_Stopped_ApplicationExit = 0x20026;
constexpr uint32_t kFail = 0xFFFFFFFF;
// ":semihosting-features": magic + byte 0 (EXIT_EXTENDED | STDOUT_STDERR).
constexpr char kFeatures[] = {'S', 'H', 'F', 'B', 0x03};
} // namespace

const char *Semihosting::op_name(uint32_t op) {
  switch (op) {
  case SYS_OPEN: return "SYS_OPEN";
  case SYS_CLOSE: return "SYS_CLOSE";
  case SYS_WRITEC: return "SYS_WRITEC";
  case SYS_WRITE0: return "SYS_WRITE0";
  case SYS_WRITE: return "SYS_WRITE";
  case SYS_READ: return "SYS_READ";
  case SYS_READC: return "SYS_READC";
  case SYS_ISERROR: return "SYS_ISERROR";
  case SYS_ISTTY: return "SYS_ISTTY";
  case SYS_SEEK: return "SYS_SEEK";
  case SYS_FLEN: return "SYS_FLEN";
  case SYS_TMPNAM: return "SYS_TMPNAM";
  case SYS_REMOVE: return "SYS_REMOVE";
  case SYS_RENAME: return "SYS_RENAME";
  case SYS_CLOCK: return "SYS_CLOCK";
  case SYS_TIME: return "SYS_TIME";
  case SYS_SYSTEM: return "SYS_SYSTEM";
  case SYS_ERRNO: return "SYS_ERRNO";
  case SYS_GET_CMDLINE: return "SYS_GET_CMDLINE";
  case SYS_HEAPINFO: return "SYS_HEAPINFO";
  case SYS_EXIT: return "SYS_EXIT";
  case SYS_EXIT_EXTENDED: return "SYS_EXIT_EXTENDED";
  case SYS_ELAPSED: return "SYS_ELAPSED";
  case SYS_TICKFREQ: return "SYS_TICKFREQ";
  default: return "unknown";
  }
}

Semihosting::Semihosting(const MemoryMap &mem, Console &console, Config config, std::function<uint64_t()> cycles, double hz)
    : mem_(mem), console_(console), config_(std::move(config)), cycles_(std::move(cycles)), hz_(hz),
      start_(std::chrono::steady_clock::now()) {
  if (!config_.sandbox.empty()) root_ = std::make_unique<SandboxRoot>(config_.sandbox);
}

Semihosting::~Semihosting() {
  for (auto &[fd, h] : handles_)
    if (h.file) std::fclose(h.file);
}

bool Semihosting::arg(uint32_t block, unsigned index, uint32_t &out) const {
  auto v = mem_.read32(block + 4 * index);
  if (!v) return false;
  out = *v;
  return true;
}

std::optional<std::string> Semihosting::guest_string(uint32_t addr, uint32_t len) const {
  const uint8_t *p = mem_.host_ptr(addr, len ? len : 1);
  if (!p) return std::nullopt;
  return std::string(reinterpret_cast<const char *>(p), len);
}

int Semihosting::open(const std::string &name, uint32_t mode) {
  if (name == ":tt") {
    Handle h{mode < 4 ? Handle::Stdin : mode < 8 ? Handle::Stdout : Handle::Stderr};
    int fd = next_handle_++;
    handles_[fd] = h;
    return fd;
  }
  if (name == ":semihosting-features") {
    if (mode >= 4) {
      errno_ = EACCES;
      return -1;
    }
    int fd = next_handle_++;
    handles_[fd] = Handle{Handle::Features};
    return fd;
  }
  // fopen's modes "r", "rb", "r+", "r+b", "w", ... "a+b", as open(2) flags.
  static const char *modes[] = {"r", "rb", "r+", "r+b", "w", "wb", "w+", "w+b", "a", "ab", "a+", "a+b"};
  static const int flags[] = {O_RDONLY, O_RDWR, O_WRONLY | O_CREAT | O_TRUNC, O_RDWR | O_CREAT | O_TRUNC,
                              O_WRONLY | O_CREAT | O_APPEND, O_RDWR | O_CREAT | O_APPEND};
  if (mode > 11) {
    errno_ = EINVAL;
    return -1;
  }
  if (!root_) {
    errno_ = ENOENT;
    return -1;
  }
  int host_fd = root_->open(name, flags[mode / 2]);
  if (host_fd < 0) {
    errno_ = -host_fd;
    return -1;
  }
  FILE *f = ::fdopen(host_fd, modes[mode]);
  if (!f) {
    errno_ = errno;
    ::close(host_fd);
    return -1;
  }
  int fd = next_handle_++;
  handles_[fd] = Handle{Handle::File, f};
  return fd;
}

Semihosting::Outcome Semihosting::fail(int e) {
  errno_ = e;
  Outcome o;
  o.r0 = kFail;
  return o;
}

Semihosting::Outcome Semihosting::sys_open(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0, p1 = 0, p2 = 0;
  if (!arg(a, 0, p0) || !arg(a, 1, p1) || !arg(a, 2, p2)) return fail(EFAULT);
  auto name = guest_string(p0, p2);
  if (!name) return fail(EFAULT);
  o.r0 = uint32_t(open(*name, p1));
  return o;
}

Semihosting::Outcome Semihosting::sys_close(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0;
  if (!arg(a, 0, p0)) return fail(EFAULT);
  auto it = handles_.find(int(p0));
  if (it == handles_.end()) return fail(EBADF);
  if (it->second.file) std::fclose(it->second.file);
  handles_.erase(it);
  o.r0 = 0;
  return o;
}

Semihosting::Outcome Semihosting::sys_write0(uint32_t a) {
  Outcome o;
  std::string s;
  for (uint32_t addr = a;; ++addr) {
    const uint8_t *c = mem_.host_ptr(addr, 1);
    if (!c) return fail(EFAULT);
    if (!*c) break;
    s.push_back(char(*c));
    if (s.size() > (1u << 20)) break;
  }
  console_.out(s);
  return o;
}

Semihosting::Outcome Semihosting::sys_write(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0, p1 = 0, p2 = 0;
  if (!arg(a, 0, p0) || !arg(a, 1, p1) || !arg(a, 2, p2)) return fail(EFAULT);
  auto it = handles_.find(int(p0));
  if (it == handles_.end()) {
    errno_ = EBADF;
    o.r0 = p2;
    return o;
  }
  auto data = guest_string(p1, p2);
  if (!data) {
    errno_ = EFAULT;
    o.r0 = p2;
    return o;
  }
  Handle &h = it->second;
  if (h.kind == Handle::Stdout) console_.out(*data);
  else if (h.kind == Handle::Stderr) console_.err(*data);
  else if (h.kind == Handle::File) {
    size_t n = std::fwrite(data->data(), 1, data->size(), h.file);
    o.r0 = uint32_t(p2 - n); // bytes NOT written
    return o;
  } else {
    errno_ = EBADF;
    o.r0 = p2;
    return o;
  }
  o.r0 = 0;
  return o;
}

Semihosting::Outcome Semihosting::sys_read(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0, p1 = 0, p2 = 0;
  if (!arg(a, 0, p0) || !arg(a, 1, p1) || !arg(a, 2, p2)) return fail(EFAULT);
  auto it = handles_.find(int(p0));
  uint8_t *dst = mem_.host_ptr(p1, p2 ? p2 : 1);
  if (it == handles_.end() || !dst) {
    errno_ = it == handles_.end() ? EBADF : EFAULT;
    o.r0 = p2;
    return o;
  }
  Handle &h = it->second;
  size_t n = 0;
  if (h.kind == Handle::Stdin) n = console_.in(reinterpret_cast<char *>(dst), p2);
  else if (h.kind == Handle::File) n = std::fread(dst, 1, p2, h.file);
  else if (h.kind == Handle::Features) {
    n = std::min<size_t>(p2, sizeof(kFeatures) - std::min(h.pos, sizeof(kFeatures)));
    std::memcpy(dst, kFeatures + h.pos, n);
    h.pos += n;
  }
  o.r0 = uint32_t(p2 - n); // bytes NOT read
  return o;
}

Semihosting::Outcome Semihosting::sys_istty(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0;
  if (!arg(a, 0, p0)) return fail(EFAULT);
  auto it = handles_.find(int(p0));
  if (it == handles_.end()) return fail(EBADF);
  auto k = it->second.kind;
  o.r0 = (k == Handle::Stdin || k == Handle::Stdout || k == Handle::Stderr) ? 1 : 0;
  return o;
}

Semihosting::Outcome Semihosting::sys_seek(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0, p1 = 0;
  if (!arg(a, 0, p0) || !arg(a, 1, p1)) return fail(EFAULT);
  auto it = handles_.find(int(p0));
  if (it == handles_.end()) return fail(EBADF);
  if (it->second.kind == Handle::Features) {
    it->second.pos = p1;
    o.r0 = 0;
    return o;
  }
  if (!it->second.file || std::fseek(it->second.file, long(p1), SEEK_SET) != 0) return fail(EINVAL);
  o.r0 = 0;
  return o;
}

Semihosting::Outcome Semihosting::sys_flen(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0;
  if (!arg(a, 0, p0)) return fail(EFAULT);
  auto it = handles_.find(int(p0));
  if (it == handles_.end()) return fail(EBADF);
  if (it->second.kind == Handle::Features) {
    o.r0 = sizeof(kFeatures);
    return o;
  }
  if (!it->second.file) {
    o.r0 = 0;
    return o;
  }
  long cur = std::ftell(it->second.file);
  std::fseek(it->second.file, 0, SEEK_END);
  long len = std::ftell(it->second.file);
  std::fseek(it->second.file, cur, SEEK_SET);
  o.r0 = uint32_t(len);
  return o;
}

Semihosting::Outcome Semihosting::sys_remove(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0, p1 = 0;
  if (!arg(a, 0, p0) || !arg(a, 1, p1)) return fail(EFAULT);
  auto name = guest_string(p0, p1);
  if (!name || !root_) return fail(EACCES);
  if (int r = root_->remove(*name); r < 0) return fail(-r);
  o.r0 = 0;
  return o;
}

Semihosting::Outcome Semihosting::sys_rename(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0, p1 = 0, p2 = 0, p3 = 0;
  if (!arg(a, 0, p0) || !arg(a, 1, p1) || !arg(a, 2, p2) || !arg(a, 3, p3)) return fail(EFAULT);
  auto from = guest_string(p0, p1), to = guest_string(p2, p3);
  if (!from || !to || !root_) return fail(EACCES);
  if (int r = root_->rename(*from, *to); r < 0) return fail(-r);
  o.r0 = 0;
  return o;
}

Semihosting::Outcome Semihosting::sys_get_cmdline(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0, p1 = 0;
  if (!arg(a, 0, p0) || !arg(a, 1, p1)) return fail(EFAULT);
  const std::string &cmd = config_.cmdline;
  if (cmd.size() + 1 > p1) return fail(E2BIG);
  if (!mem_.write(p0, cmd.c_str(), uint32_t(cmd.size() + 1))) return fail(EFAULT);
  mem_.write32(a + 4, uint32_t(cmd.size()));
  o.r0 = 0;
  return o;
}

Semihosting::Outcome Semihosting::sys_heapinfo(uint32_t a) {
  Outcome o;
  uint32_t p0 = 0;
  if (!arg(a, 0, p0)) return fail(EFAULT);
  const HeapInfo &h = config_.heap;
  uint32_t block[4] = {h.heap_base, h.heap_limit, h.stack_base, h.stack_limit};
  if (!mem_.write(p0, block, sizeof block)) return fail(EFAULT);
  o.r0 = 0;
  return o;
}

Semihosting::Outcome Semihosting::call(uint32_t op, uint32_t a) {
  Outcome o;
  uint32_t p0 = 0, p1 = 0;
  switch (op) {
  case SYS_OPEN: return sys_open(a);
  case SYS_CLOSE: return sys_close(a);
  case SYS_WRITEC: {
    auto c = mem_.host_ptr(a, 1);
    if (!c) return fail(EFAULT);
    console_.out(std::string_view(reinterpret_cast<const char *>(c), 1));
    return o;
  }
  case SYS_WRITE0: return sys_write0(a);
  case SYS_WRITE: return sys_write(a);
  case SYS_READ: return sys_read(a);
  case SYS_READC: {
    char c;
    o.r0 = console_.in(&c, 1) == 1 ? uint8_t(c) : kFail;
    return o;
  }
  case SYS_ISERROR: {
    if (!arg(a, 0, p0)) return fail(EFAULT);
    o.r0 = int32_t(p0) < 0 ? 1 : 0;
    return o;
  }
  case SYS_ISTTY: return sys_istty(a);
  case SYS_SEEK: return sys_seek(a);
  case SYS_FLEN: return sys_flen(a);
  case SYS_REMOVE: return sys_remove(a);
  case SYS_RENAME: return sys_rename(a);
  case SYS_CLOCK: // centiseconds of simulated time
    o.r0 = uint32_t(double(cycles_()) / hz_ * 100.0);
    return o;
  case SYS_TIME: // seconds since the epoch (host wall clock)
    o.r0 = uint32_t(std::time(nullptr));
    return o;
  case SYS_SYSTEM: // running host commands is never allowed
    return fail(EPERM);
  case SYS_ERRNO:
    o.r0 = uint32_t(errno_);
    return o;
  case SYS_GET_CMDLINE: return sys_get_cmdline(a);
  case SYS_HEAPINFO: return sys_heapinfo(a);
  case SYS_EXIT: {
    // AArch32: r1 holds the reason code itself.
    o.exit_reason = a;
    o.exit_code = a == ADP_Stopped_ApplicationExit ? 0 : 1;
    o.exit_abnormal = a != ADP_Stopped_ApplicationExit;
    return o;
  }
  case SYS_EXIT_EXTENDED: {
    if (!arg(a, 0, p0) || !arg(a, 1, p1)) return fail(EFAULT);
    o.exit_reason = p0;
    o.exit_abnormal = p0 != ADP_Stopped_ApplicationExit;
    o.exit_code = o.exit_abnormal ? 1 : int(p1);
    return o;
  }
  case SYS_ELAPSED: {
    uint64_t c = cycles_();
    if (!mem_.write(a, &c, 8)) return fail(EFAULT);
    o.r0 = 0;
    return o;
  }
  case SYS_TICKFREQ:
    o.r0 = uint32_t(hz_);
    return o;
  default:
    return fail(ENOSYS);
  }
}

} // namespace mcusim
