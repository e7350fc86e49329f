/*
 * nn_conv2d_s8_dsp - CONV_2D, int8, for the DSP extension: the result of
 * nn_conv2d_s8_ref, computed as a matrix product of the filter
 * ([out_c][K], K = filter_h * filter_w * in_c) with the input's columns
 * (im2col), two output channels by two columns at a time with SMLAD.
 *
 * The scratch buffer holds two columns as int16 with the input offset added
 * (padding cells 0), interleaved so that one pointer walks both:
 *  - K's first 4*G elements (G = K / 4) in groups of four: for group g,
 *    16 bytes at 16 g: column 0's elements (k0, k2), (k1, k3), then column
 *    1's. (k0, k2) is what SXTB16 makes of four filter bytes, (k1, k3) what
 *    SXTB16 ROR #8 makes, so the filter needs no reordering;
 *  - the K % 4 remaining elements at 16 G, alternating column 0, column 1.
 * That is 2 * 2 * K bytes: NN_CONV2D_S8_DSP_SCRATCH_BYTES.
 *
 * A 1x1 convolution with stride 1 and no padding (the pointwise layers) reads
 * its columns straight from the input, 4 bytes at a time; other shapes gather
 * each column tap by tap. An odd last column or output channel is computed
 * as a pair with itself and one result dropped.
 */
#include <string.h>

#include "mcusim_nn.h"
#include "mcusim_nn_dsp.h"
#include "nn_dsp_internal.h"

/* Column `col` (0 or 1) elements [k, k + n) from n int8 values at src. */
static void put_run(int16_t *buf, int32_t K, int32_t col, int32_t k, const int8_t *src, int32_t n,
                    uint32_t offset2) {
  const int32_t groups_end = K & ~3;
  int32_t i = 0;
  /* scalar up to a group boundary */
  while (i < n && ((k + i) & 3) != 0 && k + i < groups_end) {
    const int32_t kk = k + i;
    static const int8_t slot[4] = {0, 2, 1, 3};
    buf[(kk >> 2) * 8 + col * 4 + slot[kk & 3]] = (int16_t)(src[i] + (int16_t)offset2);
    ++i;
  }
  /* whole groups */
  while (n - i >= 4 && k + i + 4 <= groups_end) {
    const uint32_t w = nn_read_u32(src + i);
    int16_t *dst = buf + ((k + i) >> 2) * 8 + col * 4;
    nn_write_u32(dst, nn_sxtab16(offset2, w));
    nn_write_u32(dst + 2, nn_sxtab16_ror8(offset2, w));
    i += 4;
  }
  /* the rest, element by element */
  for (; i < n; ++i) {
    const int32_t kk = k + i;
    static const int8_t slot[4] = {0, 2, 1, 3};
    if (kk < groups_end)
      buf[(kk >> 2) * 8 + col * 4 + slot[kk & 3]] = (int16_t)(src[i] + (int16_t)offset2);
    else
      buf[groups_end * 2 + (kk - groups_end) * 2 + col] = (int16_t)(src[i] + (int16_t)offset2);
  }
}

/* Zeros for column `col`, elements [k, k + n) (padding). */
static void put_zeros(int16_t *buf, int32_t K, int32_t col, int32_t k, int32_t n) {
  const int32_t groups_end = K & ~3;
  static const int8_t slot[4] = {0, 2, 1, 3};
  for (int32_t i = 0; i < n; ++i) {
    const int32_t kk = k + i;
    if (kk < groups_end)
      buf[(kk >> 2) * 8 + col * 4 + slot[kk & 3]] = 0;
    else
      buf[groups_end * 2 + (kk - groups_end) * 2 + col] = 0;
  }
}

/* Gathers the column of output pixel (oy, ox). */
static void fill_column(int16_t *buf, int32_t K, int32_t col, const nn_conv_s8_params *p, nn_shape in_shape,
                        const int8_t *in, int32_t filter_h, int32_t filter_w, int32_t oy, int32_t ox,
                        uint32_t offset2) {
  const int32_t in_c = in_shape.c;
  const int32_t in_y0 = oy * p->stride_h - p->pad_h;
  const int32_t in_x0 = ox * p->stride_w - p->pad_w;
  int32_t k = 0;
  for (int32_t fy = 0; fy < filter_h; ++fy) {
    const int32_t iy = in_y0 + p->dilation_h * fy;
    for (int32_t fx = 0; fx < filter_w; ++fx) {
      const int32_t ix = in_x0 + p->dilation_w * fx;
      if (iy < 0 || iy >= in_shape.h || ix < 0 || ix >= in_shape.w)
        put_zeros(buf, K, col, k, in_c);
      else
        put_run(buf, K, col, k, in + (iy * in_shape.w + ix) * in_c, in_c, offset2);
      k += in_c;
    }
  }
}

typedef struct {
  const nn_conv_s8_params *p;
  const nn_requant *rq;
  const int8_t *filter;
  const int32_t *bias;
  int32_t K;
  int32_t out_c;
} conv_job;

/* The inner product of two filter rows (wa, wb) with the two columns of buf
 * over G groups of four: acc = {row a col 0, row a col 1, row b col 0,
 * row b col 1}. Kept out of line so that its loop has the registers to itself. */
static void __attribute__((noinline)) dot_2x2(const int8_t *wa, const int8_t *wb, const int16_t *x,
                                               int32_t G, int32_t acc[4]) {
  int32_t a0 = acc[0], a1 = acc[1], b0 = acc[2], b1 = acc[3];
  const int8_t *const wa_end = wa + 4 * G;
  while (wa != wa_end) {
    const uint32_t wa_bytes = nn_read_u32(wa);
    const uint32_t wb_bytes = nn_read_u32(wb);
    wa += 4;
    wb += 4;
    const uint32_t x0_02 = nn_read_s16x2(x);
    const uint32_t x0_13 = nn_read_s16x2(x + 2);
    const uint32_t x1_02 = nn_read_s16x2(x + 4);
    const uint32_t x1_13 = nn_read_s16x2(x + 6);
    x += 8;
    const uint32_t wa02 = nn_sxtb16(wa_bytes);
    a0 = nn_smlad(wa02, x0_02, a0);
    a1 = nn_smlad(wa02, x1_02, a1);
    const uint32_t wa13 = nn_sxtb16_ror8(wa_bytes);
    a0 = nn_smlad(wa13, x0_13, a0);
    a1 = nn_smlad(wa13, x1_13, a1);
    const uint32_t wb02 = nn_sxtb16(wb_bytes);
    b0 = nn_smlad(wb02, x0_02, b0);
    b1 = nn_smlad(wb02, x1_02, b1);
    const uint32_t wb13 = nn_sxtb16_ror8(wb_bytes);
    b0 = nn_smlad(wb13, x0_13, b0);
    b1 = nn_smlad(wb13, x1_13, b1);
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = b0;
  acc[3] = b1;
}

/* Both columns in buf against every output channel; writes out0[oc], out1[oc]
 * (out1 may be NULL: a single column). */
static void mat_mult(const conv_job *job, const int16_t *buf, int8_t *out0, int8_t *out1) {
  const int32_t K = job->K;
  const int32_t G = K >> 2;
  const int32_t rest = K & 3;
  const int16_t *tail = buf + G * 8;
  const nn_conv_s8_params *p = job->p;
  for (int32_t oc = 0; oc < job->out_c; oc += 2) {
    const int32_t oc_b = oc + 1 < job->out_c ? oc + 1 : oc;
    const int8_t *wa = job->filter + oc * K;
    const int8_t *wb = job->filter + oc_b * K;
    int32_t a0 = job->bias ? job->bias[oc] : 0;
    int32_t b0 = job->bias ? job->bias[oc_b] : 0;
    int32_t a1 = a0, b1 = b0;
    int32_t acc[4] = {a0, a1, b0, b1};
    dot_2x2(wa, wb, buf, G, acc);
    a0 = acc[0];
    a1 = acc[1];
    b0 = acc[2];
    b1 = acc[3];
    wa += G * 4;
    wb += G * 4;
    for (int32_t r = 0; r < rest; ++r) {
      const int32_t x0 = tail[2 * r], x1 = tail[2 * r + 1];
      a0 += wa[r] * x0;
      a1 += wa[r] * x1;
      b0 += wb[r] * x0;
      b1 += wb[r] * x1;
    }
    const nn_dsp_channel cha = nn_dsp_channel_of(job->rq, oc);
    out0[oc] = nn_dsp_requantize(a0, &cha, p->output_offset, p->act_min, p->act_max);
    if (out1) out1[oc] = nn_dsp_requantize(a1, &cha, p->output_offset, p->act_min, p->act_max);
    if (oc_b != oc) {
      const nn_dsp_channel chb = nn_dsp_channel_of(job->rq, oc_b);
      out0[oc_b] = nn_dsp_requantize(b0, &chb, p->output_offset, p->act_min, p->act_max);
      if (out1) out1[oc_b] = nn_dsp_requantize(b1, &chb, p->output_offset, p->act_min, p->act_max);
    }
  }
}

void nn_conv2d_s8_dsp(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                      const int8_t *in, int32_t filter_h, int32_t filter_w, const int8_t *filter,
                      const int32_t *bias, nn_shape out_shape, int8_t *out, void *scratch) {
  const int32_t K = filter_h * filter_w * in_shape.c;
  const uint32_t offset2 = nn_dsp_offset2(p->input_offset);
  int16_t *buf = (int16_t *)scratch;
  const conv_job job = {p, rq, filter, bias, K, out_shape.c};
  const int32_t pixels = out_shape.h * out_shape.w;
  const int pointwise = filter_h == 1 && filter_w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
                        p->pad_h == 0 && p->pad_w == 0 && out_shape.h == in_shape.h &&
                        out_shape.w == in_shape.w;
  for (int32_t i = 0; i < pixels; i += 2) {
    const int32_t j = i + 1 < pixels ? i + 1 : i;
    for (int32_t col = 0; col < 2; ++col) {
      const int32_t px = col ? j : i;
      if (pointwise)
        put_run(buf, K, col, 0, in + px * in_shape.c, K, offset2);
      else
        fill_column(buf, K, col, p, in_shape, in, filter_h, filter_w, px / out_shape.w, px % out_shape.w,
                    offset2);
    }
    mat_mult(&job, buf, out + i * out_shape.c, j != i ? out + j * out_shape.c : NULL);
  }
}
