// Fuzzes the TOML input check of base/toml_input.cpp on its own: check_toml_text
// (size, UTF-8, control bytes, and what toml++ 3.3.0 would assert on), then
// parse_toml_input (the check, toml++, the key and string check). Any text that
// passes the check must reach toml++ without an assertion, undefined behaviour
// or a crash, and every error must be one line. Seeds: devices/*.toml
// (corpus/toml_text/).
#include "base/toml_input.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace mcusim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  const auto problem = check_toml_text(text);
  const auto parsed = parse_toml_input(text, "fuzz.toml", "malformed input");
  if (problem && parsed) {
    std::fprintf(stderr, "check_toml_text refused the text but parse_toml_input accepted it\n");
    std::abort();
  }
  if (!parsed && parsed.error().find('\n') != std::string::npos) {
    std::fprintf(stderr, "an error message spans more than one line\n");
    std::abort();
  }
  return 0;
}
