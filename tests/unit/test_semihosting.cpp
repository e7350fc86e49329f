#include "core/semihosting.h"

#include <cerrno>
#include <doctest/doctest.h>
#include <fstream>

#include "helpers.h"

using namespace mcusim;
namespace fs = std::filesystem;

namespace {
struct Fixture {
  Device dev = *find_device("generic-m4f");
  MemoryMap mem = std::move(*MemoryMap::create(dev));
  test::CaptureConsole console;
  uint64_t cycles = 0;
  fs::path sandbox;
  std::unique_ptr<Semihosting> sh;
  uint32_t scratch = 0x20000100;
  Fixture() {
    sandbox = fs::temp_directory_path() / ("mcusim-sh-" + std::to_string(::getpid()));
    fs::create_directories(sandbox);
    Semihosting::Config c{sandbox, "fw.elf 7 x", HeapInfo{0x20001000, 0x20008000, 0x20010000, 0x20008000}};
    sh = std::make_unique<Semihosting>(mem, console, c, [this] { return cycles; }, 1e6);
  }
  ~Fixture() { fs::remove_all(sandbox); }
  uint32_t str(const std::string &s) {
    uint32_t a = scratch;
    mem.write(a, s.c_str(), uint32_t(s.size() + 1));
    scratch += uint32_t(s.size() + 8) & ~3u;
    return a;
  }
  uint32_t block(std::initializer_list<uint32_t> words) {
    uint32_t a = scratch;
    for (uint32_t w : words) mem.write32(scratch, w), scratch += 4;
    return a;
  }
  int open(const std::string &name, uint32_t mode) {
    return int(sh->call(0x01, block({str(name), mode, uint32_t(name.size())})).r0);
  }
};
} // namespace

TEST_CASE("console output: SYS_WRITE0, SYS_WRITEC, SYS_WRITE to :tt") {
  Fixture f;
  f.sh->call(0x04, f.str("hello "));
  uint32_t c = f.str("!");
  f.sh->call(0x03, c);
  int out = f.open(":tt", 4), err = f.open(":tt", 8);
  CHECK(out > 0);
  uint32_t data = f.str("abc");
  CHECK(f.sh->call(0x05, f.block({uint32_t(out), data, 3})).r0 == 0);
  CHECK(f.sh->call(0x05, f.block({uint32_t(err), data, 2})).r0 == 0);
  CHECK(f.console.out_text == "hello !abc");
  CHECK(f.console.err_text == "ab");
  CHECK(f.sh->call(0x09, f.block({uint32_t(out)})).r0 == 1); // ISTTY
}

TEST_CASE("stdin through SYS_READ and SYS_READC") {
  Fixture f;
  f.console.input = "xyz";
  int in = f.open(":tt", 0);
  uint32_t buf = f.scratch;
  f.scratch += 16;
  CHECK(f.sh->call(0x06, f.block({uint32_t(in), buf, 8})).r0 == 5); // 5 of 8 NOT read
  char got[3];
  f.mem.read(buf, got, 2);
  CHECK(std::string(got, 2) == "xy");
  // read 2, then one char with READC, then end of input
  f.console.input = "pq";
  f.console.input_pos = 0;
  CHECK(f.sh->call(0x07, 0).r0 == 'p');
}

TEST_CASE("host files only inside the sandbox") {
  Fixture f;
  int fd = f.open("data.bin", 4); // "w"
  REQUIRE(fd > 0);
  uint32_t data = f.str("12345");
  CHECK(f.sh->call(0x05, f.block({uint32_t(fd), data, 5})).r0 == 0);
  CHECK(f.sh->call(0x02, f.block({uint32_t(fd)})).r0 == 0);
  std::ifstream in(f.sandbox / "data.bin");
  std::string content;
  in >> content;
  CHECK(content == "12345");
  fd = f.open("data.bin", 0);
  REQUIRE(fd > 0);
  CHECK(f.sh->call(0x0C, f.block({uint32_t(fd)})).r0 == 5); // FLEN
  for (const char *escape : {"../escape.txt", "/etc/passwd", "sub/../../x"}) {
    CAPTURE(escape);
    CHECK(f.open(escape, 0) == -1);
  }
  fs::create_symlink("/etc", f.sandbox / "link");
  CHECK(f.open("link/hostname", 0) == -1);
  CHECK(f.sh->call(0x13, 0).r0 != 0); // SYS_ERRNO set
  CHECK(f.sh->call(0x12, f.block({f.str("rm -rf /"), 8})).r0 == 0xFFFFFFFF); // SYS_SYSTEM refused
}

TEST_CASE("features file, command line, heap info, clocks and exit") {
  Fixture f;
  int fd = f.open(":semihosting-features", 0);
  REQUIRE(fd > 0);
  CHECK(f.sh->call(0x0C, f.block({uint32_t(fd)})).r0 == 5);
  uint32_t buf = f.scratch;
  f.scratch += 8;
  CHECK(f.sh->call(0x06, f.block({uint32_t(fd), buf, 5})).r0 == 0);
  uint8_t feat[5];
  f.mem.read(buf, feat, 5);
  CHECK(feat[0] == 'S');
  CHECK((feat[4] & 1) == 1); // SYS_EXIT_EXTENDED supported

  uint32_t cmd = f.scratch;
  f.scratch += 64;
  uint32_t blk = f.block({cmd, 64});
  CHECK(f.sh->call(0x15, blk).r0 == 0);
  char text[16] = {};
  f.mem.read(cmd, text, 10);
  CHECK(std::string(text) == "fw.elf 7 x");
  CHECK(*f.mem.read32(blk + 4) == 10);

  uint32_t info = f.scratch;
  f.scratch += 16;
  CHECK(f.sh->call(0x16, f.block({info})).r0 == 0);
  CHECK(*f.mem.read32(info) == 0x20001000);
  CHECK(*f.mem.read32(info + 8) == 0x20010000);

  f.cycles = 2'500'000; // 2.5 s at 1 MHz
  CHECK(f.sh->call(0x10, 0).r0 == 250);
  CHECK(f.sh->call(0x31, 0).r0 == 1'000'000);
  uint32_t el = f.scratch;
  f.scratch += 8;
  f.sh->call(0x30, el);
  CHECK(*f.mem.read32(el) == 2'500'000);

  auto ext = f.sh->call(0x20, f.block({0x20026, 7}));
  REQUIRE(ext.exit_code);
  CHECK(*ext.exit_code == 7);
  auto plain = f.sh->call(0x18, 0x20026);
  CHECK(*plain.exit_code == 0);
  auto abnormal = f.sh->call(0x18, 0x20023);
  CHECK(*abnormal.exit_code == 1);
  CHECK(abnormal.exit_abnormal);
}

namespace {
/// The fixture's sandbox plus a directory beside it that the firmware must not reach.
struct OutsideFixture : Fixture {
  fs::path outside;
  OutsideFixture() {
    outside = sandbox.parent_path() / ("mcusim-sh-outside-" + std::to_string(::getpid()));
    fs::create_directories(outside);
  }
  ~OutsideFixture() { fs::remove_all(outside); }
  uint32_t err() { return sh->call(0x13, 0).r0; } // SYS_ERRNO
  uint32_t remove(const std::string &name) { return sh->call(0x0E, block({str(name), uint32_t(name.size())})).r0; }
  uint32_t rename(const std::string &from, const std::string &to) {
    return sh->call(0x0F, block({str(from), uint32_t(from.size()), str(to), uint32_t(to.size())})).r0;
  }
};
} // namespace

TEST_CASE("SYS_OPEN for write through a dangling symlink to outside fails with EACCES and creates nothing") {
  OutsideFixture f;
  fs::create_symlink(f.outside / "planted.txt", f.sandbox / "dangling");
  for (uint32_t mode : {4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 2u}) { // w, w+, a, a+, r+
    CAPTURE(mode);
    CHECK(f.open("dangling", mode) == -1);
    CHECK(f.err() == EACCES);
    CHECK_FALSE(fs::exists(f.outside / "planted.txt"));
  }
}

TEST_CASE("SYS_OPEN through a symlink to an existing outside file or directory fails with EACCES") {
  OutsideFixture f;
  std::ofstream(f.outside / "secret.txt") << "secret";
  fs::create_symlink(f.outside / "secret.txt", f.sandbox / "secret");
  fs::create_symlink(f.outside, f.sandbox / "out");
  for (const char *name : {"secret", "out/secret.txt", "out/new.txt", "../x", "/etc/hostname"}) {
    for (uint32_t mode : {0u, 4u}) {
      CAPTURE(name);
      CAPTURE(mode);
      CHECK(f.open(name, mode) == -1);
      CHECK(f.err() == EACCES);
    }
  }
  CHECK_FALSE(fs::exists(f.outside / "new.txt"));
  std::ifstream in(f.outside / "secret.txt");
  std::string text;
  in >> text;
  CHECK(text == "secret");
}

TEST_CASE("SYS_REMOVE and SYS_RENAME stay inside the sandbox") {
  OutsideFixture f;
  fs::create_directories(f.sandbox / "sub");
  std::ofstream(f.sandbox / "a.txt") << "A";
  std::ofstream(f.outside / "keep.txt") << "keep";
  fs::create_symlink(f.outside, f.sandbox / "out");
  fs::create_symlink(f.outside / "keep.txt", f.sandbox / "keeplink");

  CHECK(f.rename("a.txt", "sub/b.txt") == 0);
  CHECK(fs::exists(f.sandbox / "sub" / "b.txt"));
  CHECK(f.rename("sub/b.txt", "out/b.txt") == 0xFFFFFFFF);
  CHECK(f.err() == EACCES);
  CHECK(f.rename("out/keep.txt", "stolen.txt") == 0xFFFFFFFF);
  CHECK(f.err() == EACCES);
  CHECK_FALSE(fs::exists(f.outside / "b.txt"));
  CHECK_FALSE(fs::exists(f.sandbox / "stolen.txt"));

  CHECK(f.remove("out/keep.txt") == 0xFFFFFFFF);
  CHECK(f.err() == EACCES);
  CHECK(f.remove("keeplink") == 0xFFFFFFFF);
  CHECK(f.err() == EACCES);
  CHECK(fs::exists(f.outside / "keep.txt"));
  CHECK(f.remove("sub/b.txt") == 0);
  CHECK_FALSE(fs::exists(f.sandbox / "sub" / "b.txt"));
  CHECK(f.remove("sub/b.txt") == 0xFFFFFFFF);
  CHECK(f.err() == ENOENT);
}

TEST_CASE("SYS_OPEN without a sandbox fails with ENOENT, SYS_REMOVE with EACCES") {
  Device dev = *find_device("generic-m4f");
  MemoryMap mem = std::move(*MemoryMap::create(dev));
  test::CaptureConsole console;
  Semihosting sh(mem, console, Semihosting::Config{}, [] { return uint64_t(0); }, 1e6);
  const char name[] = "x.txt";
  mem.write(0x20000100, name, sizeof name);
  mem.write32(0x20000200, 0x20000100), mem.write32(0x20000204, 4), mem.write32(0x20000208, 5);
  CHECK(sh.call(0x01, 0x20000200).r0 == 0xFFFFFFFF);
  CHECK(sh.call(0x13, 0).r0 == ENOENT);
  mem.write32(0x20000204, 5);
  CHECK(sh.call(0x0E, 0x20000200).r0 == 0xFFFFFFFF);
  CHECK(sh.call(0x13, 0).r0 == EACCES);
}
