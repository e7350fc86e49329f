/*
 * nn_avgpool2d_f32, nn_maxpool2d_f32 - AVERAGE_POOL_2D and MAX_POOL_2D,
 * float (TFLite's reference_ops::AveragePool / MaxPool): only the cells inside
 * the input count. Average: the sum from 0 over fy, then fx, divided by the
 * count (one float division); maximum from the lowest float. Then the clamp
 * (act_min_f, act_max_f).
 */
#include <float.h>

#include "mcusim_nn.h"
#include "nn_f32_internal.h"

typedef struct {
  int32_t y0, x0;             /* input position of the window's top-left cell */
  int32_t fy0, fy1, fx0, fx1; /* the window's cells inside the input */
} nn_window;

static nn_window nn_pool_window(const nn_pool_params *p, nn_shape in_shape, int32_t oy, int32_t ox) {
  nn_window w;
  w.y0 = oy * p->stride_h - p->pad_h;
  w.x0 = ox * p->stride_w - p->pad_w;
  w.fy0 = w.y0 < 0 ? -w.y0 : 0;
  w.fx0 = w.x0 < 0 ? -w.x0 : 0;
  w.fy1 = p->filter_h < in_shape.h - w.y0 ? p->filter_h : in_shape.h - w.y0;
  w.fx1 = p->filter_w < in_shape.w - w.x0 ? p->filter_w : in_shape.w - w.x0;
  return w;
}

void nn_avgpool2d_f32(const nn_pool_params *p, nn_shape in_shape, const float *in, nn_shape out_shape,
                      float *out) {
  const int32_t depth = in_shape.c;
  for (int32_t oy = 0; oy < out_shape.h; ++oy) {
    for (int32_t ox = 0; ox < out_shape.w; ++ox) {
      const nn_window w = nn_pool_window(p, in_shape, oy, ox);
      for (int32_t c = 0; c < depth; ++c) {
        float sum = 0.0f;
        int32_t count = 0;
        for (int32_t fy = w.fy0; fy < w.fy1; ++fy) {
          for (int32_t fx = w.fx0; fx < w.fx1; ++fx) {
            sum += in[((w.y0 + fy) * in_shape.w + w.x0 + fx) * depth + c];
            ++count;
          }
        }
        const float avg = count > 0 ? sum / (float)count : 0.0f;
        out[(oy * out_shape.w + ox) * depth + c] = nn_f32_clamp(avg, p->act_min_f, p->act_max_f);
      }
    }
  }
}

void nn_maxpool2d_f32(const nn_pool_params *p, nn_shape in_shape, const float *in, nn_shape out_shape,
                      float *out) {
  const int32_t depth = in_shape.c;
  for (int32_t oy = 0; oy < out_shape.h; ++oy) {
    for (int32_t ox = 0; ox < out_shape.w; ++ox) {
      const nn_window w = nn_pool_window(p, in_shape, oy, ox);
      for (int32_t c = 0; c < depth; ++c) {
        float max = -FLT_MAX;
        for (int32_t fy = w.fy0; fy < w.fy1; ++fy) {
          for (int32_t fx = w.fx0; fx < w.fx1; ++fx) {
            const float v = in[((w.y0 + fy) * in_shape.w + w.x0 + fx) * depth + c];
            if (max < v) max = v; /* std::max(max, v) */
          }
        }
        out[(oy * out_shape.w + ox) * depth + c] = nn_f32_clamp(max, p->act_min_f, p->act_max_f);
      }
    }
  }
}
