/// \file
/// From the layer regions a run recorded (LayerRecord, in start order) to the
/// report's layer rows: which regions are layers (inside an invocation of the
/// model), which node of the model's graph each one is (its position within
/// its invocation), and per node the invocations, the total and the mean, min
/// and max cycles of one invocation; plus a per-operator summary. The rules
/// are in docs/markers.md ("Invocations and nodes").
#pragma once

#include "core/profile.h"
#include "profiler/run_report.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mcusim {

struct LayerTable {
  std::vector<RunReport::Layer> rows;           ///< one per node, in execution order
  std::vector<RunReport::LayerOperator> operators; ///< per op, most cycles first
  uint64_t invocations = 0;   ///< invocations of the model that held layers
  /// Cycles of all invocations, each from its start to its end: the invoke
  /// marker's span, or from its first layer's start to its last layer's end
  /// (glue between layers included): what "per inference" is measured over.
  uint64_t invocation_cycles = 0;
  uint64_t outside = 0;       ///< outermost regions outside every invocation (set-up): not rows
  std::string invocation_rule; ///< "interpreter", "invoke-marker", "repeated-sequence" or ""
};

/// `source`: ProfileData::layer_source; `hz`: the clock; `run_cycles`: the
/// run's cycles (for the share).
LayerTable tabulate_layers(const std::vector<LayerRecord> &records, const std::string &source, double hz, uint64_t run_cycles);

/// The op type that marks an outermost marker as one invocation of the model
/// (docs/markers.md): `{"inference", MCUSIM_INVOKE_OP, 0}`.
inline constexpr const char *kInvokeOp = "INVOKE";

} // namespace mcusim
