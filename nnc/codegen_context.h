/// \file
/// What the operator emitters share while nnc/codegen.cpp generates a model:
/// the model, its plan and options, the static definitions written so far, and
/// helpers that name arena pointers and constant arrays. Internal to nnc.
#pragma once

#include <array>
#include <map>
#include <string>

#include "nnc/codegen.h"

namespace mcusim::nnc::gen {

struct Context {
  const Model &model;
  const ArenaPlan &plan;
  const CodegenOptions &options;
  std::string data;                     ///< static definitions: weights, parameters
  std::string code;                     ///< the statements of the operator being emitted
  uint64_t weight_bytes = 0;            ///< bytes of the constant arrays written
  std::map<int, std::string> constants; ///< tensor id -> its array's name

  const Tensor &tensor(int id) const { return model.tensors[static_cast<size_t>(id)]; }
  /// `<prefix>_<suffix>`.
  std::string name(const std::string &suffix) const { return options.prefix + "_" + suffix; }
  /// A pointer into the arena for arena tensor `id`, cast to `ctype *`
  /// (`const ctype *` when `read_only`).
  std::string arena_ptr(int id, const char *ctype, bool read_only) const;
  /// The array holding constant tensor `id` (written on first use; counted in
  /// weight_bytes), or, for an arena tensor, arena_ptr(id, ctype, true).
  std::string input_ptr(int id, const char *ctype);
  /// The float weights of a float operator: input_ptr(id, "float") for float
  /// constants; an int8 constant with a quantization scale (a hybrid model's
  /// weights) is dequantized here, scale * (float)(q - zero_point) in float
  /// per element (per channel along its axis), and written as a float array.
  std::string float_weights_ptr(int id);
};

/// "operator N (NAME): what" as a BadModel error.
Error refusal(const Operator &op, const std::string &what);

/// A tensor's shape as batch 1, height, width, channels (TFLite extends lower
/// ranks from the front); empty when the rank is above 4 or the batch is not 1.
std::optional<std::array<int32_t, 3>> hwc(const Tensor &t);
/// "(nn_shape){h, w, c}".
std::string shape_literal(const std::array<int32_t, 3> &s);

/// Emits the statements (and static definitions) of one operator, or refuses it.
Expected<void> emit_operator(Context &ctx, const Operator &op);

} // namespace mcusim::nnc::gen
