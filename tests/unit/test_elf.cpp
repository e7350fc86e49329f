#include "core/elf_image.h"
#include "core/simulator.h"

#include <doctest/doctest.h>
#include <fstream>

#include "helpers.h"

using namespace mcusim;
namespace fs = std::filesystem;

TEST_CASE("loading a firmware ELF: segments by load address, sections, symbols, attributes") {
  if (!test::have_firmware("hello-stm32f407")) return;
  auto elf = load_elf(test::firmware("hello-stm32f407"));
  REQUIRE(elf);
  const ElfSymbol *reset = elf->find_symbol("Reset_Handler");
  REQUIRE(reset);
  CHECK(reset->func);
  CHECK(elf->entry == (reset->addr | 1));
  CHECK(elf->attributes.cpu_arch == 13u); // Armv7E-M
  REQUIRE(elf->attributes.fp_arch);
  CHECK(*elf->attributes.fp_arch != 0);
  bool have_vectors = false, have_data = false;
  for (const auto &s : elf->sections) {
    if (s.name == ".isr_vector") {
      have_vectors = true;
      CHECK(s.addr == 0x08000000);
    }
    if (s.name == ".data") {
      have_data = true;
      CHECK(s.addr >= 0x20000000);
      CHECK(s.load_addr < 0x08100000); // stored in flash
    }
  }
  CHECK(have_vectors);
  CHECK(have_data);
  auto [lo, hi] = elf->load_span();
  CHECK(lo == 0x08000000);
  CHECK(hi < 0x08100000);
  const ElfSymbol *main_sym = elf->find_symbol("main");
  REQUIRE(main_sym);
  auto ref = elf->symbolize(main_sym->addr + 2);
  REQUIRE(ref.symbol);
  CHECK(ref.symbol->name == "main");
  CHECK(ref.offset == 2);
  CHECK(elf->describe(main_sym->addr + 2).find("(main+0x2)") != std::string::npos);
  std::string why;
  CHECK(core_from_attributes(elf->attributes, &why) == CoreKind::M4F);
}

TEST_CASE("bad ELF files are refused with one clear message each") {
  fs::path dir = fs::temp_directory_path() / ("mcusim-elf-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string &name, std::vector<uint8_t> bytes) {
    std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
    return dir / name;
  };
  auto header = [](int cls, int data, uint16_t machine) {
    std::vector<uint8_t> h(cls == 2 ? 64 : 52, 0);
    h[0] = 0x7f, h[1] = 'E', h[2] = 'L', h[3] = 'F', h[4] = uint8_t(cls), h[5] = uint8_t(data), h[6] = 1;
    h[16] = 2;
    if (data == 2) h[18] = uint8_t(machine >> 8), h[19] = uint8_t(machine);
    else h[18] = uint8_t(machine), h[19] = uint8_t(machine >> 8);
    return h;
  };
  struct Case {
    std::string file;
    std::vector<uint8_t> bytes;
    std::string expect;
  };
  std::vector<Case> cases = {
      {"text", {'h', 'e', 'l', 'l', 'o'}, "not an ELF file"},
      {"x86", header(2, 1, 62), "ELF for x86-64, not ARM"},
      {"be", header(1, 2, 40), "big-endian ELF"},
      {"e64", header(2, 1, 40), "64-bit ELF"},
      {"short", [&] { auto h = header(1, 1, 40); h.resize(40); return h; }(), "truncated ELF"},
      {"nophdr", header(1, 1, 40), "no program headers"},
  };
  for (const auto &c : cases) {
    CAPTURE(c.file);
    auto r = load_elf(write(c.file, c.bytes));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::BadElf);
    CHECK(r.error().message.find(c.expect) != std::string::npos);
    CHECK(r.error().message.find('\n') == std::string::npos);
  }
  auto missing = load_elf(dir / "nope.elf");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::FileUnreadable);
  fs::remove_all(dir);
}

TEST_CASE("device choice from build attributes") {
  BuildAttributes a;
  a.cpu_name = "cortex-m7";
  CHECK(core_from_attributes(a, nullptr) == CoreKind::M7);
  BuildAttributes v6;
  v6.cpu_arch = 12;
  CHECK(core_from_attributes(v6, nullptr) == CoreKind::M0plus);
  BuildAttributes v7em;
  v7em.cpu_arch = 13;
  CHECK(core_from_attributes(v7em, nullptr) == CoreKind::M4);
  v7em.fp_arch = 6;
  CHECK(core_from_attributes(v7em, nullptr) == CoreKind::M4F);
  v7em.fp_arch = 8;
  CHECK(core_from_attributes(v7em, nullptr) == CoreKind::M7);
  BuildAttributes v8;
  v8.cpu_arch = 17;
  CHECK(core_from_attributes(v8, nullptr) == CoreKind::M33);
  CHECK_FALSE(core_from_attributes(BuildAttributes{}, nullptr));

  if (!test::have_firmware("hello-stm32f407")) return;
  auto elf = load_elf(test::firmware("hello-stm32f407"));
  REQUIRE(elf);
  auto choice = choose_device_for(*elf);
  REQUIRE(choice);
  CHECK(choice->device.name == "generic-m4f");
  CHECK(choice->device.vector_table == 0x08000000);
  CHECK(choice->explanation.find("flash moved to 0x08000000") != std::string::npos);
  CHECK(check_image_fits(*elf, choice->device));
  auto vt = check_vector_table(*elf, choice->device);
  REQUIRE(vt);
  CHECK(vt->initial_sp == 0x20020000);
}
