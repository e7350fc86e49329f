/*
 * kernel_speed - the int8 kernels on the keyword-spotting model's layer
 * shapes (MLPerf Tiny KWS, DS-CNN), reference and dsp, each between layer
 * markers with its MAC count, so that `mcusim run --report` gives cycles per
 * MAC per kernel (docs/tinyml.md, "Kernel speed"):
 *   conv 10x4 stride 2, SAME, 49x10x1 -> 25x5x64     320,000 MACs
 *   depthwise 3x3, stride 1, SAME, 25x5x64            72,000 MACs
 *   pointwise 1x1, 64 -> 64 on 25x5                  512,000 MACs
 *   fully connected 64 -> 12                              768 MACs
 * Weights are in flash (.rodata.weights) as in a compiled model, activations
 * and the scratch buffer in SRAM. The data are random (xorshift32); the
 * program also checks that each dsp output equals the reference output.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mcusim.h"
#include "mcusim_nn.h"

#define WEIGHTS __attribute__((section(".rodata.weights"), aligned(4)))

/* Pseudo-random weights and biases as constant initializers: byte 3 of a
 * multiplicative hash of the index (W), a bias in [-10000, 10000] (B). */
#define W(i) (int8_t)(((uint32_t)(i) * 2654435761u) >> 24)
#define W4(i) W(i), W((i) + 1), W((i) + 2), W((i) + 3)
#define W16(i) W4(i), W4((i) + 4), W4((i) + 8), W4((i) + 12)
#define W64(i) W16(i), W16((i) + 16), W16((i) + 32), W16((i) + 48)
#define W256(i) W64(i), W64((i) + 64), W64((i) + 128), W64((i) + 192)
#define W1024(i) W256(i), W256((i) + 256), W256((i) + 512), W256((i) + 768)
#define B(i) (int32_t)(((uint32_t)(i) * 2246822519u) % 20001u) - 10000
#define B4(i) B(i), B((i) + 1), B((i) + 2), B((i) + 3)
#define B16(i) B4(i), B4((i) + 4), B4((i) + 8), B4((i) + 12)
#define B64(i) B16(i), B16((i) + 16), B16((i) + 32), B16((i) + 48)

static const int8_t conv_w[64 * 40] WEIGHTS = {W1024(0), W1024(1024), W256(2048), W256(2304)};
static const int32_t conv_b[64] WEIGHTS = {B64(0)};
static const int8_t dw_w[9 * 64] WEIGHTS = {W256(5000), W256(5256), W64(5512)};
static const int32_t dw_b[64] WEIGHTS = {B64(100)};
static const int8_t pw_w[64 * 64] WEIGHTS = {W1024(9000), W1024(10024), W1024(11048), W1024(12072)};
static const int32_t pw_b[64] WEIGHTS = {B64(200)};
static const int8_t fc_w[12 * 64] WEIGHTS = {W256(20000), W256(20256), W256(20512)};
static const int32_t fc_b[12] WEIGHTS = {B4(300), B4(304), B4(308)};

static int8_t input0[49 * 10] __attribute__((aligned(16)));
static int8_t act_a[25 * 5 * 64] __attribute__((aligned(16)));
static int8_t act_b[25 * 5 * 64] __attribute__((aligned(16)));
static int8_t act_c[25 * 5 * 64] __attribute__((aligned(16)));
static int8_t fc_in[64] __attribute__((aligned(16)));
static int8_t fc_out_ref[12], fc_out_dsp[12];
static uint8_t scratch[NN_CONV2D_S8_DSP_SCRATCH_BYTES(10, 4, 1) > NN_CONV2D_S8_DSP_SCRATCH_BYTES(1, 1, 64)
                          ? NN_CONV2D_S8_DSP_SCRATCH_BYTES(10, 4, 1)
                          : NN_CONV2D_S8_DSP_SCRATCH_BYTES(1, 1, 64)] __attribute__((aligned(16)));

static const int32_t multiplier[64] = {
    1518500250, 1257966796, 2011372536, 1104104512, 1893742001, 1395864371, 1652731905, 1201092913,
    1999993113, 1345678901, 1776543210, 1122334455, 1987654321, 1456789012, 1567890123, 1678901234,
    1789012345, 1890123456, 1901234567, 1212121212, 1313131313, 1414141414, 1515151515, 1616161616,
    1717171717, 1818181818, 1919191919, 2020202020, 2121212121, 1111111111, 1222222222, 1333333333,
    1444444444, 1555555555, 1666666666, 1777777777, 1888888888, 1999999999, 2100000000, 1100000000,
    1200000000, 1300000000, 1400000000, 1500000000, 1600000000, 1700000000, 1800000000, 1900000000,
    2000000000, 1150000000, 1250000000, 1350000000, 1450000000, 1550000000, 1650000000, 1750000000,
    1850000000, 1950000000, 2050000000, 1175000000, 1275000000, 1375000000, 1475000000, 1575000000};
static int32_t shift[64];

static const mcusim_layer_t L_conv_ref = {"conv_10x4_ref", "CONV_2D", 320000};
static const mcusim_layer_t L_conv_dsp = {"conv_10x4_dsp", "CONV_2D", 320000};
static const mcusim_layer_t L_dw_ref = {"depthwise_3x3_ref", "DEPTHWISE_CONV_2D", 72000};
static const mcusim_layer_t L_dw_dsp = {"depthwise_3x3_dsp", "DEPTHWISE_CONV_2D", 72000};
static const mcusim_layer_t L_pw_ref = {"pointwise_64_ref", "CONV_2D", 512000};
static const mcusim_layer_t L_pw_dsp = {"pointwise_64_dsp", "CONV_2D", 512000};
static const mcusim_layer_t L_fc_ref = {"fc_64x12_ref", "FULLY_CONNECTED", 768};
static const mcusim_layer_t L_fc_dsp = {"fc_64x12_dsp", "FULLY_CONNECTED", 768};

static uint32_t rng_state = 1u;
static int8_t rng8(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return (int8_t)(rng_state >> 24);
}

static int mismatches;
static void compare(const char *name, const int8_t *a, const int8_t *b, int n) {
  if (memcmp(a, b, (size_t)n) != 0) {
    ++mismatches;
    printf("kernel_speed: %s: dsp differs from ref\n", name);
  }
}

int main(void) {
  for (int i = 0; i < 64; ++i) shift[i] = -8 - (i % 3);
  for (int i = 0; i < (int)sizeof input0; ++i) input0[i] = rng8();
  const nn_requant rq = {multiplier, shift, 1};

  /* conv 10x4 stride 2, SAME: 9 rows of padding (4 before), 2 columns (1 before) */
  nn_conv_s8_params conv = {128, -128, 2, 2, 1, 1, 4, 1, 1, -128, 127};
  const nn_shape s_in = {49, 10, 1}, s_act = {25, 5, 64};
  mcusim_layer_begin(&L_conv_ref);
  nn_conv2d_s8_ref(&conv, &rq, s_in, input0, 10, 4, conv_w, conv_b, s_act, act_a);
  mcusim_layer_end();
  mcusim_layer_begin(&L_conv_dsp);
  nn_conv2d_s8_dsp(&conv, &rq, s_in, input0, 10, 4, conv_w, conv_b, s_act, act_b, scratch);
  mcusim_layer_end();
  compare("conv", act_a, act_b, (int)sizeof act_a);

  /* depthwise 3x3, SAME (1 before) */
  nn_conv_s8_params dw = {128, -128, 1, 1, 1, 1, 1, 1, 1, -128, 127};
  mcusim_layer_begin(&L_dw_ref);
  nn_depthwise_conv2d_s8_ref(&dw, &rq, s_act, act_a, 3, 3, dw_w, dw_b, s_act, act_c);
  mcusim_layer_end();
  mcusim_layer_begin(&L_dw_dsp);
  nn_depthwise_conv2d_s8_dsp(&dw, &rq, s_act, act_a, 3, 3, dw_w, dw_b, s_act, act_b, NULL);
  mcusim_layer_end();
  compare("depthwise", act_c, act_b, (int)sizeof act_c);

  /* pointwise 64 -> 64 */
  nn_conv_s8_params pw = {128, -128, 1, 1, 1, 1, 0, 0, 1, -128, 127};
  mcusim_layer_begin(&L_pw_ref);
  nn_conv2d_s8_ref(&pw, &rq, s_act, act_c, 1, 1, pw_w, pw_b, s_act, act_a);
  mcusim_layer_end();
  mcusim_layer_begin(&L_pw_dsp);
  nn_conv2d_s8_dsp(&pw, &rq, s_act, act_c, 1, 1, pw_w, pw_b, s_act, act_b, scratch);
  mcusim_layer_end();
  compare("pointwise", act_a, act_b, (int)sizeof act_a);

  /* fully connected 64 -> 12 (per tensor) */
  for (int i = 0; i < 64; ++i) fc_in[i] = act_a[i * 7];
  const nn_requant rq1 = {multiplier, shift, 0};
  const nn_fc_s8_params fc = {128, -128, -128, 127};
  mcusim_layer_begin(&L_fc_ref);
  nn_fully_connected_s8_ref(&fc, &rq1, 64, fc_in, 12, fc_w, fc_b, fc_out_ref);
  mcusim_layer_end();
  mcusim_layer_begin(&L_fc_dsp);
  nn_fully_connected_s8_dsp(&fc, &rq1, 64, fc_in, 12, fc_w, fc_b, fc_out_dsp, NULL);
  mcusim_layer_end();
  compare("fully_connected", fc_out_ref, fc_out_dsp, 12);

  printf("kernel_speed: %s, %d mismatches\n", mcusim_core_name(), mismatches);
  return mismatches == 0 ? 0 : 1;
}
