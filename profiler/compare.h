/// \file
/// Comparing two runs: totals, energy, per-function self cycles, per-layer cycles and memory, with
/// absolute and percentage deltas (B relative to A), rendered as text, JSON
/// or Markdown (`mcusim compare`, docs/database.md).
#pragma once

#include "profiler/run_report.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim {

struct CompareRow {
  enum class Unit { Cycles, Instructions, Milliseconds, Bytes, Microjoules, Milliwatts };
  std::string name;
  Unit unit = Unit::Cycles;
  double a = 0, b = 0;           ///< exact for counts up to 2^53
  bool in_a = true, in_b = true; ///< false: the function or region is not in that run
  double delta() const { return b - a; }
  /// 100 * (b - a) / a; 0 when both are 0; none when only A is 0 (new in B).
  std::optional<double> percent() const;
};

struct RunComparison {
  static constexpr int kSchemaVersion = 1;
  struct Side {
    std::string label; ///< "run 12" or the report file's name
    std::string firmware, device, core, timing, stop_reason;
    double mhz = 0;
    int exit_code = 0;
    bool profiled = false;
    bool energy = false;     ///< the report has energy
    std::string energy_note; ///< why it has none
  } a, b;
  std::vector<std::string> differences; ///< what ran differently: firmware, device, core, clock, timing
  std::vector<CompareRow> totals;       ///< cycles, time, instructions (in that order)
  /// When both runs have energy: µJ per run, average and peak mW, then µJ
  /// per inference when both have it (in that order); empty otherwise.
  std::vector<CompareRow> energy;
  std::vector<CompareRow> functions;    ///< self cycles, largest absolute change first
  std::vector<CompareRow> memory;       ///< regions, stack, heap (bytes), largest absolute change first
  /// Mean cycles of one invocation per layer, in A's execution order, then
  /// B's new layers; a layer of A matches the layer of B with the same name
  /// (its op when it has none) and the same position among the layers so
  /// named ("#3 SVDF" is the fourth node; the second SVDF matches the second).
  std::vector<CompareRow> layers;
};

RunComparison compare_runs(const RunReport &a, const RunReport &b, const std::string &label_a, const std::string &label_b);

std::string render_comparison_text(const RunComparison &c, size_t top = 15);
std::string render_comparison_json(const RunComparison &c);
std::string render_comparison_markdown(const RunComparison &c, size_t top = 15);

} // namespace mcusim
