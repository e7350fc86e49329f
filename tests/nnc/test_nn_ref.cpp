// The model compiler's reference kernels (firmware/nn/src/ref, f32): small
// cases computed by hand, each value derivable from the comment beside it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "mcusim_nn.h"

namespace {

// M = 0.5: 2^30 * 2^(0 - 31); M = 1: 2^30 * 2^(1 - 31).
constexpr int32_t kHalf = 1 << 30;

nn_conv_s8_params conv_params(int32_t input_offset, int32_t output_offset, int32_t stride, int32_t pad,
                              int32_t act_min = -128, int32_t act_max = 127) {
  nn_conv_s8_params p{};
  p.input_offset = input_offset;
  p.output_offset = output_offset;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = 1;
  p.pad_h = p.pad_w = pad;
  p.depth_multiplier = 1;
  p.act_min = act_min;
  p.act_max = act_max;
  return p;
}

}  // namespace

TEST_CASE("nn_conv2d_s8_ref: 1x1, per-channel multipliers, bias, output offset") {
  // input zero point -5 (offset 5): (10, -20) -> (15, -15).
  // ch0: 1*15 + 2*(-15) = -15, +100 = 85, * 0.5 = 42.5 -> 43, +3 = 46.
  // ch1: 3*15 - 1*(-15) = 60, -10 = 50, * 1 = 50, +3 = 53.
  const int8_t in[] = {10, -20};
  const int8_t filter[] = {1, 2, 3, -1};
  const int32_t bias[] = {100, -10};
  const int32_t mult[] = {kHalf, kHalf};
  const int32_t shift[] = {0, 1};
  const nn_requant rq{mult, shift, 1};
  auto p = conv_params(5, 3, 1, 0);
  int8_t out[2] = {};
  nn_conv2d_s8_ref(&p, &rq, {1, 1, 2}, in, 1, 1, filter, bias, {1, 1, 2}, out);
  CHECK(out[0] == 46);
  CHECK(out[1] == 53);

  SUBCASE("per_channel 0 uses channel 0's multiplier for every channel") {
    const nn_requant rq0{mult, shift, 0};
    nn_conv2d_s8_ref(&p, &rq0, {1, 1, 2}, in, 1, 1, filter, bias, {1, 1, 2}, out);
    CHECK(out[0] == 46);
    CHECK(out[1] == 28);  // 50 * 0.5 + 3
  }
  SUBCASE("a RELU6-like clamp [0, 20] and a negative accumulator") {
    const int32_t neg_bias[] = {100, -200};  // ch1: 60 - 200 = -140 -> -140 + 3 -> 0
    auto pc = conv_params(5, 3, 1, 0, 0, 20);
    nn_conv2d_s8_ref(&pc, &rq, {1, 1, 2}, in, 1, 1, filter, neg_bias, {1, 1, 2}, out);
    CHECK(out[0] == 20);  // 46 clamped
    CHECK(out[1] == 0);
  }
  SUBCASE("no bias") {
    nn_conv2d_s8_ref(&p, &rq, {1, 1, 2}, in, 1, 1, filter, nullptr, {1, 1, 2}, out);
    CHECK(out[0] == -4);  // -15 * 0.5 = -7.5 -> -7 (SRDHM rounds a tie upwards), + 3
    CHECK(out[1] == 63);  // 60 + 3
  }
}

TEST_CASE("nn_conv2d_s8_ref: 3x3 SAME padding counts the padding as the input zero point") {
  // Input zero point 2, real values 1..9; a 3x3 filter of ones, M = 1:
  // each output is the sum of the real values inside the window.
  std::vector<int8_t> in;
  for (int v = 1; v <= 9; ++v) in.push_back(static_cast<int8_t>(v + 2));
  const std::vector<int8_t> filter(9, 1);
  const int32_t mult[] = {kHalf};
  const int32_t shift[] = {1};
  const nn_requant rq{mult, shift, 0};
  auto p = conv_params(-2, 0, 1, 1);
  int8_t out[9] = {};
  nn_conv2d_s8_ref(&p, &rq, {3, 3, 1}, in.data(), 3, 3, filter.data(), nullptr, {3, 3, 1}, out);
  const int8_t want[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  for (int i = 0; i < 9; ++i) {
    CAPTURE(i);
    CHECK(out[i] == want[i]);
  }
  SUBCASE("stride 2: the corners only") {
    int8_t out2[4] = {};
    auto p2 = conv_params(-2, 0, 2, 1);
    nn_conv2d_s8_ref(&p2, &rq, {3, 3, 1}, in.data(), 3, 3, filter.data(), nullptr, {2, 2, 1}, out2);
    CHECK(out2[0] == 12);
    CHECK(out2[1] == 16);
    CHECK(out2[2] == 24);
    CHECK(out2[3] == 28);
  }
}

TEST_CASE("nn_depthwise_conv2d_s8_ref: depth multiplier 2, 2x2 VALID window") {
  // Input 2x2x2 (zero point 0), channel 0 = 1,2,3,4 and channel 1 = 10,20,30,40
  // over (y, x). Filter [2][2][4]: out channel oc = ic * 2 + m.
  const int8_t in[] = {1, 10, 2, 20, 3, 30, 4, 40};
  // oc0 (ic0): all 1 -> 10; oc1 (ic0): 1,0,0,-1 -> 1 - 4 = -3;
  // oc2 (ic1): 1,1,0,0 -> 30; oc3 (ic1): 0,0,0,2 -> 80.
  const int8_t filter[] = {1, 1, 1, 0,    // (0,0)
                           1, 0, 1, 0,    // (0,1)
                           1, 0, 0, 0,    // (1,0)
                           1, -1, 0, 2};  // (1,1)
  const int32_t bias[] = {0, 0, 1, -1};
  const int32_t mult[] = {kHalf, kHalf, kHalf, kHalf};
  const int32_t shift[] = {1, 1, 1, 0};
  const nn_requant rq{mult, shift, 1};
  auto p = conv_params(0, -1, 1, 0);
  p.depth_multiplier = 2;
  int8_t out[4] = {};
  nn_depthwise_conv2d_s8_ref(&p, &rq, {2, 2, 2}, in, 2, 2, filter, bias, {1, 1, 4}, out);
  CHECK(out[0] == 9);   // 10 - 1
  CHECK(out[1] == -4);  // -3 - 1
  CHECK(out[2] == 30);  // 31 - 1
  CHECK(out[3] == 39);  // 79 * 0.5 = 39.5 -> 40, - 1
}

TEST_CASE("nn_depthwise_conv2d_s8_ref: SAME padding at the corner") {
  // 2x2x1 input, zero point 3 (offset -3), real values 1,2,3,4; 3x3 filter of
  // ones, pad 1: every output window holds all four values -> 10.
  const int8_t in[] = {4, 5, 6, 7};
  const std::vector<int8_t> filter(9, 1);
  const int32_t mult[] = {kHalf};
  const int32_t shift[] = {1};
  const nn_requant rq{mult, shift, 0};
  auto p = conv_params(-3, 0, 1, 1);
  int8_t out[4] = {};
  nn_depthwise_conv2d_s8_ref(&p, &rq, {2, 2, 1}, in, 3, 3, filter.data(), nullptr, {2, 2, 1}, out);
  for (int i = 0; i < 4; ++i) CHECK(out[i] == 10);
}

TEST_CASE("nn_fully_connected_s8_ref: per tensor, per channel, no bias, clamp") {
  // input zero point 1 (offset -1): (3, 5, -1) -> (2, 4, -2).
  const int8_t in[] = {3, 5, -1};
  const int8_t w[] = {1, 2, 3,      // 2 + 8 - 6 = 4
                      -1, 0, 10};   // -2 - 20 = -22
  const int32_t mult[] = {kHalf, kHalf};
  const int32_t shift[] = {1, 0};
  nn_fc_s8_params p{-1, 7, -128, 127};
  int8_t out[2] = {};
  const nn_requant per_tensor{mult, shift, 0};
  nn_fully_connected_s8_ref(&p, &per_tensor, 3, in, 2, w, nullptr, out);
  CHECK(out[0] == 11);   // 4 + 7
  CHECK(out[1] == -15);  // -22 + 7
  const nn_requant per_channel{mult, shift, 1};
  const int32_t bias[] = {1, -1};
  nn_fully_connected_s8_ref(&p, &per_channel, 3, in, 2, w, bias, out);
  CHECK(out[0] == 12);   // 5 + 7
  CHECK(out[1] == -4);   // -23 * 0.5 = -11.5 -> -11 (SRDHM), + 7
  p.act_min = 0;
  p.act_max = 10;
  nn_fully_connected_s8_ref(&p, &per_channel, 3, in, 2, w, bias, out);
  CHECK(out[0] == 10);
  CHECK(out[1] == 0);
}

TEST_CASE("nn_avgpool2d_s8_ref: padding cells are not counted, rounding half away from zero") {
  // 2x2x2 input, 2x2 filter, stride 1, pad 1 (SAME-like), output 3x3 but we
  // check a 2x2 output with stride 2 and pad 1: each window holds one cell,
  // and a 3x3 output with stride 1.
  // channel 0: 1, 2 / 4, 8; channel 1: -1, -2 / -4, -8.
  const int8_t in[] = {1, -1, 2, -2, 4, -4, 8, -8};
  nn_pool_params p{};
  p.stride_h = p.stride_w = 1;
  p.filter_h = p.filter_w = 2;
  p.pad_h = p.pad_w = 1;
  p.act_min = -128;
  p.act_max = 127;
  int8_t out[18] = {};
  nn_avgpool2d_s8_ref(&p, {2, 2, 2}, in, {3, 3, 2}, out);
  // Window cells inside: (0,0): {1} -> 1; (0,1): {1,2} -> 3/2 = 1.5 -> 2;
  // (0,2): {2}; (1,0): {1,4} -> 2.5 -> 3; (1,1): all -> 15/4 = 3.75 -> 4;
  // (1,2): {2,8} -> 5; (2,0): 4; (2,1): {4,8} -> 6; (2,2): 8.
  const int8_t want0[9] = {1, 2, 2, 3, 4, 5, 4, 6, 8};
  for (int i = 0; i < 9; ++i) {
    CAPTURE(i);
    CHECK(out[2 * i] == want0[i]);
    CHECK(out[2 * i + 1] == -want0[i]);  // (sum - count/2) / count mirrors it
  }
  SUBCASE("clamp") {
    p.act_min = -3;
    p.act_max = 3;
    nn_avgpool2d_s8_ref(&p, {2, 2, 2}, in, {3, 3, 2}, out);
    CHECK(out[2 * 4] == 3);
    CHECK(out[2 * 4 + 1] == -3);
  }
}

TEST_CASE("nn_maxpool2d_s8_ref: maximum over the cells inside the input, then the clamp") {
  const int8_t in[] = {-100, -7, -50, 3, -128, 9, -90, 2};  // 2x2x2
  nn_pool_params p{};
  p.stride_h = p.stride_w = 2;
  p.filter_h = p.filter_w = 2;
  p.pad_h = p.pad_w = 1;
  p.act_min = -128;
  p.act_max = 127;
  int8_t out[8] = {};
  nn_maxpool2d_s8_ref(&p, {2, 2, 2}, in, {2, 2, 2}, out);  // each window holds one cell
  for (int i = 0; i < 8; ++i) CHECK(out[i] == in[i]);
  p.stride_h = p.stride_w = 1;
  p.pad_h = p.pad_w = 0;
  p.act_min = -60;
  p.act_max = 5;
  nn_maxpool2d_s8_ref(&p, {2, 2, 2}, in, {1, 1, 2}, out);
  CHECK(out[0] == -50);
  CHECK(out[1] == 5);  // 9 clamped
}

TEST_CASE("nn_add_s8_ref: TFLite's quantized add with left_shift 20") {
  // Both inputs and the output with the same scale s (kernels/add.cc Prepare):
  // input multipliers s / 2s = 0.5 (2^30, shift 0); output 2s / (2^20 s) =
  // 2^-19 (2^30, shift -18): out = (a - za) + (b - zb) + zo.
  nn_add_s8_params p{};
  p.input1_offset = 3;   // zero point -3
  p.input2_offset = -2;  // zero point 2
  p.output_offset = -1;
  p.left_shift = 20;
  p.input1_multiplier = p.input2_multiplier = p.output_multiplier = 1 << 30;
  p.input1_shift = p.input2_shift = 0;
  p.output_shift = -18;
  p.act_min = -128;
  p.act_max = 127;
  const int8_t a[] = {10, -3, 100, -128};
  const int8_t b[] = {5, 2, 100, -128};
  int8_t out[4] = {};
  nn_add_s8_ref(&p, 4, a, b, out);
  CHECK(out[0] == 15);    // 13 + 3 - 1
  CHECK(out[1] == -1);    // 0 + 0 - 1
  CHECK(out[2] == 127);   // 103 + 98 - 1 clamped
  CHECK(out[3] == -128);  // -125 - 130 - 1 clamped
  SUBCASE("output scale 2s: the sum halved, ties away from zero") {
    p.output_shift = -19;
    p.output_offset = 0;
    p.input1_offset = p.input2_offset = 0;
    const int8_t a2[] = {1, -1, 3};
    const int8_t b2[] = {2, -2, 3};
    nn_add_s8_ref(&p, 3, a2, b2, out);
    CHECK(out[0] == 2);   // 1.5
    CHECK(out[1] == -2);  // -1.5
    CHECK(out[2] == 3);
  }
}

TEST_CASE("nn_pad_s8: rows, columns and channels before and after take the value") {
  const int8_t in[] = {1, 2, 3, 4};  // 1x2x2
  int8_t out[3 * 3 * 3] = {};
  // before: 1 row, 0 columns, 1 channel; after: 1 row, 1 column, 0 channels.
  nn_pad_s8({1, 2, 2}, in, {1, 0, 1}, {3, 3, 3}, out, -128);
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 3; ++x) {
      for (int c = 0; c < 3; ++c) {
        CAPTURE(y);
        CAPTURE(x);
        CAPTURE(c);
        const int8_t got = out[(y * 3 + x) * 3 + c];
        if (y == 1 && x < 2 && c >= 1)
          CHECK(got == in[x * 2 + c - 1]);
        else
          CHECK(got == -128);
      }
    }
  }
}

namespace {

// PreprocessSoftmaxScaling(beta 1, input scale 1/16, 5): 2^22 -> multiplier
// 2^30, left shift 23; CalculateInputRadius(5, 23) = 31 * 2^26 / 2^23 = 248.
const nn_softmax_s8_params kSoftmaxSixteenth{1 << 30, 23, -248};

}  // namespace

TEST_CASE("nn_softmax_s8_ref: equal inputs share 256 equally, output zero point -128") {
  const int8_t four[] = {5, 5, 5, 5};
  int8_t out[4] = {};
  nn_softmax_s8_ref(&kSoftmaxSixteenth, 1, 4, four, out);
  for (int i = 0; i < 4; ++i) CHECK(out[i] == -64);  // 64 / 256
  const int8_t two[] = {-128, -128};
  nn_softmax_s8_ref(&kSoftmaxSixteenth, 1, 2, two, out);
  CHECK(out[0] == 0);  // 128 / 256
  CHECK(out[1] == 0);
}

TEST_CASE("nn_softmax_s8_ref: differences below diff_min give -128, a lone winner saturates at 127") {
  const int8_t in[] = {127, -128, -121, 0};  // -255, -248, -127 from the max
  int8_t out[4] = {};
  nn_softmax_s8_ref(&kSoftmaxSixteenth, 1, 4, in, out);
  CHECK(out[0] == 127);   // 256 / 256 saturates
  CHECK(out[1] == -128);  // below diff_min
  CHECK(out[2] == -128);  // exp(-15.5) * 256 rounds to 0
  CHECK(out[3] == -128);  // exp(-7.9) * 256 = 0.09
}

TEST_CASE("nn_softmax_s8_ref: rows agree with a float softmax within one step and sum to about 256") {
  const int8_t in[] = {0, 16, 32, 48, 10, 20,    // row 0: scale 1/16 -> 0, 1, 2, 3, 0.625, 1.25
                       -5, -5, 20, 1, -60, 7};   // row 1
  int8_t out[12] = {};
  nn_softmax_s8_ref(&kSoftmaxSixteenth, 2, 6, in, out);
  for (int r = 0; r < 2; ++r) {
    double max = -1e9, sum = 0;
    for (int c = 0; c < 6; ++c) max = std::max(max, in[r * 6 + c] / 16.0);
    for (int c = 0; c < 6; ++c) sum += std::exp(in[r * 6 + c] / 16.0 - max);
    int total = 0;
    for (int c = 0; c < 6; ++c) {
      const double want = std::exp(in[r * 6 + c] / 16.0 - max) / sum * 256.0 - 128.0;
      CAPTURE(r);
      CAPTURE(c);
      CHECK(std::abs(out[r * 6 + c] - want) <= 1.0);
      total += out[r * 6 + c] + 128;
    }
    CAPTURE(r);
    CHECK(std::abs(total - 256) <= 6);  // one rounding per element at most
  }
}

TEST_CASE("nn_quantize_f32_s8: x / scale rounded half away from zero, plus the zero point, clamped") {
  const float in[] = {0.25f, -0.25f, 0.74f, -0.76f, 1000.0f, -1000.0f, 0.0f, 0.2499999f};
  int8_t out[8] = {};
  nn_quantize_f32_s8(8, in, 0.5f, -3, out);
  const int8_t want[8] = {-2, -4, -2, -5, 127, -128, -3, -3};  // 0.5 -> 1, -0.5 -> -1, 1.48 -> 1, -1.52 -> -2
  for (int i = 0; i < 8; ++i) {
    CAPTURE(i);
    CHECK(out[i] == want[i]);
  }
}

TEST_CASE("nn_requantize_s8 and nn_dequantize_s8_f32") {
  const int8_t in[] = {5, -5, 127, -128};
  int8_t out[4] = {};
  // M = 0.5, zero points 1 -> -2: (q - 1) * 0.5 - 2.
  nn_requantize_s8(4, in, 1, 1 << 30, 0, -2, out);
  CHECK(out[0] == 0);     // 4 * 0.5 - 2
  CHECK(out[1] == -5);    // -6 * 0.5 = -3, - 2
  CHECK(out[2] == 61);    // 126 * 0.5 - 2
  CHECK(out[3] == -66);   // -129 * 0.5 = -64.5 -> -64 (SRDHM rounds a tie upwards), - 2
  float f[4] = {};
  nn_dequantize_s8_f32(4, in, 0.5f, 1, f);
  CHECK(f[0] == 2.0f);
  CHECK(f[1] == -3.0f);
  CHECK(f[2] == 63.0f);
  CHECK(f[3] == -64.5f);
}

// ---- float kernels ---------------------------------------------------------

namespace {

nn_conv_f32_params conv_f32_params(int32_t stride, int32_t pad, float act_min = -3.4e38f,
                                   float act_max = 3.4e38f) {
  nn_conv_f32_params p{};
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = 1;
  p.pad_h = p.pad_w = pad;
  p.depth_multiplier = 1;
  p.act_min = act_min;
  p.act_max = act_max;
  return p;
}

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

}  // namespace

TEST_CASE("nn_conv2d_f32: 3x3 SAME padding, bias, clamp") {
  const float in[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<float> filter(9, 1.0f);
  const float bias[] = {0.5f};
  auto p = conv_f32_params(1, 1);
  float out[9] = {};
  nn_conv2d_f32(&p, {3, 3, 1}, in, 3, 3, filter.data(), bias, {3, 3, 1}, out);
  const float want[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  for (int i = 0; i < 9; ++i) {
    CAPTURE(i);
    CHECK(out[i] == want[i] + 0.5f);
  }
  SUBCASE("RELU6 and two output channels over two input channels (1x1)") {
    const float in2[] = {1.5f, -2.0f};
    const float f2[] = {2.0f, 1.0f,    // oc0: 3 - 2 = 1
                        -4.0f, 0.5f};  // oc1: -6 - 1 = -7
    auto p6 = conv_f32_params(1, 0, 0.0f, 6.0f);
    float o2[2] = {};
    nn_conv2d_f32(&p6, {1, 1, 2}, in2, 1, 1, f2, nullptr, {1, 1, 2}, o2);
    CHECK(o2[0] == 1.0f);
    CHECK(o2[1] == 0.0f);
    const float big_bias[] = {10.0f, 0.0f};
    nn_conv2d_f32(&p6, {1, 1, 2}, in2, 1, 1, f2, big_bias, {1, 1, 2}, o2);
    CHECK(o2[0] == 6.0f);
  }
}

TEST_CASE("float kernels accumulate from the bias first (the order defines the bits)") {
  // 1e8 has an ulp of 8: 1e8 + 1 + ... + 1 stays 1e8, whereas (1 + ... + 1) + 1e8
  // would be 100000008.
  const std::vector<float> ones(8, 1.0f);
  const float bias[] = {1e8f};
  float out = 0;
  nn_fully_connected_f32(8, ones.data(), 1, ones.data(), bias, -3.4e38f, 3.4e38f, &out);
  CHECK(out == 1e8f);
  auto p = conv_f32_params(1, 0);
  nn_conv2d_f32(&p, {2, 2, 2}, ones.data(), 2, 2, ones.data(), bias, {1, 1, 1}, &out);
  CHECK(out == 1e8f);
  const std::vector<float> dw_in(4, 1.0f);
  nn_depthwise_conv2d_f32(&p, {2, 2, 1}, dw_in.data(), 2, 2, dw_in.data(), bias, {1, 1, 1}, &out);
  CHECK(out == 1e8f);
}

TEST_CASE("nn_depthwise_conv2d_f32: depth multiplier 2, padding skipped") {
  // As the int8 case: input 2x2x2, filter [2][2][4], VALID.
  const float in[] = {1, 10, 2, 20, 3, 30, 4, 40};
  const float filter[] = {1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, -1, 0, 2};
  const float bias[] = {0, 0, 1, -1};
  auto p = conv_f32_params(1, 0);
  p.depth_multiplier = 2;
  float out[4] = {};
  nn_depthwise_conv2d_f32(&p, {2, 2, 2}, in, 2, 2, filter, bias, {1, 1, 4}, out);
  CHECK(out[0] == 10.0f);
  CHECK(out[1] == -3.0f);
  CHECK(out[2] == 31.0f);
  CHECK(out[3] == 79.0f);
  SUBCASE("3x3 SAME over 2x2: every window sees all four cells") {
    const float in1[] = {1, 2, 3, 4};
    const std::vector<float> f9(9, 0.5f);
    auto p1 = conv_f32_params(1, 1);
    float o[4] = {};
    nn_depthwise_conv2d_f32(&p1, {2, 2, 1}, in1, 3, 3, f9.data(), nullptr, {2, 2, 1}, o);
    for (float v : o) CHECK(v == 5.0f);
  }
}

TEST_CASE("nn_fully_connected_f32: weights [out][in], optional bias, clamp") {
  const float in[] = {1.0f, -2.0f, 0.5f};
  const float w[] = {1, 1, 1, 2, 0, -4};  // -0.5; 0
  const float bias[] = {0.25f, -1.0f};
  float out[2] = {};
  nn_fully_connected_f32(3, in, 2, w, nullptr, -3.4e38f, 3.4e38f, out);
  CHECK(out[0] == -0.5f);
  CHECK(out[1] == 0.0f);
  nn_fully_connected_f32(3, in, 2, w, bias, -0.5f, 0.0f, out);
  CHECK(out[0] == -0.25f);
  CHECK(out[1] == -0.5f);  // -1 clamped
}

TEST_CASE("nn_avgpool2d_f32 and nn_maxpool2d_f32: cells inside the input only") {
  const float in[] = {1, 2, 4, 8};  // 2x2x1
  nn_pool_params p{};
  p.stride_h = p.stride_w = 1;
  p.filter_h = p.filter_w = 2;
  p.pad_h = p.pad_w = 1;
  p.act_min_f = -3.4e38f;
  p.act_max_f = 3.4e38f;
  float out[9] = {};
  nn_avgpool2d_f32(&p, {2, 2, 1}, in, {3, 3, 1}, out);
  const float avg[9] = {1, 1.5f, 2, 2.5f, 3.75f, 5, 4, 6, 8};
  for (int i = 0; i < 9; ++i) {
    CAPTURE(i);
    CHECK(out[i] == avg[i]);
  }
  nn_maxpool2d_f32(&p, {2, 2, 1}, in, {3, 3, 1}, out);
  const float max[9] = {1, 2, 2, 4, 8, 8, 4, 8, 8};
  for (int i = 0; i < 9; ++i) {
    CAPTURE(i);
    CHECK(out[i] == max[i]);
  }
  p.act_min_f = 2.0f;
  p.act_max_f = 5.0f;
  nn_avgpool2d_f32(&p, {2, 2, 1}, in, {3, 3, 1}, out);
  CHECK(out[0] == 2.0f);
  CHECK(out[4] == 3.75f);
  CHECK(out[8] == 5.0f);
  const float neg[] = {-5, -3, -9, -7};
  p.act_min_f = -3.4e38f;
  p.act_max_f = 3.4e38f;
  p.pad_h = p.pad_w = 0;
  nn_maxpool2d_f32(&p, {2, 2, 1}, neg, {1, 1, 1}, out);
  CHECK(out[0] == -3.0f);
}

TEST_CASE("nn_add_f32 and nn_pad_f32") {
  const float a[] = {1.5f, -2.0f, 3.0f};
  const float b[] = {0.25f, -2.0f, 4.0f};
  float out[3] = {};
  nn_add_f32(3, a, b, -3.0f, 6.0f, out);
  CHECK(out[0] == 1.75f);
  CHECK(out[1] == -3.0f);  // -4 clamped
  CHECK(out[2] == 6.0f);   // 7 clamped
  const float in[] = {1, 2};  // 1x1x2
  float padded[2 * 2 * 3] = {};
  nn_pad_f32({1, 1, 2}, in, {0, 1, 0}, {2, 2, 3}, padded, -1.0f);
  for (int i = 0; i < 12; ++i) {
    CAPTURE(i);
    const float want = i == 3 ? 1.0f : (i == 4 ? 2.0f : -1.0f);  // cell (0, 1), channels 0 and 1
    CHECK(padded[i] == want);
  }
}

TEST_CASE("nn_softmax_f32: rows sum to 1, equal inputs share equally, beta scales") {
  const float equal[] = {3, 3, 3, 3};
  float out[6] = {};
  nn_softmax_f32(1, 4, equal, 1.0f, out);
  for (int i = 0; i < 4; ++i) CHECK(out[i] == 0.25f);
  const float rows[] = {0.0f, 1.0f, 2.0f, -1.0f, 10.0f, -30.0f};
  nn_softmax_f32(2, 3, rows, 0.5f, out);
  for (int r = 0; r < 2; ++r) {
    double max = -1e30, sum = 0, got_sum = 0;
    for (int c = 0; c < 3; ++c) max = std::max(max, 0.5 * rows[r * 3 + c]);
    for (int c = 0; c < 3; ++c) sum += std::exp(0.5 * rows[r * 3 + c] - max);
    for (int c = 0; c < 3; ++c) {
      CAPTURE(r);
      CAPTURE(c);
      const double want = std::exp(0.5 * rows[r * 3 + c] - max) / sum;
      CHECK(std::abs(out[r * 3 + c] - want) <= 1e-6 * want + 1e-30);
      got_sum += out[r * 3 + c];
    }
    CHECK(std::abs(got_sum - 1.0) < 1e-6);
  }
}

TEST_CASE("nn_expf: within 1 ulp of exp over a dense sweep of [-87, 88]") {
  // Every 61st float of [-87, 88] (about 37 million values); an exhaustive run
  // over all 2.2e9 floats of the range also gives at most 1 ulp.
  const uint32_t neg_end = float_bits(-87.0f), pos_end = float_bits(88.0f);
  uint32_t max_ulp = 0;
  float worst = 0;
  auto check = [&](float x) {
    const float want = static_cast<float>(std::exp(static_cast<double>(x)));
    const uint32_t a = float_bits(nn_expf(x)), b = float_bits(want);
    const uint32_t d = a > b ? a - b : b - a;
    if (d > max_ulp) {
      max_ulp = d;
      worst = x;
    }
  };
  for (uint32_t u = 0x80000000u; u <= neg_end; u += 61) {
    float x;
    std::memcpy(&x, &u, sizeof x);
    check(x);
  }
  for (uint32_t u = 0; u <= pos_end; u += 61) {
    float x;
    std::memcpy(&x, &u, sizeof x);
    check(x);
  }
  for (float x : {-87.0f, 88.0f, -1.0f, 1.0f, 0.5f, -0.5f, 0.34657359f, 10.0f}) check(x);
  CAPTURE(worst);
  CHECK(max_ulp <= 1);
}

TEST_CASE("nn_expf: exact and special values") {
  CHECK(nn_expf(0.0f) == 1.0f);
  CHECK(nn_expf(-0.0f) == 1.0f);
  CHECK(std::isinf(nn_expf(88.73f)));
  CHECK(std::isinf(nn_expf(INFINITY)));
  CHECK(nn_expf(-INFINITY) == 0.0f);
  CHECK(nn_expf(-104.0f) == 0.0f);
  CHECK(std::isnan(nn_expf(NAN)));
  CHECK(std::isfinite(nn_expf(88.7228f)));
  // Subnormal results: exp(-103.9) is 2^-149 rounded, exp(-87.5) below FLT_MIN.
  CHECK(nn_expf(-103.9f) == static_cast<float>(std::exp(static_cast<double>(-103.9f))));
  CHECK(nn_expf(-87.5f) == static_cast<float>(std::exp(static_cast<double>(-87.5f))));
}

// ---- properties over random cases --------------------------------------------

namespace {

struct Xorshift32 {
  uint32_t state;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
  int32_t range(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(next() % static_cast<uint32_t>(hi - lo + 1)); }
  int8_t s8() { return static_cast<int8_t>(next() >> 24); }
};

}  // namespace

TEST_CASE("nn_softmax_s8_ref: within one step of the exact softmax for random rows and scales") {
  // Any beta * input_scale: multiplier in [2^30, 2^31), left shift 20..25 and
  // diff_min = -floor(CalculateInputRadius(5, left_shift)).
  Xorshift32 rng{12345};
  int over_one_step = 0;
  for (int t = 0; t < 3000; ++t) {
    const int32_t mult = static_cast<int32_t>((1u << 30) + rng.next() % (1u << 30));
    const int32_t shift = rng.range(20, 25);
    const double radius = 31.0 * (1 << 26) / static_cast<double>(1u << shift);
    const nn_softmax_s8_params p{mult, shift, -static_cast<int32_t>(std::floor(radius))};
    const double beta_scale = mult * std::ldexp(1.0, shift - 31) / (1 << 26);
    const int depth = rng.range(1, 40);
    std::vector<int8_t> in(depth), out(depth);
    for (auto &v : in) v = rng.s8();
    nn_softmax_s8_ref(&p, 1, depth, in.data(), out.data());
    const int max = *std::max_element(in.begin(), in.end());
    double sum = 0;
    for (int8_t v : in)
      if (v - max >= p.diff_min) sum += std::exp((v - max) * beta_scale);
    for (int c = 0; c < depth; ++c) {
      const bool counted = in[c] - max >= p.diff_min;
      const double want = counted ? std::min(127.0, std::exp((in[c] - max) * beta_scale) / sum * 256.0 - 128.0) : -128.0;
      if (std::abs(out[c] - want) > 1.0) ++over_one_step;
    }
  }
  CHECK(over_one_step == 0);
}

TEST_CASE("int8 kernels agree with each other on random shapes (conv with one input channel == depthwise, 1x1 conv == fully connected)") {
  Xorshift32 rng{7};
  for (int t = 0; t < 300; ++t) {
    CAPTURE(t);
    const nn_shape in_shape{rng.range(1, 9), rng.range(1, 9), 1};
    const int32_t fh = rng.range(1, 4), fw = rng.range(1, 4), oc = rng.range(1, 6);
    nn_conv_s8_params p{};
    p.input_offset = rng.range(-127, 128);
    p.output_offset = rng.range(-20, 20);
    p.stride_h = rng.range(1, 3);
    p.stride_w = rng.range(1, 3);
    p.dilation_h = rng.range(1, 2);
    p.dilation_w = rng.range(1, 2);
    p.pad_h = rng.range(0, fh - 1);
    p.pad_w = rng.range(0, fw - 1);
    p.depth_multiplier = oc;
    p.act_min = rng.range(-128, -60);
    p.act_max = rng.range(60, 127);
    const int32_t eff_h = (fh - 1) * p.dilation_h + 1, eff_w = (fw - 1) * p.dilation_w + 1;
    const int32_t out_h = (in_shape.h + 2 * p.pad_h - eff_h) / p.stride_h + 1;
    const int32_t out_w = (in_shape.w + 2 * p.pad_w - eff_w) / p.stride_w + 1;
    if (out_h < 1 || out_w < 1) continue;
    std::vector<int8_t> in(in_shape.h * in_shape.w), conv_filter(oc * fh * fw), dw_filter(fh * fw * oc);
    for (auto &v : in) v = rng.s8();
    for (int32_t o = 0; o < oc; ++o)
      for (int32_t i = 0; i < fh * fw; ++i) dw_filter[i * oc + o] = conv_filter[o * fh * fw + i] = rng.s8();
    std::vector<int32_t> bias(oc), mult(oc), shift(oc);
    for (int32_t o = 0; o < oc; ++o) {
      bias[o] = rng.range(-5000, 5000);
      mult[o] = static_cast<int32_t>((1u << 30) + rng.next() % (1u << 30));
      shift[o] = rng.range(-12, -6);
    }
    const nn_requant rq{mult.data(), shift.data(), 1};
    const nn_shape out_shape{out_h, out_w, oc};
    std::vector<int8_t> a(out_h * out_w * oc), b(a.size());
    nn_conv2d_s8_ref(&p, &rq, in_shape, in.data(), fh, fw, conv_filter.data(), bias.data(), out_shape, a.data());
    nn_depthwise_conv2d_s8_ref(&p, &rq, in_shape, in.data(), fh, fw, dw_filter.data(), bias.data(), out_shape,
                               b.data());
    CHECK(a == b);
  }
  for (int t = 0; t < 100; ++t) {
    CAPTURE(t);
    const int32_t in_n = rng.range(1, 64), out_n = rng.range(1, 16);
    std::vector<int8_t> in(in_n), w(in_n * out_n), a(out_n), b(out_n);
    for (auto &v : in) v = rng.s8();
    for (auto &v : w) v = rng.s8();
    std::vector<int32_t> bias(out_n), mult(out_n), shift(out_n);
    for (int32_t o = 0; o < out_n; ++o) {
      bias[o] = rng.range(-5000, 5000);
      mult[o] = static_cast<int32_t>((1u << 30) + rng.next() % (1u << 30));
      shift[o] = rng.range(-12, -6);
    }
    const int32_t per_channel = static_cast<int32_t>(rng.next() & 1);
    const nn_requant rq{mult.data(), shift.data(), per_channel};
    nn_fc_s8_params fc{rng.range(-127, 128), rng.range(-20, 20), -128, 127};
    nn_conv_s8_params p{};
    p.input_offset = fc.input_offset;
    p.output_offset = fc.output_offset;
    p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = p.depth_multiplier = 1;
    p.act_min = -128;
    p.act_max = 127;
    nn_fully_connected_s8_ref(&fc, &rq, in_n, in.data(), out_n, w.data(), bias.data(), a.data());
    nn_conv2d_s8_ref(&p, &rq, {1, 1, in_n}, in.data(), 1, 1, w.data(), bias.data(), {1, 1, out_n}, b.data());
    CHECK(a == b);
  }
}
