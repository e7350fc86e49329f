// Writes the malformed inputs the CLI tests feed to `mcusim run`:
//   make_bad_inputs OUTDIR [GOOD_ELF]
// GOOD_ELF (a valid firmware image) is cut short to make a truncated ELF.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

namespace fs = std::filesystem;

static void write(const fs::path &p, const std::vector<uint8_t> &bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
}
static void write_text(const fs::path &p, const std::string &s) { write(p, std::vector<uint8_t>(s.begin(), s.end())); }

// A minimal ELF header: class (1/2), data (1 LE / 2 BE), type, machine.
static std::vector<uint8_t> header(int cls, int data, uint16_t type, uint16_t machine) {
  std::vector<uint8_t> h(cls == 2 ? 64 : 52, 0);
  std::memcpy(h.data(), "\x7f" "ELF", 4);
  h[4] = uint8_t(cls);
  h[5] = uint8_t(data);
  h[6] = 1;
  auto put16 = [&](size_t o, uint16_t v) {
    if (data == 2) { h[o] = uint8_t(v >> 8); h[o + 1] = uint8_t(v); }
    else { h[o] = uint8_t(v); h[o + 1] = uint8_t(v >> 8); }
  };
  put16(16, type);
  put16(18, machine);
  return h;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    std::cerr << "usage: make_bad_inputs OUTDIR [GOOD_ELF]\n";
    return 2;
  }
  fs::path dir = argv[1];
  fs::create_directories(dir);
  write_text(dir / "text.elf", "This is a text file, not firmware.\n");
  write(dir / "empty.elf", {});
  write(dir / "bigendian.elf", header(1, 2, 2, 40));
  write(dir / "elf64.elf", header(2, 1, 2, 40));
  auto trunc = header(1, 1, 2, 40);
  trunc.resize(30);
  write(dir / "header-truncated.elf", trunc);
  write(dir / "relocatable.elf", header(1, 1, 1, 40));
  write_text(dir / "broken.toml", "name = \"broken\"\ncore = \"cortex-m4\n[clock\n");
  write_text(dir / "nokey.toml", "schema = 1\nname = \"nokey\"\n[clock]\ndefault_mhz = 10\n[vector_table]\naddress = 0\n"
                                 "[[memory]]\nname = \"flash\"\nkind = \"flash\"\nbase = 0\nsize = 0x10000\naccess = \"rx\"\n");
  // A device that would load but for one figure: a region over the system space, a clock of nan.
  const std::string device = "schema = 1\nname = \"sysspace\"\ncore = \"cortex-m4f\"\n[clock]\ndefault_mhz = 168\n"
                             "[vector_table]\naddress = 0x08000000\n"
                             "[[memory]]\nname = \"flash\"\nkind = \"flash\"\nbase = 0x08000000\nsize = 0x100000\naccess = \"rx\"\n"
                             "aliases = [0x0]\n"
                             "[[memory]]\nname = \"sram\"\nkind = \"sram\"\nbase = 0x20000000\nsize = 0x20000\naccess = \"rwx\"\n";
  write_text(dir / "sysspace.toml", device + "[[memory]]\nname = \"ppb\"\nkind = \"peripheral\"\nbase = 0xE0000000\n"
                                             "size = 0x100000\naccess = \"rw\"\n");
  std::string nan_clock = device;
  nan_clock.replace(nan_clock.find("default_mhz = 168"), 17, "default_mhz = nan");
  write_text(dir / "nanclock.toml", nan_clock);
  write_text(dir / "ctrlbyte.toml", "[\x0F");
  if (argc > 2) {
    std::ifstream in(argv[2], std::ios::binary);
    std::vector<uint8_t> elf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (elf.size() < 1024) {
      std::cerr << argv[2] << ": too small to truncate\n";
      return 1;
    }
    // Keep the headers but cut into the first loadable segment.
    elf.resize(elf.size() / 8);
    write(dir / "truncated.elf", elf);
  }
  std::cout << "bad inputs written to " << dir << "\n";
  return 0;
}
