#include "nnc/model.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tflite_subset_generated.h"

namespace mcusim::nnc {
namespace {

tl::unexpected<Error> bad(std::string message) {
  return tl::unexpected<Error>(Error{ErrorKind::BadModel, std::move(message)});
}

bool supported(int32_t code) {
  switch (static_cast<OpCode>(code)) {
  case OpCode::Add:
  case OpCode::AveragePool2D:
  case OpCode::Conv2D:
  case OpCode::DepthwiseConv2D:
  case OpCode::Dequantize:
  case OpCode::FullyConnected:
  case OpCode::MaxPool2D:
  case OpCode::Reshape:
  case OpCode::Softmax:
  case OpCode::Pad:
  case OpCode::Quantize:
    return true;
  }
  return false;
}

bool supported_type(int8_t t) {
  return t == static_cast<int8_t>(DType::Float32) || t == static_cast<int8_t>(DType::Int32) ||
         t == static_cast<int8_t>(DType::Int8);
}

std::string tensor_type_name(int8_t t) {
  static const char *const names[] = {"FLOAT32", "FLOAT16", "INT32",     "UINT8",   "INT64",
                                      "STRING",  "BOOL",    "INT16",     "COMPLEX64", "INT8",
                                      "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT",
                                      "UINT32",  "UINT16",  "INT4"};
  if (t >= 0 && static_cast<size_t>(t) < std::size(names)) return names[t];
  return "type " + std::to_string(t);
}

Activation activation(int8_t a) { return static_cast<Activation>(a); }

bool activation_ok(int8_t a) { return a >= 0 && a <= 3; }

std::string shape_text(const flatbuffers::Vector<int32_t> *v) {
  std::string s = "[";
  if (v)
    for (uint32_t i = 0; i < v->size(); ++i) {
      if (i) s += ',';
      s += std::to_string(v->Get(i));
    }
  return s + "]";
}

std::string tensor_label(int id, const tflite::Tensor *t) {
  std::string s = "tensor " + std::to_string(id);
  if (t->name()) s += " (" + t->name()->str() + ")";
  return s;
}

Expected<Tensor> read_tensor(int id, const tflite::Tensor *t, const tflite::Model *m) {
  Tensor out;
  out.id = id;
  out.name = t->name() ? t->name()->str() : "";
  const std::string label = tensor_label(id, t);
  if (!supported_type(t->type()))
    return bad(label + " has element type " + tensor_type_name(t->type()) +
               ", which is not supported (FLOAT32, INT8, INT32)");
  out.type = static_cast<DType>(t->type());
  if (t->is_variable()) return bad(label + " is a variable tensor, which is not supported");
  if (!t->shape()) return bad(label + " has no shape (unknown rank)");
  for (auto d : *t->shape()) {
    if (d <= 0) return bad(label + " has an unknown or empty dimension in shape " + shape_text(t->shape()));
    out.shape.push_back(d);
  }
  if (auto sig = t->shape_signature()) {
    // A free batch dimension (-1 first, shape[0] == 1) is what the converter
    // writes for any Keras model: it is compiled for batch 1. Any other -1 is
    // a dynamic shape.
    for (uint32_t i = 0; i < sig->size(); ++i) {
      const bool batch = i == 0 && !out.shape.empty() && out.shape[0] == 1;
      if (sig->Get(i) < 0 && !batch)
        return bad(label + " has a dynamic shape (shape_signature " + shape_text(sig) + ")");
    }
  }
  if (auto q = t->quantization()) {
    if (q->scale()) out.quant.scale.assign(q->scale()->begin(), q->scale()->end());
    if (q->zero_point()) out.quant.zero_point.assign(q->zero_point()->begin(), q->zero_point()->end());
    out.quant.axis = q->quantized_dimension();
    const size_t n = out.quant.scale.size();
    if (out.quant.zero_point.size() != n && !(n > 0 && out.quant.zero_point.empty()))
      return bad(label + " has " + std::to_string(n) + " quantization scales but " +
                 std::to_string(out.quant.zero_point.size()) + " zero points");
    if (n > 1) {
      if (out.quant.axis < 0 || static_cast<size_t>(out.quant.axis) >= out.shape.size() ||
          static_cast<size_t>(out.shape[static_cast<size_t>(out.quant.axis)]) != n)
        return bad(label + " has " + std::to_string(n) + " per-channel scales that do not match dimension " +
                   std::to_string(out.quant.axis) + " of shape " + shape_text(t->shape()));
    }
    if (out.quant.zero_point.empty() && n > 0) out.quant.zero_point.assign(n, 0);
  }
  const auto *buffers = m->buffers();
  if (!buffers || t->buffer() >= buffers->size())
    return bad(label + " refers to buffer " + std::to_string(t->buffer()) + ", which does not exist");
  const auto *buf = buffers->Get(t->buffer());
  if (buf->offset() > 1 || buf->size() > 0)
    return bad(label + " keeps its data outside the flatbuffer, which is not supported");
  if (buf->data() && buf->data()->size() > 0) {
    if (buf->data()->size() != out.bytes())
      return bad(label + " has " + std::to_string(buf->data()->size()) + " bytes of data for shape " +
                 shape_text(t->shape()) + " (" + std::to_string(out.bytes()) + " expected)");
    out.data = std::span<const uint8_t>(buf->data()->data(), buf->data()->size());
    out.constant = true;
  }
  return out;
}

/// The fields CONV_2D and DEPTHWISE_CONV_2D options share.
template <typename T> ConvOptions conv_options(const T &o) {
  ConvOptions c;
  c.padding = static_cast<Padding>(o.padding());
  c.stride_w = o.stride_w();
  c.stride_h = o.stride_h();
  c.dilation_w = o.dilation_w_factor();
  c.dilation_h = o.dilation_h_factor();
  c.activation = activation(o.fused_activation_function());
  return c;
}

Options read_options(const tflite::Operator *op, OpCode code) {
  switch (code) {
  case OpCode::Conv2D:
    if (auto o = op->builtin_options_as_Conv2DOptions()) return conv_options(*o);
    break;
  case OpCode::DepthwiseConv2D:
    if (auto o = op->builtin_options_as_DepthwiseConv2DOptions()) {
      ConvOptions c = conv_options(*o);
      c.depth_multiplier = o->depth_multiplier();
      return c;
    }
    break;
  case OpCode::AveragePool2D:
  case OpCode::MaxPool2D:
    if (auto o = op->builtin_options_as_Pool2DOptions()) {
      PoolOptions p;
      p.padding = static_cast<Padding>(o->padding());
      p.stride_w = o->stride_w();
      p.stride_h = o->stride_h();
      p.filter_w = o->filter_width();
      p.filter_h = o->filter_height();
      p.activation = activation(o->fused_activation_function());
      return p;
    }
    break;
  case OpCode::FullyConnected:
    if (auto o = op->builtin_options_as_FullyConnectedOptions())
      return FullyConnectedOptions{activation(o->fused_activation_function()), o->keep_num_dims()};
    break;
  case OpCode::Softmax:
    if (auto o = op->builtin_options_as_SoftmaxOptions()) return SoftmaxOptions{o->beta()};
    break;
  case OpCode::Add:
    if (auto o = op->builtin_options_as_AddOptions()) return AddOptions{activation(o->fused_activation_function())};
    break;
  case OpCode::Reshape:
    if (auto o = op->builtin_options_as_ReshapeOptions()) {
      ReshapeOptions r;
      if (o->new_shape()) r.new_shape.assign(o->new_shape()->begin(), o->new_shape()->end());
      return r;
    }
    break;
  default:
    break;
  }
  return std::monostate{};
}

// The fused activation byte of an operator's options, when it has one.
int8_t raw_activation(const tflite::Operator *op) {
  if (auto o = op->builtin_options_as_Conv2DOptions()) return o->fused_activation_function();
  if (auto o = op->builtin_options_as_DepthwiseConv2DOptions()) return o->fused_activation_function();
  if (auto o = op->builtin_options_as_Pool2DOptions()) return o->fused_activation_function();
  if (auto o = op->builtin_options_as_FullyConnectedOptions()) return o->fused_activation_function();
  if (auto o = op->builtin_options_as_AddOptions()) return o->fused_activation_function();
  return 0;
}

} // namespace

std::string_view dtype_name(DType t) {
  switch (t) {
  case DType::Float32: return "float32";
  case DType::Int32: return "int32";
  case DType::Int8: return "int8";
  }
  return "?";
}

size_t dtype_bytes(DType t) {
  switch (t) {
  case DType::Float32:
  case DType::Int32: return 4;
  case DType::Int8: return 1;
  }
  return 1;
}

uint64_t Tensor::elements() const {
  uint64_t n = 1;
  for (auto d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

std::string op_name(int32_t code) {
  const char *n = (code >= 0 && code <= static_cast<int32_t>(tflite::BuiltinOperator::MAX))
                      ? tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code))
                      : "";
  if (n && *n) return n;
  return "code " + std::to_string(code);
}

uint64_t Model::weight_bytes() const {
  uint64_t total = 0;
  for (const auto &t : tensors)
    if (t.constant) total += t.data.size();
  return total;
}

Expected<Model> load_model(const std::string &path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return tl::unexpected<Error>(Error{ErrorKind::Unreadable, path + ": is a directory, not a model file"});
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected<Error>(Error{ErrorKind::Unreadable, path + ": cannot open the file"});
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return tl::unexpected<Error>(Error{ErrorKind::Unreadable, path + ": cannot read the file"});
  auto m = parse_model(std::move(bytes));
  if (!m) m.error().message = path + ": " + m.error().message;
  return m;
}

Expected<Model> parse_model(std::vector<uint8_t> bytes) {
  auto file = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  if (file->size() < 8 || !flatbuffers::BufferHasIdentifier(file->data(), tflite::ModelIdentifier()))
    return bad("not a TensorFlow Lite model (no TFL3 file identifier)");
  flatbuffers::Verifier verifier(file->data(), file->size());
  if (!tflite::VerifyModelBuffer(verifier))
    return bad("a damaged or truncated TensorFlow Lite model (the flatbuffer does not verify)");
  const tflite::Model *m = tflite::GetModel(file->data());
  if (m->version() != 3)
    return bad("schema version " + std::to_string(m->version()) + " is not supported (3 is)");
  const auto *subgraphs = m->subgraphs();
  if (!subgraphs || subgraphs->size() != 1)
    return bad("the model has " + std::to_string(subgraphs ? subgraphs->size() : 0) +
               " subgraphs; mcusim-nnc supports exactly one");
  const tflite::SubGraph *g = subgraphs->Get(0);
  if (!g->tensors() || !g->operators() || !g->inputs() || !g->outputs())
    return bad("the subgraph has no tensors, operators, inputs or outputs");

  Model model;
  model.file = file;
  if (m->description()) model.description = m->description()->str();
  const int ntensors = static_cast<int>(g->tensors()->size());
  for (int i = 0; i < ntensors; ++i) {
    auto t = read_tensor(i, g->tensors()->Get(static_cast<uint32_t>(i)), m);
    if (!t) return tl::unexpected<Error>(t.error());
    model.tensors.push_back(std::move(*t));
  }
  auto check_ids = [&](const flatbuffers::Vector<int32_t> *ids, const std::string &what, bool optional,
                       std::vector<int> &out) -> Expected<void> {
    for (auto id : *ids) {
      if (optional && id == -1) {
        out.push_back(-1);
        continue;
      }
      if (id < 0 || id >= ntensors)
        return bad(what + " refers to tensor " + std::to_string(id) + ", which does not exist");
      out.push_back(id);
    }
    return {};
  };
  if (auto r = check_ids(g->inputs(), "the model input list", false, model.inputs); !r) return tl::unexpected(r.error());
  if (auto r = check_ids(g->outputs(), "the model output list", false, model.outputs); !r) return tl::unexpected(r.error());

  const auto *codes = m->operator_codes();
  const int nops = static_cast<int>(g->operators()->size());
  for (int i = 0; i < nops; ++i) {
    const tflite::Operator *op = g->operators()->Get(static_cast<uint32_t>(i));
    const std::string label = "operator " + std::to_string(i);
    if (!codes || op->opcode_index() >= codes->size())
      return bad(label + " refers to operator code " + std::to_string(op->opcode_index()) + ", which does not exist");
    const tflite::OperatorCode *oc = codes->Get(op->opcode_index());
    // Schema 3a: the code is the larger of the old byte field and the new int field.
    const int32_t code = std::max<int32_t>(oc->deprecated_builtin_code(), static_cast<int32_t>(oc->builtin_code()));
    if (code == static_cast<int32_t>(tflite::BuiltinOperator::CUSTOM))
      return bad(label + " (CUSTOM " + (oc->custom_code() ? oc->custom_code()->str() : std::string("?")) +
                 ") is not supported");
    if (!supported(code)) return bad(label + " (" + op_name(code) + ") is not supported");
    const std::string named = label + " (" + op_name(code) + ")";
    if (!activation_ok(raw_activation(op)))
      return bad(named + " has fused activation " + std::to_string(raw_activation(op)) +
                 ", which is not supported (NONE, RELU, RELU_N1_TO_1, RELU6)");
    Operator o;
    o.index = i;
    o.code = static_cast<OpCode>(code);
    o.version = oc->version();
    if (!op->inputs() || !op->outputs() || op->outputs()->size() == 0)
      return bad(named + " has no inputs or outputs");
    if (auto r = check_ids(op->inputs(), named, true, o.inputs); !r) return tl::unexpected(r.error());
    if (auto r = check_ids(op->outputs(), named, false, o.outputs); !r) return tl::unexpected(r.error());
    if (o.inputs.empty() || o.inputs[0] < 0) return bad(named + " has no first input");
    for (int out : o.outputs)
      if (model.tensors[static_cast<size_t>(out)].constant)
        return bad(named + " writes constant tensor " + std::to_string(out));
    o.options = read_options(op, o.code);
    const bool needs_weights = o.code == OpCode::Conv2D || o.code == OpCode::DepthwiseConv2D ||
                               o.code == OpCode::FullyConnected;
    if (needs_weights) {
      if (o.inputs.size() < 2 || o.inputs[1] < 0 || !model.tensors[static_cast<size_t>(o.inputs[1])].constant)
        return bad(named + " has no constant weights");
      if (std::holds_alternative<std::monostate>(o.options) && o.code != OpCode::FullyConnected)
        return bad(named + " has no options");
    }
    model.operators.push_back(std::move(o));
  }
  return model;
}

uint64_t macs(const Model &model, const Operator &op) {
  auto tensor = [&](int id) -> const Tensor & { return model.tensors[static_cast<size_t>(id)]; };
  const Tensor &out = tensor(op.outputs[0]);
  switch (op.code) {
  case OpCode::Conv2D: {
    // filter [Cout, kh, kw, Cin]: every output element sums kh*kw*Cin products
    const Tensor &w = tensor(op.inputs[1]);
    if (w.shape.size() != 4) return 0;
    return out.elements() * static_cast<uint64_t>(w.shape[1]) * static_cast<uint64_t>(w.shape[2]) *
           static_cast<uint64_t>(w.shape[3]);
  }
  case OpCode::DepthwiseConv2D: {
    // filter [1, kh, kw, Cout]: every output element sums kh*kw products
    const Tensor &w = tensor(op.inputs[1]);
    if (w.shape.size() != 4) return 0;
    return out.elements() * static_cast<uint64_t>(w.shape[1]) * static_cast<uint64_t>(w.shape[2]);
  }
  case OpCode::FullyConnected: {
    // weights [units, depth]: every output element sums depth products
    const Tensor &w = tensor(op.inputs[1]);
    if (w.shape.size() != 2) return 0;
    return out.elements() * static_cast<uint64_t>(w.shape[1]);
  }
  default:
    return 0;
  }
}

} // namespace mcusim::nnc
