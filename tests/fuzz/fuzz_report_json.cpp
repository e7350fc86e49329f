// Fuzzes the report JSON reader (profiler/report_json.cpp, parse_report_json)
// and checks its documented round trip: a report that parses renders to JSON
// that parses back to the same JSON. Seeds: tests/golden/*.json
// (corpus/report_json/).
#include "profiler/run_report.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace mcusim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto report = parse_report_json(text);
  if (!report) return 0;
  std::string once = render_json(*report);
  auto again = parse_report_json(once);
  if (!again) {
    std::fprintf(stderr, "round trip: the rendered report does not parse back: %s\n", again.error().message.c_str());
    std::abort();
  }
  if (render_json(*again) != once) {
    std::fprintf(stderr, "round trip: the report renders differently after parsing it back\n");
    std::abort();
  }
  return 0;
}
