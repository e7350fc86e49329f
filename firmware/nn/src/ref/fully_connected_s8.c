/*
 * nn_fully_connected_s8_ref - FULLY_CONNECTED, int8, symmetric weights:
 * TFLite's reference_integer_ops::FullyConnected (per tensor) and
 * FullyConnectedPerChannel (kernels/internal/reference/integer_ops/
 * fully_connected.h), weights [out][in], bias optional.
 */
#include "mcusim_nn.h"
#include "nn_ref_internal.h"

void nn_fully_connected_s8_ref(const nn_fc_s8_params *p, const nn_requant *rq, int32_t in_n,
                               const int8_t *in, int32_t out_n, const int8_t *weights,
                               const int32_t *bias, int8_t *out) {
  for (int32_t o = 0; o < out_n; ++o) {
    const int8_t *w = weights + o * in_n;
    int32_t acc = 0;
    for (int32_t i = 0; i < in_n; ++i) acc += (int32_t)w[i] * ((int32_t)in[i] + p->input_offset);
    if (bias) acc += bias[o];
    out[o] = nn_ref_requantize(rq, o, acc, p->output_offset, p->act_min, p->act_max);
  }
}
