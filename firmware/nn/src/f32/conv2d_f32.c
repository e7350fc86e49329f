/*
 * nn_conv2d_f32 - CONV_2D, float (TFLite's reference_ops::Conv layout and
 * padding). Accumulation order, the definition of the result: the sum starts
 * at the bias (0 without one), then adds input * filter for fy, then fx, then
 * ic (innermost), skipping the window cells outside the input; then the clamp.
 */
#include "mcusim_nn.h"
#include "nn_f32_internal.h"

void nn_conv2d_f32(const nn_conv_f32_params *p, nn_shape in_shape, const float *in, int32_t filter_h,
                   int32_t filter_w, const float *filter, const float *bias, nn_shape out_shape,
                   float *out) {
  const int32_t in_c = in_shape.c;
  for (int32_t oy = 0; oy < out_shape.h; ++oy) {
    const int32_t in_y0 = oy * p->stride_h - p->pad_h;
    for (int32_t ox = 0; ox < out_shape.w; ++ox) {
      const int32_t in_x0 = ox * p->stride_w - p->pad_w;
      for (int32_t oc = 0; oc < out_shape.c; ++oc) {
        float acc = bias ? bias[oc] : 0.0f;
        for (int32_t fy = 0; fy < filter_h; ++fy) {
          const int32_t iy = in_y0 + p->dilation_h * fy;
          if (iy < 0 || iy >= in_shape.h) continue;
          for (int32_t fx = 0; fx < filter_w; ++fx) {
            const int32_t ix = in_x0 + p->dilation_w * fx;
            if (ix < 0 || ix >= in_shape.w) continue;
            const float *src = in + (iy * in_shape.w + ix) * in_c;
            const float *f = filter + ((oc * filter_h + fy) * filter_w + fx) * in_c;
            for (int32_t ic = 0; ic < in_c; ++ic) acc += src[ic] * f[ic];
          }
        }
        out[(oy * out_shape.w + ox) * out_shape.c + oc] = nn_f32_clamp(acc, p->act_min, p->act_max);
      }
    }
  }
}
