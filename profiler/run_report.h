/// \file
/// RunReport: the one model of a run's results (totals, per-function profile,
/// memory), computed once and rendered as text, JSON or Markdown. The JSON
/// schema is versioned (docs/report-schema.md).
#pragma once

#include "base/device.h"
#include "image/elf_image.h"
#include "core/simulator.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim {

struct RunReport {
  static constexpr int kSchemaVersion = 1;

  // What ran
  std::string firmware, device, core, timing;
  double mhz = 0;
  // How it ended
  std::string stop_reason;
  int exit_code = 0;
  std::string message;
  std::string fault; ///< the fault report text, if the run faulted
  // Totals
  uint64_t cycles = 0, instructions = 0, sleep_cycles = 0;
  double cpi = 0, simulated_seconds = 0;
  // Host (not part of the deterministic report)
  double wall_seconds = 0, mips = 0;

  struct Function {
    std::string name;
    std::string source; ///< "file.c:42", where DWARF gives it
    uint32_t addr = 0;
    uint64_t self_cycles = 0, inclusive_cycles = 0, calls = 0, instructions = 0;
    double self_share = 0; ///< of all cycles
  };
  std::vector<Function> functions; ///< by self cycles, largest first (empty without profiling)
  uint64_t other_cycles = 0;       ///< exception entry/exit, sleep, idle, wake-up
  bool profiled = false;

  struct Layer {
    std::string name, op;
    uint64_t invocations = 0, cycles = 0, macs = 0;
    double ms = 0, share = 0, cycles_per_mac = 0; ///< share of all cycles; cycles/MAC when MACs are known
  };
  std::vector<Layer> layers;  ///< outermost layers, in order of first appearance
  std::string layer_source;   ///< markers, pattern, tflm-profiler, tflm-calls

  struct Region {
    std::string name, kind;
    uint64_t used = 0, capacity = 0;
  };
  std::vector<Region> memory;
  struct Section {
    std::string name, region;
    uint32_t addr = 0, size = 0;
  };
  std::vector<Section> sections;
  struct Symbol {
    std::string name, kind; ///< "code" or "data"
    uint32_t addr = 0, size = 0;
  };
  std::vector<Symbol> top_symbols; ///< largest objects and functions

  struct Stack {
    uint32_t initial_sp = 0, lowest_sp = 0, used = 0;
    uint32_t limit = 0;       ///< __StackLimit or the end of .bss/heap, if known
    bool overflow = false;    ///< SP went below the limit
  } stack;
  struct Heap {
    bool malloc_used = false;
    uint64_t bytes = 0;       ///< grown through _sbrk
  } heap;
  struct Arena {
    std::string symbol;       ///< empty: no arena found
    uint32_t size = 0, used = 0; ///< used: up to the last byte written with a non-zero value
  } arena;
  uint32_t max_call_depth = 0;
  uint64_t exceptions_taken = 0;
};

RunReport build_report(const RunResult &result, const ElfImage &elf, const Device &device, const std::string &timing);

std::string render_text(const RunReport &report, size_t top = 15);
std::string render_json(const RunReport &report);
std::string render_markdown(const RunReport &report, size_t top = 15);
/// One self-contained HTML page with charts (layers, functions, memory).
std::string render_html(const RunReport &report, size_t top = 15);

/// Reads back a report rendered by render_json (profiler/report_json.cpp):
/// render_json(*parse_report_json(render_json(r))) == render_json(r). Refuses
/// other JSON and reports of a newer schema version with a one-line error.
Expected<RunReport> parse_report_json(std::string_view json);

} // namespace mcusim
