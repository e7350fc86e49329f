// mcusim-nnc's code generation: TFLite's quantization parameters (values from
// TFLite's quantization_util_test.cc, or worked out by hand in the comments),
// the generated C of small hand-built models and of the bundled KWS model,
// its refusals, and that the generated C compiles warning-free.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "nnc/c_writer.h"
#include "nnc/codegen.h"
#include "nnc/model.h"
#include "nnc/plan.h"
#include "nnc/quant_params.h"
#include "tiny_model.h"

using namespace mcusim::nnc;
using nnc_test::TinyGraph;
using nnc_test::TinyOp;
using nnc_test::TinyTensor;

namespace {

using QM = QuantizedMultiplier;

const std::string kModels = std::string(MCUSIM_TEST_SOURCE_DIR) + "/models/mlperf-tiny/";

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

Model parse(const TinyGraph &g) {
  auto m = parse_model(nnc_test::tiny_graph(g));
  INFO((m ? std::string() : m.error().message));
  REQUIRE(m.has_value());
  return std::move(*m);
}

Expected<GeneratedCode> generate(const Model &m, Target target = Target::Generic,
                                 WeightPlacement weights = WeightPlacement::Flash, const std::string &prefix = "tiny") {
  CodegenOptions o;
  o.prefix = prefix;
  o.target = target;
  o.weights = weights;
  o.model_file = "tiny.tflite";
  return generate_code(m, plan_arena(m), o);
}

// Options of the operators the tiny graphs use.
TinyOp op(int32_t code, std::vector<int32_t> in, std::vector<int32_t> out, nnc_test::TinyOptions options = {}) {
  return TinyOp{code, std::move(in), std::move(out), std::move(options)};
}
nnc_test::TinyOptions conv_options(int8_t padding, int stride, int8_t act = 0) {
  return [=](flatbuffers::FlatBufferBuilder &b) {
    return std::pair{tflite::BuiltinOptions::Conv2DOptions,
                     tflite::CreateConv2DOptions(b, padding, stride, stride, act).Union()};
  };
}
nnc_test::TinyOptions depthwise_options(int8_t padding, int stride, int dm) {
  return [=](flatbuffers::FlatBufferBuilder &b) {
    return std::pair{tflite::BuiltinOptions::DepthwiseConv2DOptions,
                     tflite::CreateDepthwiseConv2DOptions(b, padding, stride, stride, dm).Union()};
  };
}
nnc_test::TinyOptions pool_options(int8_t padding, int stride, int filter) {
  return [=](flatbuffers::FlatBufferBuilder &b) {
    return std::pair{tflite::BuiltinOptions::Pool2DOptions,
                     tflite::CreatePool2DOptions(b, padding, stride, stride, filter, filter).Union()};
  };
}
nnc_test::TinyOptions fc_options(int8_t act = 0) {
  return [=](flatbuffers::FlatBufferBuilder &b) {
    return std::pair{tflite::BuiltinOptions::FullyConnectedOptions,
                     tflite::CreateFullyConnectedOptions(b, act).Union()};
  };
}
nnc_test::TinyOptions add_options(int8_t act = 0) {
  return [=](flatbuffers::FlatBufferBuilder &b) {
    return std::pair{tflite::BuiltinOptions::AddOptions, tflite::CreateAddOptions(b, act).Union()};
  };
}
nnc_test::TinyOptions softmax_options(float beta) {
  return [=](flatbuffers::FlatBufferBuilder &b) {
    return std::pair{tflite::BuiltinOptions::SoftmaxOptions, tflite::CreateSoftmaxOptions(b, beta).Union()};
  };
}

TinyTensor act8(std::vector<int32_t> shape, float scale, int64_t zp) {
  return {std::move(shape), 9, {}, {scale}, {zp}};
}
TinyTensor weights8(std::vector<int32_t> shape, std::vector<int8_t> values, std::vector<float> scales, int axis = 0) {
  TinyTensor t{std::move(shape), 9, nnc_test::tiny_bytes(values), std::move(scales), {}, axis};
  t.zero_point.assign(t.scale.size(), 0);
  return t;
}
TinyTensor bias32(std::vector<int32_t> values) {
  return {{static_cast<int32_t>(values.size())}, 2, nnc_test::tiny_bytes(values)};
}
TinyTensor actf(std::vector<int32_t> shape) { return {std::move(shape), 0}; }
TinyTensor constf(std::vector<int32_t> shape, std::vector<float> values) {
  return {std::move(shape), 0, nnc_test::tiny_bytes(values)};
}

// int8: PAD -> DEPTHWISE_CONV_2D -> MAX_POOL_2D -> ADD -> FULLY_CONNECTED (4-D
// input, flattened) -> SOFTMAX -> QUANTIZE (int8 -> int8) -> DEQUANTIZE.
TinyGraph int8_graph() {
  TinyGraph g;
  g.tensors = {
      act8({1, 4, 4, 2}, 0.5f, -1),                                                    // 0 input
      {{4, 2}, 2, nnc_test::tiny_bytes(std::vector<int32_t>{0, 0, 1, 1, 1, 1, 0, 0})}, // 1 paddings
      act8({1, 6, 6, 2}, 0.5f, -1),                                                    // 2 padded
      weights8({1, 3, 3, 2}, std::vector<int8_t>(18, 1), {0.25f, 0.125f}, 3),          // 3 dw filter
      bias32({0, 4}),                                                                  // 4 dw bias
      act8({1, 4, 4, 2}, 1.0f, 3),                                                     // 5 dw out
      act8({1, 2, 2, 2}, 1.0f, 3),                                                     // 6 pool out
      act8({1, 2, 2, 2}, 2.0f, 0),                                                     // 7 add out
      weights8({3, 8}, std::vector<int8_t>(24, -2), {0.5f}),                           // 8 fc weights
      bias32({1, 2, 3}),                                                               // 9 fc bias
      act8({1, 3}, 4.0f, 5),                                                           // 10 fc out
      act8({1, 3}, 1.0f / 256, -128),                                                  // 11 softmax out
      act8({1, 3}, 1.0f / 128, 0),                                                     // 12 requantized
      actf({1, 3}),                                                                    // 13 dequantized
  };
  g.ops = {op(34, {0, 1}, {2}),
           op(4, {2, 3, 4}, {5}, depthwise_options(1, 1, 1)),
           op(17, {5}, {6}, pool_options(1, 2, 2)),
           op(0, {6, 6}, {7}, add_options(3)),
           op(9, {7, 8, 9}, {10}, fc_options(1)),
           op(25, {10}, {11}, softmax_options(1.0f)),
           op(114, {11}, {12}),
           op(6, {12}, {13})};
  g.inputs = {0};
  g.outputs = {13};
  return g;
}

// float32: CONV_2D -> AVERAGE_POOL_2D -> PAD -> ADD -> RESHAPE ->
// FULLY_CONNECTED -> SOFTMAX, all float.
TinyGraph float_graph() {
  TinyGraph g;
  g.tensors = {
      actf({1, 4, 4, 1}),                                                              // 0 input
      constf({2, 3, 3, 1}, std::vector<float>(18, 0.1f)),                              // 1 conv filter
      constf({2}, {0.5f, -0.5f}),                                                      // 2 conv bias
      actf({1, 4, 4, 2}),                                                              // 3 conv out
      actf({1, 2, 2, 2}),                                                              // 4 pool out
      {{4, 2}, 2, nnc_test::tiny_bytes(std::vector<int32_t>{0, 0, 0, 1, 1, 0, 0, 0})}, // 5 paddings
      actf({1, 3, 3, 2}),                                                              // 6 padded
      actf({1, 3, 3, 2}),                                                              // 7 add out
      {{2}, 2, nnc_test::tiny_bytes(std::vector<int32_t>{1, 18})},                     // 8 shape
      actf({1, 18}),                                                                   // 9 reshaped
      constf({4, 18}, std::vector<float>(72, -0.25f)),                                 // 10 fc weights
      actf({1, 4}),                                                                    // 11 fc out
      actf({1, 4}),                                                                    // 12 softmax out
  };
  g.ops = {op(3, {0, 1, 2}, {3}, conv_options(0, 1, 3)),
           op(1, {3}, {4}, pool_options(1, 2, 2)),
           op(34, {4, 5}, {6}),
           op(0, {6, 6}, {7}, add_options(1)),
           op(22, {7, 8}, {9}),
           op(9, {9, 10, -1}, {11}, fc_options()),
           op(25, {11}, {12}, softmax_options(0.5f))};
  g.inputs = {0};
  g.outputs = {12};
  return g;
}

std::string refusal_of(const TinyGraph &g) {
  auto code = generate(parse(g));
  REQUIRE_FALSE(code.has_value());
  CHECK(code.error().kind == ErrorKind::BadModel);
  CHECK(code.error().message.find('\n') == std::string::npos);
  return code.error().message;
}

// Compiles generated code with the firmware's C flags; returns the compiler's exit status.
int compile_c(const GeneratedCode &code, const std::string &prefix) {
  const auto dir = std::filesystem::temp_directory_path() / ("mcusim-nnc-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string base = (dir / prefix).string();
  std::ofstream(base + ".h") << code.header;
  std::ofstream(base + ".c") << code.source;
  const std::string cmd = std::string(NNC_TEST_C_COMPILER) + " -std=c11 -Wall -Wextra -Werror -ffp-contract=off -I" +
                          MCUSIM_TEST_SOURCE_DIR + "/firmware/nn/include -I" + dir.string() + " -c " + base + ".c -o " +
                          base + ".o";
  const int rc = std::system(cmd.c_str());
  std::filesystem::remove_all(dir);
  return rc;
}

} // namespace

// ---- quantization parameters ------------------------------------------------

TEST_CASE("QuantizeMultiplier: TFLite's unit-test values (underflow, signs, powers of two)") {
  // quantization_util_test.cc QuantizeMultiplierUnderflow
  CHECK(quantize_multiplier(std::ldexp(1.0f, -31)) == QM{1073741824, -30});
  CHECK(quantize_multiplier(std::ldexp(1.0f, -32)) == QM{1073741824, -31});
  CHECK(quantize_multiplier(std::ldexp(0.99f, -32)) == QM{0, 0});
  CHECK(quantize_multiplier(std::ldexp(1.0f, -33)) == QM{0, 0});
  // QuantizeMultiplierArray
  const double w[] = {-4, -2, -1, -0.5, -0.25, -0.125, 0, 0.125, 0.25, 0.5, 1, 2, 4};
  const QM expect[] = {{-1073741824, 3},  {-1073741824, 2}, {-1073741824, 1}, {-1073741824, 0}, {-1073741824, -1},
                       {-1073741824, -2}, {0, 0},           {1073741824, -2}, {1073741824, -1}, {1073741824, 0},
                       {1073741824, 1},   {1073741824, 2},  {1073741824, 3}};
  for (size_t i = 0; i < std::size(w); ++i) {
    CAPTURE(w[i]);
    CHECK(quantize_multiplier(w[i]) == expect[i]);
  }
}

TEST_CASE("QuantizeMultiplierSmallerThanOneExp / GreaterThanOne: TFLite's values, the 2^31 carry, refusals") {
  auto small = [](double d) { return quantize_multiplier_smaller_than_one(d); };
  CHECK(*small(0.25) == QM{1073741824, -1});
  CHECK(*small(0.50 - 5e-9) == QM{2147483627, -1});
  CHECK(*small(0.50 - 1e-10) == QM{1073741824, 0}); // rounds to 2^31: carried into the exponent
  CHECK(*small(0.50) == QM{1073741824, 0});
  CHECK(*small(0.75) == QM{1610612736, 0});
  CHECK(*small(1 - 1e-9) == QM{2147483646, 0});
  // TFLite dies on these (EXPECT_DEATH): refused here.
  CHECK_FALSE(small(-0.1));
  CHECK_FALSE(small(0.0));
  CHECK_FALSE(small(1 - 1e-15));
  CHECK_FALSE(small(1 - 1e-17));
  CHECK_FALSE(small(1.0));

  auto big = [](double d) { return quantize_multiplier_greater_than_one(d); };
  CHECK_FALSE(big(1 + 1e-16));
  CHECK(*big(1 + 1e-11) == QM{1073741824, 1});
  CHECK(*big(1.25) == QM{1342177280, 1});
  CHECK(*big(1.50) == QM{1610612736, 1});
  CHECK(*big(1.75) == QM{1879048192, 1});
  CHECK(*big(2 - 1e-9) == QM{2147483647, 1});
  CHECK(*big(2 - 1e-11) == QM{1073741824, 2});
  CHECK(*big(2) == QM{1073741824, 2});
}

TEST_CASE("SOFTMAX parameters: PreprocessSoftmaxScaling and CalculateInputRadius (TFLite's values)") {
  // quantization_util_test.cc, without TFLITE_SINGLE_ROUNDING
  CHECK(*preprocess_softmax_scaling(1.0, 16.0, 4) == QM{2147483647, 31});
  CHECK(*preprocess_softmax_scaling(1.0, 8.0, 4) == QM{1073741824, 31});
  CHECK(*preprocess_softmax_scaling(2.0, 16.0, 5) == QM{2147483647, 31});
  CHECK(*preprocess_softmax_scaling(2.0, 8.0, 5) == QM{1073741824, 31});
  CHECK(calculate_input_radius(4, 27) == 15);
  CHECK(calculate_input_radius(3, 27) == 14);
  CHECK(calculate_input_radius(3, 28) == 7);
  CHECK(calculate_input_radius(4, 2) == 503316480);
  // By hand: beta 1, input scale 2^-4: 2^-4 * 2^26 = 2^22 = 0.5 * 2^23, so
  // multiplier 2^30, left shift 23; radius floor(31 * 2^26 / 2^23) = 248.
  const auto p = *softmax_params(1.0f, 0.0625f);
  CHECK(p.input_multiplier == (1 << 30));
  CHECK(p.input_left_shift == 23);
  CHECK(p.diff_min == -248);
}

TEST_CASE("ADD parameters: kernels/add.cc Prepare with left_shift 20 (by hand)") {
  // twice_max = 2 * 0.5 = 1: input 1 -> 0.5 = 2^30 * 2^(0-31); input 2 -> 0.25
  // (shift -1); output -> 1 / (2^20 * 1) = 2^-20 (shift -19).
  const auto p = *add_params(0.5f, -3, 0.25f, 7, 1.0f, 5);
  CHECK(p.input1_offset == 3);
  CHECK(p.input2_offset == -7);
  CHECK(p.output_offset == 5);
  CHECK(p.left_shift == 20);
  CHECK(p.input1 == QM{1 << 30, 0});
  CHECK(p.input2 == QM{1 << 30, -1});
  CHECK(p.output == QM{1 << 30, -19});
  // An output scale so small that the output multiplier reaches 1: TFLite's check fails.
  CHECK_FALSE(add_params(0.5f, 0, 0.5f, 0, 1e-7f, 0));
}

TEST_CASE(
    "FULLY_CONNECTED multiplies the scales in float first, CONV_2D in double (GetQuantizedConvolutionMultipler)") {
  // Scales where the float product changes the multiplier's last bits.
  const float in = 0x1.d4a66p-7f, w = 0x1.5bbbd8p-4f, out = 0x1.884318p-1f;
  CHECK(fully_connected_multiplier(in, w, out) == QM{1742524745, -9});
  CHECK(conv_multipliers(in, {w}, out, 1)[0] == QM{1742524791, -9});
  // Per channel: one multiplier per channel; a single scale is used for all.
  const auto m = conv_multipliers(0.5f, {0.25f, 0.125f}, 1.0f, 2);
  CHECK(m == std::vector<QM>{{1 << 30, -2}, {1 << 30, -3}});
  CHECK(conv_multipliers(0.5f, {0.25f}, 1.0f, 3).size() == 3);
  CHECK(requantize_multiplier(1.0f / 256, 1.0f / 128) == QM{1 << 30, 0});
}

TEST_CASE("activation ranges: CalculateActivationRangeQuantized and CalculateActivationRange") {
  // scale 0.1, zero point -10: 0 -> -10, 6 -> -10 + 60, -1 -> -20, 1 -> 0.
  CHECK(activation_range_int8(Activation::None, 0.1f, -10).min == -128);
  CHECK(activation_range_int8(Activation::None, 0.1f, -10).max == 127);
  CHECK(activation_range_int8(Activation::Relu, 0.1f, -10).min == -10);
  CHECK(activation_range_int8(Activation::Relu, 0.1f, -10).max == 127);
  CHECK(activation_range_int8(Activation::Relu6, 0.1f, -10).min == -10);
  CHECK(activation_range_int8(Activation::Relu6, 0.1f, -10).max == 50);
  CHECK(activation_range_int8(Activation::ReluN1To1, 0.1f, -10).min == -20);
  CHECK(activation_range_int8(Activation::ReluN1To1, 0.1f, -10).max == 0);
  // Clamped to int8; 6 / 0.04 rounds 150 -> -128 + 150 = 22.
  CHECK(activation_range_int8(Activation::Relu6, 0.04f, -128).max == 22);
  CHECK(activation_range_int8(Activation::Relu6, 0.01f, -128).max == 127);
  CHECK(activation_range_int8(Activation::Relu, 0.1f, -200).min == -128);
  CHECK(activation_range_float(Activation::Relu6).min == 0.0f);
  CHECK(activation_range_float(Activation::Relu6).max == 6.0f);
  CHECK(activation_range_float(Activation::None).min == -std::numeric_limits<float>::max());
}

TEST_CASE("SAME and VALID padding: ComputeOutSize and ComputePaddingWithOffset") {
  // KWS's first convolution: 49x10 input, 10x4 filter, stride 2, SAME:
  // out 25x5, total padding 24*2+10-49 = 9 rows (4 before), 4*2+4-10 = 2 columns (1 before).
  CHECK(compute_padding(Padding::Same, 49, 10, 2, 1).out == 25);
  CHECK(compute_padding(Padding::Same, 49, 10, 2, 1).pad_before == 4);
  CHECK(compute_padding(Padding::Same, 10, 4, 2, 1).out == 5);
  CHECK(compute_padding(Padding::Same, 10, 4, 2, 1).pad_before == 1);
  CHECK(compute_padding(Padding::Valid, 10, 3, 1, 1).out == 8);
  CHECK(compute_padding(Padding::Valid, 10, 3, 1, 1).pad_before == 0);
  CHECK(compute_padding(Padding::Valid, 10, 3, 2, 1).out == 4);
  // dilation 2: a 3-tap filter spans 5; SAME keeps 10, total 9 + 5 - 10 = 4.
  CHECK(compute_padding(Padding::Same, 10, 3, 1, 2).out == 10);
  CHECK(compute_padding(Padding::Same, 10, 3, 1, 2).pad_before == 2);
}

TEST_CASE("C writer: identifiers, exact float literals, arrays") {
  CHECK(c::identifier("kws-int8.v2") == "kws_int8_v2");
  CHECK(c::identifier("9lives") == "m_9lives");
  CHECK(c::upper("kws_int8") == "KWS_INT8");
  CHECK(c::float_literal(0.1f) == "0x1.99999ap-4f");
  CHECK(c::float_literal(-0.0f) == "-0x0p+0f");
  CHECK(c::float_literal(INFINITY) == "INFINITY");
  CHECK(c::int32_elements(std::vector<int32_t>{INT32_MIN, 1}) == "  (-2147483647 - 1), 1,\n");
  CHECK(c::int8_elements(std::vector<int8_t>(17, -1)) ==
        "  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,\n  -1,\n");
}

// ---- generated code ---------------------------------------------------------

TEST_CASE("generated C, int8 operators: parameters, kernel calls, markers and the model descriptor") {
  const Model m = parse(int8_graph());
  auto code = generate(m);
  REQUIRE(code.has_value());
  const std::string &s = code->source;
  CAPTURE(s);
  // PAD with the output zero point, before = 1 row, 1 column.
  CHECK(contains(s, "nn_pad_s8((nn_shape){4, 4, 2}, (const int8_t *)(tiny_arena + "));
  CHECK(contains(s, "(nn_shape){1, 1, 0}, (nn_shape){6, 6, 2}, (int8_t *)(tiny_arena + "));
  CHECK(contains(s, "), -1);\n"));
  // Depthwise per channel: 0.5 * 0.25 / 1 = 2^-3, 0.5 * 0.125 / 1 = 2^-4.
  CHECK(contains(s, "static const int32_t tiny_op1_multiplier[2] = {\n  1073741824, 1073741824,\n};"));
  CHECK(contains(s, "static const int32_t tiny_op1_shift[2] = {\n  -2, -3,\n};"));
  CHECK(contains(s, ".input_offset = 1, .output_offset = 3,"));
  CHECK(contains(s, "nn_depthwise_conv2d_s8_ref(&tiny_op1_params, &tiny_op1_requant, (nn_shape){6, 6, 2}"));
  // MAX_POOL_2D 2x2 stride 2, VALID.
  CHECK(contains(s, ".stride_h = 2, .stride_w = 2, .filter_h = 2, .filter_w = 2, .pad_h = 0, .pad_w = 0"));
  CHECK(contains(s, "nn_maxpool2d_s8_ref(&tiny_op2_params, (nn_shape){4, 4, 2}"));
  // ADD (RELU6), output scale 2, zero point 0: act 0..3 (6 / 2).
  CHECK(contains(s, ".input1_offset = -3, .input2_offset = -3, .output_offset = 0, .left_shift = 20"));
  CHECK(contains(s, ".act_min = 0, .act_max = 3};"));
  CHECK(contains(s, "nn_add_s8_ref(&tiny_op3_params, 8, "));
  // FULLY_CONNECTED from a 1x2x2x2 input: 8 inputs, 3 outputs; 2 * 0.5 / 4 = 2^-2; RELU: act from zp 5.
  CHECK(contains(s, "static const int32_t tiny_op4_multiplier[1] = {\n  1073741824,\n};"));
  CHECK(contains(s, "static const nn_requant tiny_op4_requant = {tiny_op4_multiplier, tiny_op4_shift, 0};"));
  CHECK(contains(s, ".input_offset = 0, .output_offset = 5, .act_min = 5, .act_max = 127};"));
  CHECK(contains(s, "nn_fully_connected_s8_ref(&tiny_op4_params, &tiny_op4_requant, 8, "));
  // SOFTMAX: beta 1, scale 4: 4 * 2^26 = 2^28 -> multiplier 2^30, shift 29; radius floor(31 * 2^26 / 2^29) = 3.
  CHECK(contains(s, "{.input_multiplier = 1073741824, .input_left_shift = 29, .diff_min = -3};"));
  CHECK(contains(s, "nn_softmax_s8_ref(&tiny_op5_params, 1, 3, "));
  // QUANTIZE 1/256 -> 1/128: multiplier 0.5; DEQUANTIZE with scale 2^-7.
  CHECK(contains(s, "nn_requantize_s8(3, (const int8_t *)(tiny_arena + "));
  CHECK(contains(s, "), -128, 1073741824, 0, 0, (int8_t *)(tiny_arena + "));
  CHECK(contains(s, "nn_dequantize_s8_f32(3, (const int8_t *)(tiny_arena + "));
  CHECK(contains(s, "), 0x1p-7f, 0, (float *)(void *)(tiny_arena + "));
  // Markers: one per operator, named <op>_<index>, with MACs (4x4x2 outputs x 9 = 288).
  CHECK(contains(s, "static const nn_layer_t tiny_layer_1 = {\"depthwise_conv_2d_1\", \"DEPTHWISE_CONV_2D\", 288u};"));
  CHECK(contains(s, "static const nn_layer_t tiny_layer_invoke = {\"tiny\", \"INVOKE\", 312u};"));
  CHECK(contains(s, "  NN_LAYER_DONE(7, tiny_arena + "));
  CHECK(contains(s, ".input_type = NN_INT8,\n  .input_scale = 0x1p-1f,\n  .input_zero_point = -1,"));
  CHECK(contains(s, ".output_type = NN_FLOAT32,"));
  CHECK(contains(s, ".layers = 8,"));
  CHECK(code->layers == 8);
  CHECK(code->macs == 312);
  CHECK(code->scratch_bytes == 0);
  // 18 + 8 + 24 + 12 bytes of kernel constants; the paddings are read at compile time.
  CHECK(code->weight_bytes == 62);
  CHECK(contains(code->header, "#define TINY_WEIGHT_BYTES 62\n"));
  CHECK(contains(code->header, "#define TINY_INPUT_COUNT 32\n#define TINY_OUTPUT_COUNT 3\n"));
  CHECK(contains(code->header, "extern const nn_model_t tiny_model;"));
  CHECK(contains(s, "__attribute__((section(\".rodata.weights\"), aligned(4)))"));
  CHECK(contains(s, "uint8_t tiny_arena[TINY_ARENA_BYTES] __attribute__((aligned(16), section(\".bss.nn_arena\")));"));
}

TEST_CASE("generated C, float32 operators: RESHAPE is a view with no kernel and no markers") {
  const Model m = parse(float_graph());
  auto code = generate(m);
  REQUIRE(code.has_value());
  const std::string &s = code->source;
  CAPTURE(s);
  CHECK(contains(s, "nn_conv2d_f32(&tiny_op0_params, (nn_shape){4, 4, 1}, (const float *)(void *)(tiny_arena + "));
  CHECK(contains(s, ".act_min = 0x0p+0f, .act_max = 0x1.8p+2f};")); // RELU6
  CHECK(contains(s, "nn_avgpool2d_f32(&tiny_op1_params, (nn_shape){4, 4, 2}"));
  CHECK(contains(s, "(nn_shape){0, 1, 0}, (nn_shape){3, 3, 2}, (float *)(void *)(tiny_arena + "));
  CHECK(contains(s, "), 0.0f);\n"));
  CHECK(contains(s, "nn_add_f32(18, "));
  CHECK(contains(s, "0x0p+0f, 0x1.fffffep+127f, (float *)(void *)(tiny_arena + ")); // RELU
  CHECK(contains(s, "nn_fully_connected_f32(18, "));
  CHECK(contains(s, ", NULL, -0x1.fffffep+127f, 0x1.fffffep+127f, "));
  CHECK(contains(s, "nn_softmax_f32(1, 4, "));
  CHECK(contains(s, ", 0x1p-1f, (float *)(void *)(tiny_arena + "));
  CHECK_FALSE(contains(s, "tiny_layer_4 ="));
  CHECK(contains(s, "  /* 4 RESHAPE: tensor 7 -> 9 */\n  NN_LAYER_DONE(4, tiny_arena + "));
  CHECK(code->layers == 6);
  CHECK(contains(s, ".layers = 6,"));
}

TEST_CASE("a hybrid model's int8 weights are dequantized at compile time for the float kernels") {
  TinyGraph g = float_graph();
  g.tensors[1] = weights8({2, 3, 3, 1}, std::vector<int8_t>(18, 2), {0.5f, 0.25f}, 0);
  g.tensors[10] = weights8({4, 18}, std::vector<int8_t>(72, -4), {0.125f});
  const Model m = parse(g);
  auto code = generate(m);
  REQUIRE(code.has_value());
  const std::string &s = code->source;
  CAPTURE(s);
  // channel 0: 0.5 * 2 = 1, channel 1: 0.25 * 2 = 0.5; FC: 0.125 * -4 = -0.5.
  CHECK(contains(s,
                 "static const float tiny_t1[18] TINY_WEIGHT_ATTR = {\n  0x1p+0f, 0x1p+0f, 0x1p+0f, 0x1p+0f, 0x1p+0f, "
                 "0x1p+0f,\n  0x1p+0f, 0x1p+0f, 0x1p+0f, 0x1p-1f, 0x1p-1f,"));
  CHECK(contains(s, "static const float tiny_t10[72] TINY_WEIGHT_ATTR = {\n  -0x1p-1f, -0x1p-1f,"));
  CHECK(contains(s, "nn_conv2d_f32(&tiny_op0_params, "));
  // 18 + 72 float weights, the conv bias 2 floats.
  CHECK(code->weight_bytes == (18 + 72 + 2) * 4);
}

TEST_CASE("the generated C of every operator compiles warning-free as C11 (generic, cortex-m4, weights in SRAM)") {
  for (const auto &entry : {std::pair{int8_graph(), "tiny_int8"}, std::pair{float_graph(), "tiny_f32"}}) {
    const char *name = entry.second; // not a structured binding: clang 14 cannot CAPTURE one
    const Model m = parse(entry.first);
    for (Target t : {Target::Generic, Target::CortexM4})
      for (WeightPlacement w : {WeightPlacement::Flash, WeightPlacement::Sram}) {
        CAPTURE(name);
        CAPTURE(target_name(t));
        auto code = generate(m, t, w, name);
        REQUIRE(code.has_value());
        CHECK(compile_c(*code, name) == 0);
      }
  }
}

TEST_CASE("KWS for cortex-m4: DSP kernels, the scratch buffer sized from the macros, weights in SRAM") {
  auto m = load_model(kModels + "kws_ref_model.tflite");
  REQUIRE(m.has_value());
  // NN_CONV2D_S8_DSP_SCRATCH_BYTES: 2*2*10*4*1 = 160 for the first convolution,
  // 2*2*1*1*64 = 256 for the pointwise ones; depthwise and fully connected 0.
  CHECK(kernel_scratch_bytes(*m, m->operators[0], Target::CortexM4) == 160);
  CHECK(kernel_scratch_bytes(*m, m->operators[2], Target::CortexM4) == 256);
  CHECK(kernel_scratch_bytes(*m, m->operators[1], Target::CortexM4) == 0);
  CHECK(kernel_scratch_bytes(*m, m->operators[11], Target::CortexM4) == 0);
  CHECK(kernel_scratch_bytes(*m, m->operators[2], Target::Generic) == 0);
  CHECK(kernel_scratch_bytes(*m, m->operators[2], Target::CortexM0Plus) == 0);
  CHECK(model_scratch_bytes(*m, Target::CortexM33) == 256);

  auto code = generate(*m, Target::CortexM4, WeightPlacement::Sram, "kws");
  REQUIRE(code.has_value());
  const std::string &s = code->source;
  CHECK(contains(code->header, "#define KWS_SCRATCH_BYTES 256\n"));
  CHECK(contains(code->header, "#define KWS_ARENA_BYTES 16000\n"));
  CHECK(contains(code->header, "#define KWS_MACS 2656768\n"));
  CHECK(contains(code->header, "extern uint8_t kws_scratch[KWS_SCRATCH_BYTES];"));
  CHECK(contains(s,
                 "uint8_t kws_scratch[KWS_SCRATCH_BYTES] __attribute__((aligned(16), section(\".bss.nn_scratch\")));"));
  CHECK(contains(s, "nn_conv2d_s8_dsp(&kws_op2_params, "));
  CHECK(contains(s, "(int8_t *)(kws_arena + 0), kws_scratch);"));
  CHECK(contains(s, "nn_depthwise_conv2d_s8_dsp(&kws_op1_params, "));
  CHECK(contains(s, "(int8_t *)(kws_arena + 8000), NULL);"));
  CHECK(contains(s, "nn_fully_connected_s8_dsp(&kws_op11_params, &kws_op11_requant, 64, "));
  CHECK(contains(s, "nn_softmax_s8_ref("));
  CHECK_FALSE(contains(s, "_s8_ref(&kws_op0_params"));
  CHECK(contains(s, "static int8_t kws_t17[2560] KWS_WEIGHT_ATTR = {"));
  CHECK(contains(s, "#define KWS_WEIGHT_ATTR __attribute__((aligned(4)))\n"));
  // The first convolution (SAME, 10x4 filter, stride 2) pads 4 rows and 1 column.
  CHECK(contains(s, ".pad_h = 4, .pad_w = 1, .depth_multiplier = 1,"));
  CHECK(code->layers == 12);
  CHECK(compile_c(*code, "kws") == 0);

  auto generic = generate(*m, Target::Generic, WeightPlacement::Flash, "kws");
  REQUIRE(generic.has_value());
  CHECK(generic->scratch_bytes == 0);
  CHECK_FALSE(contains(generic->source, "kws_scratch"));
  CHECK(contains(generic->source, "static const int8_t kws_t17[2560] KWS_WEIGHT_ATTR = {"));
}

// ---- refusals ------------------------------------------------------------------

TEST_CASE("refusals name the operator and the field, in one line") {
  {
    TinyGraph g = int8_graph();
    g.tensors[3].zero_point = {0, 2};
    CHECK(refusal_of(g) == "operator 1 (DEPTHWISE_CONV_2D): filter tensor 3 has zero point 2 (weights must be "
                           "symmetric, zero point 0)");
  }
  {
    TinyGraph g = int8_graph();
    g.tensors.push_back(act8({1, 1, 1, 2}, 1.0f, 3));
    g.inputs = {0};
    g.ops[3].inputs = {6, 14};
    g.ops.insert(g.ops.begin(), op(17, {0}, {14}, pool_options(1, 4, 4)));
    g.tensors[14].scale = {0.5f};
    g.tensors[14].zero_point = {-1};
    const std::string e = refusal_of(g);
    CHECK(contains(e, "operator 4 (ADD): inputs tensor 6"));
    CHECK(contains(e, "(broadcasting is not supported)"));
  }
  {
    TinyGraph g = int8_graph();
    g.tensors[11].scale = {1.0f / 128};
    CHECK(refusal_of(g) == "operator 5 (SOFTMAX): output tensor 11 is not scale 1/256, zero point -128");
  }
  {
    TinyGraph g = int8_graph();
    g.tensors[5].type = 0; // depthwise output float
    g.tensors[5].scale.clear();
    g.tensors[5].zero_point.clear();
    CHECK(refusal_of(g) == "operator 1 (DEPTHWISE_CONV_2D): output tensor 5 is float32, not int8");
  }
  {
    TinyGraph g = int8_graph();
    g.tensors[8].shape = {3, 7};
    g.tensors[8].data.resize(21);
    CHECK(refusal_of(g) == "operator 4 (FULLY_CONNECTED): input tensor 7 has 8 elements and output 3 for weights "
                           "3x7 (batch 1 only)");
  }
  {
    TinyGraph g = int8_graph();
    g.outputs = {13, 12};
    CHECK(refusal_of(g) == "the model has 1 input(s) and 2 output(s); code generation supports one of each");
  }
  {
    TinyGraph g = float_graph();
    g.tensors[0].shape = {2, 4, 4, 1};
    const std::string e = refusal_of(g);
    CHECK(contains(e, "operator 0 (CONV_2D): input tensor 0 is not of batch 1"));
  }
}
