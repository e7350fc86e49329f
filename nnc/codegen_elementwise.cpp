// The code of the element-wise operators: ADD, QUANTIZE and DEQUANTIZE.
#include "nnc/codegen_emit.h"

#include "nnc/c_writer.h"

namespace mcusim::nnc::gen {

// ---- ADD -------------------------------------------------------------------------

Expected<void> emit_add(Context &ctx, const Operator &op) {
  const Activation act =
      std::holds_alternative<AddOptions>(op.options) ? std::get<AddOptions>(op.options).activation : Activation::None;
  if (op.inputs.size() != 2 || op.inputs[1] < 0) return tl::unexpected(refusal(op, "needs two inputs"));
  const Tensor &a = ctx.tensor(op.inputs[0]);
  const Tensor &b = ctx.tensor(op.inputs[1]);
  const Tensor &out = ctx.tensor(op.outputs[0]);
  Checker ck{op, {}};
  if (a.shape != b.shape || a.shape != out.shape)
    return tl::unexpected(refusal(op, "inputs " + tensor_label(a) + " and " + tensor_label(b) +
                                          " and the output differ in shape (broadcasting is not supported)"));
  if (!ck.type("input 2", b, a.type) || !ck.type("output", out, a.type)) return ck.result();
  const int64_t n = static_cast<int64_t>(out.elements());
  const std::string tag = ctx.name(op_tag(op));
  if (a.type == DType::Int8) {
    if (!ck.per_tensor("input 1", a) || !ck.per_tensor("input 2", b) || !ck.per_tensor("output", out))
      return ck.result();
    auto p = add_params(scale_of(a), zp_of(a), scale_of(b), zp_of(b), scale_of(out), zp_of(out));
    if (!p) return tl::unexpected(refusal(op, "input and output scales give a multiplier TFLite refuses"));
    const QuantizedRange r = activation_range_int8(act, scale_of(out), zp_of(out));
    ctx.data += "static const nn_add_s8_params " + tag + "_params = {\n  .input1_offset = " + num(p->input1_offset) +
                ", .input2_offset = " + num(p->input2_offset) + ", .output_offset = " + num(p->output_offset) +
                ", .left_shift = " + num(p->left_shift) + ",\n  .input1_multiplier = " + num(p->input1.multiplier) +
                ", .input1_shift = " + num(p->input1.shift) + ", .input2_multiplier = " + num(p->input2.multiplier) +
                ", .input2_shift = " + num(p->input2.shift) + ",\n  .output_multiplier = " + num(p->output.multiplier) +
                ", .output_shift = " + num(p->output.shift) + ", .act_min = " + num(r.min) +
                ", .act_max = " + num(r.max) + "};\n";
    ctx.code += "  nn_add_s8_ref(&" + tag + "_params, " + num(n) + ", " + ctx.input_ptr(a.id, "int8_t") + ", " +
                ctx.input_ptr(b.id, "int8_t") + ", " + out_ptr(ctx, op) + ");\n";
    return {};
  }
  if (!ck.type("input 1", a, DType::Float32)) return ck.result();
  const FloatRange r = activation_range_float(act);
  ctx.code += "  nn_add_f32(" + num(n) + ", " + ctx.input_ptr(a.id, "float") + ", " + ctx.input_ptr(b.id, "float") +
              ", " + c::float_literal(r.min) + ", " + c::float_literal(r.max) + ", " + out_ptr(ctx, op) + ");\n";
  return {};
}

// ---- QUANTIZE and DEQUANTIZE ---------------------------------------------------

Expected<void> emit_quantize(Context &ctx, const Operator &op) {
  const Tensor &in = ctx.tensor(op.inputs[0]);
  const Tensor &out = ctx.tensor(op.outputs[0]);
  Checker ck{op, {}};
  if (!ck.arena("input", in)) return ck.result();
  if (in.elements() != out.elements()) return tl::unexpected(refusal(op, "input and output sizes differ"));
  const int64_t n = static_cast<int64_t>(out.elements());
  if (op.code == OpCode::Dequantize) {
    if (!ck.type("input", in, DType::Int8) || !ck.type("output", out, DType::Float32) || !ck.per_tensor("input", in))
      return ck.result();
    ctx.code += "  nn_dequantize_s8_f32(" + num(n) + ", " + ctx.arena_ptr(in.id, "int8_t", true) + ", " +
                c::float_literal(scale_of(in)) + ", " + num(zp_of(in)) + ", " + out_ptr(ctx, op) + ");\n";
    return {};
  }
  if (!ck.type("output", out, DType::Int8) || !ck.per_tensor("output", out)) return ck.result();
  if (in.type == DType::Float32) {
    ctx.code += "  nn_quantize_f32_s8(" + num(n) + ", " + ctx.arena_ptr(in.id, "float", true) + ", " +
                c::float_literal(scale_of(out)) + ", " + num(zp_of(out)) + ", " + out_ptr(ctx, op) + ");\n";
    return {};
  }
  if (!ck.type("input", in, DType::Int8) || !ck.per_tensor("input", in)) return ck.result();
  const QuantizedMultiplier m = requantize_multiplier(scale_of(in), scale_of(out));
  ctx.code += "  nn_requantize_s8(" + num(n) + ", " + ctx.arena_ptr(in.id, "int8_t", true) + ", " + num(zp_of(in)) +
              ", " + num(m.multiplier) + ", " + num(m.shift) + ", " + num(zp_of(out)) + ", " + out_ptr(ctx, op) +
              ");\n";
  return {};
}

} // namespace mcusim::nnc::gen
