/*
 * nn_fully_connected_s8_dsp - FULLY_CONNECTED, int8, for the DSP extension:
 * the result of nn_fully_connected_s8_ref. Two output rows at a time; per
 * four inputs, SXTAB16 (with and without ROR #8) adds the input offset to
 * inputs 0, 2 and 1, 3 as halfword pairs, SXTB16 splits each row's four
 * weights alike, and SMLAD accumulates two products at once.
 */
#include "mcusim_nn.h"
#include "mcusim_nn_dsp.h"
#include "nn_dsp_internal.h"

void nn_fully_connected_s8_dsp(const nn_fc_s8_params *p, const nn_requant *rq, int32_t in_n,
                               const int8_t *in, int32_t out_n, const int8_t *weights,
                               const int32_t *bias, int8_t *out, void *scratch) {
  (void)scratch;
  const uint32_t offset2 = nn_dsp_offset2(p->input_offset);
  const int32_t groups = in_n >> 2;
  for (int32_t o = 0; o < out_n; o += 2) {
    const int32_t ob = o + 1 < out_n ? o + 1 : o;
    const int8_t *wa = weights + o * in_n;
    const int8_t *wb = weights + ob * in_n;
    const int8_t *x = in;
    int32_t acc_a = bias ? bias[o] : 0;
    int32_t acc_b = bias ? bias[ob] : 0;
    for (int32_t g = 0; g < groups; ++g) {
      const uint32_t xv = nn_read_u32(x);
      const uint32_t av = nn_read_u32(wa);
      const uint32_t bv = nn_read_u32(wb);
      x += 4;
      wa += 4;
      wb += 4;
      const uint32_t x02 = nn_sxtab16(offset2, xv);
      const uint32_t x13 = nn_sxtab16_ror8(offset2, xv);
      acc_a = nn_smlad(nn_sxtb16(av), x02, acc_a);
      acc_a = nn_smlad(nn_sxtb16_ror8(av), x13, acc_a);
      acc_b = nn_smlad(nn_sxtb16(bv), x02, acc_b);
      acc_b = nn_smlad(nn_sxtb16_ror8(bv), x13, acc_b);
    }
    for (int32_t i = groups * 4; i < in_n; ++i) {
      const int32_t v = (int32_t)in[i] + p->input_offset;
      acc_a += (int32_t)weights[o * in_n + i] * v;
      acc_b += (int32_t)weights[ob * in_n + i] * v;
    }
    const nn_dsp_channel cha = nn_dsp_channel_of(rq, o);
    out[o] = nn_dsp_requantize(acc_a, &cha, p->output_offset, p->act_min, p->act_max);
    if (ob != o) {
      const nn_dsp_channel chb = nn_dsp_channel_of(rq, ob);
      out[ob] = nn_dsp_requantize(acc_b, &chb, p->output_offset, p->act_min, p->act_max);
    }
  }
}
