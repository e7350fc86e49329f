/*
 * kernel_check - inside mcusim: the _dsp int8 kernels give exactly the _ref
 * kernels' results on a few hundred random small cases (a deterministic
 * xorshift32 sequence), and each DSP instruction the kernels use gives what
 * its portable C definition gives (mcusim_nn_dsp.h, nn_c_*) on random and
 * edge operands. On a core with the DSP extension that checks the simulator's
 * SMLAD, SXTB16, ... ; elsewhere the portable path.
 *
 * Prints "kernel_check: N cases, M mismatches" and exits 0 when M is 0, 1
 * otherwise; the first few mismatches are described above that line.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mcusim_nn.h"
#include "mcusim_nn_dsp.h"

static uint32_t rng_state = 12345u;

static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* uniform in [lo, hi] (hi - lo < 2^32 - 1) */
static int32_t rng_in(int32_t lo, int32_t hi) {
  return (int32_t)((uint32_t)lo + rng() % ((uint32_t)(hi - lo) + 1u));
}

static int chance(int percent) { return rng_in(0, 99) < percent; }

static int mismatches;
static int reported;

static void report(const char *what) {
  ++mismatches;
  if (reported++ < 8) printf("mismatch: %s\n", what);
}

/* ---- the instructions ----------------------------------------------------- */

static uint32_t operand(void) {
  static const uint32_t edges[] = {0u, 1u, 0xFFFFFFFFu, 0x7FFF7FFFu, 0x80008000u, 0x7FFFFFFFu,
                                   0x80000000u, 0x00FF00FFu, 0xFF00FF00u, 0x807F807Fu, 0x7F807F80u};
  return chance(25) ? edges[rng_in(0, (int32_t)(sizeof edges / sizeof edges[0]) - 1)] : rng();
}

static void check_insn(const char *name, uint32_t a, uint32_t b, uint32_t c, uint32_t got, uint32_t expected) {
  if (got == expected) return;
  ++mismatches;
  if (reported++ < 8)
    printf("mismatch: %s operands 0x%08lx 0x%08lx 0x%08lx: expected 0x%08lx, got 0x%08lx\n", name,
           (unsigned long)a, (unsigned long)b, (unsigned long)c, (unsigned long)expected, (unsigned long)got);
}

static int check_instructions(int rounds) {
  for (int i = 0; i < rounds; ++i) {
    /* volatile: the operands are not known to the compiler, so each
     * instruction runs on the core rather than being folded. */
    volatile uint32_t va = operand(), vb = operand(), vc = operand();
    const uint32_t a = va, b = vb, c = vc;
    check_insn("SMLAD", a, b, c, (uint32_t)nn_smlad(a, b, (int32_t)c), (uint32_t)nn_c_smlad(a, b, (int32_t)c));
    check_insn("SMLADX", a, b, c, (uint32_t)nn_smladx(a, b, (int32_t)c), (uint32_t)nn_c_smladx(a, b, (int32_t)c));
    check_insn("SXTB16", a, 0, 0, nn_sxtb16(a), nn_c_sxtb16(a));
    check_insn("SXTB16 ROR #8", a, 0, 0, nn_sxtb16_ror8(a), nn_c_sxtb16_ror8(a));
    check_insn("SXTAB16", a, b, 0, nn_sxtab16(a, b), nn_c_sxtab16(a, b));
    check_insn("SXTAB16 ROR #8", a, b, 0, nn_sxtab16_ror8(a, b), nn_c_sxtab16_ror8(a, b));
    check_insn("PKHBT LSL #16", a, b, 0, nn_pkhbt16(a, b), nn_c_pkhbt16(a, b));
    check_insn("PKHTB ASR #16", a, b, 0, nn_pkhtb16(a, b), nn_c_pkhtb16(a, b));
    check_insn("SMLABB", a, b, c, (uint32_t)nn_smlabb(a, b, (int32_t)c), (uint32_t)nn_c_smlabb(a, b, (int32_t)c));
    check_insn("SMLABT", a, b, c, (uint32_t)nn_smlabt(a, b, (int32_t)c), (uint32_t)nn_c_smlabt(a, b, (int32_t)c));
    check_insn("SMLATB", a, b, c, (uint32_t)nn_smlatb(a, b, (int32_t)c), (uint32_t)nn_c_smlatb(a, b, (int32_t)c));
    check_insn("SMLATT", a, b, c, (uint32_t)nn_smlatt(a, b, (int32_t)c), (uint32_t)nn_c_smlatt(a, b, (int32_t)c));
    check_insn("QADD", a, b, 0, (uint32_t)nn_qadd((int32_t)a, (int32_t)b), (uint32_t)nn_c_qadd((int32_t)a, (int32_t)b));
    check_insn("SSAT #8", a, 0, 0, (uint32_t)nn_ssat8((int32_t)a), (uint32_t)nn_c_ssat8((int32_t)a));
  }
  return rounds;
}

/* ---- the kernels ---------------------------------------------------------- */

#define MAX_IN 1024
#define MAX_FILTER 4096
#define MAX_OUT 2048
#define MAX_CH 64
#define MAX_SCRATCH 4096

static int8_t in_buf[MAX_IN];
static int8_t filter_buf[MAX_FILTER];
static int32_t bias_buf[MAX_CH];
static int32_t mult_buf[MAX_CH], shift_buf[MAX_CH];
static int8_t out_ref[MAX_OUT], out_dsp[MAX_OUT];
static uint32_t scratch_buf[MAX_SCRATCH / 4 + 1];

static void fill(int8_t *p, int32_t n) {
  for (int32_t i = 0; i < n; ++i) p[i] = (int8_t)(rng() >> 24);
}

static nn_requant random_requant(int32_t channels) {
  const int per_channel = chance(80);
  const int32_t n = per_channel ? channels : 1;
  for (int32_t i = 0; i < n; ++i) {
    mult_buf[i] = chance(3) ? 0 : rng_in(1 << 30, INT32_MAX);
    shift_buf[i] = chance(10) ? rng_in(0, 3) : rng_in(-14, -1);
  }
  const nn_requant rq = {mult_buf, shift_buf, per_channel};
  return rq;
}

/* Every channel with the one-step requantization (multiplier above 2^30,
 * right shift 1..14): the cases that reach the _dsp kernels' fastest paths. */
static nn_requant random_fast_requant(int32_t channels) {
  for (int32_t i = 0; i < channels; ++i) {
    mult_buf[i] = rng_in((1 << 30) + 1, INT32_MAX);
    shift_buf[i] = rng_in(-14, -1);
  }
  const nn_requant rq = {mult_buf, shift_buf, 1};
  return rq;
}

static void random_bias(int32_t n) {
  for (int32_t i = 0; i < n; ++i) bias_buf[i] = rng_in(-40000, 40000);
}

static int32_t out_size(int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t pad) {
  const int32_t span = dilation * (filter - 1) + 1;
  const int32_t padded = in + 2 * pad;
  return padded < span ? 0 : (padded - span) / stride + 1;
}

/* One CONV_2D (depthwise 0) or DEPTHWISE_CONV_2D case; 0 when skipped. */
static int conv_case(int depthwise, int fast_shape) {
  nn_conv_s8_params p;
  memset(&p, 0, sizeof p);
  p.input_offset = rng_in(-127, 128);
  p.output_offset = rng_in(-128, 127);
  p.act_min = chance(50) ? -128 : rng_in(-128, 0);
  p.act_max = chance(50) ? 127 : rng_in(p.act_min, 127);
  p.depth_multiplier = 1;
  nn_shape in_shape = {rng_in(1, 7), rng_in(1, 7), 0};
  int32_t fh = rng_in(1, 4), fw = rng_in(1, 4);
  p.stride_h = rng_in(1, 3);
  p.stride_w = rng_in(1, 3);
  p.dilation_h = chance(20) ? 2 : 1;
  p.dilation_w = chance(20) ? 2 : 1;
  p.pad_h = rng_in(0, fh - 1);
  p.pad_w = rng_in(0, fw - 1);
  int32_t in_c = chance(30) ? rng_in(1, 4) : rng_in(1, 20);
  int32_t out_c = chance(30) ? rng_in(1, 4) : rng_in(1, 20);
  if (depthwise) {
    p.depth_multiplier = chance(60) ? 1 : rng_in(1, 3);
    out_c = in_c * p.depth_multiplier;
  }
  if (fast_shape) {
    p.dilation_h = p.dilation_w = 1;
    if (depthwise) {
      fh = fw = 3;
      p.depth_multiplier = 1;
      p.stride_h = p.stride_w = rng_in(1, 2);
      p.pad_h = p.pad_w = 1;
      in_c = out_c = 4 * rng_in(1, 5) + (chance(30) ? rng_in(1, 3) : 0);
    } else {
      fh = fw = 1;
      p.stride_h = p.stride_w = 1;
      p.pad_h = p.pad_w = 0;
      if (chance(30)) in_c = 64;
    }
  }
  /* half the pointwise cases: the full int8 range, every channel fast, K a
   * multiple of 4 and an even channel count (the assembly channel-pair loop) */
  const int fast_rq = fast_shape && !depthwise && chance(50);
  if (fast_rq) {
    p.act_min = -128;
    p.act_max = 127;
    in_c = 4 * rng_in(1, 16);
    out_c = 2 * rng_in(1, 10);
  }
  in_shape.c = in_c;
  const nn_shape out_shape = {out_size(in_shape.h, fh, p.stride_h, p.dilation_h, p.pad_h),
                              out_size(in_shape.w, fw, p.stride_w, p.dilation_w, p.pad_w), out_c};
  const int32_t in_n = in_shape.h * in_shape.w * in_c;
  const int32_t filter_n = fh * fw * (depthwise ? out_c : in_c * out_c);
  const int32_t out_n = out_shape.h * out_shape.w * out_c;
  if (out_shape.h < 1 || out_shape.w < 1 || in_n > MAX_IN || filter_n > MAX_FILTER || out_n > MAX_OUT ||
      out_c > MAX_CH || NN_CONV2D_S8_DSP_SCRATCH_BYTES(fh, fw, in_c) > MAX_SCRATCH)
    return 0;
  fill(in_buf, in_n);
  fill(filter_buf, filter_n);
  random_bias(out_c);
  const int32_t *bias = fast_rq || chance(90) ? bias_buf : NULL;
  const nn_requant rq = fast_rq ? random_fast_requant(out_c) : random_requant(out_c);
  memset(out_ref, 0x55, (size_t)out_n);
  memset(out_dsp, 0x2a, (size_t)out_n);
  if (depthwise) {
    nn_depthwise_conv2d_s8_ref(&p, &rq, in_shape, in_buf, fh, fw, filter_buf, bias, out_shape, out_ref);
    nn_depthwise_conv2d_s8_dsp(&p, &rq, in_shape, in_buf, fh, fw, filter_buf, bias, out_shape, out_dsp, NULL);
  } else {
    nn_conv2d_s8_ref(&p, &rq, in_shape, in_buf, fh, fw, filter_buf, bias, out_shape, out_ref);
    nn_conv2d_s8_dsp(&p, &rq, in_shape, in_buf, fh, fw, filter_buf, bias, out_shape, out_dsp,
                     (uint8_t *)scratch_buf + (chance(50) ? 2 : 0));
  }
  if (memcmp(out_ref, out_dsp, (size_t)out_n) != 0) {
    char what[160];
    snprintf(what, sizeof what, "%s in %ldx%ldx%ld filter %ldx%ld out_c %ld stride %ld,%ld pad %ld,%ld dm %ld",
             depthwise ? "depthwise" : "conv", (long)in_shape.h, (long)in_shape.w, (long)in_c, (long)fh, (long)fw,
             (long)out_c, (long)p.stride_h, (long)p.stride_w, (long)p.pad_h, (long)p.pad_w,
             (long)p.depth_multiplier);
    report(what);
  }
  return 1;
}

static int fc_case(void) {
  nn_fc_s8_params p;
  p.input_offset = rng_in(-127, 128);
  p.output_offset = rng_in(-128, 127);
  p.act_min = chance(50) ? -128 : rng_in(-128, 0);
  p.act_max = chance(50) ? 127 : rng_in(p.act_min, 127);
  const int32_t in_n = chance(20) ? rng_in(1, 5) : rng_in(1, 200);
  const int32_t out_n = chance(20) ? rng_in(1, 3) : rng_in(1, 20);
  fill(in_buf, in_n);
  fill(filter_buf, in_n * out_n);
  random_bias(out_n);
  const int32_t *bias = chance(80) ? bias_buf : NULL;
  const nn_requant rq = random_requant(out_n);
  nn_fully_connected_s8_ref(&p, &rq, in_n, in_buf, out_n, filter_buf, bias, out_ref);
  nn_fully_connected_s8_dsp(&p, &rq, in_n, in_buf, out_n, filter_buf, bias, out_dsp, NULL);
  if (memcmp(out_ref, out_dsp, (size_t)out_n) != 0) {
    char what[64];
    snprintf(what, sizeof what, "fully_connected in %ld out %ld", (long)in_n, (long)out_n);
    report(what);
  }
  return 1;
}

int main(void) {
  int cases = check_instructions(500);
  int kernels = 0;
  for (int i = 0; i < 400 && kernels < 300; ++i) {
    kernels += conv_case(i % 4 >= 2, i % 2);
  }
  for (int i = 0; i < 100; ++i) kernels += fc_case();
  cases += kernels;
  printf("kernel_check: %d cases, %d mismatches\n", cases, mismatches);
  return mismatches == 0 ? 0 : 1;
}
