/// The TOML text check of base/toml_input.h on its own (the device, budget and
/// battery readers all use it): what passes, and where and why the rest fails.
#include "base/toml_input.h"

#include <doctest/doctest.h>
#include <string>
#include <string_view>

using mcusim::check_toml_text;

namespace {
/// "line:column: what" of the first problem, or "" when the text passes.
std::string at(std::string_view text) {
  auto p = check_toml_text(text);
  return p ? std::to_string(p->line) + ":" + std::to_string(p->column) + ": " + p->what : "";
}
bool starts(const std::string &s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
} // namespace

TEST_CASE("toml text: valid UTF-8 with tabs, CRLF and a byte-order mark passes") {
  CHECK(at("a = 1\r\nb\t= \"\xc2\xb0 \xe2\x82\xac \xf0\x9f\x94\x8b\"\n") == "");
  CHECK(at("\xEF\xBB\xBF" "a = 1\n") == "");
  CHECK(at("") == "");
}

TEST_CASE("toml text: invalid UTF-8 is found with its line and column") {
  CHECK(starts(at("a = 1\nb = \"\xff\"\n"), "2:6: invalid UTF-8"));
  CHECK(starts(at("x\xc0\xaf"), "1:2: invalid UTF-8: overlong"));            // overlong '/'
  CHECK(starts(at("x\xe0\x80\xaf"), "1:2: invalid UTF-8: overlong"));        // overlong
  CHECK(starts(at("x\xed\xa0\x80"), "1:2: invalid UTF-8: UTF-16 surrogate")); // surrogate
  CHECK(starts(at("x\xf4\x90\x80\x80"), "1:2: invalid UTF-8: U+110000 is above U+10FFFF"));
  CHECK(starts(at("x\xe2\x82"), "1:2: invalid UTF-8: truncated sequence"));   // cut short
  CHECK(starts(at("x\x80"), "1:2: invalid UTF-8: byte 0x80 cannot start"));   // lone continuation
  CHECK(starts(at("# \xc2\xb0\xff"), "1:4: invalid UTF-8"));                  // columns count characters
}

TEST_CASE("toml text: control bytes other than tab, LF and CR before LF are refused") {
  CHECK(at(std::string_view("a = \0", 5)) == "1:5: NUL byte (0x00)");
  CHECK(at("a = 1\x01") == "1:6: control byte 0x01");
  CHECK(at("# \x7f") == "1:3: control byte 0x7F (DEL)");
  CHECK(at("a\x1b[0m") == "1:2: control byte 0x1B");
  CHECK(at("a = 1\rb = 2\n") == "1:6: carriage return not followed by a line feed");
}

TEST_CASE("toml text: non-ASCII characters are allowed in strings and comments only") {
  // Allowed: basic, literal and multi-line strings, quoted keys, comments.
  CHECK(at("a = \"\xc8\xac\" # \xc8\xac\nb = '\xc8\xac'\n\"\xc8\xac\" = 1\nc = \"\"\"\n\xc8\xac\"\"\"\nd = '''\xc8\xac'''\n") == "");
  CHECK(at("a = \"x\\\"\xc8\xac\"\n") == "");                 // an escaped quote does not end the string
  CHECK(at("a = \"\"\"x\"\"\"\"\"\nb = \"\xc8\xac\"\n") == ""); // up to two quotes before the closing three
  CHECK(at("a = \"\"\nb = '' # \xc8\xac\n") == "");           // empty strings
  // Refused: between values, in bare keys, after a closed string.
  CHECK(starts(at("a = 1\xc8\xac\n"), "1:6: non-ASCII character"));
  CHECK(starts(at("k\xc3\xa9 = 1\n"), "1:2: non-ASCII character"));
  CHECK(starts(at("a = \"x\" \xc2\xa0\n"), "1:9: non-ASCII character"));
  CHECK(starts(at("a = \"x\n\xc8\xac = 1\n"), "2:1: non-ASCII")); // a basic string ends at the line's end
  CHECK(starts(at("a = \"\"\"x\n\"\"\"\xc8\xac\n"), "2:4: non-ASCII"));
}

TEST_CASE("toml text: a quote right after a value starts no string") {
  // toml++ 3.3.0 reads on past the quote as outside a string (found by
  // fuzz_budget_toml: tests/fuzz/corpus/budget_toml/crash-toml-quote-after-value-non-ascii).
  CHECK(starts(at("heap_bytes = 8192'\xd0\x8c\n"), "1:19: non-ASCII character"));
  CHECK(starts(at("a = true\"\xd0\x8c\"\n"), "1:10: non-ASCII character"));
  CHECK(starts(at("a = 5.'\xd0\x8c'\n"), "1:8: non-ASCII character")); // a '.' in a value is not a key's
  CHECK(starts(at("a = x['\xd0\x8c'\n"), "1:8: non-ASCII character")); // nor is a '[' right after a value an array
  // Nor does an '=' inside a value start one (crash-toml-equals-inside-value-non-ascii).
  CHECK(starts(at("t=6=\"\xd0\x8c\""), "1:6: non-ASCII character"));
  CHECK(starts(at("t = { a = 1 = '\xd0\x8c' }\n"), "1:16: non-ASCII character"));
  // Where a key or a value may start, a quote still starts a string.
  CHECK(at("'k\xd0\x8c' = '\xd0\x8c'\na.'\xd0\x8c' = [ '\xd0\x8c',\n  # c\n  \"\xd0\x8c\" ]\nb = { c = \"\xd0\x8c\", d.'\xd0\x8c' = [[ '\xd0\x8c' ], { e = '\xd0\x8c' }] }\n[ '\xd0\x8c' ]\n") == "");
}
