/// The UTF-8 and control-byte check of TOML text.
#include "power/toml_text.h"

#include <doctest/doctest.h>

using mcusim::power::check_toml_text;

TEST_CASE("valid UTF-8 with tabs, CRLF and a byte-order mark passes") {
  CHECK_FALSE(check_toml_text("a = 1\r\nb\t= \"\xc2\xb0 \xe2\x82\xac \xf0\x9f\x94\x8b\"\n", "f.toml"));
  CHECK_FALSE(check_toml_text("\xEF\xBB\xBF" "a = 1\n", "f.toml"));
  CHECK_FALSE(check_toml_text("", "f.toml"));
}

TEST_CASE("invalid UTF-8 is found with its line and column") {
  auto at = [](std::string_view text) { return check_toml_text(text, "f.toml").value_or(""); };
  CHECK(at("a = 1\nb = \"\xff\"\n") == "f.toml:2:6: not valid UTF-8 (byte 0xff)");
  CHECK(at("x\xc0\xaf") == "f.toml:1:2: not valid UTF-8 (byte 0xc0)");         // overlong '/'
  CHECK(at("x\xe0\x80\xaf") == "f.toml:1:2: not valid UTF-8 (byte 0xe0)");     // overlong
  CHECK(at("x\xed\xa0\x80") == "f.toml:1:2: not valid UTF-8 (byte 0xed)");     // surrogate
  CHECK(at("x\xf4\x90\x80\x80") == "f.toml:1:2: not valid UTF-8 (byte 0xf4)"); // above U+10FFFF
  CHECK(at("x\xe2\x82") == "f.toml:1:2: not valid UTF-8 (byte 0xe2)");         // cut short
  CHECK(at("x\x80") == "f.toml:1:2: not valid UTF-8 (byte 0x80)");             // lone continuation
  CHECK(at("# \xc2\xb0\xff") == "f.toml:1:4: not valid UTF-8 (byte 0xff)");    // columns count characters
}

TEST_CASE("control bytes other than tab, LF and CR are refused") {
  auto at = [](std::string_view text) { return check_toml_text(text, "f.toml").value_or(""); };
  CHECK(at(std::string_view("a = \0", 5)) == "f.toml:1:5: control byte 0x00 is not allowed in TOML text");
  CHECK(at("a = 1\x01") == "f.toml:1:6: control byte 0x01 is not allowed in TOML text");
  CHECK(at("# \x7f") == "f.toml:1:3: control byte 0x7f is not allowed in TOML text");
  CHECK(at("a\x1b[0m") == "f.toml:1:2: control byte 0x1b is not allowed in TOML text");
}

TEST_CASE("non-ASCII characters are allowed in strings and comments only") {
  auto at = [](std::string_view text) { return check_toml_text(text, "f.toml").value_or(""); };
  // Allowed: basic, literal and multi-line strings, quoted keys, comments.
  CHECK(at("a = \"\xc8\xac\" # \xc8\xac\nb = '\xc8\xac'\n\"\xc8\xac\" = 1\nc = \"\"\"\n\xc8\xac\"\"\"\nd = '''\xc8\xac'''\n") == "");
  CHECK(at("a = \"x\\\"\xc8\xac\"\n") == "");               // an escaped quote does not end the string
  CHECK(at("a = \"\"\"x\"\"\"\"\"\nb = \"\xc8\xac\"\n") == ""); // up to two quotes before the closing three
  CHECK(at("a = \"\"\nb = '' # \xc8\xac\n") == "");         // empty strings
  // Refused: between values, in bare keys, after a closed string.
  CHECK(at("a = 1\xc8\xac\n") == "f.toml:1:6: non-ASCII character outside a string or comment (TOML allows it in neither keys nor values)");
  CHECK(at("k\xc3\xa9 = 1\n").rfind("f.toml:1:2: non-ASCII character outside", 0) == 0);
  CHECK(at("a = \"x\" \xc2\xa0\n").rfind("f.toml:1:9: non-ASCII character outside", 0) == 0);
  CHECK(at("a = \"x\n\xc8\xac = 1\n").rfind("f.toml:2:1: non-ASCII", 0) == 0); // a basic string ends at the line's end
  CHECK(at("a = \"\"\"x\n\"\"\"\xc8\xac\n").rfind("f.toml:2:4: non-ASCII", 0) == 0);
}
