// The operator emitters' shared checks and C pieces (nnc/codegen_emit.h), and
// the dispatch from an operator to its family's emitter.
#include "nnc/codegen_emit.h"

#include "nnc/c_writer.h"

namespace mcusim::nnc::gen {

std::string num(int64_t v) { return std::to_string(v); }

std::string tensor_label(const Tensor &t) {
  return "tensor " + num(t.id) + (t.name.empty() ? "" : " (" + t.name.substr(0, t.name.find(';')) + ")");
}

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

// The bias array, or NULL when the operator has none (every kernel then starts
// its sums at 0: mcusim_nn.h).
std::string bias_ptr(Context &ctx, const Operator &op, const char *type) {
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) return ctx.input_ptr(op.inputs[2], type);
  return "NULL";
}

Expected<void> emit_operator(Context &ctx, const Operator &op) {
  if (op.outputs.size() != 1)
    return tl::unexpected(
        refusal(op, "has " + num(static_cast<int64_t>(op.outputs.size())) + " outputs (one is supported)"));
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
