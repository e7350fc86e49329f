/// \file
/// What the operator emitters (nnc/codegen_*.cpp, one per operator family)
/// share: the checks that refuse what the kernels cannot compute as TFLite
/// does (one line naming the operator and the field), and the pieces of C they
/// write (requantization arrays, bias and output pointers). Internal to nnc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nnc/codegen_context.h"
#include "nnc/quant_params.h"

namespace mcusim::nnc::gen {

std::string num(int64_t v);
/// "tensor 3 (name)" with the name's first ';'-separated part.
std::string tensor_label(const Tensor &t);

/// Checks one operator's tensors; the first failure is kept as the refusal.
struct Checker {
  const Operator &op;
  std::optional<Error> error;

  bool fail(const std::string &what) {
    if (!error) error = refusal(op, what);
    return false;
  }
  bool type(const char *role, const Tensor &t, DType want) {
    if (t.type == want) return true;
    return fail(std::string(role) + " " + tensor_label(t) + " is " + std::string(dtype_name(t.type)) + ", not " +
                std::string(dtype_name(want)));
  }
  bool per_tensor(const char *role, const Tensor &t) {
    if (t.quant.scale.size() == 1) return true;
    return fail(std::string(role) + " " + tensor_label(t) +
                (t.quant.scale.empty() ? " has no quantization scale" : " has per-channel scales"));
  }
  bool symmetric(const char *role, const Tensor &t) {
    for (auto z : t.quant.zero_point)
      if (z != 0)
        return fail(std::string(role) + " " + tensor_label(t) + " has zero point " + num(z) +
                    " (weights must be symmetric, zero point 0)");
    if (t.quant.scale.empty()) return fail(std::string(role) + " " + tensor_label(t) + " has no quantization scale");
    return true;
  }
  bool rank(const char *role, const Tensor &t, size_t r) {
    if (t.shape.size() == r) return true;
    return fail(std::string(role) + " " + tensor_label(t) + " has rank " + num(static_cast<int64_t>(t.shape.size())) +
                ", not " + num(static_cast<int64_t>(r)));
  }
  bool batch1(const char *role, const Tensor &t) {
    if (hwc(t)) return true;
    return fail(std::string(role) + " " + tensor_label(t) + " is not of batch 1 and rank 4 or less");
  }
  bool same_quant(const Tensor &in, const Tensor &out) {
    if (in.quant.scale == out.quant.scale && in.quant.zero_point == out.quant.zero_point) return true;
    return fail("output " + tensor_label(out) + " has a scale or zero point other than input " + tensor_label(in) +
                "'s");
  }
  bool arena(const char *role, const Tensor &t) {
    if (!t.constant) return true;
    return fail(std::string(role) + " " + tensor_label(t) + " is a constant");
  }
  Expected<void> result() const {
    if (error) return tl::unexpected<Error>(*error);
    return {};
  }
};

/// The weights of a float operator: float, or int8 with a scale (a hybrid
/// model's, dequantized at compile time: Context::float_weights_ptr).
bool float_weights(Checker &ck, const char *role, const Tensor &w);
float scale_of(const Tensor &t);
int32_t zp_of(const Tensor &t);
/// The C element type of a tensor type.
const char *ctype(DType t);
/// "op<i>": the part of an operator's static names after the prefix.
std::string op_tag(const Operator &op);
/// The (writable) pointer to the operator's output in the arena.
std::string out_ptr(Context &ctx, const Operator &op);
/// Writes the multiplier and shift arrays and the nn_requant; returns "&<its name>".
std::string emit_requant(Context &ctx, const Operator &op, const std::vector<QuantizedMultiplier> &m);
/// ".min_name = <lo>, .max_name = <hi>" of a float activation range.
std::string float_range_fields(Activation act, const char *min_name, const char *max_name);
/// The bias array, or "NULL" when the operator has none.
std::string bias_ptr(Context &ctx, const Operator &op, const char *type);

Expected<void> emit_conv(Context &ctx, const Operator &op);            // codegen_conv.cpp
Expected<void> emit_fully_connected(Context &ctx, const Operator &op); // codegen_fully_connected.cpp
Expected<void> emit_pool(Context &ctx, const Operator &op);            // codegen_pool.cpp
Expected<void> emit_add(Context &ctx, const Operator &op);             // codegen_elementwise.cpp
Expected<void> emit_quantize(Context &ctx, const Operator &op);        // codegen_elementwise.cpp
Expected<void> emit_softmax(Context &ctx, const Operator &op);         // codegen_softmax.cpp
Expected<void> emit_pad(Context &ctx, const Operator &op);             // codegen_shape.cpp
Expected<void> emit_reshape(Context &ctx, const Operator &op);         // codegen_shape.cpp

} // namespace mcusim::nnc::gen
