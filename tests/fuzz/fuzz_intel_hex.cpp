// Fuzzes the Intel HEX reader (image/hex_reader.cpp) and what an image without
// symbols gets named by (image/address_functions.cpp). Seeds: `objcopy -O
// ihex` of bundled firmware and hand-written records (corpus/intel_hex/).
// Oracle besides the sanitizers: every refusal is one line naming the input.
#include "image/address_functions.h"
#include "image/hex_reader.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace mcusim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto image = read_intel_hex(std::string_view(reinterpret_cast<const char *>(data), size), "fuzz.hex");
  if (!image) {
    const std::string &m = image.error().message;
    if (m.find('\n') != std::string::npos || m.rfind("fuzz.hex", 0) != 0) std::abort();
    return 0;
  }
  name_functions_by_address(*image);
  (void)image->load_span();
  for (const auto &s : image->segments) (void)image->read_word(s.paddr);
  for (const auto &sym : image->symbols) (void)image->describe(sym.addr + 1);
  return 0;
}
