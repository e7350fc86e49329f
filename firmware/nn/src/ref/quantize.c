/*
 * QUANTIZE and DEQUANTIZE: TFLite's reference_ops::AffineQuantize,
 * reference_ops::Requantize and reference_ops::Dequantize for int8.
 */
#include "mcusim_nn.h"

/* round(v) half away from zero (TfLiteRound, std::round) with plain float
 * operations only: |v| < 2^23 has an exact fractional part v - trunc(v). */
static int32_t nn_round_half_away(float v) {
  if (v != v) return 0; /* NaN: TFLite leaves it undefined */
  if (v >= 8388608.0f) return v >= 16777216.0f ? 16777216 : (int32_t)v;
  if (v <= -8388608.0f) return v <= -16777216.0f ? -16777216 : (int32_t)v;
  const int32_t t = (int32_t)v; /* towards zero */
  const float frac = v - (float)t;
  if (frac >= 0.5f) return t + 1;
  if (frac <= -0.5f) return t - 1;
  return t;
}

void nn_quantize_f32_s8(int32_t n, const float *in, float scale, int32_t zero_point, int8_t *out) {
  for (int32_t i = 0; i < n; ++i) {
    const int32_t q = nn_round_half_away(in[i] / scale) + zero_point;
    out[i] = (int8_t)nn_clamp_s32(q, INT8_MIN, INT8_MAX);
  }
}

void nn_requantize_s8(int32_t n, const int8_t *in, int32_t input_zero_point, int32_t multiplier,
                      int32_t shift, int32_t output_zero_point, int8_t *out) {
  for (int32_t i = 0; i < n; ++i) {
    const int32_t v =
        nn_multiply_by_quantized_multiplier((int32_t)in[i] - input_zero_point, multiplier, (int)shift) +
        output_zero_point;
    out[i] = (int8_t)nn_clamp_s32(v, INT8_MIN, INT8_MAX);
  }
}

void nn_dequantize_s8_f32(int32_t n, const int8_t *in, float scale, int32_t zero_point, float *out) {
  for (int32_t i = 0; i < n; ++i) out[i] = scale * (float)((int32_t)in[i] - zero_point);
}
