/*
 * nn_dsp_internal.h - what the _dsp kernels share: the requantization of an
 * int32 accumulator, computed with the per-channel constants prepared once
 * (nn_dsp_channel) and bit-identical to nn_multiply_by_quantized_multiplier.
 * Private to firmware/nn/src/dsp.
 */
#ifndef NN_DSP_INTERNAL_H
#define NN_DSP_INTERNAL_H

#include "mcusim_nn.h"
#include "mcusim_nn_dsp.h"

/* One output channel's requantization constants (16 bytes: the kernels keep
 * up to 32 of them on the stack). */
typedef struct {
  int64_t round;       /* the fast form (nn_dsp_mbqm_fast): 2^30 + 2^(30 + right_shift) */
  int32_t multiplier;
  int8_t left_shift;   /* shift when shift > 0 */
  int8_t right_shift;  /* -shift when shift < 0 */
  int8_t high_shift;   /* the fast form: right_shift - 1 */
  int8_t fast;         /* the fast form applies: 1 <= right_shift <= 31 and multiplier > 2^30 */
} nn_dsp_channel;

static inline nn_dsp_channel nn_dsp_channel_of(const nn_requant *rq, int32_t channel) {
  const int32_t i = rq->per_channel ? channel : 0;
  const int32_t shift = rq->shift[i];
  nn_dsp_channel ch;
  ch.multiplier = rq->multiplier[i];
  ch.left_shift = (int8_t)(shift > 0 ? shift : 0);
  ch.right_shift = (int8_t)(shift > 0 ? 0 : -shift);
  ch.fast = (int8_t)(ch.right_shift >= 1 && ch.right_shift <= 31 && ch.multiplier > (1 << 30));
  ch.round = ch.fast ? ((int64_t)1 << 30) + ((int64_t)1 << (30 + ch.right_shift)) : 0;
  ch.high_shift = (int8_t)(ch.fast ? ch.right_shift - 1 : 0);
  return ch;
}

/* nn_multiply_by_quantized_multiplier(acc, multiplier, shift), rewritten:
 *  - SaturatingRoundingDoublingHighMul: for ab = x * m, gemmlowp adds the
 *    nudge 2^30 (ab >= 0) or 1 - 2^30 (ab < 0) and divides by 2^31 rounding
 *    towards zero; for ab < 0 that is ceil((ab + 1 - 2^30) / 2^31) =
 *    floor((ab + 2^30) / 2^31), the same expression as for ab >= 0, so
 *    h = (ab + 2^30) >> 31: the high word of the 64-bit sum shifted left by
 *    one, or'ed with bit 31 of the low word (SMLAL, LSL, ORR). Its only
 *    overflow (x = m = INT32_MIN) gives 2^31, which no other operands reach
 *    (|x * m| <= 2^62 - 2^31 otherwise), so h == INT32_MIN after truncation
 *    means exactly that case: INT32_MAX.
 *  - RoundingDivideByPOT as in gemmlowp. */
static inline int32_t nn_dsp_mbqm(int32_t acc, const nn_dsp_channel *ch) {
  const int32_t x = (int32_t)((uint32_t)acc << ch->left_shift);
  const uint64_t p = (uint64_t)((int64_t)x * ch->multiplier) + ((uint64_t)1 << 30);
  int32_t h = (int32_t)(((uint32_t)(p >> 32) << 1) | ((uint32_t)p >> 31));
  if (h == INT32_MIN) h = INT32_MAX;
  const int32_t mask = (int32_t)(((uint32_t)1 << ch->right_shift) - 1u);
  const int32_t remainder = h & mask;
  const int32_t threshold = (mask >> 1) + (int32_t)((uint32_t)h >> 31);
  return (h >> ch->right_shift) + (remainder > threshold ? 1 : 0);
}

/* The same result in one 64-bit step, for a channel with ch->fast (shift
 * -31..-1, so no left shift; multiplier in (2^30, 2^31)). With
 * P = x * m + 2^30 and h = floor(P / 2^31) (above), RoundingDivideByPOT(h, r)
 * is floor((h + 2^(r-1) - [h < 0]) / 2^r), and since floor((floor(P / a) + c)
 * / b) = floor((P + c a) / (a b)) for integers, that is
 * floor((P + 2^(30+r) - [P < 0] 2^31) / 2^(31+r)). With m > 2^30, P < 0
 * exactly when x < 0 (x <= -1 gives P <= 2^30 - m < 0), and |P| < 2^62 rules
 * out the saturation case. 31 + r >= 32: the high word shifted by r - 1. */
static inline int32_t nn_dsp_mbqm_fast(int32_t x, const nn_dsp_channel *ch) {
#if NN_DSP_NATIVE
  /* SMLAL, then (x >> 31) * 2^31 added as the 64-bit (x >> 31, x << 31). */
  uint32_t lo = (uint32_t)ch->round, hi = (uint32_t)((uint64_t)ch->round >> 32), sign;
  __asm__("smlal %[lo], %[hi], %[x], %[m]\n\t"
          "asr %[s], %[x], #31\n\t"
          "adds %[lo], %[lo], %[s], lsl #31\n\t"
          "adc %[hi], %[hi], %[s]"
          : [lo] "+&r"(lo), [hi] "+&r"(hi), [s] "=&r"(sign)
          : [x] "r"(x), [m] "r"(ch->multiplier)
          : "cc");
  return (int32_t)hi >> ch->high_shift;
#else
  const int64_t q = ch->round + (int64_t)x * ch->multiplier + (int64_t)(x >> 31) * ((int64_t)1 << 31);
  return (int32_t)(q >> 32) >> ch->high_shift;
#endif
}

static inline int8_t nn_dsp_requantize_fast(int32_t acc, const nn_dsp_channel *ch, int32_t output_offset,
                                            int32_t act_min, int32_t act_max) {
  int32_t v = nn_dsp_mbqm_fast(acc, ch) + output_offset;
  v = v < act_min ? act_min : v;
  v = v > act_max ? act_max : v;
  return (int8_t)v;
}

/* nn_dsp_requantize_fast for act_min, act_max = -128, 127 (the clamp is SSAT),
 * the channel's constants loaded inside the block, one after the other (the
 * loads pipeline). */
static inline int8_t nn_dsp_requantize_fast_s8(int32_t acc, const nn_dsp_channel *ch, int32_t output_offset) {
#if NN_DSP_NATIVE
  uint32_t lo, hi, m, sh;
  __asm__("ldr %[lo], [%[q]]\n\t"
          "ldr %[hi], [%[q], #4]\n\t"
          "ldr %[m], [%[q], #8]\n\t"
          "ldrsb %[sh], [%[q], #14]\n\t"
          "smlal %[lo], %[hi], %[x], %[m]\n\t"
          "asr %[m], %[x], #31\n\t"
          "adds %[lo], %[lo], %[m], lsl #31\n\t"
          "adc %[hi], %[hi], %[m]\n\t"
          "asr %[hi], %[hi], %[sh]\n\t"
          "add %[hi], %[hi], %[off]\n\t"
          "ssat %[hi], #8, %[hi]"
          : [lo] "=&r"(lo), [hi] "=&r"(hi), [m] "=&r"(m), [sh] "=&r"(sh)
          : [x] "r"(acc), [q] "r"(ch), [off] "r"(output_offset), "m"(*ch)
          : "cc");
  return (int8_t)hi;
#else
  return nn_dsp_requantize_fast(acc, ch, output_offset, -128, 127);
#endif
}

static inline int8_t nn_dsp_requantize(int32_t acc, const nn_dsp_channel *ch, int32_t output_offset,
                                       int32_t act_min, int32_t act_max) {
  return (int8_t)nn_clamp_s32(nn_dsp_mbqm(acc, ch) + output_offset, act_min, act_max);
}

/* The input offset in both halves of a word, for SXTAB16. */
static inline uint32_t nn_dsp_offset2(int32_t offset) {
  return ((uint32_t)offset & 0xFFFFu) * 0x00010001u;
}

#endif /* NN_DSP_INTERNAL_H */
