// The code of SOFTMAX, int8 and float32.
#include "nnc/codegen_emit.h"

#include "nnc/c_writer.h"

namespace mcusim::nnc::gen {

// ---- SOFTMAX -----------------------------------------------------------------------

Expected<void> emit_softmax(Context &ctx, const Operator &op) {
  const float beta =
      std::holds_alternative<SoftmaxOptions>(op.options) ? std::get<SoftmaxOptions>(op.options).beta : 1.0f;
  const Tensor &in = ctx.tensor(op.inputs[0]);
  const Tensor &out = ctx.tensor(op.outputs[0]);
  Checker ck{op, {}};
  if (!ck.arena("input", in) || !ck.type("output", out, in.type) || in.shape != out.shape || in.shape.empty())
    return ck.error ? ck.result() : tl::unexpected(refusal(op, "input and output shapes differ"));
  const int32_t depth = in.shape.back();
  const int64_t rows = static_cast<int64_t>(in.elements()) / depth;
  const std::string tag = ctx.name(op_tag(op));
  if (in.type == DType::Int8) {
    if (!ck.per_tensor("input", in) || !ck.per_tensor("output", out)) return ck.result();
    if (scale_of(out) != 1.0f / 256 || zp_of(out) != -128)
      return tl::unexpected(refusal(op, "output " + tensor_label(out) + " is not scale 1/256, zero point -128"));
    auto p = softmax_params(beta, scale_of(in));
    if (!p) return tl::unexpected(refusal(op, "beta times the input scale is too small for TFLite's softmax"));
    ctx.data += "static const nn_softmax_s8_params " + tag +
                "_params = {.input_multiplier = " + num(p->input_multiplier) +
                ", .input_left_shift = " + num(p->input_left_shift) + ", .diff_min = " + num(p->diff_min) + "};\n";
    ctx.code += "  nn_softmax_s8_ref(&" + tag + "_params, " + num(rows) + ", " + num(depth) + ", " +
                ctx.arena_ptr(in.id, "int8_t", true) + ", " + out_ptr(ctx, op) + ");\n";
    return {};
  }
  if (!ck.type("input", in, DType::Float32)) return ck.result();
  ctx.code += "  nn_softmax_f32(" + num(rows) + ", " + num(depth) + ", " + ctx.arena_ptr(in.id, "float", true) + ", " +
              c::float_literal(beta) + ", " + out_ptr(ctx, op) + ");\n";
  return {};
}

} // namespace mcusim::nnc::gen
