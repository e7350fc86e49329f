/// \file
/// C code generation: a model and its arena plan become OUT_PREFIX.h and
/// OUT_PREFIX.c (docs/tinyml.md, "Code generation"): the weights as constant
/// arrays, the quantization parameters computed as TFLite does
/// (nnc/quant_params.h), one static arena, and `<p>_invoke()`, straight-line
/// calls to the kernels of firmware/nn/include/mcusim_nn.h bracketed by layer
/// markers, plus the `nn_model_t` a generic runner uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nnc/model.h"
#include "nnc/plan.h"

namespace mcusim::nnc {

/// What the generated code is built for: which kernel variant it calls.
enum class Target { Generic, CortexM0Plus, CortexM4, CortexM7, CortexM33 };
std::optional<Target> parse_target(std::string_view name);
std::string_view target_name(Target t);
/// True for the cores with the DSP extension (the _dsp kernels for CONV_2D,
/// DEPTHWISE_CONV_2D and FULLY_CONNECTED int8).
bool uses_dsp_kernels(Target t);

/// Where the weights live: flash (`static const`, .rodata.weights) or SRAM
/// (initialised data, copied to RAM at start-up).
enum class WeightPlacement { Flash, Sram };
std::optional<WeightPlacement> parse_weights(std::string_view name);

struct CodegenOptions {
  std::string prefix; ///< the C prefix (already an identifier: see c::identifier)
  Target target = Target::Generic;
  WeightPlacement weights = WeightPlacement::Flash;
  std::string model_file; ///< for the generated files' first comment
  /// The header's file name, which the .c includes; empty: prefix + ".h".
  std::string header_name;
};

/// The kernel scratch buffer operator `op` needs on `target`: the
/// NN_*_DSP_SCRATCH_BYTES macros of mcusim_nn.h (keep them in step), 0 for
/// every operator on a target without DSP kernels.
uint64_t kernel_scratch_bytes(const Model &model, const Operator &op, Target target);

struct GeneratedCode {
  std::string header; ///< OUT_PREFIX.h
  std::string source; ///< OUT_PREFIX.c
  uint64_t arena_bytes = 0;
  uint64_t scratch_bytes = 0; ///< the largest kernel_scratch_bytes over the operators
  uint64_t weight_bytes = 0;  ///< bytes of the constant arrays the kernels read
  uint64_t macs = 0;
  int layers = 0; ///< operators that run (RESHAPE excluded)
};

/// Generates the code, or refuses (ErrorKind::BadModel, one line naming the
/// operator with its index, or the tensor, and the field) what the kernels
/// cannot compute exactly as TFLite does.
Expected<GeneratedCode> generate_code(const Model &model, const ArenaPlan &plan, const CodegenOptions &options);

/// The model-wide scratch bytes: the largest kernel_scratch_bytes.
uint64_t model_scratch_bytes(const Model &model, Target target);

} // namespace mcusim::nnc
