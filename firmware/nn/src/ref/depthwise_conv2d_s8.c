/*
 * nn_depthwise_conv2d_s8_ref - DEPTHWISE_CONV_2D, int8, per-channel
 * requantization: TFLite's reference_integer_ops::DepthwiseConvPerChannel
 * (kernels/internal/reference/integer_ops/depthwise_conv.h). Output channel
 * oc = ic * depth_multiplier + m reads input channel ic; the filter is
 * [fh][fw][out_c]. Padding cells are skipped (they count as the zero point).
 */
#include "mcusim_nn.h"
#include "nn_ref_internal.h"

void nn_depthwise_conv2d_s8_ref(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                                const int8_t *in, int32_t filter_h, int32_t filter_w,
                                const int8_t *filter, const int32_t *bias, nn_shape out_shape,
                                int8_t *out) {
  const int32_t in_c = in_shape.c;
  const int32_t out_c = out_shape.c;
  const int32_t dm = p->depth_multiplier;
  for (int32_t oy = 0; oy < out_shape.h; ++oy) {
    const int32_t in_y0 = oy * p->stride_h - p->pad_h;
    for (int32_t ox = 0; ox < out_shape.w; ++ox) {
      const int32_t in_x0 = ox * p->stride_w - p->pad_w;
      for (int32_t ic = 0; ic < in_c; ++ic) {
        for (int32_t m = 0; m < dm; ++m) {
          const int32_t oc = ic * dm + m;
          int32_t acc = 0;
          for (int32_t fy = 0; fy < filter_h; ++fy) {
            const int32_t iy = in_y0 + p->dilation_h * fy;
            if (iy < 0 || iy >= in_shape.h) continue;
            for (int32_t fx = 0; fx < filter_w; ++fx) {
              const int32_t ix = in_x0 + p->dilation_w * fx;
              if (ix < 0 || ix >= in_shape.w) continue;
              const int32_t v = (int32_t)in[(iy * in_shape.w + ix) * in_c + ic] + p->input_offset;
              acc += (int32_t)filter[(fy * filter_w + fx) * out_c + oc] * v;
            }
          }
          if (bias) acc += bias[oc];
          out[(oy * out_shape.w + ox) * out_c + oc] =
              nn_ref_requantize(rq, oc, acc, p->output_offset, p->act_min, p->act_max);
        }
      }
    }
  }
}
