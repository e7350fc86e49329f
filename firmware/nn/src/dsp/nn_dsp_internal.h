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

/* One output channel's requantization constants. */
typedef struct {
  int32_t multiplier;
  int32_t left_shift;  /* shift > 0 */
  int32_t right_shift; /* -shift when shift < 0 */
  int32_t mask;        /* 2^right_shift - 1 */
  int32_t half;        /* mask >> 1 */
} nn_dsp_channel;

static inline nn_dsp_channel nn_dsp_channel_of(const nn_requant *rq, int32_t channel) {
  const int32_t i = rq->per_channel ? channel : 0;
  const int32_t shift = rq->shift[i];
  nn_dsp_channel ch;
  ch.multiplier = rq->multiplier[i];
  ch.left_shift = shift > 0 ? shift : 0;
  ch.right_shift = shift > 0 ? 0 : -shift;
  ch.mask = (int32_t)(((uint32_t)1 << ch.right_shift) - 1u);
  ch.half = ch.mask >> 1;
  return ch;
}

/* nn_multiply_by_quantized_multiplier(acc, multiplier, shift), rewritten:
 *  - SaturatingRoundingDoublingHighMul: for ab = x * m, gemmlowp adds the
 *    nudge 2^30 (ab >= 0) or 1 - 2^30 (ab < 0) and divides by 2^31 rounding
 *    towards zero; for ab < 0 that is ceil((ab + 1 - 2^30) / 2^31) =
 *    floor((ab + 2^30) / 2^31), the same expression as for ab >= 0, so
 *    h = (ab + 2^30) >> 31. Its only overflow (x = m = INT32_MIN) gives
 *    2^31, which no other operands reach (|x * m| <= 2^62 - 2^31 otherwise),
 *    so h == INT32_MIN after truncation means exactly that case: INT32_MAX.
 *  - RoundingDivideByPOT as in gemmlowp, with the mask precomputed. */
static inline int32_t nn_dsp_mbqm(int32_t acc, const nn_dsp_channel *ch) {
  const int32_t x = (int32_t)((uint32_t)acc << ch->left_shift);
  int32_t h = (int32_t)(uint32_t)(((int64_t)x * ch->multiplier + ((int64_t)1 << 30)) >> 31);
  if (h == INT32_MIN) h = INT32_MAX;
  const int32_t remainder = h & ch->mask;
  const int32_t threshold = ch->half + (int32_t)((uint32_t)h >> 31);
  return (h >> ch->right_shift) + (remainder > threshold ? 1 : 0);
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
