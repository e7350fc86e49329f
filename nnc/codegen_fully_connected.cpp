// The code of FULLY_CONNECTED, int8 (reference or DSP kernel) and float32.
#include "nnc/codegen_emit.h"

#include "nnc/c_writer.h"

namespace mcusim::nnc::gen {

// ---- FULLY_CONNECTED ---------------------------------------------------------

Expected<void> emit_fully_connected(Context &ctx, const Operator &op) {
  const Activation act = std::holds_alternative<FullyConnectedOptions>(op.options)
                             ? std::get<FullyConnectedOptions>(op.options).activation
                             : Activation::None;
  const Tensor &in = ctx.tensor(op.inputs[0]);
  const Tensor &w = ctx.tensor(op.inputs[1]);
  const Tensor &out = ctx.tensor(op.outputs[0]);
  const bool has_bias = op.inputs.size() > 2 && op.inputs[2] >= 0;
  Checker ck{op, {}};
  if (!ck.rank("weights", w, 2) || !ck.arena("input", in)) return ck.result();
  const int32_t out_n = w.shape[0], in_n = w.shape[1];
  // The input may have any shape: it is flattened (batch 1 only).
  if (static_cast<int64_t>(in.elements()) != in_n || static_cast<int64_t>(out.elements()) != out_n)
    return tl::unexpected(refusal(op, "input " + tensor_label(in) + " has " + num(static_cast<int64_t>(in.elements())) +
                                          " elements and output " + num(static_cast<int64_t>(out.elements())) +
                                          " for weights " + num(out_n) + "x" + num(in_n) + " (batch 1 only)"));
  const std::string tag = ctx.name(op_tag(op));
  if (in.type == DType::Int8) {
    if (!ck.type("weights", w, DType::Int8) || !ck.type("output", out, DType::Int8) || !ck.per_tensor("input", in) ||
        !ck.per_tensor("output", out) || !ck.symmetric("weights", w) ||
        (has_bias && !ck.type("bias", ctx.tensor(op.inputs[2]), DType::Int32)))
      return ck.result();
    std::vector<QuantizedMultiplier> mults;
    if (w.quant.scale.size() == 1) {
      mults.push_back(fully_connected_multiplier(scale_of(in), w.quant.scale[0], scale_of(out)));
    } else if (w.quant.scale.size() == static_cast<size_t>(out_n)) {
      mults = conv_multipliers(scale_of(in), w.quant.scale, scale_of(out), out_n);
    } else {
      return tl::unexpected(refusal(op, "weights " + tensor_label(w) + " have " +
                                            num(static_cast<int64_t>(w.quant.scale.size())) + " scales for " +
                                            num(out_n) + " outputs"));
    }
    const std::string rq = emit_requant(ctx, op, mults);
    const QuantizedRange r = activation_range_int8(act, scale_of(out), zp_of(out));
    ctx.data += "static const nn_fc_s8_params " + tag + "_params = {.input_offset = " + num(-zp_of(in)) +
                ", .output_offset = " + num(zp_of(out)) + ", .act_min = " + num(r.min) + ", .act_max = " + num(r.max) +
                "};\n";
    const std::string weights = ctx.input_ptr(w.id, "int8_t");
    const std::string bias = bias_ptr(ctx, op, "int32_t");
    const bool dsp = uses_dsp_kernels(ctx.options.target);
    std::string call = std::string(dsp ? "nn_fully_connected_s8_dsp(" : "nn_fully_connected_s8_ref(") + "&" + tag +
                       "_params, " + rq + ", " + num(in_n) + ", " + ctx.arena_ptr(in.id, "int8_t", true) + ", " +
                       num(out_n) + ", " + weights + ", " + bias + ", " + out_ptr(ctx, op);
    if (dsp)
      call += kernel_scratch_bytes(ctx.model, op, ctx.options.target) > 0 ? ", " + ctx.name("scratch") : ", NULL";
    ctx.code += "  " + call + ");\n";
    return {};
  }
  if (!ck.type("input", in, DType::Float32) || !float_weights(ck, "weights", w) ||
      !ck.type("output", out, DType::Float32) ||
      (has_bias && !ck.type("bias", ctx.tensor(op.inputs[2]), DType::Float32)))
    return ck.result();
  const FloatRange r = activation_range_float(act);
  const std::string weights = ctx.float_weights_ptr(w.id);
  const std::string bias = bias_ptr(ctx, op, "float");
  ctx.code += "  nn_fully_connected_f32(" + num(in_n) + ", " + ctx.arena_ptr(in.id, "float", true) + ", " + num(out_n) +
              ", " + weights + ", " + bias + ", " + c::float_literal(r.min) + ", " + c::float_literal(r.max) + ", " +
              out_ptr(ctx, op) + ");\n";
  return {};
}

} // namespace mcusim::nnc::gen
