/// \file
/// The int8 kernels' parameters, computed at compile time exactly as
/// TensorFlow Lite computes them when it prepares a model (each function names
/// the TFLite function it follows; tensorflow/lite/kernels/internal/
/// quantization_util.cc, kernels/kernel_util.cc, kernels/add.cc,
/// kernels/activations.cc, kernels/padding.h), so that the generated code
/// gives TFLite's results bit for bit.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "nnc/model.h"

namespace mcusim::nnc {

/// A real multiplier M = multiplier * 2^(shift - 31) (mcusim_nn_fixedpoint.h).
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int32_t shift = 0;
  bool operator==(const QuantizedMultiplier &) const = default;
};

/// TFLite QuantizeMultiplier: frexp, round(q * 2^31), the 2^31 carry into the
/// exponent, and a shift below -31 flushed to multiplier 0, shift 0.
QuantizedMultiplier quantize_multiplier(double real_multiplier);
/// TFLite QuantizeMultiplierSmallerThanOneExp: 0 < M < 1, shift <= 0.
/// Empty when M is outside (0, 1).
std::optional<QuantizedMultiplier> quantize_multiplier_smaller_than_one(double real_multiplier);
/// TFLite QuantizeMultiplierGreaterThanOne: M > 1, shift >= 0. Empty otherwise.
std::optional<QuantizedMultiplier> quantize_multiplier_greater_than_one(double real_multiplier);

/// CONV_2D / DEPTHWISE_CONV_2D per output channel, TFLite
/// PopulateConvolutionQuantizationParams: double(input_scale) *
/// double(filter_scale[c]) / double(output_scale); a per-tensor filter scale is
/// used for every channel.
std::vector<QuantizedMultiplier> conv_multipliers(float input_scale, const std::vector<float> &filter_scales,
                                                  float output_scale, int channels);
/// FULLY_CONNECTED per tensor, TFLite GetQuantizedConvolutionMultipler:
/// double(float(input_scale * filter_scale)) / double(output_scale).
QuantizedMultiplier fully_connected_multiplier(float input_scale, float filter_scale, float output_scale);

/// ADD int8, TFLite kernels/add.cc Prepare (left_shift 20).
struct AddParams {
  int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;
  int32_t left_shift = 20;
  QuantizedMultiplier input1, input2, output;
};
/// Empty when a multiplier falls outside (0, 1) (TFLite's checks fail).
std::optional<AddParams> add_params(float scale1, int32_t zp1, float scale2, int32_t zp2, float out_scale,
                                    int32_t out_zp);

/// SOFTMAX int8, TFLite kernels/activations.cc SoftmaxPrepare:
/// PreprocessSoftmaxScaling(beta, input_scale, 5) and
/// diff_min = -CalculateInputRadius(5, input_left_shift).
struct SoftmaxParams {
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
  int32_t diff_min = 0;
};
inline constexpr int kSoftmaxScaledDiffIntegerBits = 5;
/// TFLite PreprocessSoftmaxScaling (without TFLITE_SINGLE_ROUNDING: the
/// multiplier is capped at 2^31 - 1): beta * input_scale * 2^(31 - bits)
/// through QuantizeMultiplierGreaterThanOne. Empty when that is not above 1.
std::optional<QuantizedMultiplier> preprocess_softmax_scaling(double beta, double input_scale, int input_integer_bits);
std::optional<SoftmaxParams> softmax_params(float beta, float input_scale);
/// TFLite CalculateInputRadius(input_integer_bits, input_left_shift, 31).
int32_t calculate_input_radius(int input_integer_bits, int input_left_shift, int total_signed_bits = 31);

/// QUANTIZE int8 -> int8, TFLite kernels/quantize.cc Prepare:
/// QuantizeMultiplier(double(input_scale) / double(output_scale)).
QuantizedMultiplier requantize_multiplier(float input_scale, float output_scale);

/// TFLite CalculateActivationRangeQuantized for an int8 output: the clamp
/// [act_min, act_max] of the fused activation, each end zp +
/// round(f / scale) (in float, TfLiteRound) bounded by [-128, 127].
struct QuantizedRange {
  int32_t min = -128, max = 127;
};
QuantizedRange activation_range_int8(Activation act, float output_scale, int32_t output_zero_point);
/// TFLite CalculateActivationRange for float: [lowest, max], [0, max],
/// [-1, 1] or [0, 6].
struct FloatRange {
  float min, max;
};
FloatRange activation_range_float(Activation act);

/// TFLite ComputeOutSize and ComputePaddingWithOffset (kernels/padding.h):
/// the output size of one spatial dimension and the padding before it
/// (total / 2; the odd one, if any, goes after).
struct PaddedDim {
  int32_t out = 0;
  int32_t pad_before = 0;
};
PaddedDim compute_padding(Padding padding, int32_t in_size, int32_t filter_size, int32_t stride, int32_t dilation);

} // namespace mcusim::nnc
