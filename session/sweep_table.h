/// \file
/// The table of a sweep (`mcusim sweep`): one row per point in list order,
/// with latency, energy and battery life where known, and the energy-optimal
/// and latency-optimal points marked; rendered as text, Markdown, HTML or JSON.
/// Built from PointResults alone, so it can be tested on hand-made reports.
#pragma once

#include "session/sweep.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim::session {

struct SweepRow {
  size_t index = 0;
  std::string device;       ///< the device's name
  double mhz = 0;
  unsigned flash_ws = 0;
  bool flash_ws_forced = false;
  std::string cache;        ///< on, off, - (no cache)
  int exit_code = 0;
  std::string failure;      ///< "" when the point ran and exited 0
  std::optional<uint64_t> cycles;
  std::optional<double> run_ms, inference_ms;  ///< per firmware run; per inference (layers give invocations)
  uint64_t inferences = 0;                     ///< model invocations in one run (0: none known)
  std::optional<double> run_uj, inference_uj;  ///< energy
  std::optional<double> average_mw;
  std::optional<double> life_years;
  std::string life_note;
  std::optional<int64_t> run_id;
  bool energy_optimal = false, latency_optimal = false;
  bool ok() const { return exit_code == 0; }
};

struct SweepTable {
  std::string firmware;
  std::vector<SweepRow> rows;
  bool battery = false;      ///< a battery life column (--every and --battery, or --scenario)
  std::optional<size_t> energy_best, latency_best; ///< row positions
  /// What the optima compare: "battery life", "µJ per inference", "µJ per run"; "ms per inference", "ms per run".
  std::string energy_basis, latency_basis;
  std::string energy_missing; ///< why no point has energy ("" when one has)
  int exit_code = 0;          ///< sweep_exit_code
  size_t failed = 0;
};

/// The rows and the optima. Energy-optimal: the longest battery life when there
/// is a battery, else the least µJ per inference when layers give inferences,
/// else the least µJ per run; latency-optimal: the least ms per inference,
/// else per run. Only points that ran and exited 0 compete; a tie goes to the
/// first in list order.
SweepTable build_sweep_table(const std::string &firmware, const std::vector<PointResult> &results, bool battery);

/// "stm32l4r5 @ 48 MHz (2 ws, cache on)"
std::string point_label(const SweepRow &row);
/// "energy-optimal: stm32l4r5 @ 48 MHz (2 ws, cache on), 12.3 µJ per inference; latency-optimal: ..."
std::string optimum_line(const SweepTable &table);

std::string render_sweep_text(const SweepTable &table);
std::string render_sweep_markdown(const SweepTable &table);
std::string render_sweep_html(const SweepTable &table);
std::string render_sweep_json(const SweepTable &table);

} // namespace mcusim::session
