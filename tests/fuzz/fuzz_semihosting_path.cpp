// Fuzzes the semihosting sandbox (core/sandbox.cpp) with arbitrary guest path
// bytes: split_guest_path, open_in_sandbox (any access mode with O_CREAT,
// O_TRUNC, O_APPEND, O_EXCL), remove_in_sandbox and rename_in_sandbox, and
// SYS_OPEN / SYS_READ / SYS_CLOSE through the public Semihosting API. The
// sandbox is a scratch directory holding files, a sub-directory and symbolic
// links that lead out of it (to the parent, to a file outside, to a sibling
// directory, relative and absolute, one dangling to a name outside). Aborts
// when anything outside the sandbox is created, removed, renamed, changed or
// opened, or when a split path holds an empty, ".", ".." or NUL component.
//
// Input: byte 0 picks the operation (low two bits: open, remove, rename,
// SYS_OPEN) and its flags (the other six bits: for open the access mode and
// O_CREAT/O_TRUNC/O_APPEND/O_EXCL, for SYS_OPEN the mode 0-11). The rest is the
// guest name, with its length (embedded NULs reach the resolver); for rename,
// byte 1 is the length of the first name and the remainder the second.
#include "core/sandbox.h"
#include "core/semihosting.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

using namespace mcusim;
namespace fs = std::filesystem;

namespace {

constexpr uint32_t kSramBase = 0x20000000;
constexpr uint32_t kSramSize = 0x10000;
constexpr uint32_t kBlock = kSramBase;           ///< SYS_OPEN / SYS_READ / SYS_CLOSE parameter block
constexpr uint32_t kBuffer = kSramBase + 0x100;  ///< SYS_READ destination
constexpr uint32_t kName = kSramBase + 0x1000;   ///< the file name
constexpr uint32_t kMaxName = kSramSize - 0x1000 - 1;
const std::string kSecret = "outside-the-sandbox";

class NullConsole : public Console {
public:
  void out(std::string_view) override {}
  void err(std::string_view) override {}
  size_t in(char *, size_t) override { return 0; }
};

/// What is outside the sandbox: each entry under the scratch root but not in
/// the sandbox, by path, with its identity, size and modification time.
using Entry = std::tuple<dev_t, ino_t, off_t, long, long, mode_t>;
using Outside = std::map<std::string, Entry>;

[[noreturn]] void escape(const char *what, const std::string &detail) {
  std::fprintf(stderr, "sandbox escape: %s: %s\n", what, detail.c_str());
  std::abort();
}

struct World {
  fs::path root, sandbox;
  Outside outside;
  Device device;
  MemoryMap mem;
  NullConsole console;
  std::unique_ptr<Semihosting> sh;
  std::unique_ptr<SandboxRoot> box;

  World() {
    root = fs::temp_directory_path() / ("mcusim-fuzz-sandbox-" + std::to_string(::getpid()));
    sandbox = root / "box";
    fs::remove_all(root);
    fs::create_directories(sandbox);
    std::ofstream(root / "secret.txt") << kSecret;
    fs::create_directories(root / "box-sibling");
    std::ofstream(root / "box-sibling" / "secret.txt") << kSecret;
    fill_sandbox();
    outside = snapshot();

    device.name = "fuzz";
    MemoryRegionDesc sram;
    sram.name = "SRAM";
    sram.kind = RegionKind::Sram;
    sram.base = kSramBase;
    sram.size = kSramSize;
    device.memory.push_back(sram);
    auto m = MemoryMap::create(device);
    if (!m) std::abort();
    mem = std::move(*m);
    Semihosting::Config config{sandbox, "fuzz", HeapInfo{}};
    sh = std::make_unique<Semihosting>(mem, console, config, [] { return uint64_t(0); }, 1e6);
    box = std::make_unique<SandboxRoot>(sandbox);
    if (box->fd() < 0) std::abort();
  }
  ~World() {
    sh.reset();
    box.reset();
    std::error_code ec;
    fs::remove_all(root, ec);
  }

  /// The sandbox's contents, made afresh (the directory itself stays: both
  /// resolvers hold a descriptor of it).
  void fill_sandbox() {
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(sandbox, ec)) fs::remove_all(e.path(), ec);
    fs::create_directories(sandbox / "sub");
    std::ofstream(sandbox / "inside.txt") << "inside";
    std::ofstream(sandbox / "sub" / "nested.txt") << "nested";
    fs::create_symlink(root, sandbox / "escape");
    fs::create_symlink(root / "secret.txt", sandbox / "link.txt");
    fs::create_symlink("../box-sibling", sandbox / "sibling");
    fs::create_symlink("../../secret.txt", sandbox / "sub" / "up.txt");
    fs::create_symlink(root / "created-outside", sandbox / "dangling");
  }

  Outside snapshot() const {
    Outside out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (ec) break;
      if (it->path() == sandbox) {
        it.disable_recursion_pending();
        continue;
      }
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0) continue;
      out[it->path().string()] = Entry{st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_mode};
    }
    struct stat st {};
    if (::lstat(root.c_str(), &st) == 0) out[root.string()] = Entry{st.st_dev, st.st_ino, 0, 0, 0, st.st_mode};
    if (::lstat(sandbox.c_str(), &st) == 0) out[sandbox.string()] = Entry{st.st_dev, st.st_ino, 0, 0, 0, st.st_mode};
    return out;
  }

  void check_outside(const std::string &input) {
    Outside now = snapshot();
    for (const auto &[path, e] : outside) {
      auto it = now.find(path);
      if (it == now.end()) escape("removed or renamed outside the sandbox", path + " (input: " + input + ")");
      if (path != root.string() && path != sandbox.string() && it->second != e)
        escape("changed outside the sandbox", path + " (input: " + input + ")");
    }
    for (const auto &[path, e] : now)
      if (!outside.count(path)) escape("created outside the sandbox", path + " (input: " + input + ")");
  }

  /// A descriptor the resolver returned must not be of anything outside.
  void check_fd(int fd, const std::string &input) const {
    struct stat st {};
    if (::fstat(fd, &st) != 0) std::abort();
    for (const auto &[path, e] : outside)
      if (std::get<0>(e) == st.st_dev && std::get<1>(e) == st.st_ino)
        escape("opened outside the sandbox", path + " (input: " + input + ")");
  }

  uint32_t call(uint32_t op, std::initializer_list<uint32_t> words) {
    uint32_t a = kBlock;
    for (uint32_t w : words) mem.write32(a, w), a += 4;
    return sh->call(op, kBlock).r0;
  }

  void sys_open(uint32_t mode, std::string_view name) {
    const uint32_t len = uint32_t(name.size());
    mem.write(kName, name.data(), len);
    const uint8_t nul = 0;
    mem.write(kName + len, &nul, 1);
    const uint32_t fd = call(0x01, {kName, mode, len}); // SYS_OPEN
    if (fd == 0xFFFFFFFFu) return;
    // SYS_READ answers the number of bytes NOT read.
    const uint32_t want = uint32_t(kSecret.size());
    const uint32_t left = call(0x06, {fd, kBuffer, want});
    if (left <= want) {
      std::string got(want - left, '\0');
      mem.read(kBuffer, got.data(), uint32_t(got.size()));
      if (got == kSecret) escape("SYS_OPEN read a file outside the sandbox", printable_name(name));
    }
    call(0x02, {fd}); // SYS_CLOSE
  }

  static std::string printable_name(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
      if (c >= 0x20 && c < 0x7F) out += char(c);
      else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02X", c);
        out += buf;
      }
    }
    return out;
  }
};

/// A split path holds only real names.
void check_split(std::string_view guest) {
  GuestPath p;
  if (split_guest_path(guest, p) != 0) return;
  auto bad = [](const std::string &c) {
    return c.empty() || c == "." || c == ".." || c.find('/') != std::string::npos || c.find('\0') != std::string::npos;
  };
  if (bad(p.leaf) || std::any_of(p.parents.begin(), p.parents.end(), bad)) {
    std::fprintf(stderr, "split_guest_path accepted '%s' with a component that is not a plain name\n",
                 World::printable_name(guest).c_str());
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static World world;
  if (size < 1 || size - 1 > kMaxName) return 0;
  const unsigned op = data[0] & 3u, arg = data[0] >> 2;
  const std::string_view name(reinterpret_cast<const char *>(data + 1), size - 1);
  const std::string shown = World::printable_name(std::string_view(reinterpret_cast<const char *>(data), size));
  check_split(name);
  switch (op) {
  case 0: { // open_in_sandbox
    static constexpr int kAccess[] = {O_RDONLY, O_WRONLY, O_RDWR, O_RDONLY};
    int flags = kAccess[arg & 3u];
    if (arg & 0x04u) flags |= O_CREAT;
    if (arg & 0x08u) flags |= O_TRUNC;
    if (arg & 0x10u) flags |= O_APPEND;
    if (arg & 0x20u) flags |= O_EXCL;
    const int fd = world.box->open(name, flags, 0644);
    if (fd >= 0) {
      world.check_fd(fd, shown);
      ::close(fd);
    }
    break;
  }
  case 1: (void)world.box->remove(name); break;
  case 2: { // rename: byte 1 is the length of the first name
    if (name.empty()) break;
    const size_t first = std::min<size_t>(static_cast<unsigned char>(name[0]), name.size() - 1);
    const std::string_view from = name.substr(1, first), to = name.substr(1 + first);
    check_split(to);
    (void)world.box->rename(from, to);
    break;
  }
  default: world.sys_open(arg % 12u, name); break;
  }
  world.check_outside(shown);
  world.fill_sandbox();
  return 0;
}
