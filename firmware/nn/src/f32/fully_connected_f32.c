/*
 * nn_fully_connected_f32 - FULLY_CONNECTED, float, weights [out][in].
 * Accumulation order, the definition of the result: the sum starts at the
 * bias (0 without one), then adds in[i] * weights[o][i] for i = 0, 1, ...;
 * then the clamp.
 */
#include "mcusim_nn.h"
#include "nn_f32_internal.h"

void nn_fully_connected_f32(int32_t in_n, const float *in, int32_t out_n, const float *weights,
                            const float *bias, float act_min, float act_max, float *out) {
  for (int32_t o = 0; o < out_n; ++o) {
    const float *w = weights + o * in_n;
    float acc = bias ? bias[o] : 0.0f;
    for (int32_t i = 0; i < in_n; ++i) acc += in[i] * w[i];
    out[o] = nn_f32_clamp(acc, act_min, act_max);
  }
}
