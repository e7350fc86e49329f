// The code of AVERAGE_POOL_2D and MAX_POOL_2D, int8 and float32.
#include "nnc/codegen_emit.h"

#include "nnc/c_writer.h"

namespace mcusim::nnc::gen {

// ---- AVERAGE_POOL_2D and MAX_POOL_2D -----------------------------------------

Expected<void> emit_pool(Context &ctx, const Operator &op) {
  const auto &o = std::get<PoolOptions>(op.options);
  const Tensor &in = ctx.tensor(op.inputs[0]);
  const Tensor &out = ctx.tensor(op.outputs[0]);
  Checker ck{op, {}};
  if (!ck.rank("input", in, 4) || !ck.rank("output", out, 4) || !ck.batch1("input", in) || !ck.batch1("output", out) ||
      !ck.arena("input", in) || !ck.type("output", out, in.type) || in.shape[3] != out.shape[3])
    return ck.error ? ck.result() : tl::unexpected(refusal(op, "input and output channels differ"));
  const bool int8 = in.type == DType::Int8;
  if (!int8 && !ck.type("input", in, DType::Float32)) return ck.result();
  if (int8 && (!ck.per_tensor("input", in) || !ck.per_tensor("output", out) || !ck.same_quant(in, out)))
    return ck.result();
  if (o.stride_h < 1 || o.stride_w < 1 || o.filter_h < 1 || o.filter_w < 1)
    return tl::unexpected(refusal(op, "stride or filter size below 1"));
  const PaddedDim ph = compute_padding(o.padding, in.shape[1], o.filter_h, o.stride_h, 1);
  const PaddedDim pw = compute_padding(o.padding, in.shape[2], o.filter_w, o.stride_w, 1);
  if (ph.out != out.shape[1] || pw.out != out.shape[2])
    return tl::unexpected(refusal(op, "output " + tensor_label(out) + " is " + num(out.shape[1]) + "x" +
                                          num(out.shape[2]) + " but the padding and strides give " + num(ph.out) + "x" +
                                          num(pw.out)));
  const std::string tag = ctx.name(op_tag(op));
  const QuantizedRange r = int8 ? activation_range_int8(o.activation, scale_of(out), zp_of(out)) : QuantizedRange{};
  ctx.data += "static const nn_pool_params " + tag + "_params = {\n  .stride_h = " + num(o.stride_h) +
              ", .stride_w = " + num(o.stride_w) + ", .filter_h = " + num(o.filter_h) +
              ", .filter_w = " + num(o.filter_w) + ", .pad_h = " + num(ph.pad_before) +
              ", .pad_w = " + num(pw.pad_before) + ",\n  .act_min = " + num(r.min) + ", .act_max = " + num(r.max) +
              ", " + float_range_fields(o.activation, "act_min_f", "act_max_f") + "};\n";
  const char *kind = op.code == OpCode::AveragePool2D ? "nn_avgpool2d" : "nn_maxpool2d";
  ctx.code += std::string("  ") + kind + (int8 ? "_s8_ref(&" : "_f32(&") + tag + "_params, " +
              shape_literal({in.shape[1], in.shape[2], in.shape[3]}) + ", " +
              ctx.arena_ptr(in.id, int8 ? "int8_t" : "float", true) + ", " +
              shape_literal({out.shape[1], out.shape[2], out.shape[3]}) + ", " + out_ptr(ctx, op) + ");\n";
  return {};
}

} // namespace mcusim::nnc::gen
