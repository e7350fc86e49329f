// The opcode-to-class table (isa/opcode_classes.def) is complete and sound:
// it lists every Thumb/VFP opcode of LLVM once, and no opcode any modelled
// core's decoder produces -- on any 16-bit encoding, a spread of 32-bit
// encodings, or any instruction of the bundled firmware -- is unclassified.
#include "base/format.h"
#include "image/auto_device.h"
#include "image/elf_image.h"
#include "core/simulator.h"
#include "isa/decoder.h"
#include "isa/opcode_table.h"
#include "isa/thumb.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "helpers.h"

using namespace mcusim;
using namespace mcusim::isa;
namespace fs = std::filesystem;

namespace {
constexpr CoreKind kCores[] = {CoreKind::M0plus, CoreKind::M3, CoreKind::M4, CoreKind::M4F, CoreKind::M7, CoreKind::M33};

} // namespace

TEST_CASE("the opcode table lists every Thumb and VFP opcode of LLVM exactly once, by exact name") {
  std::set<std::string_view> listed;
  for (const auto &e : opcode_classes()) {
    INFO("opcode " << e.name);
    CHECK(listed.insert(e.name).second); // no duplicates
    CHECK(e.cls != InsnClass::Unknown);  // Unknown is for undecodable bytes, not a table class
    CHECK((e.words == 1 || e.words == 2));
    if (e.words == 2) CHECK((e.cls == InsnClass::FpLoadMultiple || e.cls == InsnClass::FpStoreMultiple));
  }
  auto llvm_names = thumb_opcode_names();
  REQUIRE(llvm_names.size() > 700);
  std::string missing;
  for (const auto &n : llvm_names)
    if (!find_opcode_class(n)) missing += "MCUSIM_OPCODE(" + n + ", Unclassified, 1)\n";
  INFO("add these lines to isa/opcode_classes.def with their class:\n" << missing);
  CHECK(missing.empty());
  // No stale names: every listed name is an opcode of this LLVM.
  std::set<std::string> known(llvm_names.begin(), llvm_names.end());
  for (const auto &e : opcode_classes()) {
    INFO("isa/opcode_classes.def lists " << e.name << ", which LLVM does not have");
    CHECK(known.count(std::string(e.name)) == 1);
  }
}

TEST_CASE("opcode classes are looked up by exact name, never by prefix") {
  CHECK(classify_opcode("t2LDRi12") == InsnClass::Load);
  CHECK(classify_opcode("tLDRpci") == InsnClass::LoadLiteral);
  CHECK(classify_opcode("t2SDIV") == InsnClass::Div);
  CHECK(classify_opcode("VDIVS") == InsnClass::FpDiv);
  CHECK(classify_opcode("VDIVD") == InsnClass::FpDivD);
  CHECK(classify_opcode("tBcc") == InsnClass::CondBranch);
  // A prefix of a listed name, a listed name with a suffix, and a non-Thumb opcode are not classes.
  CHECK(classify_opcode("t2LDR") == InsnClass::Unclassified);
  CHECK(classify_opcode("t2LDRi12x") == InsnClass::Unclassified);
  CHECK(classify_opcode("LDRi12") == InsnClass::Unclassified); // the Arm-state opcode
  CHECK(classify_opcode("") == InsnClass::Unclassified);
  CHECK(std::string(class_name(InsnClass::Unclassified)) == "unclassified");
}

TEST_CASE("no encoding any modelled core decodes maps to an unclassified opcode") {
  // Every 16-bit encoding, and for every first halfword of a 32-bit encoding a
  // fixed spread of 48 second halfwords (all 16 values of bits 15:12 and of
  // bits 7:4, the fields most encodings select on, plus hashed values).
  for (CoreKind core : kCores) {
    std::string core_label = core_name(core);
    CAPTURE(core_label);
    auto dec = Decoder::create(core);
    REQUIRE(dec);
    std::map<std::string_view, uint32_t> bad; // opcode -> first encoding
    std::set<std::string_view> seen;
    size_t decoded = 0;
    auto try_bytes = [&](const uint8_t *b, size_t n, uint32_t enc) {
      auto d = (*dec)->decode(b, n, 0x1000);
      if (!d) return;
      ++decoded;
      seen.insert(d->mnemonic);
      if (d->cls == InsnClass::Unclassified) bad.emplace(d->mnemonic, enc);
      if (d->cls == InsnClass::It) (*dec)->reset_it_state();
    };
    uint8_t b[4];
    for (uint32_t h1 = 0; h1 < 0x10000; ++h1) {
      b[0] = uint8_t(h1), b[1] = uint8_t(h1 >> 8);
      if (!is32(uint16_t(h1))) {
        b[2] = b[3] = 0;
        try_bytes(b, 2, h1);
        continue;
      }
      for (uint32_t j = 0; j < 48; ++j) {
        uint32_t h2 = j < 16 ? (j << 12 | (h1 & 0xF) << 8 | (j ^ 5) << 4 | (h1 >> 4 & 0xF))
                    : j < 32 ? ((j & 15) << 4 | (h1 * 7 & 0xF) << 12 | (h1 & 0xF0) << 4 | (j & 3))
                             : (h1 * 40503u + j * 2654435761u) >> 7 & 0xFFFF;
        b[2] = uint8_t(h2), b[3] = uint8_t(h2 >> 8);
        try_bytes(b, 4, h1 << 16 | h2);
      }
    }
    CHECK(decoded > 50000);
    MESSAGE(core_label << ": " << seen.size() << " distinct opcodes in " << decoded << " decoded encodings");
    for (const auto &[name, enc] : bad) FAIL_CHECK("opcode " << name << " (encoding " << text::hex(enc, 0) << ") has no class");
  }
}

TEST_CASE("one recorded encoding of every opcode a wider sweep found decodes to that opcode, with a class") {
  // tests/data/opcode-examples.txt: from a one-off sweep of every 16-bit encoding and
  // every 8th second halfword of the 32-bit ones (50 million decodes per core).
  std::ifstream in(test::source_dir() / "tests/data/opcode-examples.txt");
  REQUIRE(in);
  std::map<std::string, std::unique_ptr<Decoder>> decoders;
  size_t checked = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string core, opcode, enc_text;
    REQUIRE(bool(ls >> core >> opcode >> enc_text));
    INFO(line);
    auto &dec = decoders[core];
    if (!dec) {
      auto kind = parse_core(core);
      REQUIRE(kind);
      auto d = Decoder::create(*kind);
      REQUIRE(d);
      dec = std::move(*d);
    }
    uint32_t enc = uint32_t(std::stoul(enc_text, nullptr, 16));
    uint8_t b[4];
    size_t n = enc > 0xFFFF ? 4 : 2;
    uint16_t h1 = uint16_t(n == 4 ? enc >> 16 : enc), h2 = uint16_t(enc);
    b[0] = uint8_t(h1), b[1] = uint8_t(h1 >> 8), b[2] = uint8_t(h2), b[3] = uint8_t(h2 >> 8);
    dec->reset_it_state();
    auto d = dec->decode(b, n, 0x1000);
    REQUIRE(d);
    CHECK(d->mnemonic == opcode);
    CHECK(d->cls != InsnClass::Unclassified);
    CHECK(d->cls != InsnClass::Unknown);
    ++checked;
  }
  CHECK(checked > 1900);
}

TEST_CASE("every instruction of every bundled firmware image has a class") {
  fs::path dir = MCUSIM_TEST_FIRMWARE_DIR;
  std::vector<fs::path> elfs;
  if (fs::is_directory(dir))
    for (const auto &e : fs::directory_iterator(dir))
      if (e.path().extension() == ".elf") elfs.push_back(e.path());
  std::sort(elfs.begin(), elfs.end());
#if MCUSIM_TEST_REQUIRE_FIRMWARE
  REQUIRE(elfs.size() >= 20);
#endif
  size_t total = 0;
  for (const auto &path : elfs) {
    CAPTURE(path.filename().string());
    auto elf = load_elf(path);
    REQUIRE(elf);
    auto choice = choose_device_for(*elf);
    REQUIRE(choice);
    auto dec = Decoder::create(choice->device.core);
    REQUIRE(dec);
    std::map<std::string_view, std::pair<uint32_t, size_t>> bad; // unclassified opcode -> first address, count
    for (const auto &sec : elf->sections) {
      if (!sec.alloc || !sec.exec || sec.nobits || sec.size < 2) continue;
      // The section's bytes, from the segment that loads them.
      const uint8_t *bytes = nullptr;
      for (const auto &seg : elf->segments)
        if (sec.load_addr >= seg.paddr && uint64_t(sec.load_addr) + sec.size <= uint64_t(seg.paddr) + seg.data.size())
          bytes = seg.data.data() + (sec.load_addr - seg.paddr);
      REQUIRE_MESSAGE(bytes, "no file bytes for section " << sec.name);
      (*dec)->reset_it_state();
      uint32_t off = 0;
      while (off + 2 <= sec.size) {
        uint32_t addr = sec.addr + off;
        if (elf->is_data(addr)) { // a $d range (literal pool, table): skip it, as the simulator never runs it
          auto it = std::upper_bound(elf->data_ranges.begin(), elf->data_ranges.end(), std::make_pair(addr, 0xFFFFFFFFu));
          uint32_t end = std::prev(it)->second;
          off = std::max(off + 2, end - sec.addr);
          off = (off + 1) & ~1u;
          (*dec)->reset_it_state();
          continue;
        }
        auto d = (*dec)->decode(bytes + off, sec.size - off, addr);
        uint16_t hw;
        std::memcpy(&hw, bytes + off, 2);
        if (!d) {
          // Undecodable code bytes are priced as "unknown"; there should be none in the firmware.
          FAIL_CHECK("undecodable instruction " << text::hex(hw, 0) << " at " << elf->describe(addr) << " in " << sec.name);
          off += is32(hw) ? 4 : 2;
          continue;
        }
        ++total;
        if (d->cls == InsnClass::Unclassified) {
          auto &[first, count] = bad[d->mnemonic];
          if (count++ == 0) first = addr;
        }
        off += d->size;
      }
    }
    for (const auto &[name, where] : bad)
      FAIL_CHECK("opcode " << name << " at " << elf->describe(where.first) << " in " << path.filename().string()
                           << " has no class (" << where.second << " instructions)");
  }
#if MCUSIM_TEST_REQUIRE_FIRMWARE
  CHECK(total > 10000);
#endif
  MESSAGE(total << " instructions in " << elfs.size() << " images decoded");
}
