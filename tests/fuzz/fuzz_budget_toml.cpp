// Fuzzes the budget parser (profiler/budget.cpp, parse_budget). A budget that
// parses is evaluated against a fixed report, and the result rendered, the way
// `mcusim gate` uses it. Seeds: tests/data/budgets (corpus/budget_toml/).
#include "profiler/budget.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace mcusim;

namespace {
ReportMetrics sample_report() {
  ReportMetrics r;
  r.firmware = "fw.elf";
  r.device = "stm32f407";
  r.stop_reason = "exit";
  r.mhz = 168;
  r.cycles = 123456;
  r.ms = 0.73;
  r.profiled = true;
  r.functions = {{"main", 1000}, {"conv1", 90000}};
  r.layers = {{"conv1", 90000, 0.5}};
  r.regions = {{"FLASH", "flash", 4096}, {"SRAM", "sram", 2048}};
  r.flash_bytes = 4096;
  r.ram_bytes = 2048;
  r.stack_bytes = 512;
  return r;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const ReportMetrics report = sample_report();
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto budget = parse_budget(text, "fuzz.toml");
  if (!budget) return 0;
  auto result = evaluate_budget(*budget, report, &report);
  (void)render_checks(result);
  (void)render_budget_junit(result, report, "fuzz.toml");
  return 0;
}
