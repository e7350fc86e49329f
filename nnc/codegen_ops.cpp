// The operator emitters of the code generator: for each operator, the checks
// that the kernels compute it as TFLite does, the static parameters, and the
// kernel call (firmware/nn/include/mcusim_nn.h).
#include <cstdio>

#include "nnc/c_writer.h"
#include "nnc/codegen_context.h"
#include "nnc/quant_params.h"

namespace mcusim::nnc::gen {
namespace {

std::string num(int64_t v) { return std::to_string(v); }

std::string tensor_label(const Tensor &t) { return "tensor " + num(t.id) + (t.name.empty() ? "" : " (" + t.name.substr(0, t.name.find(';')) + ")"); }

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
      if (z != 0) return fail(std::string(role) + " " + tensor_label(t) + " has zero point " + num(z) + " (weights must be symmetric, zero point 0)");
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
    return fail("output " + tensor_label(out) + " has a scale or zero point other than input " + tensor_label(in) + "'s");
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

// The weights of a float operator: float, or int8 with a scale (a hybrid
// model's, dequantized at compile time: Context::float_weights_ptr).
bool float_weights(Checker &ck, const char *role, const Tensor &w) {
  if (w.type == DType::Int8 && !w.quant.scale.empty()) return true;
  return ck.type(role, w, DType::Float32);
}

float scale_of(const Tensor &t) { return t.quant.scale.empty() ? 0.0f : t.quant.scale[0]; }
int32_t zp_of(const Tensor &t) { return t.quant.zero_point.empty() ? 0 : static_cast<int32_t>(t.quant.zero_point[0]); }

const char *ctype(DType t) { return t == DType::Float32 ? "float" : t == DType::Int32 ? "int32_t" : "int8_t"; }

std::string op_tag(const Operator &op) { return "op" + num(op.index); }

std::string out_ptr(Context &ctx, const Operator &op) {
  const Tensor &o = ctx.tensor(op.outputs[0]);
  return ctx.arena_ptr(o.id, ctype(o.type), false);
}

// The per-channel (or single) multiplier and shift arrays and the nn_requant.
std::string emit_requant(Context &ctx, const Operator &op, const std::vector<QuantizedMultiplier> &m) {
  std::vector<int32_t> mult, shift;
  for (const auto &q : m) {
    mult.push_back(q.multiplier);
    shift.push_back(q.shift);
  }
  const std::string tag = ctx.name(op_tag(op));
  ctx.data += "static const int32_t " + tag + "_multiplier[" + num(static_cast<int64_t>(m.size())) + "] = {\n" +
              c::int32_elements(mult) + "};\n";
  ctx.data += "static const int32_t " + tag + "_shift[" + num(static_cast<int64_t>(m.size())) + "] = {\n" +
              c::int32_elements(shift) + "};\n";
  ctx.data += "static const nn_requant " + tag + "_requant = {" + tag + "_multiplier, " + tag + "_shift, " +
              (m.size() > 1 ? "1" : "0") + "};\n";
  return "&" + tag + "_requant";
}

std::string float_range_fields(Activation act, const char *min_name, const char *max_name) {
  const FloatRange r = activation_range_float(act);
  return std::string(".") + min_name + " = " + c::float_literal(r.min) + ", ." + max_name + " = " +
         c::float_literal(r.max);
}

// The bias array (or a zero array when the operator has none and the kernel needs one).
std::string bias_ptr(Context &ctx, const Operator &op, const char *type, int32_t count, bool null_ok) {
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) return ctx.input_ptr(op.inputs[2], type);
  if (null_ok) return "NULL";
  const std::string name = ctx.name(op_tag(op) + "_zero_bias");
  ctx.data += "static const " + std::string(type) + " " + name + "[" + num(count) + "] = {0};\n";
  return name;
}

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
                                            " and channels do not agree (in " + num(in_c) + ", out " + num(out_c) + ")"));
  } else if (w.shape[0] != out_c || w.shape[3] != in_c) {
    return tl::unexpected(refusal(op, "filter " + tensor_label(w) + " does not match " + num(in_c) +
                                          " input and " + num(out_c) + " output channels (grouped convolution)"));
  }
  if (o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1)
    return tl::unexpected(refusal(op, "stride or dilation below 1"));
  const PaddedDim ph = compute_padding(o.padding, in_h, fh, o.stride_h, o.dilation_h);
  const PaddedDim pw = compute_padding(o.padding, in_w, fw, o.stride_w, o.dilation_w);
  if (ph.out != out.shape[1] || pw.out != out.shape[2])
    return tl::unexpected(refusal(op, "output " + tensor_label(out) + " is " + num(out.shape[1]) + "x" +
                                          num(out.shape[2]) + " but the padding and strides give " + num(ph.out) +
                                          "x" + num(pw.out)));
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
    const std::string bias = bias_ptr(ctx, op, "int32_t", out_c, false);
    const bool dsp = uses_dsp_kernels(ctx.options.target);
    std::string call = kernel_base + (dsp ? "_s8_dsp(" : "_s8_ref(") + "&" + tag + "_params, " + rq + ", " +
                       shapes_in + ", " + ctx.arena_ptr(in.id, "int8_t", true) + ", " + num(fh) + ", " + num(fw) +
                       ", " + filter + ", " + bias + ", " + shapes_out + ", " + out_ptr(ctx, op);
    if (dsp) call += kernel_scratch_bytes(ctx.model, op, ctx.options.target) > 0 ? ", " + ctx.name("scratch") : ", NULL";
    ctx.code += "  " + call + ");\n";
  } else {
    ctx.data += "static const nn_conv_f32_params " + tag + "_params = {\n  " + geometry + ",\n  " +
                float_range_fields(o.activation, "act_min", "act_max") + "};\n";
    const std::string bias = bias_ptr(ctx, op, "float", out_c, false);
    ctx.code += "  " + kernel_base + "_f32(&" + tag + "_params, " + shapes_in + ", " +
                ctx.arena_ptr(in.id, "float", true) + ", " + num(fh) + ", " + num(fw) + ", " + filter + ", " + bias +
                ", " + shapes_out + ", " + out_ptr(ctx, op) + ");\n";
  }
  return {};
}

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
                ", .output_offset = " + num(zp_of(out)) + ", .act_min = " + num(r.min) + ", .act_max = " +
                num(r.max) + "};\n";
    const std::string weights = ctx.input_ptr(w.id, "int8_t");
    const std::string bias = bias_ptr(ctx, op, "int32_t", out_n, true);
    const bool dsp = uses_dsp_kernels(ctx.options.target);
    std::string call = std::string(dsp ? "nn_fully_connected_s8_dsp(" : "nn_fully_connected_s8_ref(") + "&" + tag +
                       "_params, " + rq + ", " + num(in_n) + ", " + ctx.arena_ptr(in.id, "int8_t", true) + ", " +
                       num(out_n) + ", " + weights + ", " + bias + ", " + out_ptr(ctx, op);
    if (dsp) call += kernel_scratch_bytes(ctx.model, op, ctx.options.target) > 0 ? ", " + ctx.name("scratch") : ", NULL";
    ctx.code += "  " + call + ");\n";
    return {};
  }
  if (!ck.type("input", in, DType::Float32) || !float_weights(ck, "weights", w) ||
      !ck.type("output", out, DType::Float32) ||
      (has_bias && !ck.type("bias", ctx.tensor(op.inputs[2]), DType::Float32)))
    return ck.result();
  const FloatRange r = activation_range_float(act);
  const std::string weights = ctx.float_weights_ptr(w.id);
  const std::string bias = bias_ptr(ctx, op, "float", out_n, true);
  ctx.code += "  nn_fully_connected_f32(" + num(in_n) + ", " + ctx.arena_ptr(in.id, "float", true) + ", " +
              num(out_n) + ", " + weights + ", " + bias + ", " + c::float_literal(r.min) + ", " +
              c::float_literal(r.max) + ", " + out_ptr(ctx, op) + ");\n";
  return {};
}

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
                                          num(out.shape[2]) + " but the padding and strides give " + num(ph.out) +
                                          "x" + num(pw.out)));
  const std::string tag = ctx.name(op_tag(op));
  const QuantizedRange r = int8 ? activation_range_int8(o.activation, scale_of(out), zp_of(out)) : QuantizedRange{};
  ctx.data += "static const nn_pool_params " + tag + "_params = {\n  .stride_h = " + num(o.stride_h) +
              ", .stride_w = " + num(o.stride_w) + ", .filter_h = " + num(o.filter_h) + ", .filter_w = " +
              num(o.filter_w) + ", .pad_h = " + num(ph.pad_before) + ", .pad_w = " + num(pw.pad_before) +
              ",\n  .act_min = " + num(r.min) + ", .act_max = " + num(r.max) + ", " +
              float_range_fields(o.activation, "act_min_f", "act_max_f") + "};\n";
  const char *kind = op.code == OpCode::AveragePool2D ? "nn_avgpool2d" : "nn_maxpool2d";
  ctx.code += std::string("  ") + kind + (int8 ? "_s8_ref(&" : "_f32(&") + tag + "_params, " +
              shape_literal({in.shape[1], in.shape[2], in.shape[3]}) + ", " +
              ctx.arena_ptr(in.id, int8 ? "int8_t" : "float", true) + ", " +
              shape_literal({out.shape[1], out.shape[2], out.shape[3]}) + ", " + out_ptr(ctx, op) + ");\n";
  return {};
}

// ---- ADD -------------------------------------------------------------------------

Expected<void> emit_add(Context &ctx, const Operator &op) {
  const Activation act = std::holds_alternative<AddOptions>(op.options) ? std::get<AddOptions>(op.options).activation
                                                                        : Activation::None;
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
                ", .input1_shift = " + num(p->input1.shift) + ", .input2_multiplier = " +
                num(p->input2.multiplier) + ", .input2_shift = " + num(p->input2.shift) +
                ",\n  .output_multiplier = " + num(p->output.multiplier) + ", .output_shift = " +
                num(p->output.shift) + ", .act_min = " + num(r.min) + ", .act_max = " + num(r.max) + "};\n";
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

// ---- PAD -------------------------------------------------------------------------

Expected<void> emit_pad(Context &ctx, const Operator &op) {
  if (op.inputs.size() < 2 || op.inputs[1] < 0) return tl::unexpected(refusal(op, "has no paddings input"));
  const Tensor &in = ctx.tensor(op.inputs[0]);
  const Tensor &pads = ctx.tensor(op.inputs[1]);
  const Tensor &out = ctx.tensor(op.outputs[0]);
  Checker ck{op, {}};
  if (!ck.arena("input", in) || !ck.type("output", out, in.type) || !ck.batch1("input", in) ||
      !ck.batch1("output", out) || !ck.type("paddings", pads, DType::Int32))
    return ck.result();
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) return tl::unexpected(refusal(op, "has a constant_values input"));
  if (!pads.constant || pads.shape.size() != 2 || pads.shape[1] != 2 ||
      pads.shape[0] != static_cast<int32_t>(in.shape.size()))
    return tl::unexpected(refusal(op, "paddings " + tensor_label(pads) + " are not a constant [rank, 2]"));
  const auto p = c::as_int32(pads.data);
  // Extend to 4 dimensions from the front, as TFLite does; the batch is not padded.
  std::array<int32_t, 8> p4{};
  const size_t lead = 4 - in.shape.size();
  for (size_t i = 0; i < p.size(); ++i) p4[2 * lead + i] = p[i];
  for (int32_t v : p4)
    if (v < 0) return tl::unexpected(refusal(op, "paddings " + tensor_label(pads) + " has a negative value"));
  if (p4[0] || p4[1]) return tl::unexpected(refusal(op, "pads the batch dimension"));
  const auto is = *hwc(in), os = *hwc(out);
  for (int d = 0; d < 3; ++d)
    if (is[static_cast<size_t>(d)] + p4[static_cast<size_t>(2 + 2 * d)] + p4[static_cast<size_t>(3 + 2 * d)] !=
        os[static_cast<size_t>(d)])
      return tl::unexpected(refusal(op, "output " + tensor_label(out) + " does not match the padded input"));
  const std::string before = shape_literal({p4[2], p4[4], p4[6]});
  if (in.type == DType::Int8) {
    if (!ck.per_tensor("input", in) || !ck.per_tensor("output", out) || !ck.same_quant(in, out)) return ck.result();
    ctx.code += "  nn_pad_s8(" + shape_literal(is) + ", " + ctx.arena_ptr(in.id, "int8_t", true) + ", " + before +
                ", " + shape_literal(os) + ", " + out_ptr(ctx, op) + ", " + num(zp_of(out)) + ");\n";
    return {};
  }
  if (!ck.type("input", in, DType::Float32)) return ck.result();
  ctx.code += "  nn_pad_f32(" + shape_literal(is) + ", " + ctx.arena_ptr(in.id, "float", true) + ", " + before + ", " +
              shape_literal(os) + ", " + out_ptr(ctx, op) + ", 0.0f);\n";
  return {};
}

// ---- SOFTMAX -----------------------------------------------------------------------

Expected<void> emit_softmax(Context &ctx, const Operator &op) {
  const float beta = std::holds_alternative<SoftmaxOptions>(op.options) ? std::get<SoftmaxOptions>(op.options).beta : 1.0f;
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
    ctx.data += "static const nn_softmax_s8_params " + tag + "_params = {.input_multiplier = " +
                num(p->input_multiplier) + ", .input_left_shift = " + num(p->input_left_shift) +
                ", .diff_min = " + num(p->diff_min) + "};\n";
    ctx.code += "  nn_softmax_s8_ref(&" + tag + "_params, " + num(rows) + ", " + num(depth) + ", " +
                ctx.arena_ptr(in.id, "int8_t", true) + ", " + out_ptr(ctx, op) + ");\n";
    return {};
  }
  if (!ck.type("input", in, DType::Float32)) return ck.result();
  ctx.code += "  nn_softmax_f32(" + num(rows) + ", " + num(depth) + ", " + ctx.arena_ptr(in.id, "float", true) + ", " +
              c::float_literal(beta) + ", " + out_ptr(ctx, op) + ");\n";
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

// ---- RESHAPE: a view, no code ------------------------------------------------------

Expected<void> emit_reshape(Context &ctx, const Operator &op) {
  const Tensor &in = ctx.tensor(op.inputs[0]);
  const Tensor &out = ctx.tensor(op.outputs[0]);
  Checker ck{op, {}};
  if (!ck.arena("input", in) || !ck.type("output", out, in.type)) return ck.result();
  if (in.elements() != out.elements()) return tl::unexpected(refusal(op, "input and output sizes differ"));
  if (in.type == DType::Int8 && !ck.same_quant(in, out)) return ck.result();
  const TensorPlacement *pi = ctx.plan.find(in.id), *po = ctx.plan.find(out.id);
  if (!pi || !po || pi->offset != po->offset)
    return tl::unexpected(refusal(op, "output " + tensor_label(out) + " is not planned as a view of its input"));
  return {};
}

} // namespace

Expected<void> emit_operator(Context &ctx, const Operator &op) {
  if (op.outputs.size() != 1) return tl::unexpected(refusal(op, "has " + num(static_cast<int64_t>(op.outputs.size())) + " outputs (one is supported)"));
  switch (op.code) {
  case OpCode::Conv2D:
  case OpCode::DepthwiseConv2D: return emit_conv(ctx, op);
  case OpCode::FullyConnected: return emit_fully_connected(ctx, op);
  case OpCode::AveragePool2D:
  case OpCode::MaxPool2D: return emit_pool(ctx, op);
  case OpCode::Add: return emit_add(ctx, op);
  case OpCode::Pad: return emit_pad(ctx, op);
  case OpCode::Softmax: return emit_softmax(ctx, op);
  case OpCode::Quantize:
  case OpCode::Dequantize: return emit_quantize(ctx, op);
  case OpCode::Reshape: return emit_reshape(ctx, op);
  }
  return tl::unexpected(refusal(op, "has no code generator"));
}

} // namespace mcusim::nnc::gen
