/*
 * nn_depthwise_conv2d_s8_dsp - DEPTHWISE_CONV_2D, int8, for the DSP
 * extension: the result of nn_depthwise_conv2d_s8_ref.
 *
 * Depth multiplier 1 (the usual case): four channels at a time, the outer
 * loop. Each tap reads four input bytes and four filter bytes as words;
 * SXTAB16 (with and without ROR #8) adds the input offset to channels 0, 2
 * and 1, 3 as halfword pairs, SXTB16 splits the filter alike, and SMLABB /
 * SMLATT multiply-accumulate each channel. The four channels' requantization
 * constants are prepared once per group. Leftover channels (in_c % 4) and
 * other depth multipliers go through a plain per-channel loop.
 */
#include "mcusim_nn.h"
#include "mcusim_nn_dsp.h"
#include "nn_dsp_internal.h"

static void one_channel(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                        const int8_t *in, int32_t filter_h, int32_t filter_w, const int8_t *filter,
                        const int32_t *bias, nn_shape out_shape, int8_t *out, int32_t oc) {
  const int32_t in_c = in_shape.c;
  const int32_t out_c = out_shape.c;
  const int32_t ic = oc / p->depth_multiplier;
  const nn_dsp_channel ch = nn_dsp_channel_of(rq, oc);
  const int32_t b = bias ? bias[oc] : 0;
  for (int32_t oy = 0; oy < out_shape.h; ++oy) {
    const int32_t in_y0 = oy * p->stride_h - p->pad_h;
    for (int32_t ox = 0; ox < out_shape.w; ++ox) {
      const int32_t in_x0 = ox * p->stride_w - p->pad_w;
      int32_t acc = b;
      for (int32_t fy = 0; fy < filter_h; ++fy) {
        const int32_t iy = in_y0 + p->dilation_h * fy;
        if (iy < 0 || iy >= in_shape.h) continue;
        for (int32_t fx = 0; fx < filter_w; ++fx) {
          const int32_t ix = in_x0 + p->dilation_w * fx;
          if (ix < 0 || ix >= in_shape.w) continue;
          acc += (int32_t)filter[(fy * filter_w + fx) * out_c + oc] *
                 ((int32_t)in[(iy * in_shape.w + ix) * in_c + ic] + p->input_offset);
        }
      }
      out[(oy * out_shape.w + ox) * out_c + oc] =
          nn_dsp_requantize(acc, &ch, p->output_offset, p->act_min, p->act_max);
    }
  }
}

/* Channels [c, c + 4), depth multiplier 1. */
static void four_channels(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                          const int8_t *in, int32_t filter_h, int32_t filter_w, const int8_t *filter,
                          const int32_t *bias, nn_shape out_shape, int8_t *out, int32_t c) {
  const int32_t in_c = in_shape.c;
  const int32_t out_c = out_shape.c;
  nn_dsp_channel ch[4];
  int32_t b[4];
  for (int32_t i = 0; i < 4; ++i) {
    ch[i] = nn_dsp_channel_of(rq, c + i);
    b[i] = bias ? bias[c + i] : 0;
  }
  const uint32_t offset2 = nn_dsp_offset2(p->input_offset);
  const int32_t out_offset = p->output_offset, act_min = p->act_min, act_max = p->act_max;
  const int32_t row_bytes = in_shape.w * in_c;
  const int32_t tap_x = p->dilation_w * in_c;
  for (int32_t oy = 0; oy < out_shape.h; ++oy) {
    const int32_t in_y0 = oy * p->stride_h - p->pad_h;
    int32_t fy0 = 0, fy1 = filter_h;
    while (fy0 < fy1 && in_y0 + p->dilation_h * fy0 < 0) ++fy0;
    while (fy1 > fy0 && in_y0 + p->dilation_h * (fy1 - 1) >= in_shape.h) --fy1;
    int8_t *dst = out + oy * out_shape.w * out_c + c;
    for (int32_t ox = 0; ox < out_shape.w; ++ox, dst += out_c) {
      const int32_t in_x0 = ox * p->stride_w - p->pad_w;
      int32_t fx0 = 0, fx1 = filter_w;
      while (fx0 < fx1 && in_x0 + p->dilation_w * fx0 < 0) ++fx0;
      while (fx1 > fx0 && in_x0 + p->dilation_w * (fx1 - 1) >= in_shape.w) --fx1;
      int32_t acc0 = b[0], acc1 = b[1], acc2 = b[2], acc3 = b[3];
      for (int32_t fy = fy0; fy < fy1; ++fy) {
        const int8_t *src = in + (in_y0 + p->dilation_h * fy) * row_bytes + (in_x0 + p->dilation_w * fx0) * in_c + c;
        const int8_t *w = filter + (fy * filter_w + fx0) * out_c + c;
        for (int32_t fx = fx0; fx < fx1; ++fx) {
          const uint32_t xv = nn_read_u32(src);
          const uint32_t wv = nn_read_u32(w);
          src += tap_x;
          w += out_c;
          const uint32_t x02 = nn_sxtab16(offset2, xv);
          const uint32_t x13 = nn_sxtab16_ror8(offset2, xv);
          const uint32_t w02 = nn_sxtb16(wv);
          const uint32_t w13 = nn_sxtb16_ror8(wv);
          acc0 = nn_smlabb(x02, w02, acc0);
          acc2 = nn_smlatt(x02, w02, acc2);
          acc1 = nn_smlabb(x13, w13, acc1);
          acc3 = nn_smlatt(x13, w13, acc3);
        }
      }
      dst[0] = nn_dsp_requantize(acc0, &ch[0], out_offset, act_min, act_max);
      dst[1] = nn_dsp_requantize(acc1, &ch[1], out_offset, act_min, act_max);
      dst[2] = nn_dsp_requantize(acc2, &ch[2], out_offset, act_min, act_max);
      dst[3] = nn_dsp_requantize(acc3, &ch[3], out_offset, act_min, act_max);
    }
  }
}

void nn_depthwise_conv2d_s8_dsp(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                                const int8_t *in, int32_t filter_h, int32_t filter_w,
                                const int8_t *filter, const int32_t *bias, nn_shape out_shape,
                                int8_t *out, void *scratch) {
  (void)scratch;
  int32_t c = 0;
  if (p->depth_multiplier == 1)
    for (; c + 4 <= out_shape.c; c += 4)
      four_channels(p, rq, in_shape, in, filter_h, filter_w, filter, bias, out_shape, out, c);
  for (; c < out_shape.c; ++c)
    one_channel(p, rq, in_shape, in, filter_h, filter_w, filter, bias, out_shape, out, c);
}
