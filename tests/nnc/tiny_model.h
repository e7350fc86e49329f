// Tiny .tflite models built with the flatbuffers builder, for the refusal and
// code generation tests.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tflite_subset_generated.h"

namespace nnc_test {

struct TinySpec {
  int32_t op = 25;                 // builtin operator (SOFTMAX)
  int subgraphs = 1;
  std::vector<int32_t> signature;  // shape_signature of the input, empty: none
  int8_t input_type = 9;           // INT8
};

// One operator from a 1x4 input to a 1x4 output.
inline std::vector<uint8_t> tiny_model(const TinySpec &spec) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<flatbuffers::Offset<tflite::Buffer>> buffers{tflite::CreateBuffer(b)};
  auto code = tflite::CreateOperatorCode(b, static_cast<int8_t>(spec.op < 127 ? spec.op : 127), 0, 1,
                                         static_cast<tflite::BuiltinOperator>(spec.op));
  std::vector<flatbuffers::Offset<tflite::SubGraph>> graphs;
  for (int g = 0; g < spec.subgraphs; ++g) {
    std::vector<int32_t> shape{1, 4};
    auto in = tflite::CreateTensor(b, b.CreateVector(shape), spec.input_type, 0, b.CreateString("in"), 0, false,
                                   spec.signature.empty() ? 0 : b.CreateVector(spec.signature));
    auto out = tflite::CreateTensor(b, b.CreateVector(shape), 9, 0, b.CreateString("out"));
    std::vector<int32_t> ins{0}, outs{1};
    auto op = tflite::CreateOperator(b, 0, b.CreateVector(ins), b.CreateVector(outs));
    std::vector<flatbuffers::Offset<tflite::Tensor>> tensors{in, out};
    std::vector<flatbuffers::Offset<tflite::Operator>> ops{op};
    graphs.push_back(tflite::CreateSubGraph(b, b.CreateVector(tensors), b.CreateVector(ins), b.CreateVector(outs),
                                            b.CreateVector(ops)));
  }
  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes{code};
  auto model = tflite::CreateModel(b, 3, b.CreateVector(codes), b.CreateVector(graphs), 0, b.CreateVector(buffers));
  tflite::FinishModelBuffer(b, model);
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

// A graph of any operators: tensors (constants carry their bytes), operators
// with their options, one subgraph.
struct TinyTensor {
  std::vector<int32_t> shape;
  int8_t type = 9; // INT8
  std::vector<uint8_t> data; // empty: an activation
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t axis = 0;
  std::string name;
};
using TinyOptions = std::function<std::pair<tflite::BuiltinOptions, flatbuffers::Offset<void>>(
    flatbuffers::FlatBufferBuilder &)>;
struct TinyOp {
  int32_t code = 0;
  std::vector<int32_t> inputs, outputs;
  TinyOptions options; // empty: none
  int32_t version = 1;
};
struct TinyGraph {
  std::vector<TinyTensor> tensors;
  std::vector<TinyOp> ops;
  std::vector<int32_t> inputs, outputs;
};

template <typename T> std::vector<uint8_t> tiny_bytes(const std::vector<T> &v) {
  std::vector<uint8_t> out(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

inline std::vector<uint8_t> tiny_graph(const TinyGraph &g) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<flatbuffers::Offset<tflite::Buffer>> buffers{tflite::CreateBuffer(b)};
  std::vector<flatbuffers::Offset<tflite::Tensor>> tensors;
  for (const auto &t : g.tensors) {
    uint32_t buffer = 0;
    if (!t.data.empty()) {
      b.ForceVectorAlignment(t.data.size(), 1, 16);
      buffers.push_back(tflite::CreateBuffer(b, b.CreateVector(t.data)));
      buffer = static_cast<uint32_t>(buffers.size() - 1);
    }
    flatbuffers::Offset<tflite::QuantizationParameters> q = 0;
    if (!t.scale.empty())
      q = tflite::CreateQuantizationParameters(b, 0, 0, b.CreateVector(t.scale), b.CreateVector(t.zero_point),
                                               t.axis);
    tensors.push_back(tflite::CreateTensor(b, b.CreateVector(t.shape), t.type, buffer, b.CreateString(t.name), q));
  }
  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes;
  std::vector<flatbuffers::Offset<tflite::Operator>> ops;
  for (const auto &op : g.ops) {
    codes.push_back(tflite::CreateOperatorCode(b, static_cast<int8_t>(op.code < 127 ? op.code : 127), 0, op.version,
                                               static_cast<tflite::BuiltinOperator>(op.code)));
    auto opts = op.options ? op.options(b)
                           : std::pair<tflite::BuiltinOptions, flatbuffers::Offset<void>>{tflite::BuiltinOptions::NONE, 0};
    ops.push_back(tflite::CreateOperator(b, static_cast<uint32_t>(codes.size() - 1), b.CreateVector(op.inputs),
                                         b.CreateVector(op.outputs), opts.first, opts.second));
  }
  auto graph = tflite::CreateSubGraph(b, b.CreateVector(tensors), b.CreateVector(g.inputs), b.CreateVector(g.outputs),
                                      b.CreateVector(ops));
  std::vector<flatbuffers::Offset<tflite::SubGraph>> graphs{graph};
  auto model = tflite::CreateModel(b, 3, b.CreateVector(codes), b.CreateVector(graphs), 0, b.CreateVector(buffers));
  tflite::FinishModelBuffer(b, model);
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

} // namespace nnc_test
