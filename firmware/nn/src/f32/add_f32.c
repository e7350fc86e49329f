/*
 * nn_add_f32 - ADD, float, same shapes: a + b, then the clamp.
 */
#include "mcusim_nn.h"
#include "nn_f32_internal.h"

void nn_add_f32(int32_t n, const float *a, const float *b, float act_min, float act_max, float *out) {
  for (int32_t i = 0; i < n; ++i) out[i] = nn_f32_clamp(a[i] + b[i], act_min, act_max);
}
