// The model compiler's reference kernels (firmware/nn/src/ref, f32): small
// cases computed by hand, each value derivable from the comment beside it.
#include <doctest/doctest.h>

#include <cstdint>
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
