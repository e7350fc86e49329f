/*
 * nn_softmax_s8_ref - SOFTMAX, int8 in, int8 out (scale 1/256, zero point
 * -128): TFLite's reference_ops::Softmax for quantized types
 * (kernels/internal/reference/softmax.h) with gemmlowp's fixed point:
 * differences from the row's maximum are scaled to 5 integer bits, their
 * exponentials summed with 12 integer bits, and each exponential multiplied
 * by the reciprocal of the sum and shifted to 8 bits.
 */
#include "mcusim_nn.h"
#include "nn_gemmlowp.h"

enum { kScaledDiffIntegerBits = 5, kAccumulationIntegerBits = 12 };

/* MultiplyByQuantizedMultiplierGreaterThanOne. */
static int32_t nn_scaled_diff(int32_t diff, const nn_softmax_s8_params *p) {
  return nn_sat_rounding_doubling_high_mul((int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
}

void nn_softmax_s8_ref(const nn_softmax_s8_params *p, int32_t rows, int32_t depth, const int8_t *in,
                       int8_t *out) {
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t *x = in + r * depth;
    int8_t *y = out + r * depth;
    int32_t max_in_row = INT8_MIN;
    for (int32_t c = 0; c < depth; ++c) if (x[c] > max_in_row) max_in_row = x[c];

    int32_t sum_of_exps = 0; /* kAccumulationIntegerBits */
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = (int32_t)x[c] - max_in_row;
      if (diff >= p->diff_min) {
        const int32_t e = nn_gl_exp_on_negative_values(nn_scaled_diff(diff, p), kScaledDiffIntegerBits);
        sum_of_exps = nn_gl_add(sum_of_exps, nn_gl_rescale(e, 0, kAccumulationIntegerBits));
      }
    }

    int num_bits_over_unit = 0;
    const int32_t shifted_scale = nn_gl_get_reciprocal(sum_of_exps, kAccumulationIntegerBits, &num_bits_over_unit);

    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = (int32_t)x[c] - max_in_row;
      if (diff >= p->diff_min) {
        const int32_t e = nn_gl_exp_on_negative_values(nn_scaled_diff(diff, p), kScaledDiffIntegerBits);
        /* The shift exceeds 31 only for a sum of 2^28 or more (depth >= 512),
         * where TFLite's shift is undefined; a quotient below one half is 0. */
        const int shift = num_bits_over_unit + 31 - 8;
        const int32_t unsat = shift > 31 ? 0 : nn_rounding_divide_by_pot(nn_gl_mul(shifted_scale, e), shift);
        y[c] = (int8_t)nn_clamp_s32(unsat + INT8_MIN, INT8_MIN, INT8_MAX);
      } else {
        y[c] = INT8_MIN;
      }
    }
  }
}
