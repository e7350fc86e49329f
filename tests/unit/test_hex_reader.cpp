/// \file
/// Intel HEX and raw binary images: every record type, every refusal, format
/// detection, and --symbols on hand-written images.
#include "image/address_functions.h"
#include "image/bin_reader.h"
#include "image/hex_reader.h"
#include "image/image_format.h"
#include "image/image_loader.h"

#include "base/device.h"
#include "session/firmware.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace mcusim {
namespace {

/// One record with its checksum: ":LLAAAATT<data>CC".
std::string rec(uint16_t offset, uint8_t type, std::vector<uint8_t> data) {
  std::vector<uint8_t> b{uint8_t(data.size()), uint8_t(offset >> 8), uint8_t(offset), type};
  b.insert(b.end(), data.begin(), data.end());
  uint8_t sum = 0;
  for (auto v : b) sum = uint8_t(sum + v);
  b.push_back(uint8_t(-sum));
  std::string s = ":";
  char buf[3];
  for (auto v : b) {
    std::snprintf(buf, sizeof buf, "%02X", v);
    s += buf;
  }
  return s + "\n";
}

const std::string kEof = ":00000001FF\n";

Expected<ElfImage> read(const std::string &text) { return read_intel_hex(text, "fw.hex"); }

std::string error_of(const std::string &text) {
  auto img = read(text);
  REQUIRE_FALSE(img);
  CHECK(img.error().kind == ErrorKind::BadElf);
  CHECK(img.error().message.find('\n') == std::string::npos);
  return img.error().message;
}

} // namespace

TEST_CASE("hex reader: the record from the specification's example") {
  // Checksum of 03 00 30 00 02 33 7A is 1E (the Intel HEX specification's example).
  auto img = read(":0300300002337A1E\n" + kEof);
  REQUIRE(img);
  REQUIRE(img->segments.size() == 1);
  CHECK(img->segments[0].paddr == 0x30);
  CHECK(img->segments[0].data == std::vector<uint8_t>{0x02, 0x33, 0x7A});
  CHECK(img->segments[0].memsz == 3);
  CHECK(img->sections.empty());
  CHECK(img->symbols.empty());
}

TEST_CASE("hex reader: extended linear address, contiguous records joined, entry from the vector table") {
  std::string text = rec(0, 4, {0x08, 0x00}) +                                 // base 0x08000000
                     rec(0x0000, 0, {0x00, 0x00, 0x02, 0x20, 0xC1, 0x00, 0x00, 0x08}) + // SP 0x20020000, reset 0x080000C1
                     rec(0x0008, 0, {1, 2, 3, 4}) +                            // joins the first
                     rec(0x0100, 0, {9, 9}) +                                  // a gap: a second segment
                     rec(0, 5, {0x08, 0x00, 0x00, 0xC1}) +                     // start linear address: checked, ignored
                     kEof;
  auto img = read(text);
  REQUIRE(img);
  REQUIRE(img->segments.size() == 2);
  CHECK(img->segments[0].paddr == 0x08000000);
  CHECK(img->segments[0].data.size() == 12);
  CHECK(img->segments[1].paddr == 0x08000100);
  CHECK(img->segments[0].exec);
  CHECK_FALSE(img->segments[0].write);
  CHECK(img->entry == 0x080000C0);
  CHECK(img->read_word(0x08000000) == 0x20020000u);
}

TEST_CASE("hex reader: extended segment address and start segment address") {
  std::string text = rec(0, 2, {0x12, 0x34}) + rec(0x0010, 0, {0xAA}) + rec(0, 3, {0x12, 0x34, 0x00, 0x00}) + kEof;
  auto img = read(text);
  REQUIRE(img);
  REQUIRE(img->segments.size() == 1);
  CHECK(img->segments[0].paddr == 0x12340 + 0x10);
  // A later 04 record replaces the base.
  auto img2 = read(rec(0, 2, {0x10, 0x00}) + rec(0, 4, {0x00, 0x02}) + rec(0, 0, {1}) + kEof);
  REQUIRE(img2);
  CHECK(img2->segments[0].paddr == 0x00020000);
}

TEST_CASE("hex reader: CRLF line ends, blank lines and lower-case digits are read") {
  auto img = read("\r\n:0300300002337a1e\r\n\r\n:00000001ff\r\n");
  REQUIRE(img);
  CHECK(img->segments[0].data.size() == 3);
}

TEST_CASE("hex reader: every malformed line is refused with the file, the line and what is wrong") {
  const std::string data = rec(0, 0, {1, 2, 3, 4});
  CHECK(error_of(data + ";00000001FF\n") == "fw.hex:2: bad start code ';' (a record starts with ':')");
  CHECK(error_of(":0300300002337G1E\n" + kEof) == "fw.hex:1: non-hex digit 'G' at column 15");
  CHECK(error_of(":0300300002337A1\n" + kEof) == "fw.hex:1: odd number of hex digits (15)");
  CHECK(error_of(":0400300002337A1E\n" + kEof) == "fw.hex:1: length mismatch: the record says 4 data bytes, the line holds 3");
  CHECK(error_of(":0300300002337A1F\n" + kEof) == "fw.hex:1: bad checksum 1F (expected 1E)");
  CHECK(error_of(":0000\n" + kEof) == "fw.hex:1: record too short (2 bytes; a record has at least 5)");
  CHECK(error_of(data + rec(0, 6, {}) + kEof) == "fw.hex:2: unknown record type 06");
  CHECK(error_of(data + rec(0, 4, {0x08}) + kEof) == "fw.hex:2: record type 04 needs 2 data bytes, has 1");
  CHECK(error_of(data + rec(0, 2, {1, 2, 3}) + kEof) == "fw.hex:2: record type 02 needs 2 data bytes, has 3");
  CHECK(error_of(data + rec(0, 5, {1}) + kEof) == "fw.hex:2: record type 05 needs 4 data bytes, has 1");
  CHECK(error_of(data + rec(0, 3, {1}) + kEof) == "fw.hex:2: record type 03 needs 4 data bytes, has 1");
  CHECK(error_of(data + rec(0, 1, {0}) ) == "fw.hex:2: record type 01 needs 0 data bytes, has 1");
  CHECK(error_of(data) == "fw.hex:1: no end-of-file record (type 01): the file is truncated");
  CHECK(error_of(data + kEof + data) == "fw.hex:3: data after the end-of-file record (line 2)");
  CHECK(error_of(data + rec(2, 0, {5, 6}) + kEof) == "fw.hex:2: data at 0x00000002 overlaps the data of line 1");
  CHECK(error_of(rec(2, 0, {5, 6}) + rec(0, 0, {1, 2, 3}) + kEof) == "fw.hex:2: data at 0x00000002 overlaps the data of line 1");
  CHECK(error_of(rec(0, 4, {0xFF, 0xFF}) + rec(0xFFFE, 0, {1, 2, 3}) + kEof) ==
        "fw.hex:2: data at 0xfffffffe extends past 4 GiB");
  CHECK(error_of("") == "fw.hex: empty file");
  CHECK(error_of("\n\r\n") == "fw.hex: empty file");
  CHECK(error_of(kEof) == "fw.hex: no data records: nothing to load");
  // A control character in the line is shown by its code, still on one line.
  CHECK(error_of(":03\x01" + kEof).find("non-hex digit 0x01 at column 4") != std::string::npos);
}

TEST_CASE("raw binary: loaded at an address in flash, refused outside flash or past its end") {
  Device d;
  d.name = "dev";
  MemoryRegionDesc flash;
  flash.name = "flash";
  flash.kind = RegionKind::Flash;
  flash.base = 0x08000000;
  flash.size = 1024;
  d.memory.push_back(flash);
  std::vector<uint8_t> bytes{0x00, 0x00, 0x02, 0x20, 0x41, 0x00, 0x00, 0x08};
  auto img = read_binary(bytes, 0x08000000, d, "fw.bin");
  REQUIRE(img);
  REQUIRE(img->segments.size() == 1);
  CHECK(img->segments[0].paddr == 0x08000000);
  CHECK(img->entry == 0x08000040);
  CHECK(flash_region(d)->base == 0x08000000);

  auto outside = read_binary(bytes, 0x20000000, d, "fw.bin");
  REQUIRE_FALSE(outside);
  CHECK(outside.error().kind == ErrorKind::Usage);
  CHECK(outside.error().message == "fw.bin: load address 0x20000000 is outside the flash of dev (1 KiB at 0x08000000)");

  std::vector<uint8_t> big(1025);
  auto too_big = read_binary(big, 0x08000000, d, "fw.bin");
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().kind == ErrorKind::BadElf);
  CHECK(too_big.error().message == "fw.bin: 1025 bytes at 0x08000000 does not fit the flash of dev (1 KiB at 0x08000000)");
  // The end of flash is reached exactly: it fits.
  CHECK(read_binary(std::vector<uint8_t>(8), 0x080003F8, d, "fw.bin"));
  CHECK_FALSE(read_binary(std::vector<uint8_t>(9), 0x080003F8, d, "fw.bin"));
  CHECK(read_binary({}, 0x08000000, d, "fw.bin").error().message == "fw.bin: empty file");
}

TEST_CASE("image format: by content first, then by extension") {
  const std::vector<uint8_t> elf{0x7f, 'E', 'L', 'F', 1, 1};
  const std::vector<uint8_t> hex{' ', '\n', ':', '0'};
  const std::vector<uint8_t> raw{0x00, 0x10, 0x00, 0x20};
  CHECK(detect_image_format("fw.bin", elf) == ImageFormat::Elf);
  CHECK(detect_image_format("fw.hex", elf) == ImageFormat::Elf);
  CHECK(detect_image_format("fw.hex", raw) == ImageFormat::IntelHex);
  CHECK(detect_image_format("FW.HEX", raw) == ImageFormat::IntelHex);
  CHECK(detect_image_format("fw.ihex", raw) == ImageFormat::IntelHex);
  CHECK(detect_image_format("fw.bin", hex) == ImageFormat::Binary);
  CHECK(detect_image_format("fw", hex) == ImageFormat::IntelHex);
  CHECK(detect_image_format("fw.elf", raw) == ImageFormat::Elf);
  CHECK(detect_image_format("fw", {}) == ImageFormat::Elf);
  CHECK(std::string(image_format_name(ImageFormat::IntelHex)) == "Intel HEX");
}

TEST_CASE("symbols: sections and symbols come from the ELF, differing contents give one warning") {
  ElfImage image;
  image.path = "fw.hex";
  ElfSegment s;
  s.paddr = 0x100;
  s.data = {1, 2, 3, 4};
  image.segments.push_back(s);
  ElfImage symbols;
  symbols.path = "fw.elf";
  symbols.segments.push_back(s);
  ElfSection text;
  text.name = ".text";
  text.addr = text.load_addr = 0x100;
  text.size = 4;
  text.alloc = true;
  symbols.sections.push_back(text);
  ElfSymbol f;
  f.name = "main";
  f.addr = 0x100;
  f.size = 4;
  f.func = true;
  symbols.symbols.push_back(f);

  ElfImage same = image;
  attach_symbols(same, symbols);
  CHECK(same.warnings.empty());
  REQUIRE(same.sections.size() == 1);
  CHECK(same.describe(0x102) == "0x00000102 (main+0x2)");

  ElfImage other = image;
  other.segments[0].data[2] = 9;
  attach_symbols(other, symbols);
  REQUIRE(other.warnings.size() == 1);
  CHECK(other.warnings[0] ==
        "fw.hex: the loadable contents of the symbols file fw.elf differ from the image (first at 0x00000102): functions and lines may be wrong");

  // Zero padding beyond the sections (a raw binary's gaps) is no difference; other bytes are.
  ElfImage padded = image;
  padded.segments[0].data.insert(padded.segments[0].data.end(), {0, 0, 0, 0});
  attach_symbols(padded, symbols);
  CHECK(padded.warnings.empty());
  ElfImage extra = image;
  extra.segments[0].data.insert(extra.segments[0].data.end(), {0, 7});
  attach_symbols(extra, symbols);
  REQUIRE(extra.warnings.size() == 1);
  CHECK(extra.warnings[0].find("first at 0x00000105") != std::string::npos);
}

namespace {
/// A Thumb BL at `at` to `target`, as two little-endian halfwords.
void put_bl(std::vector<uint8_t> &b, uint32_t base, uint32_t at, uint32_t target) {
  int32_t off = int32_t(target - (at + 4));
  uint32_t imm = uint32_t(off) >> 1;
  uint32_t S = (uint32_t(off) >> 24) & 1, I1 = (uint32_t(off) >> 23) & 1, I2 = (uint32_t(off) >> 22) & 1;
  uint32_t J1 = !(I1 ^ S), J2 = !(I2 ^ S);
  uint16_t hw1 = uint16_t(0xF000 | S << 10 | ((imm >> 11) & 0x3FF));
  uint16_t hw2 = uint16_t(0xD000 | J1 << 13 | J2 << 11 | (imm & 0x7FF));
  size_t i = at - base;
  b[i] = uint8_t(hw1), b[i + 1] = uint8_t(hw1 >> 8), b[i + 2] = uint8_t(hw2), b[i + 3] = uint8_t(hw2 >> 8);
}
} // namespace

TEST_CASE("image without symbols: entry points from the vector table and BL targets, named by address") {
  const uint32_t base = 0x08000000;
  std::vector<uint8_t> b(0x400, 0); // zeros decode as 16-bit MOVS
  auto put32 = [&](uint32_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) b[at - base + k] = uint8_t(v >> (8 * k));
  };
  put32(base + 0, 0x20001000);     // initial SP
  put32(base + 4, 0x08000101);     // reset
  put32(base + 8, 0x08000181);     // NMI
  put32(base + 0x40, 0x080001c1);  // IRQ0
  put32(base + 0x44, 0x12345679);  // not in the image: the table ends
  put_bl(b, base, 0x08000104, 0x08000200); // forward
  put_bl(b, base, 0x08000204, 0x08000120); // backward
  ElfImage img;
  img.segments.push_back(ElfSegment{base, base, uint32_t(b.size()), b, true, false, true});
  name_functions_by_address(img);
  CHECK(img.named_by_address);
  std::vector<std::string> names;
  for (const auto &sym : img.symbols) names.push_back(sym.name);
  CHECK(names == std::vector<std::string>{"0x08000100", "0x08000120", "0x08000180", "0x080001c0", "0x08000200"});
  CHECK(img.describe(0x08000124) == "0x08000124 (0x08000120+0x4)");
  // An image with symbols is left as it is.
  ElfImage named = img;
  named.named_by_address = false;
  named.symbols.resize(1);
  name_functions_by_address(named);
  CHECK(named.symbols.size() == 1);
  CHECK_FALSE(named.named_by_address);
}

TEST_CASE("--load-address: hexadecimal with 0x or decimal, below 4 GiB") {
  using session::parse_load_address;
  CHECK(parse_load_address("0x08000000") == 0x08000000u);
  CHECK(parse_load_address("0X10000000") == 0x10000000u);
  CHECK(parse_load_address("134217728") == 0x08000000u);
  CHECK(parse_load_address("0") == 0u);
  CHECK(parse_load_address("0xffffffff") == 0xFFFFFFFFu);
  CHECK_FALSE(parse_load_address("0x100000000"));
  CHECK_FALSE(parse_load_address("4294967296"));
  CHECK_FALSE(parse_load_address(""));
  CHECK_FALSE(parse_load_address("0x"));
  CHECK_FALSE(parse_load_address("-1"));
  CHECK_FALSE(parse_load_address("+8"));
  CHECK_FALSE(parse_load_address(" 8"));
  CHECK_FALSE(parse_load_address("12abc"));
  CHECK_FALSE(parse_load_address("0x8zz"));
  CHECK_FALSE(parse_load_address("0x-8"));
  CHECK_FALSE(parse_load_address("0x-0"));
  CHECK_FALSE(parse_load_address("0x 1"));
}

} // namespace mcusim
