#include "base/device.h"

#include <doctest/doctest.h>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <toml++/toml.h>

#include "helpers.h"

using namespace mcusim;

static const char *kValid = R"(
schema = 1
name = "Test-Chip"
core = "cortex-m4f"
fpu = "fpv4-sp-d16"
source = "test"
[clock]
default_mhz = 80
max_mhz = 120
source = "test"
[vector_table]
address = 0x08000000
source = "test"
[nvic]
irqs = 40
priority_bits = 3
source = "test"
[[memory]]
name = "flash"
kind = "flash"
base = 0x08000000
size = 0x40000
access = "rx"
aliases = [0x0]
source = "test"
[[memory]]
name = "sram"
kind = "sram"
base = 0x20000000
size = 0x10000
access = "rwx"
source = "test"
)";

TEST_CASE("a valid device description parses") {
  auto d = parse_device(kValid, "t.toml");
  REQUIRE(d);
  CHECK(d->name == "test-chip");
  CHECK(d->core == CoreKind::M4F);
  CHECK(d->has_fpu());
  CHECK(d->default_mhz == 80);
  CHECK(d->max_mhz == 120);
  CHECK(d->irqs == 40);
  CHECK(d->priority_bits == 3);
  REQUIRE(d->memory.size() == 2);
  CHECK(d->memory[0].exec);
  CHECK_FALSE(d->memory[0].write);
  CHECK(d->region_at(0x0, 4) == &d->memory[0]); // alias
  CHECK(d->region_at(0x0803FFFC, 4) == &d->memory[0]);
  CHECK(d->region_at(0x0803FFFE, 4) == nullptr); // straddles the end
  CHECK(d->capacity({RegionKind::Flash}) == 0x40000);
}

TEST_CASE("device description errors name the problem") {
  auto syntax = parse_device("name = \"x\"\ncore = \"cortex-m4\n", "bad.toml");
  REQUIRE_FALSE(syntax);
  CHECK(syntax.error().kind == ErrorKind::BadDevice);
  CHECK(syntax.error().message.find("bad.toml:2: malformed device file") != std::string::npos);

  std::string s = kValid;
  auto with = [&](const std::string &from, const std::string &to) {
    std::string t = s;
    t.replace(t.find(from), from.size(), to);
    return parse_device(t, "t.toml");
  };
  auto core = with("cortex-m4f", "cortex-a53");
  REQUIRE_FALSE(core);
  CHECK(core.error().message.find("unknown core 'cortex-a53'") != std::string::npos);
  auto overlap = with("base = 0x20000000", "base = 0x08010000");
  REQUIRE_FALSE(overlap);
  CHECK(overlap.error().message.find("overlap") != std::string::npos);
  auto unaligned = with("size = 0x10000", "size = 0x10001");
  REQUIRE_FALSE(unaligned);
  CHECK(unaligned.error().message.find("multiples of 1 KiB") != std::string::npos);
  auto fpu = with("core = \"cortex-m4f\"", "core = \"cortex-m3\"");
  REQUIRE_FALSE(fpu);
  CHECK(fpu.error().message.find("has no FPU") != std::string::npos);
  auto vt = with("address = 0x08000000", "address = 0x60000000");
  REQUIRE_FALSE(vt);
  CHECK(vt.error().message.find("vector_table.address") != std::string::npos);
}

TEST_CASE("bundled devices: all load, names match files, lookup is case-insensitive") {
  std::vector<Error> errors;
  auto devices = list_devices(&errors);
  CHECK(errors.empty());
  std::vector<std::string> required = {"generic-m0plus", "generic-m3", "generic-m4", "generic-m4f", "generic-m7", "generic-m33",
                                       "stm32f407", "stm32l4r5", "stm32u575", "stm32h7a3", "stm32g0b1", "nrf52840", "rp2040"};
  for (const auto &name : required) {
    auto d = find_device(name);
    REQUIRE_MESSAGE(d, name);
    CHECK(d->name == name);
    CHECK(d->file.stem() == name);
  }
  auto upper = find_device("STM32F407");
  REQUIRE(upper);
  CHECK(upper->core == CoreKind::M4F);
  auto unknown = find_device("nosuchchip");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("unknown device 'nosuchchip'") != std::string::npos);
}

TEST_CASE("every figure in every bundled device file has a source") {
  for (const auto &d : list_devices()) {
    auto root = toml::parse_file(d.file.string());
    CAPTURE(d.name);
    CHECK(root["source"].value<std::string>().has_value());
    for (const char *table : {"clock", "vector_table", "nvic"}) {
      CAPTURE(table);
      CHECK(root[table]["source"].value<std::string>().value_or("").size() > 10);
    }
    for (auto &m : *root["memory"].as_array()) CHECK(m.as_table()->get("source") != nullptr);
  }
}

TEST_CASE("firmware linker scripts agree with the device files") {
  namespace fs = std::filesystem;
  fs::path ld_dir = test::source_dir() / "firmware" / "ld";
  std::regex line(R"(^\s*(\w+)\s*\(([a-z!]+)\)\s*:\s*ORIGIN\s*=\s*(0x[0-9A-Fa-f]+)\s*,\s*LENGTH\s*=\s*(\d+)([KM]?))");
  int checked = 0;
  for (const auto &entry : fs::directory_iterator(ld_dir)) {
    if (entry.path().filename() == "common.ld" || entry.path().extension() != ".ld") continue;
    auto dev = find_device(entry.path().stem().string());
    REQUIRE_MESSAGE(dev, entry.path().string());
    std::ifstream in(entry.path());
    std::string l;
    while (std::getline(in, l)) {
      std::smatch m;
      if (!std::regex_search(l, m, line)) continue;
      uint64_t origin = std::stoull(m[3], nullptr, 16);
      uint64_t len = std::stoull(m[4]) * (m[5] == "K" ? 1024 : m[5] == "M" ? 1024 * 1024 : 1);
      const MemoryRegionDesc *r = dev->region_at(origin, len);
      CAPTURE(entry.path().filename().string());
      CAPTURE(m[1].str());
      REQUIRE_MESSAGE(r, "linker region outside the device's memory");
      if (m[1] == "FLASH" || m[1] == "RAM") {
        CHECK(r->base == origin);
        CHECK(r->size == len); // the linker uses the whole region
      }
      ++checked;
    }
  }
  CHECK(checked >= 10);
}
