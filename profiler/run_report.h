/// \file
/// RunReport: the one model of a run's results (totals, per-function profile,
/// memory), computed once and rendered as text, JSON or Markdown. The JSON
/// schema is versioned (docs/report.md).
#pragma once

#include "base/device.h"
#include "image/elf_image.h"
#include "core/simulator.h"
#include "power/energy.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim {

struct RunReport {
  static constexpr int kSchemaVersion = 3; ///< docs/report.md: what changed in each version

  // What ran
  std::string firmware, device, core, timing;
  double mhz = 0;
  // How it ended
  std::string stop_reason;
  int exit_code = 0;
  std::string message;
  std::string fault; ///< the fault report text, if the run faulted
  /// Peripheral registers the run accessed that no model handles ("RCC->PLLSAI1CFGR"), first access first.
  std::vector<std::string> unmodelled_registers;
  /// The clock over the run when the firmware changed it (empty otherwise):
  /// from `cycle` on, the core ran at `mhz` with `flash_ws` wait states.
  struct ClockChange {
    uint64_t cycle = 0;
    double mhz = 0;
    unsigned flash_ws = 0;
  };
  std::vector<ClockChange> clock_changes;
  /// A GPIO pin used as a phase marker (`--gpio-phase NAME=PA5`, docs/peripherals.md):
  /// its high intervals, each from a rising to the next falling output change.
  struct GpioPhase {
    std::string name, pin;  ///< "inference", "PA5"
    uint64_t count = 0;     ///< complete high intervals
    uint64_t cycles = 0;    ///< their total length
    double us = 0;          ///< the same in simulated µs
    double mean_cycles = 0, mean_us = 0;
    bool open = false;      ///< the pin was still high at the end (that interval is not counted)
  };
  std::vector<GpioPhase> gpio_phases; ///< in --gpio-phase order (empty without the option)
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
    double self_uj = 0, inclusive_uj = 0; ///< energy (0 without power figures): cycles at the run current of the function's code location
  };
  std::vector<Function> functions; ///< by self cycles, largest first (empty without profiling)
  uint64_t other_cycles = 0;       ///< exception entry/exit, sleep, idle, wake-up
  bool profiled = false;

  /// One node of the model's graph: a layer, over all invocations of the
  /// model (docs/markers.md says what an invocation and a node are).
  struct Layer {
    uint32_t node = 0;      ///< position of the layer within its invocation (0 = first)
    std::string name, op;   ///< name (marker, TFLM tag or kernel), operator type ("" if unknown)
    uint64_t invocations = 0, cycles = 0; ///< cycles: total over the invocations
    double mean_cycles = 0;  ///< per invocation
    std::optional<uint64_t> min_cycles, max_cycles; ///< per invocation (unknown in a schema 1 report)
    double ms = 0, share = 0; ///< total time; share of all cycles
    double mean_us = 0, min_us = 0, max_us = 0; ///< per invocation
    std::optional<uint64_t> macs;         ///< multiply-accumulates of one invocation, when known
    std::optional<double> cycles_per_mac; ///< when the MACs are known
    double uj = 0, mean_uj = 0; ///< energy: total over the invocations, per invocation (0 without power figures)
  };
  std::vector<Layer> layers;  ///< in execution order (node index)
  /// All the layers of one operator type.
  struct LayerOperator {
    std::string op;
    uint64_t layers = 0, invocations = 0, cycles = 0;
    double ms = 0, share = 0;
    std::optional<double> cycles_per_mac; ///< when the MACs of all its layers are known
  };
  std::vector<LayerOperator> layer_operators; ///< most cycles first
  std::string layer_source;   ///< markers, pattern, tflm-profiler, tflm-calls
  uint64_t layer_invocations = 0; ///< invocations of the model that held layers
  uint64_t invocation_cycles = 0; ///< all invocations, each from its start to its end (docs/markers.md); per inference = / layer_invocations
  /// The cycles "per inference" figures are measured over: invocation_cycles,
  /// or for a report without them (schema 1 and 2) the layers' cycles.
  uint64_t inference_cycles() const {
    if (invocation_cycles) return invocation_cycles;
    uint64_t sum = 0;
    for (const auto &l : layers) sum += l.cycles;
    return sum;
  }
  uint64_t layer_setup = 0;       ///< outermost regions outside every invocation (set-up), not rows
  std::string invocation_rule;    ///< interpreter, invoke-marker, repeated-sequence

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
    uint64_t bytes = 0;       ///< how far the break rose (_sbrk)
  } heap;
  struct Arena {
    std::string symbol;       ///< empty: no arena found
    uint32_t size = 0, used = 0; ///< used = head + tail
    uint32_t head = 0, tail = 0; ///< in use below and above the longest run of zero bytes (the free gap)
  } arena;
  uint32_t max_call_depth = 0;
  uint64_t exceptions_taken = 0;

  /// Energy (docs/power.md): present when the device has power figures.
  std::optional<power::RunEnergy> energy;
  std::string energy_note;                 ///< why there is no energy ("stm32f407 has no [power] section")
  std::optional<double> uj_per_inference;  ///< energy of one model invocation, when layers give invocations
  /// Energy of other_cycles (exceptions, sleep, idle, wake-up) and of the
  /// instruction-class weights: with the functions' self_uj it makes energy->energy_uj.
  double other_uj = 0;
};

RunReport build_report(const RunResult &result, const ElfImage &elf, const Device &device, const std::string &timing);

/// Adds the run's energy to a report built by build_report (docs/power.md,
/// "Energy per run"): RunReport::energy, each function's self and inclusive
/// µJ (its cycles at the run current of the region its address lies in),
/// each layer's µJ (its cycles at the run's average run current),
/// uj_per_inference and other_uj. When the run's power counters do not cover
/// its cycles, no energy and energy_note says why.
void attach_energy(RunReport &report, const RunResult &result, const Device &device, const power::EnergyModel &model);
/// The same, priced clock by clock (power::price_run with one model per
/// clock, power::make_clock_models) when `priced_by_clock`; functions and
/// layers, not counted by clock, get the run's average energy per run cycle.
void attach_energy(RunReport &report, const RunResult &result, const Device &device, const std::vector<power::EnergyModel> &by_clock,
                   bool priced_by_clock = true);

std::string render_text(const RunReport &report, size_t top = 15);
std::string render_json(const RunReport &report);
std::string render_markdown(const RunReport &report, size_t top = 15);
/// One self-contained HTML page with charts (layers, functions, memory).
std::string render_html(const RunReport &report, size_t top = 15);
/// "markers, 3 invocations, 1 set-up region outside them not shown": what
/// the layer rows are, for the renderers' headings.
std::string layer_heading(const RunReport &report);
/// What every format says of a run that was not profiled (one line).
std::string not_profiled_line();

/// Reads back a report rendered by render_json (profiler/report_json.cpp):
/// render_json(*parse_report_json(render_json(r))) == render_json(r). Refuses
/// other JSON and reports of a newer schema version with a one-line error.
Expected<RunReport> parse_report_json(std::string_view json);

} // namespace mcusim
