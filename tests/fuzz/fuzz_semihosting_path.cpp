// Fuzzes the semihosting sandbox check (core/semihosting.cpp) through its
// public API: SYS_OPEN with a guest file name and a read-only open mode, in a
// sandbox that has one file inside and a symlink pointing outside. A name that
// opens must never reach the file outside the sandbox: the target reads back
// what it opened and aborts if it sees the outside file's contents.
//
// Input: byte 0 selects the mode (r, rb, r+, r+b: nothing is created or
// truncated), the rest is the file name as the guest passes it (with its
// length, so embedded NULs reach the host side too).
#include "core/semihosting.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace mcusim;
namespace fs = std::filesystem;

namespace {

constexpr uint32_t kSramBase = 0x20000000;
constexpr uint32_t kSramSize = 0x10000;
constexpr uint32_t kBlock = kSramBase;           ///< SYS_OPEN / SYS_READ / SYS_CLOSE parameter block
constexpr uint32_t kBuffer = kSramBase + 0x100;  ///< SYS_READ destination
constexpr uint32_t kName = kSramBase + 0x1000;   ///< the file name
constexpr uint32_t kMaxName = kSramSize - 0x1000;
const std::string kSecret = "outside-the-sandbox";

class NullConsole : public Console {
public:
  void out(std::string_view) override {}
  void err(std::string_view) override {}
  size_t in(char *, size_t) override { return 0; }
};

struct World {
  fs::path root, sandbox;
  Device device;
  MemoryMap mem;
  NullConsole console;
  std::unique_ptr<Semihosting> sh;

  World() {
    root = fs::temp_directory_path() / ("mcusim-fuzz-sandbox-" + std::to_string(::getpid()));
    sandbox = root / "box";
    fs::remove_all(root);
    fs::create_directories(sandbox / "sub");
    std::ofstream(sandbox / "inside.txt") << "inside";
    std::ofstream(sandbox / "sub" / "nested.txt") << "nested";
    std::ofstream(root / "secret.txt") << kSecret;
    fs::create_directories(root / "box-sibling");
    std::ofstream(root / "box-sibling" / "secret.txt") << kSecret;
    fs::create_symlink(root, sandbox / "escape");
    fs::create_symlink(root / "secret.txt", sandbox / "link.txt");
    fs::create_symlink("../box-sibling", sandbox / "sibling");

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
  }
  ~World() {
    sh.reset();
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  uint32_t call(uint32_t op, std::initializer_list<uint32_t> words) {
    uint32_t a = kBlock;
    for (uint32_t w : words) mem.write32(a, w), a += 4;
    return sh->call(op, kBlock).r0;
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static World world;
  if (size < 1 || size - 1 > kMaxName) return 0;
  uint32_t mode = data[0] & 3u; // r, rb, r+, r+b
  uint32_t len = uint32_t(size - 1);
  world.mem.write(kName, data + 1, len);
  uint8_t nul = 0;
  world.mem.write(kName + len, &nul, 1);
  uint32_t fd = world.call(0x01, {kName, mode, len}); // SYS_OPEN
  if (fd == 0xFFFFFFFFu) return 0;
  // SYS_READ answers the number of bytes NOT read.
  uint32_t want = uint32_t(kSecret.size());
  uint32_t left = world.call(0x06, {fd, kBuffer, want});
  if (left <= want) {
    std::string got(want - left, '\0');
    world.mem.read(kBuffer, got.data(), uint32_t(got.size()));
    if (got == kSecret) {
      std::fprintf(stderr, "sandbox escape: SYS_OPEN of a fuzzed name read a file outside the sandbox\n");
      std::abort();
    }
  }
  world.call(0x02, {fd}); // SYS_CLOSE
  return 0;
}
