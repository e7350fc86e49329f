/*
 * nn_f32_internal.h - what the float kernels share. Private to
 * firmware/nn/src/f32.
 *
 * Bit-for-bit agreement of host and target rests on a fixed order of
 * operations: every kernel here is plain float arithmetic (no fma: build
 * with -ffp-contract=off, no library calls) in the order its comments state.
 */
#ifndef NN_F32_INTERNAL_H
#define NN_F32_INTERNAL_H

/* TFLite's ActivationFunctionWithMinMax: std::min(std::max(x, lo), hi)
 * (a NaN passes through). */
static inline float nn_f32_clamp(float x, float lo, float hi) {
  const float a = x < lo ? lo : x;
  return hi < a ? hi : a;
}

#endif /* NN_F32_INTERNAL_H */
