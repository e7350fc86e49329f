// The _dsp int8 kernels (firmware/nn/src/dsp) give exactly the _ref kernels'
// results: thousands of random shapes, strides, paddings, dilations, depth
// multipliers and channel counts (odd ones and 1 included), random data and
// random per-channel requantization. Built for the host, so this checks the
// portable definitions of the DSP instructions (mcusim_nn_dsp.h); the same
// comparison runs inside mcusim on the DSP cores (firmware/nn/tests/kernel_check.c).
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mcusim_nn.h"
#include "mcusim_nn_dsp.h"
#include "nn_dsp_internal.h"

namespace {

struct Rng {
  std::mt19937 gen;
  explicit Rng(uint32_t seed) : gen(seed) {}
  int32_t in(int32_t lo, int32_t hi) { return std::uniform_int_distribution<int32_t>(lo, hi)(gen); }
  bool chance(int percent) { return in(0, 99) < percent; }
  std::vector<int8_t> bytes(size_t n) {
    std::vector<int8_t> v(n);
    for (auto &b : v) b = static_cast<int8_t>(in(-128, 127));
    return v;
  }
};

struct Requant {
  std::vector<int32_t> multiplier, shift;
  nn_requant rq{};
  Requant(Rng &r, int32_t channels) {
    const bool per_channel = r.chance(80);
    const int32_t n = per_channel ? channels : 1;
    for (int32_t i = 0; i < n; ++i) {
      multiplier.push_back(r.chance(3) ? 0 : r.in(1 << 30, INT32_MAX));
      shift.push_back(r.chance(10) ? r.in(0, 3) : r.in(-14, -1));
    }
    rq = nn_requant{multiplier.data(), shift.data(), per_channel ? 1 : 0};
  }
};

nn_conv_s8_params random_conv_params(Rng &r) {
  nn_conv_s8_params p{};
  p.input_offset = r.in(-127, 128);
  p.output_offset = r.in(-128, 127);
  p.act_min = r.chance(50) ? -128 : r.in(-128, 0);
  p.act_max = r.chance(50) ? 127 : r.in(p.act_min, 127);
  p.depth_multiplier = 1;
  return p;
}

std::vector<int32_t> random_bias(Rng &r, int32_t n) {
  std::vector<int32_t> b(static_cast<size_t>(n));
  for (auto &v : b) v = r.in(-40000, 40000);
  return b;
}

int32_t out_size(int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t pad) {
  const int32_t span = dilation * (filter - 1) + 1;
  const int32_t padded = in + 2 * pad;
  return padded < span ? 0 : (padded - span) / stride + 1;
}

// One random CONV_2D or DEPTHWISE_CONV_2D case: 1 when _dsp equals _ref, -1
// when not, 0 when the random shape has no output (skipped).
int conv_case(Rng &r, bool depthwise, int kind) {
  nn_conv_s8_params p = random_conv_params(r);
  nn_shape in_shape{r.in(1, 9), r.in(1, 9), 0};
  int32_t fh = r.in(1, 4), fw = r.in(1, 4);
  p.stride_h = r.in(1, 3);
  p.stride_w = r.in(1, 3);
  p.dilation_h = r.chance(20) ? 2 : 1;
  p.dilation_w = r.chance(20) ? 2 : 1;
  p.pad_h = r.in(0, fh - 1);
  p.pad_w = r.in(0, fw - 1);
  int32_t in_c = r.chance(30) ? r.in(1, 4) : r.in(1, 40);
  int32_t out_c = r.chance(30) ? r.in(1, 4) : r.in(1, 40);
  if (depthwise) {
    p.depth_multiplier = r.chance(60) ? 1 : r.in(1, 3);
    out_c = in_c * p.depth_multiplier;
  }
  if (kind == 1) {  // the shapes the fast paths take
    if (depthwise) {
      fh = fw = 3;
      p.depth_multiplier = 1;
      p.dilation_h = p.dilation_w = 1;
      p.stride_h = p.stride_w = r.in(1, 2);
      p.pad_h = p.pad_w = 1;
      in_c = out_c = 4 * r.in(1, 10) + (r.chance(30) ? r.in(1, 3) : 0);
    } else {
      fh = fw = 1;
      p.stride_h = p.stride_w = 1;
      p.dilation_h = p.dilation_w = 1;
      p.pad_h = p.pad_w = 0;
      if (r.chance(30)) in_c = 64;
    }
  }
  in_shape.c = in_c;
  nn_shape out_shape{out_size(in_shape.h, fh, p.stride_h, p.dilation_h, p.pad_h),
                     out_size(in_shape.w, fw, p.stride_w, p.dilation_w, p.pad_w), out_c};
  if (out_shape.h < 1 || out_shape.w < 1) return 0;
  const auto in = r.bytes(static_cast<size_t>(in_shape.h * in_shape.w * in_c));
  const auto filter = r.bytes(static_cast<size_t>(fh * fw * (depthwise ? out_c : in_c * out_c)));
  const auto bias = random_bias(r, out_c);
  const int32_t *b = r.chance(90) ? bias.data() : nullptr;
  Requant q(r, out_c);
  const size_t n = static_cast<size_t>(out_shape.h * out_shape.w * out_c);
  std::vector<int8_t> ref(n, 0x55), dsp(n, 0x2a);
  if (depthwise) {
    nn_depthwise_conv2d_s8_ref(&p, &q.rq, in_shape, in.data(), fh, fw, filter.data(), b, out_shape, ref.data());
    nn_depthwise_conv2d_s8_dsp(&p, &q.rq, in_shape, in.data(), fh, fw, filter.data(), b, out_shape, dsp.data(),
                               nullptr);
  } else {
    std::vector<uint8_t> scratch(static_cast<size_t>(NN_CONV2D_S8_DSP_SCRATCH_BYTES(fh, fw, in_c)) + 1);
    nn_conv2d_s8_ref(&p, &q.rq, in_shape, in.data(), fh, fw, filter.data(), b, out_shape, ref.data());
    // a scratch address that is 2 mod 4: the kernel must not assume word alignment
    nn_conv2d_s8_dsp(&p, &q.rq, in_shape, in.data(), fh, fw, filter.data(), b, out_shape, dsp.data(),
                     scratch.data() + (r.chance(50) ? 2 : 0));
  }
  if (ref != dsp) {
    MESSAGE(std::string(depthwise ? "depthwise" : "conv") << " in " << in_shape.h << "x" << in_shape.w << "x" << in_c
                                                << " filter " << fh << "x" << fw << " out_c " << out_c << " stride "
                                                << p.stride_h << "," << p.stride_w << " pad " << p.pad_h << ","
                                                << p.pad_w << " dm " << p.depth_multiplier);
    return -1;
  }
  return 1;
}

bool fc_case(Rng &r) {
  nn_fc_s8_params p{};
  p.input_offset = r.in(-127, 128);
  p.output_offset = r.in(-128, 127);
  p.act_min = r.chance(50) ? -128 : r.in(-128, 0);
  p.act_max = r.chance(50) ? 127 : r.in(p.act_min, 127);
  const int32_t in_n = r.chance(20) ? r.in(1, 5) : r.in(1, 300);
  const int32_t out_n = r.chance(20) ? r.in(1, 3) : r.in(1, 40);
  const auto in = r.bytes(static_cast<size_t>(in_n));
  const auto w = r.bytes(static_cast<size_t>(in_n * out_n));
  const auto bias = random_bias(r, out_n);
  const int32_t *b = r.chance(80) ? bias.data() : nullptr;
  Requant q(r, out_n);
  std::vector<int8_t> ref(static_cast<size_t>(out_n), 0x55), dsp(static_cast<size_t>(out_n), 0x2a);
  nn_fully_connected_s8_ref(&p, &q.rq, in_n, in.data(), out_n, w.data(), b, ref.data());
  nn_fully_connected_s8_dsp(&p, &q.rq, in_n, in.data(), out_n, w.data(), b, dsp.data(), nullptr);
  if (ref != dsp) MESSAGE("fc in " << in_n << " out " << out_n);
  return ref == dsp;
}

}  // namespace

TEST_CASE("nn dsp intrinsics: portable definitions on hand-computed operands") {
  // SMLAD: 0x7FFF * 0x7FFF + 0x7FFF * 0x7FFF + INT32_MAX wraps (Q would be set).
  CHECK(nn_smlad(0x7FFF7FFFu, 0x7FFF7FFFu, INT32_MAX) ==
        static_cast<int32_t>(0x7FFFFFFFu + 2u * 0x3FFF0001u));
  CHECK(nn_smlad(0x8000FFFFu, 0x80000002u, 10) == 10 + (-32768 * -32768) + (-1 * 2));
  CHECK(nn_smladx(0x00030002u, 0x00050007u, 1) == 1 + 2 * 5 + 3 * 7);
  CHECK(nn_sxtb16(0x80FF7F01u) == 0xFFFF0001u);  // bytes 0x01, 0xFF
  CHECK(nn_sxtb16_ror8(0x80FF7F01u) == 0xFF80007Fu);  // bytes 0x7F, 0x80
  CHECK(nn_sxtab16(0x00010002u, 0x80FF7F01u) == 0x00000003u);  // 2 + 1, 1 - 1
  CHECK(nn_sxtab16_ror8(0xFFFF0001u, 0x01FF80FFu) == 0x0000FF81u);  // 1 - 128, -1 + 1
  CHECK(nn_pkhbt16(0x11112222u, 0x33334444u) == 0x44442222u);
  CHECK(nn_pkhtb16(0x11112222u, 0x8333F444u) == 0x11118333u);
  CHECK(nn_smlabb(0x0002FFFFu, 0x00030005u, 7) == 7 - 5);
  CHECK(nn_smlatt(0x0002FFFFu, 0xFFFD0005u, 7) == 7 - 6);
  CHECK(nn_smlabt(0x0002FFFFu, 0xFFFD0005u, 0) == 3);
  CHECK(nn_smlatb(0x0002FFFFu, 0xFFFD0005u, 0) == 10);
  CHECK(nn_qadd(INT32_MAX, 1) == INT32_MAX);
  CHECK(nn_qadd(INT32_MIN, -1) == INT32_MIN);
  CHECK(nn_ssat8(200) == 127);
  CHECK(nn_ssat8(-129) == -128);
}

TEST_CASE("nn dsp requantization equals nn_multiply_by_quantized_multiplier") {
  Rng r(7);
  const int32_t edges[] = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30), 12345, -12345};
  const int32_t mults[] = {0, 1 << 30, INT32_MAX, INT32_MIN, (1 << 30) + 1, 1518500250};
  int mismatches = 0, fast = 0;
  for (int i = 0; i < 200000; ++i) {
    const int32_t x = i < 2000 ? edges[i % 12] : (r.chance(50) ? r.in(-100000, 100000) : r.in(INT32_MIN, INT32_MAX));
    const int32_t m = i < 2000 ? mults[(i / 12) % 6] : r.in(r.chance(50) ? (1 << 30) : INT32_MIN, INT32_MAX);
    const int32_t s = r.in(-31, 8);
    const int32_t mult[] = {m}, shift[] = {s};
    const nn_requant rq{mult, shift, 0};
    const nn_dsp_channel ch = nn_dsp_channel_of(&rq, 0);
    const int32_t expected = nn_multiply_by_quantized_multiplier(x, m, s);
    if (nn_dsp_mbqm(x, &ch) != expected || (ch.fast && nn_dsp_mbqm_fast(x, &ch) != expected)) {
      if (++mismatches < 5) MESSAGE("x " << x << " m " << m << " shift " << s);
    }
    fast += ch.fast;
  }
  CHECK(mismatches == 0);
  CHECK(fast > 50000);  // the fast form was compared often
}

TEST_CASE("nn_conv2d_s8_dsp equals nn_conv2d_s8_ref on random shapes") {
  Rng r(1);
  int bad = 0, ran = 0;
  for (int i = 0; i < 2500; ++i) {
    const int result = conv_case(r, false, i % 2);
    bad += result < 0;
    ran += result != 0;
  }
  CHECK(bad == 0);
  CHECK(ran >= 2000);
}

TEST_CASE("nn_depthwise_conv2d_s8_dsp equals nn_depthwise_conv2d_s8_ref on random shapes") {
  Rng r(2);
  int bad = 0, ran = 0;
  for (int i = 0; i < 2500; ++i) {
    const int result = conv_case(r, true, i % 2);
    bad += result < 0;
    ran += result != 0;
  }
  CHECK(bad == 0);
  CHECK(ran >= 2000);
}

TEST_CASE("nn_fully_connected_s8_dsp equals nn_fully_connected_s8_ref on random shapes") {
  Rng r(3);
  int bad = 0;
  for (int i = 0; i < 2000; ++i) bad += fc_case(r) ? 0 : 1;
  CHECK(bad == 0);
}

TEST_CASE("nn dsp kernels: the keyword-spotting layer shapes") {
  Rng r(4);
  nn_conv_s8_params p = random_conv_params(r);
  p.stride_h = p.stride_w = 1;
  p.dilation_h = p.dilation_w = 1;
  p.depth_multiplier = 1;
  const nn_shape s{25, 5, 64};
  const auto in = r.bytes(25 * 5 * 64);
  const auto bias = random_bias(r, 64);
  Requant q(r, 64);
  std::vector<int8_t> ref(25 * 5 * 64), dsp(25 * 5 * 64);
  SUBCASE("pointwise 64 -> 64") {
    const auto w = r.bytes(64 * 64);
    std::vector<uint8_t> scratch(NN_CONV2D_S8_DSP_SCRATCH_BYTES(1, 1, 64));
    nn_conv2d_s8_ref(&p, &q.rq, s, in.data(), 1, 1, w.data(), bias.data(), s, ref.data());
    nn_conv2d_s8_dsp(&p, &q.rq, s, in.data(), 1, 1, w.data(), bias.data(), s, dsp.data(), scratch.data());
    CHECK(ref == dsp);
  }
  SUBCASE("depthwise 3x3") {
    const auto w = r.bytes(9 * 64);
    p.pad_h = p.pad_w = 1;
    nn_depthwise_conv2d_s8_ref(&p, &q.rq, s, in.data(), 3, 3, w.data(), bias.data(), s, ref.data());
    nn_depthwise_conv2d_s8_dsp(&p, &q.rq, s, in.data(), 3, 3, w.data(), bias.data(), s, dsp.data(), nullptr);
    CHECK(ref == dsp);
  }
  SUBCASE("conv 10x4 stride 2 from 49x10x1") {
    const auto in1 = r.bytes(49 * 10);
    const auto w = r.bytes(64 * 40);
    p.stride_h = p.stride_w = 2;
    p.pad_h = 4;  // TFLite SAME: total (25-1)*2+10-49 = 9 rows, 4 before
    p.pad_w = 1;  // (5-1)*2+4-10 = 2 columns, 1 before
    std::vector<uint8_t> scratch(NN_CONV2D_S8_DSP_SCRATCH_BYTES(10, 4, 1));
    nn_conv2d_s8_ref(&p, &q.rq, {49, 10, 1}, in1.data(), 10, 4, w.data(), bias.data(), s, ref.data());
    nn_conv2d_s8_dsp(&p, &q.rq, {49, 10, 1}, in1.data(), 10, 4, w.data(), bias.data(), s, dsp.data(),
                     scratch.data());
    CHECK(ref == dsp);
  }
}
