/*
 * nn_pad_f32 - PAD / PADV2 with a constant, float: every output cell outside
 * the input takes value.
 */
#include "mcusim_nn.h"

void nn_pad_f32(nn_shape in_shape, const float *in, nn_shape pad_before, nn_shape out_shape, float *out,
                float value) {
  for (int32_t y = 0; y < out_shape.h; ++y) {
    const int32_t iy = y - pad_before.h;
    for (int32_t x = 0; x < out_shape.w; ++x) {
      const int32_t ix = x - pad_before.w;
      float *dst = out + (y * out_shape.w + x) * out_shape.c;
      const int row_inside = iy >= 0 && iy < in_shape.h && ix >= 0 && ix < in_shape.w;
      for (int32_t c = 0; c < out_shape.c; ++c) {
        const int32_t ic = c - pad_before.c;
        dst[c] = row_inside && ic >= 0 && ic < in_shape.c ? in[(iy * in_shape.w + ix) * in_shape.c + ic] : value;
      }
    }
  }
}
