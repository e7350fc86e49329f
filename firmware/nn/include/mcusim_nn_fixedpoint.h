/*
 * mcusim_nn_fixedpoint.h - the fixed-point arithmetic of TensorFlow Lite's
 * int8 quantization specification, shared by the reference and the optimized
 * kernels so that both round exactly alike.
 *
 * Multipliers and shifts follow TFLite's convention: a real multiplier
 * M = multiplier * 2^(shift - 31), with multiplier in [2^30, 2^31) (or 0) and
 * shift > 0 a left shift, shift < 0 a right shift. mcusim-nnc computes them at
 * compile time exactly as TFLite's QuantizeMultiplier() does
 * (tensorflow/lite/kernels/internal/quantization_util.cc).
 *
 * Sources: gemmlowp fixedpoint.h (SaturatingRoundingDoublingHighMul,
 * RoundingDivideByPOT) and TFLite common.h (MultiplyByQuantizedMultiplier,
 * the "single rounding off" variant that TFLite and TFLM use by default).
 */
#ifndef MCUSIM_NN_FIXEDPOINT_H
#define MCUSIM_NN_FIXEDPOINT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* gemmlowp SaturatingRoundingDoublingHighMul: (a * b * 2) >> 32, rounded to
 * nearest; a tie rounds upwards for a positive product and towards zero for
 * a negative one (gemmlowp's nudge, then a division that truncates: -7.5
 * gives -7, 7.5 gives 8); the single overflow case (INT32_MIN * INT32_MIN)
 * saturates to INT32_MAX. */
static inline int32_t nn_sat_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = (int64_t)a * (int64_t)b;
  const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away
 * from zero. 0 <= exponent <= 31. */
static inline int32_t nn_rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + ((x < 0) ? 1 : 0);
  return (x >> exponent) + ((remainder > threshold) ? 1 : 0);
}

/* TFLite MultiplyByQuantizedMultiplier(x, multiplier, shift). */
static inline int32_t nn_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return nn_rounding_divide_by_pot(
      nn_sat_rounding_doubling_high_mul((int32_t)((uint32_t)x << left_shift), multiplier), right_shift);
}

/* TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp(x, multiplier, shift),
 * shift <= 0 (used by ADD). */
static inline int32_t nn_multiply_by_quantized_multiplier_smaller_than_one(int32_t x, int32_t multiplier,
                                                                           int shift) {
  return nn_rounding_divide_by_pot(nn_sat_rounding_doubling_high_mul(x, multiplier), -shift);
}

static inline int32_t nn_clamp_s32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_NN_FIXEDPOINT_H */
