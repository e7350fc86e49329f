#include "core/sandbox.h"

#include <cerrno>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace mcusim;
namespace fs = std::filesystem;

namespace {
/// A temporary root (the sandbox) and a sibling directory outside it.
struct Dirs {
  fs::path base, root, outside;
  std::unique_ptr<SandboxRoot> sandbox;
  Dirs() {
    static int serial = 0;
    base = fs::temp_directory_path() / ("mcusim-sandbox-" + std::to_string(::getpid()) + "-" + std::to_string(serial++));
    root = base / "root";
    outside = base / "outside";
    fs::create_directories(root);
    fs::create_directories(outside);
    sandbox = std::make_unique<SandboxRoot>(root);
  }
  ~Dirs() {
    sandbox.reset();
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  static void write(const fs::path &p, const std::string &text) { std::ofstream(p) << text; }
  static std::string read(const fs::path &p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  /// Open through the sandbox, write text, close; returns the open's result.
  int write_in(const std::string &guest, const std::string &text, int flags = O_WRONLY | O_CREAT | O_TRUNC) {
    int fd = sandbox->open(guest, flags);
    if (fd >= 0) {
      CHECK(::write(fd, text.data(), text.size()) == ssize_t(text.size()));
      ::close(fd);
    }
    return fd;
  }
  /// Open through the sandbox and read everything; nullopt-like "" plus result in rc.
  std::string read_in(const std::string &guest, int &rc) {
    rc = sandbox->open(guest, O_RDONLY);
    if (rc < 0) return {};
    char buf[256];
    ssize_t n = ::read(rc, buf, sizeof buf);
    ::close(rc);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
  }
};
constexpr int kWriteModes[] = {O_WRONLY | O_CREAT | O_TRUNC, O_RDWR | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_APPEND,
                               O_RDWR | O_CREAT | O_APPEND, O_WRONLY | O_CREAT | O_EXCL, O_RDWR};
} // namespace

TEST_CASE("sandbox: a nested file is written and read back inside the root") {
  Dirs d;
  fs::create_directories(d.root / "a" / "b");
  CHECK(d.write_in("a/b/data.txt", "hello") >= 0);
  CHECK(Dirs::read(d.root / "a" / "b" / "data.txt") == "hello");
  int rc = -1;
  CHECK(d.read_in("a/b/data.txt", rc) == "hello");
  CHECK(rc >= 0);
  CHECK(d.read_in("a//./b/data.txt", rc) == "hello"); // "//" and "." are harmless
  CHECK(d.write_in("a/b/data.txt", "+", O_WRONLY | O_APPEND) >= 0);
  CHECK(Dirs::read(d.root / "a" / "b" / "data.txt") == "hello+");
  CHECK(d.sandbox->open("a/missing/x", O_WRONLY | O_CREAT) == -ENOENT);
  CHECK(d.sandbox->open("nothing.txt", O_RDONLY) == -ENOENT);
  CHECK(d.sandbox->open("a/b", O_RDONLY) == -EISDIR);
}

TEST_CASE("sandbox: a dangling symlink to outside is refused for write and the outside file is not created") {
  Dirs d;
  fs::create_symlink(d.outside / "created.txt", d.root / "dangling");
  for (int flags : kWriteModes) {
    CAPTURE(flags);
    CHECK(d.sandbox->open("dangling", flags) == -EACCES);
    CHECK_FALSE(fs::exists(d.outside / "created.txt"));
  }
  CHECK(d.sandbox->open("dangling", O_RDONLY) == -EACCES);
  // a relative dangling link that climbs out, too
  fs::create_symlink("../outside/rel.txt", d.root / "rel");
  CHECK(d.sandbox->open("rel", O_WRONLY | O_CREAT | O_TRUNC) == -EACCES);
  CHECK_FALSE(fs::exists(d.outside / "rel.txt"));
}

TEST_CASE("sandbox: a symlink to an existing outside file is refused for read and write") {
  Dirs d;
  Dirs::write(d.outside / "secret.txt", "secret");
  fs::create_symlink(d.outside / "secret.txt", d.root / "secret");
  int rc = 0;
  CHECK(d.read_in("secret", rc).empty());
  CHECK(rc == -EACCES);
  for (int flags : kWriteModes) {
    CAPTURE(flags);
    CHECK(d.sandbox->open("secret", flags) == -EACCES);
  }
  CHECK(Dirs::read(d.outside / "secret.txt") == "secret"); // not truncated
}

TEST_CASE("sandbox: a symlinked directory component pointing outside is refused") {
  Dirs d;
  Dirs::write(d.outside / "inner.txt", "outside");
  fs::create_symlink(d.outside, d.root / "out");
  fs::create_directories(d.root / "sub");
  fs::create_symlink(d.outside, d.root / "sub" / "deeper");
  int rc = 0;
  CHECK(d.read_in("out/inner.txt", rc).empty());
  CHECK(rc == -EACCES);
  CHECK(d.sandbox->open("out/new.txt", O_WRONLY | O_CREAT | O_TRUNC) == -EACCES);
  CHECK(d.sandbox->open("sub/deeper/new.txt", O_WRONLY | O_CREAT | O_TRUNC) == -EACCES);
  CHECK_FALSE(fs::exists(d.outside / "new.txt"));
  CHECK(Dirs::read(d.outside / "inner.txt") == "outside");
}

TEST_CASE("sandbox: dot-dot, absolute, empty, NUL and overlong names are refused") {
  Dirs d;
  fs::create_directories(d.root / "sub");
  Dirs::write(d.root / "ok.txt", "ok");
  const std::vector<std::string> names = {"../outside/x", "..", "sub/../../outside/x", "sub/../ok.txt", "/etc/passwd",
                                          "//etc/passwd", "", ".", "./", "sub/..", std::string("ok.txt\0../x", 11)};
  for (const std::string &name : names) {
    CAPTURE(name);
    CHECK(d.sandbox->open(name, O_RDONLY) == -EACCES);
    CHECK(d.sandbox->open(name, O_WRONLY | O_CREAT | O_TRUNC) == -EACCES);
    CHECK(d.sandbox->remove(name) == -EACCES);
  }
  CHECK_FALSE(fs::exists(d.outside / "x"));
  CHECK(d.sandbox->open(std::string(kMaxGuestPath + 1, 'a'), O_RDONLY) == -ENAMETOOLONG);
  CHECK(d.sandbox->open(std::string(300, 'a'), O_RDONLY) == -ENAMETOOLONG); // one component over NAME_MAX
  // a length that counted the terminator still names the file
  int rc = 0;
  CHECK(d.read_in(std::string("ok.txt\0", 7), rc) == "ok");
}

TEST_CASE("sandbox: split_guest_path gives the components and refuses escapes without touching the disk") {
  GuestPath p;
  CHECK(split_guest_path("a//./b/c.txt", p) == 0);
  CHECK(p.parents == std::vector<std::string>{"a", "b"});
  CHECK(p.leaf == "c.txt");
  CHECK(split_guest_path("file", p) == 0);
  CHECK(p.parents.empty());
  CHECK(p.leaf == "file");
  CHECK(split_guest_path("a/../b", p) == EACCES);
  CHECK(p.leaf.empty());
  CHECK(split_guest_path("/a", p) == EACCES);
  CHECK(split_guest_path(std::string_view("a\0b", 3), p) == EACCES);
  CHECK(split_guest_path("", p) == EACCES);
}

TEST_CASE("sandbox: the final component is opened without following a link, even one that stays inside") {
  // No separate check comes before the open, so a link swapped in after any
  // earlier look cannot redirect it: the open itself refuses every link.
  Dirs d;
  Dirs::write(d.root / "real.txt", "inside");
  fs::create_symlink("real.txt", d.root / "alias");
  fs::create_directories(d.root / "dir");
  fs::create_symlink("dir", d.root / "dirlink");
  int rc = 0;
  CHECK(d.read_in("alias", rc).empty());
  CHECK(rc == -EACCES);
  CHECK(d.sandbox->open("alias", O_WRONLY | O_TRUNC) == -EACCES);
  CHECK(d.sandbox->open("dirlink/new.txt", O_WRONLY | O_CREAT) == -EACCES);
  CHECK(Dirs::read(d.root / "real.txt") == "inside");
  // The same call on a plain file succeeds: the refusal is the link's.
  CHECK(d.read_in("real.txt", rc) == "inside");
  // Swap a file for a link between two opens: the second open refuses it.
  Dirs::write(d.root / "swap.txt", "one");
  CHECK(d.read_in("swap.txt", rc) == "one");
  fs::remove(d.root / "swap.txt");
  fs::create_symlink(d.outside / "swapped.txt", d.root / "swap.txt");
  CHECK(d.sandbox->open("swap.txt", O_WRONLY | O_CREAT | O_TRUNC) == -EACCES);
  CHECK_FALSE(fs::exists(d.outside / "swapped.txt"));
}

TEST_CASE("sandbox: rename inside works, rename into or out of the root through links is refused") {
  Dirs d;
  fs::create_directories(d.root / "sub");
  Dirs::write(d.root / "a.txt", "A");
  CHECK(d.sandbox->rename("a.txt", "sub/b.txt") == 0);
  CHECK(Dirs::read(d.root / "sub" / "b.txt") == "A");
  CHECK_FALSE(fs::exists(d.root / "a.txt"));

  // out of the root through a symlinked directory
  fs::create_symlink(d.outside, d.root / "out");
  CHECK(d.sandbox->rename("sub/b.txt", "out/stolen.txt") == -EACCES);
  CHECK_FALSE(fs::exists(d.outside / "stolen.txt"));
  CHECK(fs::exists(d.root / "sub" / "b.txt"));
  // into the root from outside through the same link
  Dirs::write(d.outside / "theirs.txt", "T");
  CHECK(d.sandbox->rename("out/theirs.txt", "mine.txt") == -EACCES);
  CHECK(fs::exists(d.outside / "theirs.txt"));
  CHECK_FALSE(fs::exists(d.root / "mine.txt"));
  // a link leaf (to an outside file) is neither source nor target
  fs::create_symlink(d.outside / "theirs.txt", d.root / "leaf");
  CHECK(d.sandbox->rename("leaf", "moved") == -EACCES);
  CHECK(d.sandbox->rename("sub/b.txt", "leaf") == -EACCES);
  CHECK(Dirs::read(d.outside / "theirs.txt") == "T");
  CHECK(fs::is_symlink(d.root / "leaf"));
  // the usual escapes
  CHECK(d.sandbox->rename("sub/b.txt", "../outside/x") == -EACCES);
  CHECK(d.sandbox->rename("/etc/hostname", "h") == -EACCES);
  CHECK_FALSE(fs::exists(d.outside / "x"));
}

TEST_CASE("sandbox: remove inside works, remove through an outside link is refused and the target survives") {
  Dirs d;
  fs::create_directories(d.root / "sub" / "empty");
  Dirs::write(d.root / "sub" / "gone.txt", "x");
  CHECK(d.sandbox->remove("sub/gone.txt") == 0);
  CHECK_FALSE(fs::exists(d.root / "sub" / "gone.txt"));
  CHECK(d.sandbox->remove("sub/gone.txt") == -ENOENT);
  CHECK(d.sandbox->remove("sub/empty") == 0); // an empty directory, as remove(3)
  CHECK_FALSE(fs::exists(d.root / "sub" / "empty"));

  Dirs::write(d.outside / "keep.txt", "keep");
  fs::create_symlink(d.outside, d.root / "out");
  fs::create_symlink(d.outside / "keep.txt", d.root / "keeplink");
  CHECK(d.sandbox->remove("out/keep.txt") == -EACCES);
  CHECK(d.sandbox->remove("keeplink") == -EACCES);
  CHECK(Dirs::read(d.outside / "keep.txt") == "keep");
  CHECK(fs::is_symlink(d.root / "keeplink"));
}

TEST_CASE("sandbox: a root that cannot be opened refuses every name with its errno") {
  SandboxRoot r(fs::temp_directory_path() / "mcusim-sandbox-does-not-exist");
  CHECK(r.fd() == -1);
  CHECK(r.error() == ENOENT);
  CHECK(r.open("x", O_RDONLY) == -ENOENT);
  CHECK(r.remove("x") == -ENOENT);
  CHECK(r.rename("x", "y") == -ENOENT);
  CHECK(open_in_sandbox(-1, "x", O_RDONLY) == -EBADF);
}

TEST_CASE("sandbox: a FIFO is refused without blocking the open") {
  Dirs d;
  REQUIRE(::mkfifo((d.root / "pipe").c_str(), 0600) == 0);
  CHECK(d.sandbox->open("pipe", O_RDONLY) == -EACCES);
}

TEST_CASE("sandbox: no combination of links, dot-dot, slashes and NULs creates or removes anything outside") {
  Dirs d;
  fs::create_directories(d.root / "a");
  Dirs::write(d.outside / "victim", "v");
  fs::create_symlink(d.outside, d.root / "out");
  fs::create_symlink(d.outside / "victim", d.root / "a" / "v");
  fs::create_symlink(d.outside / "new", d.root / "dang");
  const std::vector<std::string> parts = {"a", "..", "out", "", ".", "dang", "v", "victim", std::string(1, '\0')};
  size_t tried = 0;
  for (const auto &p1 : parts)
    for (const auto &p2 : parts)
      for (const auto &p3 : parts) {
        std::string name = p1 + "/" + p2 + "/" + p3;
        for (const std::string &guest : {name, name.substr(1), p2 + "/" + p3}) {
          int fd = d.sandbox->open(guest, O_WRONLY | O_CREAT | O_TRUNC);
          if (fd >= 0) ::close(fd);
          d.sandbox->remove(guest);
          d.sandbox->rename(guest, "a/renamed");
          d.sandbox->rename("a/renamed", guest);
          ++tried;
        }
      }
  CHECK(tried == parts.size() * parts.size() * parts.size() * 3);
  std::vector<std::string> left;
  for (const auto &e : fs::directory_iterator(d.outside)) left.push_back(e.path().filename().string());
  CHECK(left == std::vector<std::string>{"victim"});
  CHECK(Dirs::read(d.outside / "victim") == "v");
}
