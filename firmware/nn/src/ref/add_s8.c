/*
 * nn_add_s8_ref - ADD, int8, two tensors of the same shape: TFLite's
 * reference_integer_ops::AddElementwise (kernels/internal/reference/
 * integer_ops/add.h): both inputs offset, shifted left by left_shift (20),
 * rescaled to a common scale, summed, rescaled to the output, offset and
 * clamped.
 */
#include "mcusim_nn.h"

void nn_add_s8_ref(const nn_add_s8_params *p, int32_t n, const int8_t *a, const int8_t *b, int8_t *out) {
  for (int32_t i = 0; i < n; ++i) {
    const int32_t a_val = p->input1_offset + a[i];
    const int32_t b_val = p->input2_offset + b[i];
    /* (1 << left_shift) as TFLite multiplies; |value| <= 255 * 2^20 fits. */
    const int32_t a_shifted = a_val * (1 << p->left_shift);
    const int32_t b_shifted = b_val * (1 << p->left_shift);
    const int32_t a_scaled =
        nn_multiply_by_quantized_multiplier_smaller_than_one(a_shifted, p->input1_multiplier, (int)p->input1_shift);
    const int32_t b_scaled =
        nn_multiply_by_quantized_multiplier_smaller_than_one(b_shifted, p->input2_multiplier, (int)p->input2_shift);
    const int32_t raw_sum = a_scaled + b_scaled;
    const int32_t raw_out = nn_multiply_by_quantized_multiplier_smaller_than_one(raw_sum, p->output_multiplier,
                                                                                 (int)p->output_shift) +
                            p->output_offset;
    out[i] = (int8_t)nn_clamp_s32(raw_out, p->act_min, p->act_max);
  }
}
