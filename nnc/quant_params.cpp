#include "nnc/quant_params.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mcusim::nnc {

// TFLite quantization_util.cc QuantizeMultiplier.
QuantizedMultiplier quantize_multiplier(double real_multiplier) {
  if (real_multiplier == 0.) return {0, 0};
  int shift = 0;
  const double q = std::frexp(real_multiplier, &shift);
  auto q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(1LL << 31)));
  if (q_fixed == (1LL << 31)) { // q rounded up to 1.0: carry into the exponent
    q_fixed /= 2;
    ++shift;
  }
  // A shift below -31 would shift every bit out: TFLite uses multiplier 0.
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  return {static_cast<int32_t>(q_fixed), shift};
}

// TFLite quantization_util.cc QuantizeMultiplierSmallerThanOneExp.
std::optional<QuantizedMultiplier> quantize_multiplier_smaller_than_one(double real_multiplier) {
  if (!(real_multiplier > 0. && real_multiplier < 1.)) return std::nullopt;
  const QuantizedMultiplier m = quantize_multiplier(real_multiplier);
  if (m.shift > 0) return std::nullopt;
  return m;
}

// TFLite quantization_util.cc QuantizeMultiplierGreaterThanOne.
std::optional<QuantizedMultiplier> quantize_multiplier_greater_than_one(double real_multiplier) {
  if (!(real_multiplier > 1.)) return std::nullopt;
  const QuantizedMultiplier m = quantize_multiplier(real_multiplier);
  if (m.shift < 0) return std::nullopt;
  return m;
}

// TFLite kernel_util.cc PopulateConvolutionQuantizationParams (per channel).
std::vector<QuantizedMultiplier> conv_multipliers(float input_scale, const std::vector<float> &filter_scales,
                                                  float output_scale, int channels) {
  std::vector<QuantizedMultiplier> out;
  out.reserve(static_cast<size_t>(channels));
  const bool per_channel = filter_scales.size() > 1;
  for (int c = 0; c < channels; ++c) {
    const double filter_scale = static_cast<double>(filter_scales[per_channel ? static_cast<size_t>(c) : 0]);
    const double effective = static_cast<double>(input_scale) * filter_scale / static_cast<double>(output_scale);
    out.push_back(quantize_multiplier(effective));
  }
  return out;
}

// TFLite kernel_util.cc GetQuantizedConvolutionMultipler (the product in
// float, as TFLite writes it), then QuantizeMultiplier (fully_connected.cc).
QuantizedMultiplier fully_connected_multiplier(float input_scale, float filter_scale, float output_scale) {
  const double input_product_scale = static_cast<double>(input_scale * filter_scale);
  return quantize_multiplier(input_product_scale / static_cast<double>(output_scale));
}

// TFLite kernels/add.cc Prepare, int8 branch (left_shift 20).
std::optional<AddParams> add_params(float scale1, int32_t zp1, float scale2, int32_t zp2, float out_scale,
                                    int32_t out_zp) {
  AddParams p;
  p.input1_offset = -zp1;
  p.input2_offset = -zp2;
  p.output_offset = out_zp;
  p.left_shift = 20;
  const double twice_max_input_scale = 2 * std::max(scale1, scale2);
  const double real_input1_multiplier = scale1 / twice_max_input_scale;
  const double real_input2_multiplier = scale2 / twice_max_input_scale;
  const double real_output_multiplier = twice_max_input_scale / ((1 << p.left_shift) * out_scale);
  auto m1 = quantize_multiplier_smaller_than_one(real_input1_multiplier);
  auto m2 = quantize_multiplier_smaller_than_one(real_input2_multiplier);
  auto mo = quantize_multiplier_smaller_than_one(real_output_multiplier);
  if (!m1 || !m2 || !mo) return std::nullopt;
  p.input1 = *m1;
  p.input2 = *m2;
  p.output = *mo;
  return p;
}

// TFLite quantization_util.cc CalculateInputRadius.
int32_t calculate_input_radius(int input_integer_bits, int input_left_shift, int total_signed_bits) {
  const double max_input_rescaled = 1.0 * ((1 << input_integer_bits) - 1) *
                                    static_cast<double>(1LL << (total_signed_bits - input_integer_bits)) /
                                    static_cast<double>(1LL << input_left_shift);
  // Tighten the bound with floor, as TFLite does.
  return static_cast<int32_t>(std::floor(max_input_rescaled));
}

// TFLite quantization_util.cc PreprocessSoftmaxScaling, as built without
// TFLITE_SINGLE_ROUNDING (the cap is 2^31 - 1).
std::optional<QuantizedMultiplier> preprocess_softmax_scaling(double beta, double input_scale, int input_integer_bits) {
  const double max_real_multiplier = static_cast<double>((1LL << 31) - 1);
  const double input_beta_real_multiplier =
      std::min<double>(beta * input_scale * static_cast<double>(1 << (31 - input_integer_bits)), max_real_multiplier);
  return quantize_multiplier_greater_than_one(input_beta_real_multiplier);
}

// TFLite kernels/activations.cc SoftmaxPrepare (int8): PreprocessSoftmaxScaling
// with 5 integer bits, then diff_min = -1.0 * CalculateInputRadius(5, shift).
std::optional<SoftmaxParams> softmax_params(float beta, float input_scale) {
  const int bits = kSoftmaxScaledDiffIntegerBits;
  auto m = preprocess_softmax_scaling(static_cast<double>(beta), static_cast<double>(input_scale), bits);
  if (!m) return std::nullopt;
  SoftmaxParams p;
  p.input_multiplier = m->multiplier;
  p.input_left_shift = m->shift;
  p.diff_min = static_cast<int32_t>(-1.0 * calculate_input_radius(bits, p.input_left_shift));
  return p;
}

// TFLite kernels/quantize.cc Prepare (int8 -> int8 requantization).
QuantizedMultiplier requantize_multiplier(float input_scale, float output_scale) {
  return quantize_multiplier(static_cast<double>(input_scale) / static_cast<double>(output_scale));
}

namespace {
// TFLite kernel_util.cc Quantize: zero_point + round(f / scale), in float.
int32_t quantize_value(float scale, int32_t zero_point, float f) {
  const float tmp = std::round(f / scale);
  return zero_point + static_cast<int32_t>(tmp);
}
} // namespace

// TFLite kernel_util.cc CalculateActivationRangeQuantized(Impl), int8 output.
QuantizedRange activation_range_int8(Activation act, float scale, int32_t zp) {
  const int32_t qmin = std::numeric_limits<int8_t>::min();
  const int32_t qmax = std::numeric_limits<int8_t>::max();
  QuantizedRange r{qmin, qmax};
  switch (act) {
  case Activation::Relu: r.min = std::max(qmin, quantize_value(scale, zp, 0.0f)); break;
  case Activation::Relu6:
    r.min = std::max(qmin, quantize_value(scale, zp, 0.0f));
    r.max = std::min(qmax, quantize_value(scale, zp, 6.0f));
    break;
  case Activation::ReluN1To1:
    r.min = std::max(qmin, quantize_value(scale, zp, -1.0f));
    r.max = std::min(qmax, quantize_value(scale, zp, 1.0f));
    break;
  case Activation::None: break;
  }
  return r;
}

// TFLite kernels/internal/types.h / kernel_util.h CalculateActivationRange.
FloatRange activation_range_float(Activation act) {
  switch (act) {
  case Activation::Relu: return {0.0f, std::numeric_limits<float>::max()};
  case Activation::Relu6: return {0.0f, 6.0f};
  case Activation::ReluN1To1: return {-1.0f, 1.0f};
  case Activation::None: break;
  }
  return {std::numeric_limits<float>::lowest(), std::numeric_limits<float>::max()};
}

// TFLite kernels/padding.h ComputeOutSize and ComputePaddingWithOffset.
PaddedDim compute_padding(Padding padding, int32_t in_size, int32_t filter_size, int32_t stride, int32_t dilation) {
  PaddedDim d;
  const int32_t effective_filter_size = (filter_size - 1) * dilation + 1;
  if (stride == 0) return d;
  d.out =
      padding == Padding::Same ? (in_size + stride - 1) / stride : (in_size + stride - effective_filter_size) / stride;
  int32_t total = (d.out - 1) * stride + effective_filter_size - in_size;
  total = total > 0 ? total : 0;
  d.pad_before = total / 2;
  return d;
}

} // namespace mcusim::nnc
