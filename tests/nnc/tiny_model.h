// Tiny .tflite models built with the flatbuffers builder, for the refusal tests.
#pragma once

#include <cstdint>
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

} // namespace nnc_test
