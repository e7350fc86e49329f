// The code of CONV_2D and DEPTHWISE_CONV_2D, int8 (reference or DSP kernels) and float32.
#include "nnc/codegen_emit.h"

#include "nnc/c_writer.h"

namespace mcusim::nnc::gen {

// ---- CONV_2D and DEPTHWISE_CONV_2D -----------------------------------------

Expected<void> emit_conv(Context &ctx, const Operator &op) {
  const bool depthwise = op.code == OpCode::DepthwiseConv2D;
  const auto &o = std::get<ConvOptions>(op.options);
  const Tensor &in = ctx.tensor(op.inputs[0]);
  const Tensor &w = ctx.tensor(op.inputs[1]);
  const Tensor &out = ctx.tensor(op.outputs[0]);
  const bool has_bias = op.inputs.size() > 2 && op.inputs[2] >= 0;
  Checker ck{op, {}};
  const bool int8 = in.type == DType::Int8;
  if (!ck.rank("input", in, 4) || !ck.rank("filter", w, 4) || !ck.rank("output", out, 4) || !ck.batch1("input", in) ||
      !ck.batch1("output", out) || !ck.arena("input", in))
    return ck.result();
  if (int8) {
    if (!ck.type("filter", w, DType::Int8) || !ck.type("output", out, DType::Int8) || !ck.per_tensor("input", in) ||
        !ck.per_tensor("output", out) || !ck.symmetric("filter", w) ||
        (has_bias && !ck.type("bias", ctx.tensor(op.inputs[2]), DType::Int32)))
      return ck.result();
  } else if (!ck.type("input", in, DType::Float32) || !float_weights(ck, "filter", w) ||
             !ck.type("output", out, DType::Float32) ||
             (has_bias && !ck.type("bias", ctx.tensor(op.inputs[2]), DType::Float32))) {
    return ck.result();
  }
  const int32_t in_h = in.shape[1], in_w = in.shape[2], in_c = in.shape[3];
  const int32_t fh = w.shape[1], fw = w.shape[2];
  const int32_t out_c = out.shape[3];
  int32_t dm = 1;
  if (depthwise) {
    dm = o.depth_multiplier;
    if (w.shape[0] != 1 || w.shape[3] != out_c || dm < 1 || in_c * dm != out_c)
      return tl::unexpected(refusal(op, "filter shape, depth_multiplier " + num(dm) +
                                            " and channels do not agree (in " + num(in_c) + ", out " + num(out_c) +
                                            ")"));
  } else if (w.shape[0] != out_c || w.shape[3] != in_c) {
    return tl::unexpected(refusal(op, "filter " + tensor_label(w) + " does not match " + num(in_c) + " input and " +
                                          num(out_c) + " output channels (grouped convolution)"));
  }
  if (o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1)
    return tl::unexpected(refusal(op, "stride or dilation below 1"));
  const PaddedDim ph = compute_padding(o.padding, in_h, fh, o.stride_h, o.dilation_h);
  const PaddedDim pw = compute_padding(o.padding, in_w, fw, o.stride_w, o.dilation_w);
  if (ph.out != out.shape[1] || pw.out != out.shape[2])
    return tl::unexpected(refusal(op, "output " + tensor_label(out) + " is " + num(out.shape[1]) + "x" +
                                          num(out.shape[2]) + " but the padding and strides give " + num(ph.out) + "x" +
                                          num(pw.out)));
  const std::string tag = ctx.name(op_tag(op));
  const std::string shapes_in = shape_literal({in_h, in_w, in_c});
  const std::string shapes_out = shape_literal({out.shape[1], out.shape[2], out_c});
  std::string geometry = ".stride_h = " + num(o.stride_h) + ", .stride_w = " + num(o.stride_w) +
                         ", .dilation_h = " + num(o.dilation_h) + ", .dilation_w = " + num(o.dilation_w) +
                         ",\n  .pad_h = " + num(ph.pad_before) + ", .pad_w = " + num(pw.pad_before) +
                         ", .depth_multiplier = " + num(dm);
  const std::string filter = int8 ? ctx.input_ptr(w.id, "int8_t") : ctx.float_weights_ptr(w.id);
  const std::string kernel_base = depthwise ? "nn_depthwise_conv2d" : "nn_conv2d";
  if (int8) {
    const size_t nscales = w.quant.scale.size();
    if (nscales != 1 && nscales != static_cast<size_t>(out_c))
      return tl::unexpected(refusal(op, "filter " + tensor_label(w) + " has " + num(static_cast<int64_t>(nscales)) +
                                            " scales for " + num(out_c) + " output channels"));
    const auto mults = conv_multipliers(scale_of(in), w.quant.scale, scale_of(out), out_c);
    const std::string rq = emit_requant(ctx, op, mults);
    const QuantizedRange r = activation_range_int8(o.activation, scale_of(out), zp_of(out));
    ctx.data += "static const nn_conv_s8_params " + tag + "_params = {\n  .input_offset = " + num(-zp_of(in)) +
                ", .output_offset = " + num(zp_of(out)) + ",\n  " + geometry + ",\n  .act_min = " + num(r.min) +
                ", .act_max = " + num(r.max) + "};\n";
    const std::string bias = bias_ptr(ctx, op, "int32_t");
    const bool dsp = uses_dsp_kernels(ctx.options.target);
    std::string call = kernel_base + (dsp ? "_s8_dsp(" : "_s8_ref(") + "&" + tag + "_params, " + rq + ", " + shapes_in +
                       ", " + ctx.arena_ptr(in.id, "int8_t", true) + ", " + num(fh) + ", " + num(fw) + ", " + filter +
                       ", " + bias + ", " + shapes_out + ", " + out_ptr(ctx, op);
    if (dsp)
      call += kernel_scratch_bytes(ctx.model, op, ctx.options.target) > 0 ? ", " + ctx.name("scratch") : ", NULL";
    ctx.code += "  " + call + ");\n";
  } else {
    ctx.data += "static const nn_conv_f32_params " + tag + "_params = {\n  " + geometry + ",\n  " +
                float_range_fields(o.activation, "act_min", "act_max") + "};\n";
    const std::string bias = bias_ptr(ctx, op, "float");
    ctx.code += "  " + kernel_base + "_f32(&" + tag + "_params, " + shapes_in + ", " +
                ctx.arena_ptr(in.id, "float", true) + ", " + num(fh) + ", " + num(fw) + ", " + filter + ", " + bias +
                ", " + shapes_out + ", " + out_ptr(ctx, op) + ");\n";
  }
  return {};
}

} // namespace mcusim::nnc::gen
