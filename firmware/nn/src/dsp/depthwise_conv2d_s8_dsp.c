/*
 * nn_depthwise_conv2d_s8_dsp - DEPTHWISE_CONV_2D, int8, for the DSP
 * extension: the result of nn_depthwise_conv2d_s8_ref.
 *
 * Depth multiplier 1 (the usual case): four channels at a time, the outer
 * loop. Each tap reads four input bytes and four filter bytes as words;
 * SXTAB16 (with and without ROR #8) adds the input offset to channels 0, 2
 * and 1, 3 as halfword pairs, SXTB16 splits the filter alike, and SMLABB /
 * SMLATT multiply-accumulate each channel. For a 3x3 filter, the pixels whose
 * window lies inside the input read the group's nine filter words from a
 * packed copy, in one block of assembly. The four channels' requantization
 * constants are prepared once per group (and the fast form of the
 * requantization used when all four allow it). Leftover channels (in_c % 4) and
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

/* What every pixel of a group of four channels shares. */
typedef struct {
  int32_t src_col, src_row; /* input steps to the next tap in a row, to the next row */
  int32_t w_col, w_row;     /* filter steps alike */
  uint32_t offset2;         /* the input offset in both halves */
  int32_t bias[4];
  const nn_dsp_channel *ch; /* the four channels' requantization */
  int32_t output_offset, act_min, act_max;
  int32_t src_step, dst_step; /* the next output pixel's input and output steps */
  int32_t run_len[3];         /* the 3x3 path: pixels per row lacking the left column, whole, lacking the right */
  int32_t full_range;         /* act_min, act_max = -128, 127: the clamp is one SSAT */
  int32_t src_row_step;       /* the next output row's input step */
} dw_group;

/* The four channels' fast requantization into dst[0..3]: the values first,
 * then the stores (an int8 store may alias anything, so storing first would
 * make the compiler reload g's fields). */
static inline void store4_fast(const dw_group *g, int32_t acc0, int32_t acc1, int32_t acc2, int32_t acc3,
                               int8_t *dst) {
  const nn_dsp_channel *ch = g->ch;
  const int32_t off = g->output_offset, lo = g->act_min, hi = g->act_max;
  const int8_t v0 = nn_dsp_requantize_fast(acc0, &ch[0], off, lo, hi);
  const int8_t v1 = nn_dsp_requantize_fast(acc1, &ch[1], off, lo, hi);
  const int8_t v2 = nn_dsp_requantize_fast(acc2, &ch[2], off, lo, hi);
  const int8_t v3 = nn_dsp_requantize_fast(acc3, &ch[3], off, lo, hi);
  dst[0] = v0;
  dst[1] = v1;
  dst[2] = v2;
  dst[3] = v3;
}

#if NN_DSP_NATIVE
/* One tap in assembly: the C version's 14 live values make GCC spill. */
#define NN_DW_TAP_ASM                                  \
  "ldr %[xv], [%[s]]\n\t"                             \
  "ldr %[wv], [%[k]]\n\t"                             \
  "add %[s], %[s], %[sc]\n\t"                         \
  "add %[k], %[k], %[wc]\n\t"                         \
  "sxtab16 %[t1], %[off], %[xv]\n\t"                  \
  "sxtb16 %[t2], %[wv]\n\t"                           \
  "smlabb %[a0], %[t1], %[t2], %[a0]\n\t"             \
  "smlatt %[a2], %[t1], %[t2], %[a2]\n\t"             \
  "sxtab16 %[xv], %[off], %[xv], ror #8\n\t"          \
  "sxtb16 %[wv], %[wv], ror #8\n\t"                   \
  "smlabb %[a1], %[xv], %[wv], %[a1]\n\t"             \
  "smlatt %[a3], %[xv], %[wv], %[a3]\n\t"
#define NN_DW_TAP_OPERANDS                                                                             \
  : [s] "+r"(s), [k] "+r"(k), [a0] "+r"(acc0), [a1] "+r"(acc1), [a2] "+r"(acc2), [a3] "+r"(acc3),     \
    [xv] "=&r"(xv), [wv] "=&r"(wv), [t1] "=&r"(t1), [t2] "=&r"(t2)                                    \
  : [sc] "r"(src_col), [wc] "r"(w_col), [off] "r"(offset2)                                          \
  : "memory"
#define NN_DW_TAP()                                     \
  do {                                                  \
    uint32_t xv, wv, t1, t2;                            \
    __asm__ volatile(NN_DW_TAP_ASM NN_DW_TAP_OPERANDS); \
  } while (0)
#define NN_DW_TAP3()                                                                  \
  do {                                                                                \
    uint32_t xv, wv, t1, t2;                                                          \
    __asm__ volatile(NN_DW_TAP_ASM NN_DW_TAP_ASM NN_DW_TAP_ASM NN_DW_TAP_OPERANDS); \
  } while (0)
#else
#define NN_DW_TAP()                                    \
  do {                                                 \
    const uint32_t xv = nn_read_u32(s);                \
    const uint32_t wv = nn_read_u32(k);                \
    s += src_col;                                      \
    k += w_col;                                        \
    const uint32_t x02 = nn_sxtab16(offset2, xv);      \
    const uint32_t w02 = nn_sxtb16(wv);                \
    acc0 = nn_smlabb(x02, w02, acc0);                  \
    acc2 = nn_smlatt(x02, w02, acc2);                  \
    const uint32_t x13 = nn_sxtab16_ror8(offset2, xv); \
    const uint32_t w13 = nn_sxtb16_ror8(wv);           \
    acc1 = nn_smlabb(x13, w13, acc1);                  \
    acc3 = nn_smlatt(x13, w13, acc3);                  \
  } while (0)
#define NN_DW_TAP3() \
  do {               \
    NN_DW_TAP();     \
    NN_DW_TAP();     \
    NN_DW_TAP();     \
  } while (0)
#endif

/* One output pixel of the group: the sums over a window of rows x cols taps
 * (src and w at the first tap's four input and four filter bytes), then the
 * fast requantization into dst[0..3]. Out of line, so that the tap loop has
 * the registers to itself; three taps per row written out. */
static void __attribute__((noinline)) pixel4_fast(const dw_group *g, const int8_t *src, const int8_t *w,
                                                   int32_t rows, int32_t cols, int8_t *dst) {
  int32_t acc0 = g->bias[0], acc1 = g->bias[1], acc2 = g->bias[2], acc3 = g->bias[3];
  const int32_t src_col = g->src_col, w_col = g->w_col;
  const uint32_t offset2 = g->offset2;
  for (int32_t r = rows; r > 0; --r) {
    const int8_t *s = src, *k = w;
    if (cols == 3) {
      NN_DW_TAP3();
    } else {
      for (int32_t c = cols; c > 0; --c) NN_DW_TAP();
    }
    src += g->src_row;
    w += g->w_row;
  }
  store4_fast(g, acc0, acc1, acc2, acc3, dst);
}

/* The same with the exact requantization (any multiplier and shift). */
static void __attribute__((noinline)) pixel4_exact(const dw_group *g, const int8_t *src, const int8_t *w,
                                                    int32_t rows, int32_t cols, int8_t *dst) {
  int32_t acc0 = g->bias[0], acc1 = g->bias[1], acc2 = g->bias[2], acc3 = g->bias[3];
  const int32_t src_col = g->src_col, w_col = g->w_col;
  const uint32_t offset2 = g->offset2;
  for (int32_t r = rows; r > 0; --r) {
    const int8_t *s = src, *k = w;
    for (int32_t c = cols; c > 0; --c) NN_DW_TAP();
    src += g->src_row;
    w += g->w_row;
  }
  const nn_dsp_channel *ch = g->ch;
  dst[0] = nn_dsp_requantize(acc0, &ch[0], g->output_offset, g->act_min, g->act_max);
  dst[1] = nn_dsp_requantize(acc1, &ch[1], g->output_offset, g->act_min, g->act_max);
  dst[2] = nn_dsp_requantize(acc2, &ch[2], g->output_offset, g->act_min, g->act_max);
  dst[3] = nn_dsp_requantize(acc3, &ch[3], g->output_offset, g->act_min, g->act_max);
}

/* The 3x3 path: the group's nine filter words split once into halfword pairs
 * (wsplit[2 t] = channels 0, 2 of tap t, wsplit[2 t + 1] = channels 1, 3),
 * and the input offset moved out of the sums: sum w (x + offset) =
 * offset sum w + sum w x, the first part added to the bias once per kind of
 * window (dw_row). A tap is then three loads in a row, two SXTB16 and four
 * multiplies.
 * Every filter word is read at an immediate offset from k and every input
 * word at an offset from the row's first tap (s, s + sc, s + 2 sc), so the
 * only pointer step is one ADD per filter row. A window is 3 or 2 rows
 * (the input's top and bottom) of 3 or 2 taps (its left and right). */
#if NN_DSP_NATIVE
#define NN_DW_X0 "]"
#define NN_DW_X1 ", %[sc]]"
#define NN_DW_X2 ", %[sc], lsl #1]"
/* `extra` goes after the loads, away from the next load of s */
#define NN_DW_SPLIT_TAP(x, woff, extra)            \
  "ldr %[xv], [%[s]" x "\n\t"                      \
  "ldr %[w02], [%[k], #" woff "]\n\t"              \
  "ldr %[w13], [%[k], #" woff "+4]\n\t"            \
  extra                                            \
  "sxtb16 %[t], %[xv]\n\t"                         \
  "sxtb16 %[xv], %[xv], ror #8\n\t"                \
  "smlabb %[a0], %[t], %[w02], %[a0]\n\t"          \
  "smlatt %[a2], %[t], %[w02], %[a2]\n\t"          \
  "smlabb %[a1], %[xv], %[w13], %[a1]\n\t"         \
  "smlatt %[a3], %[xv], %[w13], %[a3]\n\t"
#define NN_DW_NEXT_ROW "add %[s], %[s], %[sr]\n\t"
#define NN_DW_ROW3(o0, o1, o2, extra) \
  NN_DW_SPLIT_TAP(NN_DW_X0, o0, "") NN_DW_SPLIT_TAP(NN_DW_X1, o1, "") NN_DW_SPLIT_TAP(NN_DW_X2, o2, extra)
#define NN_DW_ROW2(o0, o1, extra) NN_DW_SPLIT_TAP(NN_DW_X0, o0, "") NN_DW_SPLIT_TAP(NN_DW_X1, o1, extra)
#define NN_DW_WIN33                                                                                  \
  NN_DW_ROW3("0", "8", "16", NN_DW_NEXT_ROW) NN_DW_ROW3("24", "32", "40", NN_DW_NEXT_ROW)            \
  NN_DW_ROW3("48", "56", "64", "")
#define NN_DW_WIN32 \
  NN_DW_ROW2("0", "8", NN_DW_NEXT_ROW) NN_DW_ROW2("24", "32", NN_DW_NEXT_ROW) NN_DW_ROW2("48", "56", "")
#define NN_DW_WIN23 NN_DW_ROW3("0", "8", "16", NN_DW_NEXT_ROW) NN_DW_ROW3("24", "32", "40", "")
#define NN_DW_WIN22 NN_DW_ROW2("0", "8", NN_DW_NEXT_ROW) NN_DW_ROW2("24", "32", "")
#define NN_DW_WIN(taps)                                                                                  \
  __asm__ volatile(taps                                                                                  \
                   : [s] "+r"(s), [a0] "+r"(acc0), [a1] "+r"(acc1), [a2] "+r"(acc2), [a3] "+r"(acc3),     \
                     [xv] "=&r"(xv), [w02] "=&r"(w02), [w13] "=&r"(w13), [t] "=&r"(t)                    \
                   : [k] "r"(k), [sc] "r"(sc), [sr] "r"(sr)                                             \
                   : "memory")
#endif

/* The sums of one window of `rows` x `cols` taps (constants where inlined):
 * s at its first tap's four input bytes, k at its first tap's pair in
 * wsplit. */
static inline __attribute__((always_inline)) void window4(int rows, int cols, const dw_group *g,
                                                          const int8_t *s, const uint32_t *k, int32_t acc[4]) {
  int32_t acc0 = acc[0], acc1 = acc[1], acc2 = acc[2], acc3 = acc[3];
  const int32_t sc = g->src_col, sr = g->src_row;
#if NN_DSP_NATIVE
  uint32_t xv, w02, w13, t;
  if (rows == 3 && cols == 3)
    NN_DW_WIN(NN_DW_WIN33);
  else if (rows == 3)
    NN_DW_WIN(NN_DW_WIN32);
  else if (cols == 3)
    NN_DW_WIN(NN_DW_WIN23);
  else
    NN_DW_WIN(NN_DW_WIN22);
#else
  for (int32_t r = 0; r < rows; ++r)
    for (int32_t c = 0; c < cols; ++c) {
      const uint32_t xv = nn_read_u32(s + r * sr + c * sc);
      const uint32_t w02 = k[(r * 3 + c) * 2], w13 = k[(r * 3 + c) * 2 + 1];
      const uint32_t x02 = nn_sxtb16(xv), x13 = nn_sxtb16_ror8(xv);
      acc0 = nn_smlabb(x02, w02, acc0);
      acc2 = nn_smlatt(x02, w02, acc2);
      acc1 = nn_smlabb(x13, w13, acc1);
      acc3 = nn_smlatt(x13, w13, acc3);
    }
#endif
  acc[0] = acc0;
  acc[1] = acc1;
  acc[2] = acc2;
  acc[3] = acc3;
}

/* One output row of the group, 3x3 filter, fast requantization: the three
 * runs of g->run_len pixels (window lacking its left column, whole, lacking
 * the right column), each starting at src[run] (its first pixel's first tap
 * inside the input) and k[run] (that tap's pair), its sums at bias[run]
 * (the bias plus the input offset times the window's filter sum). */
typedef struct {
  const int8_t *src[3];
  const uint32_t *k[3];
  int32_t bias[3][4];
  int32_t n_rows; /* output rows alike (the same window rows), one after the other */
} dw_row;

#if NN_DSP_NATIVE
/* store4_fast in assembly, for channel `a` (ch[i] at q + 16 i, dst[i]): the
 * four constants loaded in a row (pipelined), SMLAL and the sign term of
 * nn_dsp_mbqm_fast, the shift, the offset, the clamp. GCC's version reloads
 * g's fields between the channels for want of registers. */
#define NN_DW_RQ(a, o_lo, o_hi, o_m, o_sh, o_dst, clamp) \
  "ldr %[lo], [%[q], #" o_lo "]\n\t"                   \
  "ldr %[hi], [%[q], #" o_hi "]\n\t"                   \
  "ldr %[m], [%[q], #" o_m "]\n\t"                     \
  "ldrsb %[sh], [%[q], #" o_sh "]\n\t"                 \
  "smlal %[lo], %[hi], %[" a "], %[m]\n\t"             \
  "asr %[m], %[" a "], #31\n\t"                        \
  "adds %[lo], %[lo], %[m], lsl #31\n\t"               \
  "adc %[hi], %[hi], %[m]\n\t"                         \
  "asr %[hi], %[hi], %[sh]\n\t"                        \
  "add %[hi], %[hi], %[off]\n\t"                       \
  clamp "strb %[hi], [%[d], #" o_dst "]\n\t"
/* the same with an arbitrary clamp (the bounds and the shift loaded into m
 * as they are needed: GCC has too few registers for them) */
#define NN_DW_RQ_G(a, o_lo, o_hi, o_m, o_sh, o_dst) \
  "ldr %[lo], [%[q], #" o_lo "]\n\t"              \
  "ldr %[hi], [%[q], #" o_hi "]\n\t"              \
  "ldr %[m], [%[q], #" o_m "]\n\t"                \
  "smlal %[lo], %[hi], %[" a "], %[m]\n\t"        \
  "asr %[m], %[" a "], #31\n\t"                   \
  "adds %[lo], %[lo], %[m], lsl #31\n\t"          \
  "adc %[hi], %[hi], %[m]\n\t"                    \
  "ldrsb %[m], [%[q], #" o_sh "]\n\t"             \
  "asr %[hi], %[hi], %[m]\n\t"                    \
  "add %[hi], %[hi], %[off]\n\t"                  \
  "ldr %[m], %[lo_c]\n\t"                          \
  "cmp %[hi], %[m]\n\t"                            \
  "it lt\n\t"                                      \
  "movlt %[hi], %[m]\n\t"                          \
  "ldr %[m], %[hi_c]\n\t"                          \
  "cmp %[hi], %[m]\n\t"                            \
  "it gt\n\t"                                      \
  "movgt %[hi], %[m]\n\t"                          \
  "strb %[hi], [%[d], #" o_dst "]\n\t"
#define NN_DW_RQ4_G                                                                        \
  NN_DW_RQ_G("a0", "0", "4", "8", "14", "0") NN_DW_RQ_G("a1", "16", "20", "24", "30", "1") \
  NN_DW_RQ_G("a2", "32", "36", "40", "46", "2") NN_DW_RQ_G("a3", "48", "52", "56", "62", "3")
#define NN_DW_RQ4(clamp)                                                                        \
  NN_DW_RQ("a0", "0", "4", "8", "14", "0", clamp) NN_DW_RQ("a1", "16", "20", "24", "30", "1", clamp) \
  NN_DW_RQ("a2", "32", "36", "40", "46", "2", clamp) NN_DW_RQ("a3", "48", "52", "56", "62", "3", clamp)
#define NN_DW_SSAT "ssat %[hi], #8, %[hi]\n\t"
#endif

/* `full` (a constant where inlined): g->full_range */
static inline __attribute__((always_inline)) void store4_rq(int full, const dw_group *g, const int32_t acc[4],
                                                            int8_t *dst) {
#if NN_DSP_NATIVE
  uint32_t lo, hi, m, sh;
  if (full)
    __asm__ volatile(NN_DW_RQ4(NN_DW_SSAT)
                     : [lo] "=&r"(lo), [hi] "=&r"(hi), [m] "=&r"(m), [sh] "=&r"(sh)
                     : [a0] "r"(acc[0]), [a1] "r"(acc[1]), [a2] "r"(acc[2]), [a3] "r"(acc[3]), [q] "r"(g->ch),
                       [d] "r"(dst), [off] "r"(g->output_offset)
                     : "cc", "memory");
  else
    __asm__ volatile(NN_DW_RQ4_G
                     : [lo] "=&r"(lo), [hi] "=&r"(hi), [m] "=&r"(m)
                     : [a0] "r"(acc[0]), [a1] "r"(acc[1]), [a2] "r"(acc[2]), [a3] "r"(acc[3]), [q] "r"(g->ch),
                       [d] "r"(dst), [off] "r"(g->output_offset), [lo_c] "m"(g->act_min), [hi_c] "m"(g->act_max)
                     : "cc", "memory");
#else
  (void)full;
  store4_fast(g, acc[0], acc[1], acc[2], acc[3], dst);
#endif
}

static inline __attribute__((always_inline)) void row4_as(int rows, int full, const dw_group *g, const dw_row *r,
                                                          int8_t *dst) {
  for (int32_t y = 0, src_y = 0; y < r->n_rows; ++y, src_y += g->src_row_step) {
    for (int run = 0; run < 3; ++run) {
      const int8_t *s = r->src[run] + src_y;
      const uint32_t *k = r->k[run];
      for (int32_t n = g->run_len[run]; n > 0; --n, s += g->src_step, dst += g->dst_step) {
        int32_t acc[4] = {r->bias[run][0], r->bias[run][1], r->bias[run][2], r->bias[run][3]};
        if (run == 1)
          window4(rows, 3, g, s, k, acc);
        else
          window4(rows, 2, g, s, k, acc);
        store4_rq(full, g, acc, dst);
      }
    }
  }
}

/* The row functions by window height and clamp, each with only its own code
 * (what the flash accelerator's cache has to hold). */
static void __attribute__((noinline)) row4_3rows(const dw_group *g, const dw_row *r, int8_t *dst) {
  row4_as(3, 0, g, r, dst);
}

static void __attribute__((noinline)) row4_2rows(const dw_group *g, const dw_row *r, int8_t *dst) {
  row4_as(2, 0, g, r, dst);
}

static void __attribute__((noinline)) row4_3rows_s8(const dw_group *g, const dw_row *r, int8_t *dst) {
  row4_as(3, 1, g, r, dst);
}

static void __attribute__((noinline)) row4_2rows_s8(const dw_group *g, const dw_row *r, int8_t *dst) {
  row4_as(2, 1, g, r, dst);
}

/* The group's nine filter words (at filter + t out_c, t = 3 fy + fx) split
 * into wsplit, and row_sum[fy][run][i]: channel i's filter row fy summed over
 * the run's columns (left border: 1..2, whole: 0..2, right border: 0..1). */
static void split_3x3(const int8_t *filter, int32_t out_c, uint32_t wsplit[18], int32_t row_sum[3][3][4]) {
  for (int32_t t = 0; t < 9; ++t) {
    const uint32_t w = nn_read_u32(filter + t * out_c);
    wsplit[2 * t] = nn_sxtb16(w);
    wsplit[2 * t + 1] = nn_sxtb16_ror8(w);
  }
  for (int32_t fy = 0; fy < 3; ++fy)
    for (int32_t i = 0; i < 4; ++i) {
      const int32_t w0 = filter[(3 * fy) * out_c + i], w1 = filter[(3 * fy + 1) * out_c + i],
                    w2 = filter[(3 * fy + 2) * out_c + i];
      row_sum[fy][0][i] = w1 + w2;
      row_sum[fy][1][i] = w0 + w1 + w2;
      row_sum[fy][2][i] = w0 + w1;
    }
}

/* r->bias for windows of filter rows [fy0, fy1) (two or three rows): the
 * group's bias plus the input offset times each run's filter sum. */
static void window_bias(const dw_group *g, int32_t input_offset, const int32_t row_sum[3][3][4], int32_t fy0,
                        int32_t fy1, dw_row *r) {
  const int32_t *r0 = row_sum[fy0][0], *r1 = row_sum[fy0 + 1][0];
  const int32_t *r2 = fy1 - fy0 == 3 ? row_sum[fy0 + 2][0] : NULL;
  int32_t *b = r->bias[0];
  for (int32_t j = 0; j < 12; ++j) {
    const int32_t sum = r0[j] + r1[j] + (r2 ? r2[j] : 0);
    b[j] = g->bias[j & 3] + input_offset * sum;
  }
}

/* The filter rows [*fy0, *fy1) of output row oy's window inside the input. */
static inline void window_rows(const nn_conv_s8_params *p, int32_t in_h, int32_t filter_h, int32_t oy,
                               int32_t *fy0, int32_t *fy1) {
  const int32_t in_y0 = oy * p->stride_h - p->pad_h;
  int32_t f0 = 0, f1 = filter_h;
  while (f0 < f1 && in_y0 + p->dilation_h * f0 < 0) ++f0;
  while (f1 > f0 && in_y0 + p->dilation_h * (f1 - 1) >= in_h) --f1;
  *fy0 = f0;
  *fy1 = f1;
}

/* Channels [c, c + 4), depth multiplier 1. */
static void four_channels(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape, const int8_t *in,
                          int32_t filter_h, int32_t filter_w, const int8_t *filter, const int32_t *bias,
                          nn_shape out_shape, int8_t *out, int32_t c) {
  const int32_t in_c = in_shape.c;
  const int32_t out_c = out_shape.c;
  nn_dsp_channel ch[4];
  int fast = 1;
  dw_group g;
  for (int32_t i = 0; i < 4; ++i) {
    ch[i] = nn_dsp_channel_of(rq, c + i);
    fast &= ch[i].fast;
    g.bias[i] = bias ? bias[c + i] : 0;
  }
  g.src_col = p->dilation_w * in_c;
  g.src_row = p->dilation_h * in_shape.w * in_c;
  g.w_col = out_c;
  g.w_row = filter_w * out_c;
  g.offset2 = nn_dsp_offset2(p->input_offset);
  g.ch = ch;
  g.output_offset = p->output_offset;
  g.act_min = p->act_min;
  g.act_max = p->act_max;
  g.full_range = p->act_min == -128 && p->act_max == 127;
  g.src_row_step = p->stride_h * in_shape.w * in_c;
  void (*const pixel)(const dw_group *, const int8_t *, const int8_t *, int32_t, int32_t, int8_t *) =
      fast ? pixel4_fast : pixel4_exact;
  /* output columns [ox_lo, ox_hi) see the whole filter width */
  int32_t ox_lo = 0, ox_hi = out_shape.w;
  while (ox_lo < ox_hi && ox_lo * p->stride_w - p->pad_w < 0) ++ox_lo;
  while (ox_hi > ox_lo && (ox_hi - 1) * p->stride_w - p->pad_w + p->dilation_w * (filter_w - 1) >= in_shape.w)
    --ox_hi;
  const int32_t src_step = p->stride_w * in_c;
  g.src_step = src_step;
  g.dst_step = out_c;
  g.run_len[0] = ox_lo;
  g.run_len[1] = ox_hi - ox_lo;
  g.run_len[2] = out_shape.w - ox_hi;
  /* 3x3 with the fast requantization, every pixel's window 3 or 2 columns
   * wide (left of ox_lo the last two, from ox_hi the first two): whole rows
   * from the split filter words */
  uint32_t wsplit[18];
  int rows_3x3 = fast && filter_h == 3 && filter_w == 3;
  for (int32_t ox = 0; rows_3x3 && ox < out_shape.w; ++ox) {
    if (ox >= ox_lo && ox < ox_hi) continue;
    const int32_t in_x0 = ox * p->stride_w - p->pad_w;
    int32_t fx0 = 0, fx1 = 3;
    while (fx0 < fx1 && in_x0 + p->dilation_w * fx0 < 0) ++fx0;
    while (fx1 > fx0 && in_x0 + p->dilation_w * (fx1 - 1) >= in_shape.w) --fx1;
    rows_3x3 = ox < ox_lo ? fx0 == 1 && fx1 == 3 : fx0 == 0 && fx1 == 2;
  }
  int32_t row_sum[3][3][4];
  if (rows_3x3) split_3x3(filter + c, out_c, wsplit, row_sum);
  dw_row r;
  int32_t r_fy0 = -1, r_fy1 = -1; /* the window rows r.bias was made for */
  const int32_t run_x[3] = {(p->dilation_w - p->pad_w) * in_c, (ox_lo * p->stride_w - p->pad_w) * in_c,
                            (ox_hi * p->stride_w - p->pad_w) * in_c};
  int32_t oy_lo = 0, oy_hi = out_shape.h;
  while (oy_lo < oy_hi && oy_lo * p->stride_h - p->pad_h < 0) ++oy_lo;
  while (oy_hi > oy_lo && (oy_hi - 1) * p->stride_h - p->pad_h + p->dilation_h * (filter_h - 1) >= in_shape.h)
    --oy_hi;
  for (int32_t oy = 0; oy < out_shape.h; ++oy) {
    const int32_t in_y0 = oy * p->stride_h - p->pad_h;
    int32_t fy0, fy1;
    window_rows(p, in_shape.h, filter_h, oy, &fy0, &fy1);
    const int32_t rows = fy1 - fy0;
    const int8_t *src_row0 = in + (in_y0 + p->dilation_h * fy0) * in_shape.w * in_c + c;
    const int8_t *w_row0 = filter + fy0 * filter_w * out_c + c;
    int8_t *dst = out + oy * out_shape.w * out_c + c;
    if (rows_3x3 && (rows == 3 || rows == 2)) {
      if (fy0 != r_fy0 || fy1 != r_fy1) {
        r_fy0 = fy0;
        r_fy1 = fy1;
        window_bias(&g, p->input_offset, row_sum, fy0, fy1, &r);
      }
      for (int run = 0; run < 3; ++run) {
        r.src[run] = src_row0 + run_x[run];
        r.k[run] = wsplit + 2 * (3 * fy0 + (run == 0 ? 1 : 0));
      }
      /* rows [oy_lo, oy_hi) see the whole filter height: all in one call */
      r.n_rows = oy == oy_lo && oy_hi > oy_lo ? oy_hi - oy_lo : 1;
      oy += r.n_rows - 1;
      if (g.full_range)
        (rows == 3 ? row4_3rows_s8 : row4_2rows_s8)(&g, &r, dst);
      else
        (rows == 3 ? row4_3rows : row4_2rows)(&g, &r, dst);
      continue;
    }
    for (int32_t ox = 0; ox < out_shape.w; ++ox, dst += out_c) {
      const int32_t in_x0 = ox * p->stride_w - p->pad_w;
      if (ox == ox_lo && ox_hi > ox_lo) { /* the interior: the whole width, steps only */
        const int8_t *src = src_row0 + in_x0 * in_c;
        for (; ox < ox_hi; ++ox, dst += out_c, src += src_step) pixel(&g, src, w_row0, rows, filter_w, dst);
        if (ox == out_shape.w) break;
        --ox;
        dst -= out_c;
        continue;
      }
      int32_t fx0 = 0, fx1 = filter_w;
      while (fx0 < fx1 && in_x0 + p->dilation_w * fx0 < 0) ++fx0;
      while (fx1 > fx0 && in_x0 + p->dilation_w * (fx1 - 1) >= in_shape.w) --fx1;
      pixel(&g, src_row0 + (in_x0 + p->dilation_w * fx0) * in_c, w_row0 + fx0 * out_c, fx1 > fx0 ? rows : 0,
            fx1 - fx0, dst);
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
