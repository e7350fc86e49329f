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
#include <stddef.h>
#include <string.h>

#include "mcusim_nn.h"
#include "mcusim_nn_dsp.h"
#include "nn_dsp_internal.h"

static const int8_t slot_in_group[4] = {0, 2, 1, 3};

/* Where element k of column `col` lives in the buffer (int16 index). */
static inline int32_t slot_of(int32_t k, int32_t groups_end, int32_t col) {
  return k < groups_end ? (k >> 2) * 8 + col * 4 + slot_in_group[k & 3]
                        : groups_end * 2 + (k - groups_end) * 2 + col;
}

/* Column `col` (0 or 1) elements [k, k + n) from n int8 values at src. */
static void put_run(int16_t *buf, int32_t K, int32_t col, int32_t k, const int8_t *src, int32_t n,
                    uint32_t offset2) {
  const int32_t groups_end = K & ~3;
  const int16_t offset = (int16_t)offset2;
  int32_t i = 0;
  for (; i < n && ((k + i) & 3) != 0; ++i) buf[slot_of(k + i, groups_end, col)] = (int16_t)(src[i] + offset);
  /* whole groups: 4 bytes -> (k0, k2), (k1, k3) with the offset added */
  int32_t groups = (k + i < groups_end ? groups_end - (k + i) : 0);
  if (groups > n - i) groups = n - i;
  groups >>= 2;
  int16_t *dst = buf + ((k + i) >> 2) * 8 + col * 4;
  const int8_t *s = src + i;
  for (int32_t g = 0; g < groups; ++g, s += 4, dst += 8) {
    const uint32_t w = nn_read_u32(s);
    nn_write_u32(dst, nn_sxtab16(offset2, w));
    nn_write_u32(dst + 2, nn_sxtab16_ror8(offset2, w));
  }
  for (i += groups * 4; i < n; ++i) buf[slot_of(k + i, groups_end, col)] = (int16_t)(src[i] + offset);
}

/* Zeros for column `col`, elements [k, k + n) (padding). */
static void put_zeros(int16_t *buf, int32_t K, int32_t col, int32_t k, int32_t n) {
  const int32_t groups_end = K & ~3;
  for (int32_t i = 0; i < n; ++i) buf[slot_of(k + i, groups_end, col)] = 0;
}

/* Gathers the column of output pixel (oy, ox), one filter row at a time:
 * zeros for the taps left and right of the input, and the taps inside as one
 * run of bytes when they are contiguous (dilation_w 1), else tap by tap. */
static void fill_column(int16_t *buf, int32_t K, int32_t col, const nn_conv_s8_params *p, nn_shape in_shape,
                        const int8_t *in, int32_t filter_h, int32_t filter_w, int32_t oy, int32_t ox,
                        uint32_t offset2) {
  const int32_t in_c = in_shape.c;
  const int32_t in_y0 = oy * p->stride_h - p->pad_h;
  const int32_t in_x0 = ox * p->stride_w - p->pad_w;
  const int32_t dw = p->dilation_w;
  /* taps [fx_lo, fx_hi) of a row are inside the input horizontally */
  int32_t fx_lo = 0, fx_hi = filter_w;
  while (fx_lo < fx_hi && in_x0 + dw * fx_lo < 0) ++fx_lo;
  while (fx_hi > fx_lo && in_x0 + dw * (fx_hi - 1) >= in_shape.w) --fx_hi;
  const int32_t row_k = filter_w * in_c;
  for (int32_t fy = 0, k = 0; fy < filter_h; ++fy, k += row_k) {
    const int32_t iy = in_y0 + p->dilation_h * fy;
    if (iy < 0 || iy >= in_shape.h || fx_lo == fx_hi) {
      put_zeros(buf, K, col, k, row_k);
      continue;
    }
    if (fx_lo > 0) put_zeros(buf, K, col, k, fx_lo * in_c);
    const int8_t *src = in + (iy * in_shape.w + in_x0 + dw * fx_lo) * in_c;
    if (dw == 1) {
      const int32_t k0 = k + fx_lo * in_c, n = (fx_hi - fx_lo) * in_c;
      if (((k0 | n) & 3) == 0 && k0 + n <= (K & ~3)) { /* whole groups: inline */
        int16_t *dst = buf + (k0 >> 2) * 8 + col * 4;
        for (int32_t i = 0; i < n; i += 4, dst += 8) {
          const uint32_t w = nn_read_u32(src + i);
          nn_write_u32(dst, nn_sxtab16(offset2, w));
          nn_write_u32(dst + 2, nn_sxtab16_ror8(offset2, w));
        }
      } else {
        put_run(buf, K, col, k0, src, n, offset2);
      }
    } else {
      for (int32_t fx = fx_lo; fx < fx_hi; ++fx, src += dw * in_c)
        put_run(buf, K, col, k + fx * in_c, src, in_c, offset2);
    }
    if (fx_hi < filter_w) put_zeros(buf, K, col, k + fx_hi * in_c, (filter_w - fx_hi) * in_c);
  }
}

/* One group of four: two filter words against the two columns' 16 bytes. */
#define NN_DOT_2X2_GROUP()                          \
  do {                                              \
    const uint32_t wa_bytes = nn_read_u32(wa);      \
    const uint32_t wb_bytes = nn_read_u32(wb);      \
    wa += 4;                                        \
    wb += 4;                                        \
    const uint32_t x0_02 = nn_read_s16x2(x);        \
    const uint32_t x0_13 = nn_read_s16x2(x + 2);    \
    const uint32_t x1_02 = nn_read_s16x2(x + 4);    \
    const uint32_t x1_13 = nn_read_s16x2(x + 6);    \
    x += 8;                                         \
    const uint32_t wa02 = nn_sxtb16(wa_bytes);      \
    a0 = nn_smlad(wa02, x0_02, a0);                 \
    a1 = nn_smlad(wa02, x1_02, a1);                 \
    const uint32_t wa13 = nn_sxtb16_ror8(wa_bytes); \
    a0 = nn_smlad(wa13, x0_13, a0);                 \
    a1 = nn_smlad(wa13, x1_13, a1);                 \
    const uint32_t wb02 = nn_sxtb16(wb_bytes);      \
    b0 = nn_smlad(wb02, x0_02, b0);                 \
    b1 = nn_smlad(wb02, x1_02, b1);                 \
    const uint32_t wb13 = nn_sxtb16_ror8(wb_bytes); \
    b0 = nn_smlad(wb13, x0_13, b0);                 \
    b1 = nn_smlad(wb13, x1_13, b1);                 \
  } while (0)

/* The inner product of two filter rows (wa, wb) with the two columns of buf
 * over G groups of four, added to acc = {row a col 0, row a col 1, row b
 * col 0, row b col 1}. Out of line, so that its loop has the registers to
 * itself. With the DSP extension the loop is written in assembly: the C
 * version needs one register more than the core has and spills two
 * accumulators (measured: 1.9 instead of 1.4 cycles per MAC on the M4). */
#if NN_DSP_NATIVE
/* One group of four in assembly, the columns' words at x + the offsets
 * given: filter row a's word and the four column words loaded in a row
 * (pipelined), then row b's. */
#define NN_DOT_GROUP_ASM(o0_02, o1_02, o0_13, o1_13) \
  "ldr %[w], [%[wa]], #4\n\t"                      \
  "ldr %[x0_02], [%[x], #" o0_02 "]\n\t"           \
  "ldr %[x1_02], [%[x], #" o1_02 "]\n\t"           \
  "ldr %[x0_13], [%[x], #" o0_13 "]\n\t"           \
  "ldr %[x1_13], [%[x], #" o1_13 "]\n\t"           \
  "sxtb16 %[t], %[w]\n\t"                          \
  "sxtb16 %[w], %[w], ror #8\n\t"                  \
  "smlad %[a0], %[t], %[x0_02], %[a0]\n\t"         \
  "smlad %[a1], %[t], %[x1_02], %[a1]\n\t"         \
  "smlad %[a0], %[w], %[x0_13], %[a0]\n\t"         \
  "smlad %[a1], %[w], %[x1_13], %[a1]\n\t"         \
  "ldr %[w], [%[wb]], #4\n\t"                      \
  "sxtb16 %[t], %[w]\n\t"                          \
  "sxtb16 %[w], %[w], ror #8\n\t"                  \
  "smlad %[b0], %[t], %[x0_02], %[b0]\n\t"         \
  "smlad %[b1], %[t], %[x1_02], %[b1]\n\t"         \
  "smlad %[b0], %[w], %[x0_13], %[b0]\n\t"         \
  "smlad %[b1], %[w], %[x1_13], %[b1]\n\t"
#endif

static inline __attribute__((always_inline)) void dot_2x2_in(const int8_t *wa, const int8_t *wb,
                                                             const int16_t *x, int32_t G, int32_t acc[4]) {
  int32_t a0 = acc[0], a1 = acc[1], b0 = acc[2], b1 = acc[3];
#if NN_DSP_NATIVE
  uint32_t w, t, x0_02, x1_02, x0_13, x1_13;
  /* G % 4 groups first (one, then two), then four groups per pass: one
   * pointer step and one loop branch per 64 MACs */
  __asm__ volatile(
      "lsrs %[n], %[n], #1\n\t"
      "bcc 2f\n\t"
      NN_DOT_GROUP_ASM("0", "8", "4", "12")
      "adds %[x], %[x], #16\n\t"
      "2:\n\t"
      "lsrs %[n], %[n], #1\n\t"
      "bcc 3f\n\t"
      NN_DOT_GROUP_ASM("0", "8", "4", "12")
      NN_DOT_GROUP_ASM("16", "24", "20", "28")
      "adds %[x], %[x], #32\n\t"
      "3:\n\t"
      "cmp %[n], #0\n\t"
      "beq 5f\n\t"
      "4:\n\t"
      NN_DOT_GROUP_ASM("0", "8", "4", "12")
      NN_DOT_GROUP_ASM("16", "24", "20", "28")
      NN_DOT_GROUP_ASM("32", "40", "36", "44")
      NN_DOT_GROUP_ASM("48", "56", "52", "60")
      "adds %[x], %[x], #64\n\t"
      "subs %[n], %[n], #1\n\t"
      "bne 4b\n\t"
      "5:\n\t"
      : [wa] "+r"(wa), [wb] "+r"(wb), [x] "+r"(x), [n] "+r"(G), [a0] "+r"(a0), [a1] "+r"(a1), [b0] "+r"(b0),
        [b1] "+r"(b1), [w] "=&r"(w), [t] "=&r"(t), [x0_02] "=&r"(x0_02), [x1_02] "=&r"(x1_02),
        [x0_13] "=&r"(x0_13), [x1_13] "=&r"(x1_13)
      :
      : "cc", "memory");
#else
  for (; G > 0; --G) NN_DOT_2X2_GROUP();
#endif
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = b0;
  acc[3] = b1;
}

static void __attribute__((noinline)) dot_2x2(const int8_t *wa, const int8_t *wb, const int16_t *x, int32_t G,
                                               int32_t acc[4]) {
  dot_2x2_in(wa, wb, x, G, acc);
}

/* Output channels handled with one set of prepared requantization constants
 * (16 bytes each on the stack). Each chunk rebuilds the columns, so up to 64
 * output channels (the keyword-spotting layers') take one pass. */
#define CHUNK 64

typedef struct {
  const int8_t *filter;
  const int32_t *bias;
  int32_t K;
  int32_t output_offset, act_min, act_max;
} conv_job;

/* Both columns in buf against output channels [c0, c0 + n), two at a time,
 * with the fast requantization done where the sums are still in registers
 * (`full`, a constant where inlined: act_min, act_max = -128, 127); out1
 * NULL: a single column. ch[i] is channel c0 + i's. */
static inline __attribute__((always_inline)) void mat_mult_fast_as(int full, const conv_job *job,
                                                                   const nn_dsp_channel *ch, int32_t c0, int32_t n,
                                                                   const int16_t *buf, int8_t *out0, int8_t *out1) {
  int8_t spare[2];
  const int32_t K = job->K;
  const int32_t G = K >> 2;
  const int16_t *tail = buf + G * 8;
  const int32_t off = job->output_offset, lo = job->act_min, hi = job->act_max;
  int8_t *o1 = out1 ? out1 + c0 : spare;
  const int32_t o1_step = out1 ? 2 : 0;
  out0 += c0;
  const int8_t *wa = job->filter + c0 * K;
  const int32_t *bias = job->bias ? job->bias + c0 : NULL;
  for (int32_t i = 0; i < n; i += 2, wa += 2 * K, ch += 2, out0 += 2, o1 += o1_step) {
    const int has_b = i + 1 < n;
    const int8_t *wb = has_b ? wa + K : wa;
    const int32_t bias_a = bias ? bias[i] : 0;
    const int32_t bias_b = bias && has_b ? bias[i + 1] : 0;
    int32_t acc[4] = {bias_a, bias_a, bias_b, bias_b};
    if (G > 0) dot_2x2_in(wa, wb, buf, G, acc);
    for (int32_t r = 0; r < (K & 3); ++r) {
      const int32_t x0 = tail[2 * r], x1 = tail[2 * r + 1];
      const int32_t fa = wa[G * 4 + r], fb = wb[G * 4 + r];
      acc[0] += fa * x0;
      acc[1] += fa * x1;
      acc[2] += fb * x0;
      acc[3] += fb * x1;
    }
    if (full) {
      const int8_t v0 = nn_dsp_requantize_fast_s8(acc[0], &ch[0], off);
      const int8_t v1 = nn_dsp_requantize_fast_s8(acc[1], &ch[0], off);
      out0[0] = v0;
      o1[0] = v1;
      if (has_b) {
        const int8_t v2 = nn_dsp_requantize_fast_s8(acc[2], &ch[1], off);
        const int8_t v3 = nn_dsp_requantize_fast_s8(acc[3], &ch[1], off);
        out0[1] = v2;
        o1[1] = v3;
      }
    } else {
      out0[0] = nn_dsp_requantize_fast(acc[0], &ch[0], off, lo, hi);
      o1[0] = nn_dsp_requantize_fast(acc[1], &ch[0], off, lo, hi);
      if (has_b) {
        out0[1] = nn_dsp_requantize_fast(acc[2], &ch[1], off, lo, hi);
        o1[1] = nn_dsp_requantize_fast(acc[3], &ch[1], off, lo, hi);
      }
    }
  }
}

static void mat_mult_fast(const conv_job *job, const nn_dsp_channel *ch, int32_t c0, int32_t n,
                          const int16_t *buf, int8_t *out0, int8_t *out1) {
  mat_mult_fast_as(0, job, ch, c0, n, buf, out0, out1);
}

#if NN_DSP_NATIVE
/* The channel pairs of mat_mult_fast_s8 in one block of assembly, for K a
 * multiple of 4, an even channel count, a bias and two columns: what the
 * loop reads, at fixed offsets from one register (which is also the group
 * counter, its value kept on the stack meanwhile). */
typedef struct {
  const int8_t *wa;         /* the pair's first filter row */
  int32_t K;                /* bytes per filter row */
  const int16_t *x;         /* the two columns */
  int32_t passes;           /* K / 16: four groups per pass */
  const int32_t *bias;      /* the pair's biases */
  const nn_dsp_channel *ch; /* the pair's requantization */
  int8_t *out0, *out1;      /* the pair's outputs in either column */
  int32_t pairs;            /* channel pairs left, >= 1 */
  int32_t output_offset;
  int32_t rest;             /* (K / 4) % 4: groups before the passes */
} pair_loop;
_Static_assert(offsetof(pair_loop, K) == 4 && offsetof(pair_loop, x) == 8 && offsetof(pair_loop, passes) == 12 &&
                   offsetof(pair_loop, bias) == 16 && offsetof(pair_loop, ch) == 20 &&
                   offsetof(pair_loop, out0) == 24 && offsetof(pair_loop, out1) == 28 &&
                   offsetof(pair_loop, pairs) == 32 && offsetof(pair_loop, output_offset) == 36 &&
                   offsetof(pair_loop, rest) == 40,
               "the offsets the assembly of pairs_s8 uses");

/* nn_dsp_requantize_fast_s8 of `a` with the channel at [q, #o], into [d, #od] */
#define NN_PAIR_RQ(a, o_lo, o_hi, o_m, o_sh, d, o_d) \
  "ldr %[x0_02], [%[wa], #" o_lo "]\n\t"           \
  "ldr %[x1_02], [%[wa], #" o_hi "]\n\t"           \
  "ldr %[x0_13], [%[wa], #" o_m "]\n\t"            \
  "ldrsb %[x1_13], [%[wa], #" o_sh "]\n\t"         \
  "smlal %[x0_02], %[x1_02], %[" a "], %[x0_13]\n\t" \
  "asr %[x0_13], %[" a "], #31\n\t"                \
  "adds %[x0_02], %[x0_02], %[x0_13], lsl #31\n\t" \
  "adc %[x1_02], %[x1_02], %[x0_13]\n\t"           \
  "asr %[x1_02], %[x1_02], %[x1_13]\n\t"           \
  "add %[x1_02], %[x1_02], %[t]\n\t"               \
  "ssat %[x1_02], #8, %[x1_02]\n\t"                \
  "strb %[x1_02], [%[" d "], #" o_d "]\n\t"

/* The groups before the passes (rest: one, then two), then the passes'
 * count from the structure again: for K not a multiple of 16. */
#define NN_PAIRS_REST                      \
  "ldr %[st], [%[st], #40]\n\t"            \
  "lsrs %[st], %[st], #1\n\t"              \
  "bcc 3f\n\t"                             \
  NN_DOT_GROUP_ASM("0", "8", "4", "12")    \
  "adds %[x], %[x], #16\n\t"               \
  "3:\n\t"                                 \
  "cmp %[st], #0\n\t"                      \
  "beq 4f\n\t"                             \
  NN_DOT_GROUP_ASM("0", "8", "4", "12")    \
  NN_DOT_GROUP_ASM("16", "24", "20", "28") \
  "adds %[x], %[x], #32\n\t"               \
  "4:\n\t"                                 \
  "ldr %[st], [sp]\n\t"                    \
  "ldr %[st], [%[st], #12]\n\t"            \
  "cmp %[st], #0\n\t"                      \
  "beq 5f\n\t"
/* K a multiple of 16: the passes only */
#define NN_PAIRS_PASSES_ONLY "ldr %[st], [%[st], #12]\n\t"
/* One pair per pass of label 1, four groups per pass of label 2. */
#define NN_PAIRS_BODY(groups_first) \
      "1:\n\t"                                            \
      "ldr %[wa], [%[st], #0]\n\t"                        \
      "ldr %[wb], [%[st], #4]\n\t"                        \
      "ldr %[x], [%[st], #8]\n\t"                         \
      "ldr %[t], [%[st], #16]\n\t"                        \
      "add %[wb], %[wa], %[wb]\n\t"                       \
      "ldr %[a0], [%[t]]\n\t"                             \
      "ldr %[b0], [%[t], #4]\n\t"                         \
      "mov %[a1], %[a0]\n\t"                              \
      "mov %[b1], %[b0]\n\t"                              \
      "str %[st], [sp, #-8]!\n\t"                         \
      groups_first                                        \
      "2:\n\t"                                            \
      NN_DOT_GROUP_ASM("0", "8", "4", "12")               \
      NN_DOT_GROUP_ASM("16", "24", "20", "28")            \
      NN_DOT_GROUP_ASM("32", "40", "36", "44")            \
      NN_DOT_GROUP_ASM("48", "56", "52", "60")            \
      "adds %[x], %[x], #64\n\t"                          \
      "subs %[st], %[st], #1\n\t"                         \
      "bne 2b\n\t"                                        \
      "5:\n\t"                                            \
      "ldr %[st], [sp], #8\n\t"                           \
      /* wb is past row b: the next pair's row a */       \
      "str %[wb], [%[st], #0]\n\t"                        \
      "ldr %[wa], [%[st], #20]\n\t"                       \
      "ldr %[x], [%[st], #24]\n\t"                        \
      "ldr %[wb], [%[st], #28]\n\t"                       \
      "ldr %[t], [%[st], #36]\n\t"                        \
      NN_PAIR_RQ("a0", "0", "4", "8", "14", "x", "0")     \
      NN_PAIR_RQ("a1", "0", "4", "8", "14", "wb", "0")    \
      NN_PAIR_RQ("b0", "16", "20", "24", "30", "x", "1")  \
      NN_PAIR_RQ("b1", "16", "20", "24", "30", "wb", "1") \
      "add %[wa], %[wa], #32\n\t"                         \
      "add %[x], %[x], #2\n\t"                            \
      "add %[wb], %[wb], #2\n\t"                          \
      "ldr %[t], [%[st], #16]\n\t"                        \
      "ldr %[w], [%[st], #32]\n\t"                        \
      "str %[wa], [%[st], #20]\n\t"                       \
      "str %[x], [%[st], #24]\n\t"                        \
      "str %[wb], [%[st], #28]\n\t"                       \
      "add %[t], %[t], #8\n\t"                            \
      "str %[t], [%[st], #16]\n\t"                        \
      "subs %[w], %[w], #1\n\t"                           \
      "str %[w], [%[st], #32]\n\t"                        \
      "bne 1b\n\t"                                       

static void __attribute__((noinline)) pairs_s8(pair_loop *st) {
  const int8_t *wa, *wb;
  const int16_t *x;
  int32_t a0, a1, b0, b1;
  uint32_t w, t, x0_02, x1_02, x0_13, x1_13;
  __asm__ volatile(NN_PAIRS_BODY(NN_PAIRS_PASSES_ONLY)
      : [st] "+r"(st), [wa] "=&r"(wa), [wb] "=&r"(wb), [x] "=&r"(x), [a0] "=&r"(a0), [a1] "=&r"(a1),
        [b0] "=&r"(b0), [b1] "=&r"(b1), [w] "=&r"(w), [t] "=&r"(t), [x0_02] "=&r"(x0_02), [x1_02] "=&r"(x1_02),
        [x0_13] "=&r"(x0_13), [x1_13] "=&r"(x1_13)
      :
      : "cc", "memory");
}

static void __attribute__((noinline)) pairs_s8_rest(pair_loop *st) {
  const int8_t *wa, *wb;
  const int16_t *x;
  int32_t a0, a1, b0, b1;
  uint32_t w, t, x0_02, x1_02, x0_13, x1_13;
  __asm__ volatile(NN_PAIRS_BODY(NN_PAIRS_REST)
      : [st] "+r"(st), [wa] "=&r"(wa), [wb] "=&r"(wb), [x] "=&r"(x), [a0] "=&r"(a0), [a1] "=&r"(a1),
        [b0] "=&r"(b0), [b1] "=&r"(b1), [w] "=&r"(w), [t] "=&r"(t), [x0_02] "=&r"(x0_02), [x1_02] "=&r"(x1_02),
        [x0_13] "=&r"(x0_13), [x1_13] "=&r"(x1_13)
      :
      : "cc", "memory");
}
#endif

static void mat_mult_fast_s8(const conv_job *job, const nn_dsp_channel *ch, int32_t c0, int32_t n,
                             const int16_t *buf, int8_t *out0, int8_t *out1) {
#if NN_DSP_NATIVE
  if ((job->K & 3) == 0 && job->K > 0 && (n & 1) == 0 && n > 0 && job->bias && out1) {
    pair_loop st = {job->filter + c0 * job->K, job->K, buf, job->K >> 4, job->bias + c0, ch, out0 + c0, out1 + c0,
                    n >> 1, job->output_offset, (job->K >> 2) & 3};
    ((job->K & 15) == 0 ? pairs_s8 : pairs_s8_rest)(&st);
    return;
  }
#endif
  mat_mult_fast_as(1, job, ch, c0, n, buf, out0, out1);
}

static inline int8_t requantize(int fast, int32_t acc, const nn_dsp_channel *ch, const conv_job *job) {
  return fast ? nn_dsp_requantize_fast(acc, ch, job->output_offset, job->act_min, job->act_max)
              : nn_dsp_requantize(acc, ch, job->output_offset, job->act_min, job->act_max);
}

/* Both columns in buf against output channels [c0, c0 + n); writes out0[oc]
 * and out1[oc] (out1 NULL: a single column). ch[i] is channel c0 + i's;
 * `fast` (a constant where it is inlined) when every one of them is. */
static inline __attribute__((always_inline)) void mat_mult_as(int fast, const conv_job *job,
                                                              const nn_dsp_channel *ch, int32_t c0, int32_t n,
                                                              const int16_t *buf, int8_t *out0, int8_t *out1) {
  const int32_t K = job->K;
  const int32_t G = K >> 2;
  const int32_t rest = K & 3;
  const int16_t *tail = buf + G * 8;
  for (int32_t i = 0; i < n; i += 2) {
    const int32_t oc = c0 + i;
    const int32_t ib = i + 1 < n ? i + 1 : i;
    const int8_t *wa = job->filter + oc * K;
    const int8_t *wb = job->filter + (c0 + ib) * K;
    int32_t acc[4];
    acc[0] = acc[1] = job->bias ? job->bias[oc] : 0;
    acc[2] = acc[3] = job->bias ? job->bias[c0 + ib] : 0;
    if (G > 0) dot_2x2(wa, wb, buf, G, acc);
    for (int32_t r = 0; r < rest; ++r) {
      const int32_t x0 = tail[2 * r], x1 = tail[2 * r + 1];
      const int32_t fa = wa[G * 4 + r], fb = wb[G * 4 + r];
      acc[0] += fa * x0;
      acc[1] += fa * x1;
      acc[2] += fb * x0;
      acc[3] += fb * x1;
    }
    out0[oc] = requantize(fast, acc[0], &ch[i], job);
    if (out1) out1[oc] = requantize(fast, acc[1], &ch[i], job);
    if (ib != i) {
      out0[oc + 1] = requantize(fast, acc[2], &ch[ib], job);
      if (out1) out1[oc + 1] = requantize(fast, acc[3], &ch[ib], job);
    }
  }
}

static void mat_mult_exact(const conv_job *job, const nn_dsp_channel *ch, int32_t c0, int32_t n,
                           const int16_t *buf, int8_t *out0, int8_t *out1) {
  mat_mult_as(0, job, ch, c0, n, buf, out0, out1);
}

void nn_conv2d_s8_dsp(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                      const int8_t *in, int32_t filter_h, int32_t filter_w, const int8_t *filter,
                      const int32_t *bias, nn_shape out_shape, int8_t *out, void *scratch) {
  const int32_t K = filter_h * filter_w * in_shape.c;
  const uint32_t offset2 = nn_dsp_offset2(p->input_offset);
  int16_t *buf = (int16_t *)scratch;
  const conv_job job = {filter, bias, K, p->output_offset, p->act_min, p->act_max};
  const int32_t pixels = out_shape.h * out_shape.w;
  const int32_t out_c = out_shape.c;
  const int pointwise = filter_h == 1 && filter_w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
                        p->pad_h == 0 && p->pad_w == 0 && out_shape.h == in_shape.h &&
                        out_shape.w == in_shape.w;
  nn_dsp_channel ch[CHUNK];
  for (int32_t c0 = 0; c0 < out_c; c0 += CHUNK) {
    const int32_t n = out_c - c0 < CHUNK ? out_c - c0 : CHUNK;
    int all_fast = 1;
    for (int32_t i = 0; i < n; ++i) {
      ch[i] = nn_dsp_channel_of(rq, c0 + i);
      all_fast &= ch[i].fast;
    }
    void (*const mat_mult)(const conv_job *, const nn_dsp_channel *, int32_t, int32_t, const int16_t *, int8_t *,
                           int8_t *) = !all_fast                                 ? mat_mult_exact
                                       : p->act_min == -128 && p->act_max == 127 ? mat_mult_fast_s8
                                                                                 : mat_mult_fast;
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
      mat_mult(&job, ch, c0, n, buf, out + i * out_c, j != i ? out + j * out_c : NULL);
    }
  }
}
