/*
 * nn_conv2d_s8_ref - CONV_2D, int8, per-channel requantization: TFLite's
 * reference_integer_ops::ConvPerChannel (kernels/internal/reference/
 * integer_ops/conv.h). Padding cells are skipped, i.e. they count as the
 * input zero point (their (input + input_offset) is 0).
 */
#include "mcusim_nn.h"
#include "nn_ref_internal.h"

void nn_conv2d_s8_ref(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                      const int8_t *in, int32_t filter_h, int32_t filter_w, const int8_t *filter,
                      const int32_t *bias, nn_shape out_shape, int8_t *out) {
  const int32_t in_c = in_shape.c;
  for (int32_t oy = 0; oy < out_shape.h; ++oy) {
    const int32_t in_y0 = oy * p->stride_h - p->pad_h;
    for (int32_t ox = 0; ox < out_shape.w; ++ox) {
      const int32_t in_x0 = ox * p->stride_w - p->pad_w;
      for (int32_t oc = 0; oc < out_shape.c; ++oc) {
        int32_t acc = 0;
        for (int32_t fy = 0; fy < filter_h; ++fy) {
          const int32_t iy = in_y0 + p->dilation_h * fy;
          if (iy < 0 || iy >= in_shape.h) continue;
          for (int32_t fx = 0; fx < filter_w; ++fx) {
            const int32_t ix = in_x0 + p->dilation_w * fx;
            if (ix < 0 || ix >= in_shape.w) continue;
            const int8_t *src = in + (iy * in_shape.w + ix) * in_c;
            const int8_t *f = filter + ((oc * filter_h + fy) * filter_w + fx) * in_c;
            for (int32_t ic = 0; ic < in_c; ++ic) acc += (int32_t)f[ic] * ((int32_t)src[ic] + p->input_offset);
          }
        }
        if (bias) acc += bias[oc];
        out[(oy * out_shape.w + ox) * out_shape.c + oc] =
            nn_ref_requantize(rq, oc, acc, p->output_offset, p->act_min, p->act_max);
      }
    }
  }
}
