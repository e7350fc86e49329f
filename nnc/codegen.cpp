// The code generator's driver: checks the model's interface, runs the
// operator emitters (codegen_ops.cpp) in order, and assembles OUT_PREFIX.h and
// OUT_PREFIX.c around what they write.
#include "nnc/codegen.h"

#include <algorithm>
#include <cctype>

#include "nnc/c_writer.h"
#include "nnc/codegen_context.h"

namespace mcusim::nnc {

std::optional<Target> parse_target(std::string_view name) {
  for (Target t : {Target::Generic, Target::CortexM0Plus, Target::CortexM4, Target::CortexM7, Target::CortexM33})
    if (target_name(t) == name) return t;
  return std::nullopt;
}

std::string_view target_name(Target t) {
  switch (t) {
  case Target::Generic: return "generic";
  case Target::CortexM0Plus: return "cortex-m0plus";
  case Target::CortexM4: return "cortex-m4";
  case Target::CortexM7: return "cortex-m7";
  case Target::CortexM33: return "cortex-m33";
  }
  return "?";
}

bool uses_dsp_kernels(Target t) { return t == Target::CortexM4 || t == Target::CortexM7 || t == Target::CortexM33; }

std::optional<WeightPlacement> parse_weights(std::string_view name) {
  if (name == "flash") return WeightPlacement::Flash;
  if (name == "sram") return WeightPlacement::Sram;
  return std::nullopt;
}

// Mirrors NN_CONV2D_S8_DSP_SCRATCH_BYTES, NN_DEPTHWISE_CONV2D_S8_DSP_SCRATCH_BYTES
// and NN_FULLY_CONNECTED_S8_DSP_SCRATCH_BYTES in firmware/nn/include/mcusim_nn.h:
// change both together.
uint64_t kernel_scratch_bytes(const Model &model, const Operator &op, Target target) {
  if (!uses_dsp_kernels(target) || op.inputs.size() < 2 || op.inputs[1] < 0) return 0;
  const Tensor &in = model.tensors[static_cast<size_t>(op.inputs[0])];
  const Tensor &w = model.tensors[static_cast<size_t>(op.inputs[1])];
  if (in.type != DType::Int8) return 0; // the float kernels take no scratch
  switch (op.code) {
  case OpCode::Conv2D:
    // NN_CONV2D_S8_DSP_SCRATCH_BYTES(filter_h, filter_w, in_c) = 2 * 2 * filter_h * filter_w * in_c
    if (w.shape.size() != 4) return 0;
    return 2u * 2u * static_cast<uint64_t>(w.shape[1]) * static_cast<uint64_t>(w.shape[2]) *
           static_cast<uint64_t>(w.shape[3]);
  case OpCode::DepthwiseConv2D: // NN_DEPTHWISE_CONV2D_S8_DSP_SCRATCH_BYTES: 0
  case OpCode::FullyConnected:  // NN_FULLY_CONNECTED_S8_DSP_SCRATCH_BYTES: 0
  default: return 0;
  }
}

uint64_t model_scratch_bytes(const Model &model, Target target) {
  uint64_t most = 0;
  for (const auto &op : model.operators)
    most = std::max(most, kernel_scratch_bytes(model, op, target));
  return most;
}

namespace gen {

Error refusal(const Operator &op, const std::string &what) {
  return Error{ErrorKind::BadModel, "operator " + std::to_string(op.index) + " (" + op_name(op.code) + "): " + what};
}

std::optional<std::array<int32_t, 3>> hwc(const Tensor &t) {
  if (t.shape.size() > 4) return std::nullopt;
  std::array<int32_t, 4> s{1, 1, 1, 1};
  std::copy(t.shape.begin(), t.shape.end(), s.begin() + static_cast<long>(4 - t.shape.size()));
  if (s[0] != 1) return std::nullopt;
  return std::array<int32_t, 3>{s[1], s[2], s[3]};
}

std::string shape_literal(const std::array<int32_t, 3> &s) {
  return "(nn_shape){" + std::to_string(s[0]) + ", " + std::to_string(s[1]) + ", " + std::to_string(s[2]) + "}";
}

std::string Context::arena_ptr(int id, const char *ctype, bool read_only) const {
  const TensorPlacement *p = plan.find(id);
  const std::string at = std::string("(").append(name("arena")) + " + " + std::to_string(p ? p->offset : 0) + ")";
  const std::string cast = std::string("(") + (read_only ? "const " : "") + ctype + " *)";
  // The arena is 16-byte aligned and so is every offset: wider types go through void *.
  return std::string_view(ctype) == "int8_t" ? cast + at : cast + "(void *)" + at;
}

std::string Context::input_ptr(int id, const char *ctype) {
  const Tensor &t = tensor(id);
  if (!t.constant) return arena_ptr(id, ctype, true);
  if (auto it = constants.find(id); it != constants.end()) return it->second;
  const std::string array = name(std::string("t").append(std::to_string(id)));
  const bool flash = options.weights == WeightPlacement::Flash;
  const std::string count = std::to_string(t.elements());
  std::string elements;
  const char *type = "int8_t";
  switch (t.type) {
  case DType::Int8: elements = c::int8_elements(c::as_int8(t.data)); break;
  case DType::Int32:
    type = "int32_t";
    elements = c::int32_elements(c::as_int32(t.data));
    break;
  case DType::Float32:
    type = "float";
    elements = c::float_elements(c::as_float(t.data));
    break;
  }
  std::string label = t.name.substr(0, t.name.find(';')).substr(0, 100);
  for (char &ch : label)
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
  for (size_t at; (at = label.find("*/")) != std::string::npos;)
    label.replace(at, 2, "* /");
  data += "/* tensor " + std::to_string(id) + ": " + label + " */\n";
  data += std::string("static ") + (flash ? "const " : "") + type + " " + array + "[" + count + "] " +
          c::upper(options.prefix) + "_WEIGHT_ATTR = {\n" + elements + "};\n";
  weight_bytes += t.bytes();
  constants.emplace(id, array);
  return array;
}

std::string Context::float_weights_ptr(int id) {
  const Tensor &t = tensor(id);
  if (t.type != DType::Int8) return input_ptr(id, "float");
  if (auto it = constants.find(id); it != constants.end()) return it->second;
  const auto q = c::as_int8(t.data);
  const size_t axis = t.quant.per_channel() ? static_cast<size_t>(t.quant.axis) : 0;
  size_t inner = 1;
  for (size_t d = axis + 1; d < t.shape.size(); ++d)
    inner *= static_cast<size_t>(t.shape[d]);
  const size_t channels = t.quant.per_channel() ? static_cast<size_t>(t.shape[axis]) : 1;
  std::vector<float> values(q.size());
  for (size_t i = 0; i < q.size(); ++i) {
    const size_t ch = (i / inner) % channels;
    const float scale = t.quant.scale[t.quant.per_channel() ? ch : 0];
    const auto zp =
        static_cast<int32_t>(t.quant.zero_point.empty() ? 0 : t.quant.zero_point[t.quant.per_channel() ? ch : 0]);
    values[i] = scale * static_cast<float>(q[i] - zp);
  }
  const std::string array = name(std::string("t").append(std::to_string(id)));
  const bool flash = options.weights == WeightPlacement::Flash;
  data += "/* tensor " + std::to_string(id) + ", int8 weights dequantized at compile time */\n";
  data += std::string("static ") + (flash ? "const " : "") + "float " + array + "[" + std::to_string(values.size()) +
          "] " + c::upper(options.prefix) + "_WEIGHT_ATTR = {\n" + c::float_elements(values) + "};\n";
  weight_bytes += values.size() * sizeof(float);
  constants.emplace(id, array);
  return array;
}

} // namespace gen

namespace {

uint64_t tensor_offset(const ArenaPlan &plan, int id) {
  const TensorPlacement *p = plan.find(id);
  return p ? p->offset : 0;
}

std::string lower(std::string s) {
  for (char &ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

} // namespace

Expected<GeneratedCode> generate_code(const Model &model, const ArenaPlan &plan, const CodegenOptions &options) {
  auto bad = [](std::string m) { return tl::unexpected<Error>(Error{ErrorKind::BadModel, std::move(m)}); };
  if (model.inputs.size() != 1 || model.outputs.size() != 1)
    return bad("the model has " + std::to_string(model.inputs.size()) + " input(s) and " +
               std::to_string(model.outputs.size()) + " output(s); code generation supports one of each");
  const Tensor &in = model.tensors[static_cast<size_t>(model.inputs[0])];
  const Tensor &out = model.tensors[static_cast<size_t>(model.outputs[0])];
  for (const Tensor *t : {&in, &out}) {
    const char *role = t == &in ? "input" : "output";
    if (t->type != DType::Int8 && t->type != DType::Float32)
      return bad(std::string("the model ") + role + " (tensor " + std::to_string(t->id) + ") is " +
                 std::string(dtype_name(t->type)) + "; code generation supports int8 and float32");
    if (t->constant)
      return bad(std::string("the model ") + role + " (tensor " + std::to_string(t->id) + ") is a constant");
    if (t->type == DType::Int8 && t->quant.scale.size() != 1)
      return bad(std::string("the model ") + role + " (tensor " + std::to_string(t->id) +
                 ") has no per-tensor quantization");
  }
  if (model.operators.empty()) return bad("the model has no operators");

  const std::string &p = options.prefix;
  const std::string P = c::upper(p);
  GeneratedCode g;
  g.arena_bytes = std::max<uint64_t>(plan.peak, kArenaAlignment);
  g.scratch_bytes = model_scratch_bytes(model, options.target);

  gen::Context ctx{model, plan, options, {}, {}, 0, {}};
  std::string invoke;
  std::string layers;
  for (const auto &op : model.operators) {
    const bool conv_like = op.code == OpCode::Conv2D || op.code == OpCode::DepthwiseConv2D;
    const bool pool = op.code == OpCode::AveragePool2D || op.code == OpCode::MaxPool2D;
    if ((conv_like && !std::holds_alternative<ConvOptions>(op.options)) ||
        (pool && !std::holds_alternative<PoolOptions>(op.options)))
      return tl::unexpected(gen::refusal(op, "has no options"));
    ctx.code.clear();
    if (auto r = gen::emit_operator(ctx, op); !r) return tl::unexpected(r.error());
    const Tensor &o = model.tensors[static_cast<size_t>(op.outputs[0])];
    const std::string idx = std::to_string(op.index);
    const uint64_t m = macs(model, op);
    g.macs += m;
    invoke += "  /* " + idx + " " + op_name(op.code) + ": tensor " + std::to_string(op.inputs[0]) + " -> " +
              std::to_string(o.id) + " */\n";
    if (op.code != OpCode::Reshape) {
      ++g.layers;
      const std::string layer = p + "_layer_" + idx;
      layers += "static const nn_layer_t " + layer + " = {\"" + lower(op_name(op.code)) + "_" + idx + "\", \"" +
                op_name(op.code) + "\", " + std::to_string(m) + "u};\n";
      invoke += "  NN_LAYER_BEGIN(&" + layer + ");\n" + ctx.code + "  NN_LAYER_END();\n";
    }
    invoke += "  NN_LAYER_DONE(" + idx + ", " + p + "_arena + " + std::to_string(tensor_offset(plan, o.id)) + ", " +
              std::to_string(o.bytes()) + "u);\n";
  }
  g.weight_bytes = ctx.weight_bytes;
  if (g.macs > UINT32_MAX) return bad("the model has more than 2^32 MACs");

  const std::string banner = "/* Generated by mcusim-nnc from " + options.model_file + " (target " +
                             std::string(target_name(options.target)) + ", weights " +
                             (options.weights == WeightPlacement::Flash ? "flash" : "sram") + "). Do not edit. */\n";
  // ---- OUT_PREFIX.h
  std::string &h = g.header;
  h = banner + "#ifndef " + P + "_H\n#define " + P + "_H\n\n#include <stdint.h>\n\n#include \"mcusim_nn.h\"\n\n";
  h += "#define " + P + "_ARENA_BYTES " + std::to_string(g.arena_bytes) + "\n";
  h += "#define " + P + "_SCRATCH_BYTES " + std::to_string(g.scratch_bytes) + "\n";
  h += "#define " + P + "_WEIGHT_BYTES " + std::to_string(g.weight_bytes) + "\n";
  h += "#define " + P + "_MACS " + std::to_string(g.macs) + "\n";
  h += "#define " + P + "_INPUT_COUNT " + std::to_string(in.elements()) + "\n";
  h += "#define " + P + "_OUTPUT_COUNT " + std::to_string(out.elements()) + "\n\n";
  h += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  h += "/* Input, output and every intermediate tensor, at offsets fixed at compile time. */\n";
  h += "extern uint8_t " + p + "_arena[" + P + "_ARENA_BYTES];\n";
  if (g.scratch_bytes)
    h += "/* The kernels' scratch buffer. */\nextern uint8_t " + p + "_scratch[" + P + "_SCRATCH_BYTES];\n";
  h += "extern const nn_model_t " + p + "_model;\n";
  h += "/* Runs the model once on the input in the arena. */\nvoid " + p + "_invoke(void);\n\n";
  h += "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " + P + "_H */\n";

  // ---- OUT_PREFIX.c
  std::string &s = g.source;
  const std::string header_name = options.header_name.empty() ? p + ".h" : options.header_name;
  s = banner + "#include " + c::string_literal(header_name) + "\n\n#include <math.h>\n#include <stddef.h>\n\n";
  s += "#define " + P + "_WEIGHT_ATTR " +
       (options.weights == WeightPlacement::Flash ? "__attribute__((section(\".rodata.weights\"), aligned(4)))"
                                                  : "__attribute__((aligned(4)))") +
       "\n\n";
  s += "uint8_t " + p + "_arena[" + P + "_ARENA_BYTES] __attribute__((aligned(16), section(\".bss.nn_arena\")));\n";
  if (g.scratch_bytes)
    s += "uint8_t " + p + "_scratch[" + P +
         "_SCRATCH_BYTES] __attribute__((aligned(16), section(\".bss.nn_scratch\")));\n";
  s += "\n" + ctx.data + "\n";
  s += "static const nn_layer_t " + p + "_layer_invoke = {\"" + p + "\", \"INVOKE\", " + std::to_string(g.macs) +
       "u};\n";
  s += layers + "\n";
  s += "void " + p + "_invoke(void) {\n  NN_LAYER_BEGIN(&" + p + "_layer_invoke);\n" + invoke +
       "  NN_LAYER_END();\n}\n\n";
  auto type_of = [](const Tensor &t) { return t.type == DType::Float32 ? "NN_FLOAT32" : "NN_INT8"; };
  auto scale = [](const Tensor &t) { return c::float_literal(t.quant.scale.empty() ? 0.0f : t.quant.scale[0]); };
  auto zp = [](const Tensor &t) { return std::to_string(t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0]); };
  s += "const nn_model_t " + p + "_model = {\n";
  s += "  .name = " + c::string_literal(p) + ",\n";
  s += "  .invoke = " + p + "_invoke,\n";
  s += "  .input = " + p + "_arena + " + std::to_string(tensor_offset(plan, in.id)) + ",\n";
  s += "  .input_count = " + P + "_INPUT_COUNT,\n  .input_type = " + type_of(in) + ",\n";
  s += "  .input_scale = " + scale(in) + ",\n  .input_zero_point = " + zp(in) + ",\n";
  s += "  .output = " + p + "_arena + " + std::to_string(tensor_offset(plan, out.id)) + ",\n";
  s += "  .output_count = " + P + "_OUTPUT_COUNT,\n  .output_type = " + type_of(out) + ",\n";
  s += "  .output_scale = " + scale(out) + ",\n  .output_zero_point = " + zp(out) + ",\n";
  s += "  .arena_bytes = " + P + "_ARENA_BYTES,\n  .scratch_bytes = " + P + "_SCRATCH_BYTES,\n";
  s += "  .weight_bytes = " + P + "_WEIGHT_BYTES,\n  .macs = " + P + "_MACS,\n";
  s += "  .layers = " + std::to_string(g.layers) + ",\n};\n";
  return g;
}

} // namespace mcusim::nnc
