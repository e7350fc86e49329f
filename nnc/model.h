/// \file
/// A .tflite model read into mcusim-nnc's own graph: tensors (shape, type,
/// quantization, constant data) and operators (builtin code, version,
/// inputs/outputs, options). Everything the code generator and the planner
/// need; nothing of the flatbuffer leaks out of nnc/model.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <tl/expected.hpp>

namespace mcusim::nnc {

/// What went wrong, coarse enough to pick mcusim-nnc's exit code (docs/tinyml.md).
enum class ErrorKind {
  Usage,      ///< bad command line (exit 64)
  Unreadable, ///< the file cannot be opened or read (exit 66)
  BadModel,   ///< not a tflite model, or one mcusim-nnc does not support (exit 65)
};

struct Error {
  ErrorKind kind = ErrorKind::BadModel;
  std::string message; ///< one line
};

template <typename T>
using Expected = tl::expected<T, Error>;

/// Element types mcusim-nnc handles (TFLite's TensorType values).
enum class DType : int8_t { Float32 = 0, Int32 = 2, Int8 = 9 };

std::string_view dtype_name(DType t);
size_t dtype_bytes(DType t);

/// Affine quantization: real = scale * (q - zero_point), per tensor (one
/// scale) or per channel along `axis` (one scale per channel).
struct Quantization {
  std::vector<float> scale;       ///< empty: not quantized
  std::vector<int64_t> zero_point;
  int axis = 0;
  bool per_channel() const { return scale.size() > 1; }
};

struct Tensor {
  int id = 0;
  std::string name;
  std::vector<int32_t> shape;
  DType type = DType::Float32;
  Quantization quant;
  std::span<const uint8_t> data; ///< the constant's bytes; empty for activations
  bool constant = false;

  uint64_t elements() const;
  uint64_t bytes() const { return elements() * dtype_bytes(type); }
};

/// Builtin operators mcusim-nnc supports (TFLite's BuiltinOperator values).
enum class OpCode : int32_t {
  Add = 0,
  AveragePool2D = 1,
  Conv2D = 3,
  DepthwiseConv2D = 4,
  Dequantize = 6,
  FullyConnected = 9,
  MaxPool2D = 17,
  Reshape = 22,
  Softmax = 25,
  Pad = 34,
  Quantize = 114,
};

/// TFLite's name of a builtin operator code ("CONV_2D"); "code N" when unknown.
std::string op_name(int32_t builtin_code);
inline std::string op_name(OpCode c) { return op_name(static_cast<int32_t>(c)); }

enum class Padding : int8_t { Same = 0, Valid = 1 };
enum class Activation : int8_t { None = 0, Relu = 1, ReluN1To1 = 2, Relu6 = 3 };

struct ConvOptions {
  Padding padding = Padding::Same;
  int stride_w = 1, stride_h = 1;
  int dilation_w = 1, dilation_h = 1;
  int depth_multiplier = 1; ///< DEPTHWISE_CONV_2D only
  Activation activation = Activation::None;
};
struct PoolOptions {
  Padding padding = Padding::Same;
  int stride_w = 1, stride_h = 1;
  int filter_w = 1, filter_h = 1;
  Activation activation = Activation::None;
};
struct FullyConnectedOptions {
  Activation activation = Activation::None;
  bool keep_num_dims = false;
};
struct SoftmaxOptions {
  float beta = 1.0f;
};
struct AddOptions {
  Activation activation = Activation::None;
};
struct ReshapeOptions {
  std::vector<int32_t> new_shape;
};
using Options = std::variant<std::monostate, ConvOptions, PoolOptions, FullyConnectedOptions,
                             SoftmaxOptions, AddOptions, ReshapeOptions>;

struct Operator {
  int index = 0; ///< position in execution order
  OpCode code = OpCode::Add;
  int version = 1;
  std::vector<int> inputs;  ///< tensor ids; -1 for an omitted optional input
  std::vector<int> outputs; ///< tensor ids
  Options options;
};

struct Model {
  std::shared_ptr<const std::vector<uint8_t>> file; ///< the bytes the spans point into
  std::string description;
  std::vector<Tensor> tensors; ///< indexed by tensor id
  std::vector<Operator> operators; ///< in execution order
  std::vector<int> inputs, outputs;

  uint64_t weight_bytes() const; ///< bytes of every constant tensor
};

/// Reads and checks a .tflite file: ErrorKind::Unreadable when it cannot be
/// read, ErrorKind::BadModel (one line naming the operator, tensor or field)
/// when it is not a valid tflite flatbuffer or uses what mcusim-nnc does not
/// support: several subgraphs, dynamic or unknown shapes, an operator or
/// element type outside the supported set.
Expected<Model> load_model(const std::string &path);
/// The same from bytes in memory.
Expected<Model> parse_model(std::vector<uint8_t> bytes);

/// Multiply-accumulates of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED from
/// their shapes; 0 for every other operator.
uint64_t macs(const Model &model, const Operator &op);

} // namespace mcusim::nnc
