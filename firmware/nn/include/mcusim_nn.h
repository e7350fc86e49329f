/*
 * mcusim_nn.h - the kernels that mcusim-nnc's generated C calls, and the
 * description of a compiled model.
 *
 * Plain C11, no allocation, no global state: the same sources build for bare
 * metal (every core mcusim simulates) and for the host (tests). Build every
 * file that includes this header, and the generated model, with
 * -ffp-contract=off so that float results are bit-identical on the host and
 * on the target (no fused multiply-add).
 *
 * Layout and conventions (those of TensorFlow Lite, docs/tinyml.md):
 *  - activations are NHWC with batch 1: element (y, x, c) of a tensor of
 *    shape {h, w, c} is at (y * w + x) * c + c;
 *  - CONV_2D filters are [out_c][fh][fw][in_c]; DEPTHWISE_CONV_2D filters are
 *    [fh][fw][out_c] with out_c = in_c * depth_multiplier; FULLY_CONNECTED
 *    weights are [out][in];
 *  - int8: real = scale * (q - zero_point). Weights are symmetric (zero point
 *    0), per output channel for convolutions; activations per tensor. Biases
 *    are int32 with scale input_scale * weight_scale and zero point 0;
 *  - requantization of an int32 accumulator to the output:
 *    out = clamp(nn_multiply_by_quantized_multiplier(acc, multiplier[c],
 *    shift[c]) + output_offset, act_min, act_max), where act_min/act_max
 *    carry the fused activation (RELU, RELU6) in the quantized domain.
 *
 * Every int8 kernel has a reference version (suffix _ref, portable C written
 * for clarity, the definition of the result) and, where it pays, an optimized
 * version for Armv7E-M and Armv8-M Mainline with the DSP extension (suffix
 * _dsp: SMLAD, SXTB16, ...). The _dsp versions also build on the host and on
 * cores without DSP, through portable definitions of the intrinsics
 * (mcusim_nn_dsp.h), and give bit-identical results to _ref.
 */
#ifndef MCUSIM_NN_H
#define MCUSIM_NN_H

#include <stdint.h>

#include "mcusim_nn_fixedpoint.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- shapes and parameters ------------------------------------------------ */

/* A tensor's shape with batch 1: height, width, channels. A vector of n
 * elements is {1, 1, n}. */
typedef struct {
  int32_t h, w, c;
} nn_shape;

/* Requantization per output channel: multiplier[i], shift[i] for channel i,
 * or (per_channel == 0) multiplier[0], shift[0] for every channel. */
typedef struct {
  const int32_t *multiplier;
  const int32_t *shift;
  int32_t per_channel;
} nn_requant;

/* CONV_2D and DEPTHWISE_CONV_2D, int8. */
typedef struct {
  int32_t input_offset;  /* -input zero point: added to every input value */
  int32_t output_offset; /* output zero point */
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_h, pad_w;     /* rows / columns of padding before the input (SAME), 0 for VALID */
  int32_t depth_multiplier; /* DEPTHWISE_CONV_2D only; 1 otherwise */
  int32_t act_min, act_max; /* clamp of the output, quantized */
} nn_conv_s8_params;

/* FULLY_CONNECTED, int8 (weights symmetric, per tensor or per channel). */
typedef struct {
  int32_t input_offset;
  int32_t output_offset;
  int32_t act_min, act_max;
} nn_fc_s8_params;

/* AVERAGE_POOL_2D and MAX_POOL_2D (int8 and float: act_* used as the type's clamp). */
typedef struct {
  int32_t stride_h, stride_w;
  int32_t filter_h, filter_w;
  int32_t pad_h, pad_w;
  int32_t act_min, act_max; /* int8 kernels */
  float act_min_f, act_max_f; /* float kernels */
} nn_pool_params;

/* ADD, int8, same shapes (no broadcast): TFLite's quantized add with
 * left_shift 20 (reference_ops::Add, kernels/add.cc Prepare). */
typedef struct {
  int32_t input1_offset, input2_offset; /* -zero points */
  int32_t output_offset;
  int32_t left_shift;
  int32_t input1_multiplier, input1_shift;
  int32_t input2_multiplier, input2_shift;
  int32_t output_multiplier, output_shift;
  int32_t act_min, act_max;
} nn_add_s8_params;

/* SOFTMAX, int8 in, int8 out (scale 1/256, zero point -128): TFLite's
 * fixed-point softmax (reference_ops::Softmax for int8, with gemmlowp's exp
 * on [-inf, 0] and 5 integer bits for the difference), parameters from
 * PreprocessSoftmaxScaling(beta, input_scale, 5). */
typedef struct {
  int32_t input_multiplier;
  int32_t input_left_shift;
  int32_t diff_min; /* differences below it give 0 */
} nn_softmax_s8_params;

/* Convolutions in float: act_min/act_max carry the fused activation
 * (-FLT_MAX/FLT_MAX for none). */
typedef struct {
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_h, pad_w;
  int32_t depth_multiplier;
  float act_min, act_max;
} nn_conv_f32_params;

/* ---- int8 kernels, reference ------------------------------------------- */

void nn_conv2d_s8_ref(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                      const int8_t *in, int32_t filter_h, int32_t filter_w, const int8_t *filter,
                      const int32_t *bias, nn_shape out_shape, int8_t *out);

void nn_depthwise_conv2d_s8_ref(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                                const int8_t *in, int32_t filter_h, int32_t filter_w,
                                const int8_t *filter, const int32_t *bias, nn_shape out_shape,
                                int8_t *out);

/* out[o] for o < out_n from in[0..in_n); bias may be NULL. */
void nn_fully_connected_s8_ref(const nn_fc_s8_params *p, const nn_requant *rq, int32_t in_n,
                               const int8_t *in, int32_t out_n, const int8_t *weights,
                               const int32_t *bias, int8_t *out);

/* Padding cells are not counted in the average (TFLite). Rounding: the sum,
 * then (sum + count/2) / count for sum > 0, (sum - count/2) / count otherwise
 * (C division, towards zero). */
void nn_avgpool2d_s8_ref(const nn_pool_params *p, nn_shape in_shape, const int8_t *in,
                         nn_shape out_shape, int8_t *out);
void nn_maxpool2d_s8_ref(const nn_pool_params *p, nn_shape in_shape, const int8_t *in,
                         nn_shape out_shape, int8_t *out);

void nn_add_s8_ref(const nn_add_s8_params *p, int32_t n, const int8_t *a, const int8_t *b, int8_t *out);

/* PAD (and PADV2 with a constant): pad_before / pad_after in rows (h),
 * columns (w) and channels (c); cells outside the input take `value`
 * (the output zero point for int8, TFLite's rule). */
void nn_pad_s8(nn_shape in_shape, const int8_t *in, nn_shape pad_before, nn_shape out_shape,
               int8_t *out, int8_t value);

/* rows independent softmaxes over `depth` values each. */
void nn_softmax_s8_ref(const nn_softmax_s8_params *p, int32_t rows, int32_t depth, const int8_t *in,
                       int8_t *out);

/* QUANTIZE float -> int8: q = clamp(round_half_away(x / scale) + zero_point),
 * the division in float (TFLite AffineQuantize). */
void nn_quantize_f32_s8(int32_t n, const float *in, float scale, int32_t zero_point, int8_t *out);
/* QUANTIZE int8 -> int8 (a change of scale): TFLite Requantize:
 * clamp(MBQM(q - in_zp, multiplier, shift) + out_zp). */
void nn_requantize_s8(int32_t n, const int8_t *in, int32_t input_zero_point, int32_t multiplier,
                      int32_t shift, int32_t output_zero_point, int8_t *out);
/* DEQUANTIZE int8 -> float: scale * (float)(q - zero_point), in float. */
void nn_dequantize_s8_f32(int32_t n, const int8_t *in, float scale, int32_t zero_point, float *out);

/* ---- int8 kernels, optimized for the DSP extension --------------------------
 * Same arguments and results as _ref, plus a scratch buffer of at least the
 * bytes the matching macro gives (NULL when it gives 0), aligned to at least
 * 2 bytes (it holds int16 values; the generated code aligns it to 16). The
 * other pointers need no alignment. mcusim-nnc sizes one
 * scratch buffer per model from these macros: keep them in step with
 * nnc/codegen (kernel_scratch_bytes). */
#define NN_CONV2D_S8_DSP_SCRATCH_BYTES(filter_h, filter_w, in_c) \
  (2 * 2 * (int32_t)(filter_h) * (int32_t)(filter_w) * (int32_t)(in_c))
#define NN_DEPTHWISE_CONV2D_S8_DSP_SCRATCH_BYTES(filter_h, filter_w, in_c) (0)
#define NN_FULLY_CONNECTED_S8_DSP_SCRATCH_BYTES(in_n) (0)

void nn_conv2d_s8_dsp(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                      const int8_t *in, int32_t filter_h, int32_t filter_w, const int8_t *filter,
                      const int32_t *bias, nn_shape out_shape, int8_t *out, void *scratch);
void nn_depthwise_conv2d_s8_dsp(const nn_conv_s8_params *p, const nn_requant *rq, nn_shape in_shape,
                                const int8_t *in, int32_t filter_h, int32_t filter_w,
                                const int8_t *filter, const int32_t *bias, nn_shape out_shape,
                                int8_t *out, void *scratch);
void nn_fully_connected_s8_dsp(const nn_fc_s8_params *p, const nn_requant *rq, int32_t in_n,
                               const int8_t *in, int32_t out_n, const int8_t *weights,
                               const int32_t *bias, int8_t *out, void *scratch);

/* ---- float32 kernels ------------------------------------------------------
 * Plain float operations in a fixed order, which defines the result's bits:
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED start each sum at the bias
 * (0 when bias is NULL) and add input * weight over fy, then fx, then ic
 * (FULLY_CONNECTED: i = 0, 1, ...), skipping padding; AVERAGE_POOL_2D sums the
 * cells inside the input from 0 over fy, then fx, and divides once by their
 * count; then the clamp min(max(x, act_min), act_max). */

void nn_conv2d_f32(const nn_conv_f32_params *p, nn_shape in_shape, const float *in, int32_t filter_h,
                   int32_t filter_w, const float *filter, const float *bias, nn_shape out_shape,
                   float *out);
void nn_depthwise_conv2d_f32(const nn_conv_f32_params *p, nn_shape in_shape, const float *in,
                             int32_t filter_h, int32_t filter_w, const float *filter,
                             const float *bias, nn_shape out_shape, float *out);
void nn_fully_connected_f32(int32_t in_n, const float *in, int32_t out_n, const float *weights,
                            const float *bias, float act_min, float act_max, float *out);
void nn_avgpool2d_f32(const nn_pool_params *p, nn_shape in_shape, const float *in, nn_shape out_shape,
                      float *out);
void nn_maxpool2d_f32(const nn_pool_params *p, nn_shape in_shape, const float *in, nn_shape out_shape,
                      float *out);
void nn_add_f32(int32_t n, const float *a, const float *b, float act_min, float act_max, float *out);
void nn_pad_f32(nn_shape in_shape, const float *in, nn_shape pad_before, nn_shape out_shape, float *out,
                float value);
/* exp((x - max) * beta) / sum, with nn_expf (below), not the C library's. */
void nn_softmax_f32(int32_t rows, int32_t depth, const float *in, float beta, float *out);

/* expf with a fixed algorithm (range reduction and a polynomial, error below
 * 2 ulp), so float models give the same bits on the host and on the target
 * whatever their C libraries do. */
float nn_expf(float x);

/* ---- a compiled model ----------------------------------------------------- */

typedef enum { NN_FLOAT32 = 0, NN_INT8 = 9 } nn_type;

/* What mcusim-nnc's generated <prefix>.c exports as `const nn_model_t
 * <prefix>_model`: enough for a generic runner to fill the input, invoke and
 * read the output. One input and one output tensor. */
typedef struct {
  const char *name;   /* the prefix, e.g. "kws_int8" */
  void (*invoke)(void); /* runs every operator, bracketed by markers */
  void *input;
  int32_t input_count; /* elements */
  nn_type input_type;
  float input_scale; /* int8 only */
  int32_t input_zero_point;
  void *output;
  int32_t output_count;
  nn_type output_type;
  float output_scale;
  int32_t output_zero_point;
  uint32_t arena_bytes;   /* the planned arena (its symbol: <prefix>_arena) */
  uint32_t scratch_bytes; /* kernel scratch, outside the arena */
  uint32_t weight_bytes;
  uint32_t macs;
  int32_t layers; /* operators that run (RESHAPE views excluded) */
} nn_model_t;

/* ---- markers and per-layer hooks --------------------------------------------
 * The generated code brackets its invocation (op "INVOKE") and every operator
 * with NN_LAYER_BEGIN/NN_LAYER_END. With MCUSIM_NN_MARKERS defined (firmware
 * built for mcusim) these are mcusim's layer markers (firmware/include/mcusim.h,
 * docs/markers.md); otherwise they compile to nothing. After each operator the
 * generated code calls NN_LAYER_DONE(index, output, bytes): nothing unless the
 * build defines NN_LAYER_HOOK, in which case it calls nn_layer_done(), which
 * the program provides (the host test runner dumps every layer's output). */
#if defined(MCUSIM_NN_MARKERS)
#include "mcusim.h"
typedef mcusim_layer_t nn_layer_t;
#define NN_LAYER_BEGIN(layer) mcusim_layer_begin(layer)
#define NN_LAYER_END() mcusim_layer_end()
#else
typedef struct {
  const char *name;
  const char *op;
  uint32_t macs;
} nn_layer_t;
#define NN_LAYER_BEGIN(layer) ((void)(layer))
#define NN_LAYER_END() ((void)0)
#endif
#if defined(NN_LAYER_HOOK)
void nn_layer_done(int32_t index, const void *data, uint32_t bytes);
#define NN_LAYER_DONE(index, data, bytes) nn_layer_done((index), (data), (bytes))
#else
#define NN_LAYER_DONE(index, data, bytes) ((void)0)
#endif

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_NN_H */
