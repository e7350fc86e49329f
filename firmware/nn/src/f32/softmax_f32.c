/*
 * nn_softmax_f32 - SOFTMAX, float (TFLite's reference_ops::Softmax): per row,
 * the maximum (from the lowest float), e_c = nn_expf((x_c - max) * beta) and
 * their sum in order c = 0, 1, ... from 0, then out_c = e_c / sum.
 */
#include <float.h>

#include "mcusim_nn.h"

void nn_softmax_f32(int32_t rows, int32_t depth, const float *in, float beta, float *out) {
  for (int32_t r = 0; r < rows; ++r) {
    const float *x = in + r * depth;
    float *y = out + r * depth;
    float max = -FLT_MAX;
    for (int32_t c = 0; c < depth; ++c)
      if (max < x[c]) max = x[c];
    float sum = 0.0f;
    for (int32_t c = 0; c < depth; ++c) {
      y[c] = nn_expf((x[c] - max) * beta);
      sum += y[c];
    }
    for (int32_t c = 0; c < depth; ++c) y[c] = y[c] / sum;
  }
}
