/*
 * nn_ref_internal.h - what several reference int8 kernels share: the
 * requantization of an int32 accumulator to an int8 output channel.
 * Private to firmware/nn/src/ref.
 */
#ifndef NN_REF_INTERNAL_H
#define NN_REF_INTERNAL_H

#include "mcusim_nn.h"

/* clamp(MBQM(acc, multiplier[c], shift[c]) + output_offset, act_min, act_max),
 * channel 0's parameters for every channel when rq->per_channel is 0. */
static inline int8_t nn_ref_requantize(const nn_requant *rq, int32_t channel, int32_t acc,
                                       int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t i = rq->per_channel ? channel : 0;
  int32_t v = nn_multiply_by_quantized_multiplier(acc, rq->multiplier[i], (int)rq->shift[i]);
  v += output_offset;
  return (int8_t)nn_clamp_s32(v, act_min, act_max);
}

#endif /* NN_REF_INTERNAL_H */
