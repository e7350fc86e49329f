// Writes the malformed inputs the CLI tests feed to `mcusim run`:
//   make_bad_inputs OUTDIR [GOOD_ELF]
// GOOD_ELF (a valid firmware image) is cut short to make a truncated ELF, and
// edited in place to make the damaged section tables, string and symbol
// tables and debug sections of the loader's tests.
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

static uint32_t get32(const std::vector<uint8_t> &b, size_t o) {
  return uint32_t(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | uint32_t(b[o + 3]) << 24);
}
static void put32(std::vector<uint8_t> &b, size_t o, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[o + i] = uint8_t(v >> (8 * i));
}

// The section headers of a (valid, 32-bit little-endian) ELF, by name.
struct Sections {
  const std::vector<uint8_t> &elf;
  size_t header(const std::string &name) const { // file offset of the section header; 0 if absent
    uint32_t shoff = get32(elf, 32);
    unsigned shnum = elf[48] | elf[49] << 8, shstrndx = elf[50] | elf[51] << 8;
    uint32_t names = get32(elf, shoff + shstrndx * 40 + 16);
    for (unsigned i = 0; i < shnum; ++i) {
      size_t h = shoff + i * 40;
      if (name == reinterpret_cast<const char *>(elf.data()) + names + get32(elf, h)) return h;
    }
    return 0;
  }
  uint32_t offset(const std::string &name) const { return get32(elf, header(name) + 16); }
};

// Each damaged copy of a good ELF: one edit, one file.
static int write_damaged(const fs::path &dir, const std::vector<uint8_t> &good) {
  Sections sec{good};
  for (const char *need : {".text", ".symtab", ".debug_info", ".debug_line"})
    if (!sec.header(need)) {
      std::cerr << "the good ELF has no " << need << " section\n";
      return 1;
    }
  auto edit = [&](const char *file, auto change) {
    auto copy = good;
    change(copy);
    write(dir / file, copy);
  };
  // A .symtab claiming 2^27 entries (2 GiB) in a file of a few hundred KiB.
  edit("huge-symtab.elf", [&](auto &b) { put32(b, sec.header(".symtab") + 20, 0x7ffffff0); });
  // .text's bytes said to start 16 bytes before the end of the file.
  edit("section-past-end.elf", [&](auto &b) { put32(b, sec.header(".text") + 16, uint32_t(b.size() - 16)); });
  // A symbol whose name offset lies far outside .strtab.
  edit("bad-symbol-name.elf", [&](auto &b) { put32(b, sec.offset(".symtab") + 16 * 3, 0x00fffff0); });
  // A section whose name offset lies outside .shstrtab.
  edit("bad-section-name.elf", [&](auto &b) { put32(b, sec.header(".text"), 0x00fffff0); });
  // e_shstrndx naming a section the file does not have.
  edit("bad-shstrndx.elf", [&](auto &b) { b[50] = 0xf0, b[51] = 0x00; });
  // The symbol table's string table link pointing at .text.
  edit("bad-symtab-link.elf", [&](auto &b) {
    size_t text = (sec.header(".text") - get32(good, 32)) / 40;
    put32(b, sec.header(".symtab") + 24, uint32_t(text));
  });
  // Damaged DWARF (the image itself is sound): the first .debug_info unit's
  // version byte changed; .debug_line cut to half its size.
  edit("dwarf-info-byte.elf", [&](auto &b) { b[sec.offset(".debug_info") + 4] ^= 0x5a; });
  edit("dwarf-line-truncated.elf", [&](auto &b) {
    size_t h = sec.header(".debug_line");
    put32(b, h + 20, get32(b, h + 20) / 2);
  });
  return 0;
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
  // A [power] section with a negative current.
  write_text(dir / "badpower.toml", device + "[power]\nvoltage_v = 3.3\ndeep_sleep = \"stop\"\n"
                                             "[[power.run]]\nlocation = \"flash\"\nfixed_ua = -5\nua_per_mhz = 100\n"
                                             "[[power.state]]\nname = \"sleep\"\nkind = \"sleep\"\nfixed_ua = 1\nwakeup_us = 0\n"
                                             "[[power.state]]\nname = \"stop\"\nkind = \"stop\"\nfixed_ua = 1\nwakeup_us = 5\n");
  if (argc > 2 && argv[2][0] != '\0') { // CMake passes "" when the firmware is not built
    std::ifstream in(argv[2], std::ios::binary);
    std::vector<uint8_t> elf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (elf.size() < 1024) {
      std::cerr << argv[2] << ": too small to truncate\n";
      return 1;
    }
    if (int rc = write_damaged(dir, elf)) return rc;
    // Keep the headers but cut into the first loadable segment.
    elf.resize(elf.size() / 8);
    write(dir / "truncated.elf", elf);
  }
  std::cout << "bad inputs written to " << dir << "\n";
  return 0;
}
