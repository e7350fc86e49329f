#include "base/device.h"
#include "base/toml_input.h"

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

namespace {
/// kValid with the first `from` replaced by `to`.
std::string valid_with(const std::string &from, const std::string &to) {
  std::string t = kValid;
  auto at = t.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  t.replace(at, from.size(), to);
  return t;
}
/// The error of a device text that must not load: a bad-device error on one line.
std::string device_error(const std::string &text) {
  auto d = parse_device(text, "t.toml");
  REQUIRE_FALSE(d);
  CHECK(d.error().kind == ErrorKind::BadDevice);
  CHECK(d.error().message.find('\n') == std::string::npos);
  CHECK(d.error().message.find('\r') == std::string::npos);
  return d.error().message;
}
} // namespace

TEST_CASE("device text: an opening bracket followed by byte 0x0F is rejected before parsing, on one line") {
  CHECK(device_error(std::string("[\x0F")) == "t.toml:1: malformed device file: control byte 0x0F at column 2 (byte offset 1)");
  CHECK(device_error(std::string("[\x0F]\n")).rfind("t.toml:1: malformed device file: control byte 0x0F", 0) == 0);
}

TEST_CASE("device text: a byte that is not valid UTF-8 in a value is rejected") {
  CHECK(device_error(valid_with("name = \"Test-Chip\"", "name = \xA7")) ==
        "t.toml:3: malformed device file: invalid UTF-8: byte 0xA7 cannot start a character (a continuation byte without a "
        "lead byte) at column 8 (byte offset 19)");
  CHECK(device_error(valid_with("\"Test-Chip\"", "\"Test\xA7\"")).find("t.toml:3: malformed device file: invalid UTF-8") == 0);
  CHECK(device_error(valid_with("\"Test-Chip\"", "\"T\xFF\"")).find("byte 0xFF never occurs in UTF-8") != std::string::npos);
}

TEST_CASE("device text: overlong UTF-8 encodings are rejected") {
  CHECK(device_error(valid_with("\"Test-Chip\"", "\"\xC0\xAF\"")).find("invalid UTF-8: overlong encoding (lead byte 0xC0)") !=
        std::string::npos);
  CHECK(device_error(valid_with("\"Test-Chip\"", "\"\xE0\x80\xAF\"")).find("invalid UTF-8: overlong encoding of U+002F") !=
        std::string::npos);
  CHECK(device_error(valid_with("\"Test-Chip\"", "\"\xF0\x80\x80\xAF\"")).find("overlong encoding of U+002F") != std::string::npos);
}

TEST_CASE("device text: surrogates, code points above U+10FFFF and truncated sequences are rejected") {
  CHECK(device_error(valid_with("\"Test-Chip\"", "\"\xED\xA0\x80\"")).find("UTF-16 surrogate U+D800") != std::string::npos);
  CHECK(device_error(valid_with("\"Test-Chip\"", "\"\xF4\x90\x80\x80\"")).find("U+110000 is above U+10FFFF") != std::string::npos);
  CHECK(device_error(valid_with("\"Test-Chip\"", "\"\xE2\x82\"")).find("truncated sequence (lead byte 0xE2 needs 2 continuation bytes)") !=
        std::string::npos);
  CHECK(device_error(std::string("name = \"x\" # \xF0\x9F\x98")).find("truncated sequence") != std::string::npos);
  // Valid multi-byte text still loads.
  CHECK(parse_device(valid_with("source = \"test\"", "source = \"\xC2\xA7 3.5, \xE2\x80\x94 \xF0\x9F\x93\x98\""), "t.toml"));
}

TEST_CASE("device text: a NUL byte, other control bytes and a lone carriage return are rejected") {
  std::string nul = valid_with("\"Test-Chip\"", std::string("\"Test\0Chip\"", 11));
  CHECK(device_error(nul) == "t.toml:3: malformed device file: NUL byte (0x00) at column 13 (byte offset 24)");
  CHECK(device_error(std::string(kValid) + "# \x1B\n").find("control byte 0x1B") != std::string::npos);
  CHECK(device_error(std::string(kValid) + "# \x7F\n").find("control byte 0x7F (DEL)") != std::string::npos);
  CHECK(device_error(valid_with("schema = 1\n", "schema = 1\r")).find("carriage return not followed by a line feed") !=
        std::string::npos);
  // CR LF line ends and tabs are fine.
  std::string crlf;
  for (char c : std::string(kValid)) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  CHECK(parse_device(valid_with("default_mhz = 80", "default_mhz =\t80"), "t.toml"));
  CHECK(parse_device(crlf, "t.toml"));
}

TEST_CASE("device text: control characters written as escapes in strings or keys are rejected") {
  CHECK(device_error(valid_with("\"Test-Chip\"", "\"Test\\nChip\"")) == "t.toml:3: malformed device file: name must be one non-empty line");
  CHECK(device_error(valid_with("\"Test-Chip\"", "\"Test\\u0007Chip\"")) ==
        "t.toml:3: malformed device file: 'name' holds a control character (U+0007) at column 8");
  CHECK(device_error(valid_with("name = \"sram\"", "name = \"s\\rram\"")).find("a memory region's name must be one non-empty line") !=
        std::string::npos);
  CHECK(device_error(valid_with("source = \"test\"\n[clock]", "source = \"\\u001b[31m\"\n[clock]")).find(
            "'source' holds a control character (U+001B)") != std::string::npos);
  CHECK(device_error(valid_with("[clock]\n", "[clock]\n\"a\\u0000b\" = 1\n")).find("holds a control character (U+0000)") !=
        std::string::npos);
}

TEST_CASE("device text: inputs toml++ 3.3.0 asserts on or mis-handles get a parse error instead") {
  // A table header without a key ("[" then a line end, a comment, '=', or a third '[').
  CHECK(device_error("[\t\nname = 1\n") ==
        "t.toml:1: malformed device file: a table header must name a key after '[', found the end of the line at column 3 (byte offset 2)");
  CHECK(device_error("schema = 1\n  [ # x\n").find("t.toml:2: malformed device file: a table header must name a key after '[', found a comment") == 0);
  CHECK(device_error("[=]\n").find("found '='") != std::string::npos);
  CHECK(device_error("[[[a]]]\n").find("found '['") != std::string::npos);
  CHECK(device_error("[\xC2\xA7]\n").find("found '\xC2\xA7'") != std::string::npos);
  // A '}' directly inside an array.
  CHECK(device_error("a = [}\n") == "t.toml:1: malformed device file: '}' inside an array (an array ends with ']') at column 6 (byte offset 5)");
  CHECK(device_error("a = [1,\n  }\n").find("t.toml:2: malformed device file: '}' inside an array") == 0);
  // A non-ASCII character outside strings and comments (valid UTF-8 '§' included).
  CHECK(device_error(valid_with("name = \"Test-Chip\"", "name = \xC2\xA7")) ==
        "t.toml:3: malformed device file: non-ASCII character '\xC2\xA7' outside a string or comment at column 8 (byte offset 19)");
  CHECK(device_error("a = 1\xC2\xA0\n").find("non-ASCII character") != std::string::npos);
  // ... and right after a backslash in a multi-line string.
  CHECK(device_error("a = \"\"\"\\\n  \xC2\xA7\"\"\"\n").find("right after a line-ending backslash in a multi-line string") !=
        std::string::npos);
  CHECK(device_error("a = \"\"\"\\\xC2\xA7\"\"\"\n").find("after a backslash in a multi-line string") != std::string::npos);
  // Valid TOML around these cases still loads: arrays of arrays over several lines, non-ASCII text in
  // strings, keys and comments, brackets inside strings, a byte order mark.
  const std::string extra = "[notes_table]\narr = [\n  [\n    1, 2 ],\n  [ \"}\" ], # ]\n  [{ a = 1 }],\n]\n"
                            "multi = \"\"\"\n[\n\\\n  x \xC2\xA7\"\"\"\n\"\xC2\xA7 key\" = '[=]' # \xC2\xA7 [\n";
  auto with_extra = parse_device(std::string(kValid) + extra, "t.toml");
  CHECK_MESSAGE(with_extra, (with_extra ? "" : with_extra.error().message));
  CHECK(parse_device("\xEF\xBB\xBF" + std::string(kValid), "t.toml"));
}

TEST_CASE("device text: more than 1 MiB is rejected") {
  std::string big = std::string(kValid) + "# " + std::string(kMaxTomlInputBytes, 'x') + "\n";
  CHECK(device_error(big).find("t.toml: malformed device file: the file is ") == 0);
}

TEST_CASE("device clock: nan, inf, zero, negative and huge default_mhz are rejected") {
  for (const char *bad : {"nan", "+nan", "-nan", "inf", "-inf", "0", "0.0", "-5", "-0.5", "1e9", "10001"}) {
    CAPTURE(bad);
    std::string e = device_error(valid_with("default_mhz = 80", std::string("default_mhz = ") + bad));
    CHECK(e.rfind("t.toml:8: malformed device file: 'clock.default_mhz' must be ", 0) == 0);
  }
  CHECK(device_error(valid_with("default_mhz = 80", "default_mhz = nan")) ==
        "t.toml:8: malformed device file: 'clock.default_mhz' must be a finite number (got nan)");
  CHECK(device_error(valid_with("default_mhz = 80", "default_mhz = -5")) ==
        "t.toml:8: malformed device file: 'clock.default_mhz' must be greater than 0 and at most 10000 (got -5)");
  CHECK(device_error(valid_with("max_mhz = 120", "max_mhz = inf")).find("'clock.max_mhz' must be a finite number") != std::string::npos);
  CHECK(device_error(valid_with("max_mhz = 120", "max_mhz = 40")).find("clock.max_mhz (40) is below clock.default_mhz (80)") !=
        std::string::npos);
  CHECK(device_error(valid_with("default_mhz = 80", "default_mhz = \"80\"")).find("'clock.default_mhz' has the wrong type") !=
        std::string::npos);
  auto fraction = parse_device(valid_with("default_mhz = 80", "default_mhz = 80.5"), "t.toml");
  REQUIRE(fraction);
  CHECK(fraction->default_mhz == 80.5);
}

TEST_CASE("device memory: a region overlapping the system space at 0xE0000000 is rejected") {
  const std::string region = "[[memory]]\nname = \"ppb\"\nkind = \"peripheral\"\nbase = 0xE0000000\nsize = 0x100000\naccess = \"rw\"\n";
  std::string e = device_error(std::string(kValid) + region);
  CHECK(e == "t.toml: malformed device file: memory ppb (0xE0000000-0xE00FFFFF) overlaps the system space at 0xE0000000-0xFFFFFFFF "
             "(NVIC, SysTick, SCB, debug: provided by the simulator, not described in device files)");
  // Reaching into it from below, and lying in the vendor part above the PPB, are rejected too.
  CHECK(device_error(std::string(kValid) + "[[memory]]\nname = \"ext\"\nkind = \"sram\"\nbase = 0xDFFF0000\nsize = 0x20000\naccess = \"rw\"\n")
            .find("memory ext (0xDFFF0000-0xE000FFFF) overlaps the system space") != std::string::npos);
  CHECK(device_error(std::string(kValid) + "[[memory]]\nname = \"vendor\"\nkind = \"rom\"\nbase = 0xF0000000\nsize = 0x1000\naccess = \"r\"\n")
            .find("memory vendor (0xF0000000-0xF0000FFF) overlaps the system space") != std::string::npos);
  // Right below it is fine.
  CHECK(parse_device(std::string(kValid) + "[[memory]]\nname = \"top\"\nkind = \"sram\"\nbase = 0xDFFFF000\nsize = 0x1000\naccess = \"rw\"\n",
                     "t.toml"));
}

TEST_CASE("device memory: regions overlapping each other are rejected, naming both") {
  CHECK(device_error(valid_with("base = 0x20000000", "base = 0x08010000")) ==
        "t.toml: malformed device file: memory regions overlap at 0x08010000: memory flash (0x08000000-0x0803FFFF) and memory sram "
        "(0x08010000-0x0801FFFF)");
  CHECK(device_error(valid_with("base = 0x20000000", "base = 0x08000000")).find("memory regions overlap at 0x08000000") !=
        std::string::npos);
}

TEST_CASE("device memory: aliases overlapping a region, the system space or 4 GiB are rejected") {
  CHECK(device_error(valid_with("aliases = [0x0]", "aliases = [0x20008000]")) ==
        "t.toml: malformed device file: memory regions overlap at 0x20008000: memory sram (0x20000000-0x2000FFFF) and alias "
        "0x20008000 of memory flash (0x20008000-0x20047FFF)");
  CHECK(device_error(valid_with("aliases = [0x0]", "aliases = [0xDFFF0000]")).find(
            "alias 0xDFFF0000 of memory flash (0xDFFF0000-0xE002FFFF) overlaps the system space") != std::string::npos);
  CHECK(device_error(valid_with("aliases = [0x0]", "aliases = [0xFFFF0000]")).find(
            "alias 0xFFFF0000 of memory flash (0xFFFF0000 + size) extends past 4 GiB") != std::string::npos);
  CHECK(device_error(valid_with("aliases = [0x0]", "aliases = [0x100000000]")).find("aliases of flash must be 32-bit addresses") !=
        std::string::npos);
  CHECK(device_error(valid_with("aliases = [0x0]", "aliases = [0x200]")).find("multiples of 1 KiB") != std::string::npos);
  CHECK(device_error(valid_with("aliases = [0x0]", "aliases = [-1024]")).find("32-bit addresses") != std::string::npos);
  CHECK(device_error(valid_with("aliases = [0x0]", "aliases = 0")).find("aliases of flash must be an array") != std::string::npos);
}

TEST_CASE("device memory: addresses and sizes past 32 bits, wrapping and duplicate names are rejected") {
  CHECK(device_error(valid_with("base = 0x20000000", "base = 0x120000000")).find("'memory.sram.base' is out of range") !=
        std::string::npos);
  CHECK(device_error(valid_with("base = 0x20000000", "base = -4096")).find("'memory.sram.base' is out of range") != std::string::npos);
  CHECK(device_error(valid_with("size = 0x10000", "size = 0x100000000")).find("'memory.sram.size' is out of range") !=
        std::string::npos);
  CHECK(device_error(valid_with("base = 0x20000000\nsize = 0x10000", "base = 0xFFFFFC00\nsize = 0x10000"))
            .find("memory sram (0xFFFFFC00 + size) extends past 4 GiB") != std::string::npos);
  CHECK(device_error(valid_with("size = 0x10000", "size = 0")).find("non-zero multiples of 1 KiB") != std::string::npos);
  CHECK(device_error(valid_with("name = \"sram\"", "name = \"flash\"")).find("two memory regions are named 'flash'") !=
        std::string::npos);
}

TEST_CASE("device numbers: vector table, NVIC and timing tables are range-checked") {
  CHECK(device_error(valid_with("address = 0x08000000", "address = 0x08000004")).find("multiple of 128") != std::string::npos);
  CHECK(device_error(valid_with("irqs = 40", "irqs = 0")).find("'nvic.irqs' must be 1..480 (got 0)") != std::string::npos);
  CHECK(device_error(valid_with("irqs = 40", "irqs = 481")).find("'nvic.irqs' must be 1..480 (got 481)") != std::string::npos);
  CHECK(device_error(valid_with("irqs = 40", "irqs = 5000000000")).find("'nvic.irqs' is out of range") != std::string::npos);
  CHECK(device_error(valid_with("priority_bits = 3", "priority_bits = 9")).find("'nvic.priority_bits' must be 3..8") !=
        std::string::npos);
  const std::string m0 = valid_with("core = \"cortex-m4f\"\nfpu = \"fpv4-sp-d16\"", "core = \"cortex-m0plus\"");
  CHECK(device_error(m0).find("'nvic.irqs' must be 1..32 (got 40)") != std::string::npos);
  std::string m0_ok_irqs = m0;
  m0_ok_irqs.replace(m0_ok_irqs.find("irqs = 40"), 9, "irqs = 32");
  CHECK(device_error(m0_ok_irqs).find("'nvic.priority_bits' must be 2..2 (got 3)") != std::string::npos);
  CHECK(device_error(valid_with("irqs = 40\npriority_bits = 3", "irqs = 40\npriority_bits = 2")).find("must be 3..8") !=
        std::string::npos);
  const std::string timing = std::string(kValid) +
                             "[flash]\nline_bytes = 16\nprefetch = true\nwait_states = [{ max_mhz = 30, ws = 0 }, { max_mhz = 120, ws = 3 }]\n"
                             "[accelerator]\nkind = \"art\"\nicache_lines = 64\ndcache_lines = 8\nline_bytes = 16\nways = 0\n"
                             "[sleep]\nwakeup_us = 0.5\n";
  auto ok = parse_device(timing, "t.toml");
  REQUIRE(ok);
  CHECK(ok->flash.ws_at(80) == 3);
  CHECK(ok->wakeup_us == 0.5);
  auto bad = [&](const std::string &from, const std::string &to) {
    std::string t = timing;
    t.replace(t.find(from), from.size(), to);
    return device_error(t);
  };
  CHECK(bad("max_mhz = 30", "max_mhz = nan").find("'flash.wait_states.max_mhz' must be a finite number") != std::string::npos);
  CHECK(bad("max_mhz = 30", "max_mhz = -1").find("'flash.wait_states.max_mhz' must be greater than 0") != std::string::npos);
  CHECK(bad("ws = 3", "ws = 256").find("'flash.wait_states.ws' must be 0..255") != std::string::npos);
  CHECK(bad("ws = 3", "ws = -1").find("'flash.wait_states.ws' is out of range") != std::string::npos);
  CHECK(bad("{ max_mhz = 120", "{ max_mhz = 30").find("sorted by max_mhz") != std::string::npos);
  CHECK(bad("line_bytes = 16\nprefetch", "line_bytes = 0\nprefetch").find("'flash.line_bytes' must be a power of two") !=
        std::string::npos);
  CHECK(bad("prefetch = true", "prefetch = 1").find("'flash.prefetch' has the wrong type") != std::string::npos);
  CHECK(bad("icache_lines = 64", "icache_lines = 100000").find("'accelerator.icache_lines' must be 0..65536") != std::string::npos);
  CHECK(bad("ways = 0", "ways = 3").find("must be a multiple of accelerator.ways") != std::string::npos);
  CHECK(bad("kind = \"art\"", "kind = \"l2\"").find("unknown accelerator.kind 'l2'") != std::string::npos);
  CHECK(bad("wakeup_us = 0.5", "wakeup_us = -0.5").find("'sleep.wakeup_us' must be at least 0") != std::string::npos);
  CHECK(bad("wakeup_us = 0.5", "wakeup_us = inf").find("'sleep.wakeup_us' must be a finite number") != std::string::npos);
  const std::string l1 = std::string(kValid) + "[cache]\nicache_bytes = 16384\nicache_ways = 2\ndcache_bytes = 16384\ndcache_ways = 4\nline_bytes = 32\n";
  REQUIRE(parse_device(l1, "t.toml"));
  auto bad_l1 = [&](const std::string &from, const std::string &to) {
    std::string t = l1;
    t.replace(t.find(from), from.size(), to);
    return device_error(t);
  };
  CHECK(bad_l1("icache_ways = 2", "icache_ways = 0").find("'cache.icache_ways' must be 1..64") != std::string::npos);
  CHECK(bad_l1("dcache_bytes = 16384", "dcache_bytes = 1000").find("cache.dcache_bytes must be a multiple") != std::string::npos);
  CHECK(bad_l1("line_bytes = 32", "line_bytes = 48").find("'cache.line_bytes' must be a power of two") != std::string::npos);
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
