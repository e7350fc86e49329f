/*
 * nn_avgpool2d_s8_ref - AVERAGE_POOL_2D, int8: TFLite's
 * reference_integer_ops::AveragePool (kernels/internal/reference/
 * integer_ops/pooling.h). The average counts only the cells inside the input;
 * it is rounded to nearest, ties away from zero, with C's truncating division.
 */
#include "mcusim_nn.h"

void nn_avgpool2d_s8_ref(const nn_pool_params *p, nn_shape in_shape, const int8_t *in,
                         nn_shape out_shape, int8_t *out) {
  const int32_t depth = in_shape.c;
  for (int32_t oy = 0; oy < out_shape.h; ++oy) {
    const int32_t in_y0 = oy * p->stride_h - p->pad_h;
    const int32_t fy_start = in_y0 < 0 ? -in_y0 : 0;
    const int32_t fy_end = p->filter_h < in_shape.h - in_y0 ? p->filter_h : in_shape.h - in_y0;
    for (int32_t ox = 0; ox < out_shape.w; ++ox) {
      const int32_t in_x0 = ox * p->stride_w - p->pad_w;
      const int32_t fx_start = in_x0 < 0 ? -in_x0 : 0;
      const int32_t fx_end = p->filter_w < in_shape.w - in_x0 ? p->filter_w : in_shape.w - in_x0;
      for (int32_t c = 0; c < depth; ++c) {
        int32_t sum = 0;
        int32_t count = 0;
        for (int32_t fy = fy_start; fy < fy_end; ++fy) {
          for (int32_t fx = fx_start; fx < fx_end; ++fx) {
            sum += in[((in_y0 + fy) * in_shape.w + in_x0 + fx) * depth + c];
            ++count;
          }
        }
        /* A window wholly outside the input (TFLite refuses such a model). */
        int32_t avg = 0;
        if (count > 0) avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
        out[(oy * out_shape.w + ox) * depth + c] = (int8_t)nn_clamp_s32(avg, p->act_min, p->act_max);
      }
    }
  }
}
