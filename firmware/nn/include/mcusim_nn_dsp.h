/*
 * mcusim_nn_dsp.h - the DSP-extension instructions the _dsp kernels use
 * (Armv7E-M, Armv8-M Mainline with the DSP extension), each with a portable C
 * definition of the same semantics, so that the kernels build and give the
 * same results on the host and on cores without DSP (Cortex-M0+, M3).
 *
 * With __ARM_FEATURE_DSP the functions are ACLE intrinsics (<arm_acle.h>) or,
 * where ACLE has none or GCC does not fold the rotation into the instruction
 * (SXTB16 with ROR #8, PKHBT, PKHTB), one inline-assembly instruction.
 *
 * Semantics (Arm Architecture Reference Manual, Armv7-M, A7.7):
 *  - halfword pairs: bits [15:0] are the bottom (B) half, [31:16] the top (T);
 *  - SMLAD acc + xB*yB + xT*yT, SMLADX acc + xB*yT + xT*yB: 32-bit
 *    wrap-around (an overflow sets the Q flag, which nothing here reads);
 *  - SXTB16 x: bytes 0 and 2 sign-extended into the bottom and top halves;
 *    with ROR #8, bytes 1 and 3;
 *  - SXTAB16 a, x: the same bytes added to a's halves, each half modulo 2^16;
 *  - PKHBT a, b, LSL #n: bottom half of a, top half of (b << n);
 *    PKHTB a, b, ASR #n: top half of a, bottom half of (b >> n), arithmetic;
 *  - SMLABB/SMLABT/SMLATB/SMLATT acc + (16-bit half of x) * (half of y),
 *    32-bit wrap-around;
 *  - QADD: saturating 32-bit add; SSAT(x, n): clamp to [-2^(n-1), 2^(n-1)-1].
 * The portable definitions (nn_c_*, always defined, so that a program on a
 * DSP core can compare the instructions with them) compute in uint32_t so
 * that wrap-around is defined behaviour in C.
 */
#ifndef MCUSIM_NN_DSP_H
#define MCUSIM_NN_DSP_H

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define NN_DSP_NATIVE 1
#else
#define NN_DSP_NATIVE 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- unaligned little-endian loads (LDR on v7E-M/v8-M, which allow them) --- */

/* Four int8 values as one word (byte 0 = p[0]). */
static inline uint32_t nn_read_u32(const void *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* Two int16 values as one word (bottom half = p[0]). */
static inline uint32_t nn_read_s16x2(const int16_t *p) { return nn_read_u32(p); }

static inline void nn_write_u32(void *p, uint32_t v) { memcpy(p, &v, sizeof v); }

/* ---- portable helpers ------------------------------------------------------ */

static inline int32_t nn_dsp_half_b(uint32_t x) { return (int32_t)(int16_t)(uint16_t)(x & 0xFFFFu); }
static inline int32_t nn_dsp_half_t(uint32_t x) { return (int32_t)(int16_t)(uint16_t)(x >> 16); }
static inline uint32_t nn_dsp_sext8(uint32_t x, int byte) {
  return (uint32_t)(int32_t)(int8_t)(uint8_t)((x >> (8 * byte)) & 0xFFu);
}

/* ---- the instructions ------------------------------------------------------ */

static inline int32_t nn_c_smlad(uint32_t x, uint32_t y, int32_t acc) {
  const uint32_t p0 = (uint32_t)(nn_dsp_half_b(x) * nn_dsp_half_b(y));
  const uint32_t p1 = (uint32_t)(nn_dsp_half_t(x) * nn_dsp_half_t(y));
  return (int32_t)((uint32_t)acc + p0 + p1);
}
static inline int32_t nn_smlad(uint32_t x, uint32_t y, int32_t acc) {
#if NN_DSP_NATIVE
  return __smlad((int16x2_t)x, (int16x2_t)y, acc);
#else
  return nn_c_smlad(x, y, acc);
#endif
}

static inline int32_t nn_c_smladx(uint32_t x, uint32_t y, int32_t acc) {
  const uint32_t p0 = (uint32_t)(nn_dsp_half_b(x) * nn_dsp_half_t(y));
  const uint32_t p1 = (uint32_t)(nn_dsp_half_t(x) * nn_dsp_half_b(y));
  return (int32_t)((uint32_t)acc + p0 + p1);
}
static inline int32_t nn_smladx(uint32_t x, uint32_t y, int32_t acc) {
#if NN_DSP_NATIVE
  return __smladx((int16x2_t)x, (int16x2_t)y, acc);
#else
  return nn_c_smladx(x, y, acc);
#endif
}

static inline uint32_t nn_c_sxtb16(uint32_t x) {
  return (nn_dsp_sext8(x, 0) & 0xFFFFu) | (nn_dsp_sext8(x, 2) << 16);
}
static inline uint32_t nn_sxtb16(uint32_t x) {
#if NN_DSP_NATIVE
  return (uint32_t)__sxtb16((int8x4_t)x);
#else
  return nn_c_sxtb16(x);
#endif
}

/* SXTB16 x, ROR #8: bytes 1 and 3. */
static inline uint32_t nn_c_sxtb16_ror8(uint32_t x) {
  return (nn_dsp_sext8(x, 1) & 0xFFFFu) | (nn_dsp_sext8(x, 3) << 16);
}
static inline uint32_t nn_sxtb16_ror8(uint32_t x) {
#if NN_DSP_NATIVE
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
#else
  return nn_c_sxtb16_ror8(x);
#endif
}

static inline uint32_t nn_c_sxtab16(uint32_t a, uint32_t x) {
  const uint32_t lo = (a + nn_dsp_sext8(x, 0)) & 0xFFFFu;
  const uint32_t hi = ((a >> 16) + nn_dsp_sext8(x, 2)) & 0xFFFFu;
  return lo | (hi << 16);
}
static inline uint32_t nn_sxtab16(uint32_t a, uint32_t x) {
#if NN_DSP_NATIVE
  return (uint32_t)__sxtab16((int16x2_t)a, (int8x4_t)x);
#else
  return nn_c_sxtab16(a, x);
#endif
}

/* SXTAB16 a, x, ROR #8: bytes 1 and 3 added to a's halves. */
static inline uint32_t nn_c_sxtab16_ror8(uint32_t a, uint32_t x) {
  const uint32_t lo = (a + nn_dsp_sext8(x, 1)) & 0xFFFFu;
  const uint32_t hi = ((a >> 16) + nn_dsp_sext8(x, 3)) & 0xFFFFu;
  return lo | (hi << 16);
}
static inline uint32_t nn_sxtab16_ror8(uint32_t a, uint32_t x) {
#if NN_DSP_NATIVE
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
#else
  return nn_c_sxtab16_ror8(a, x);
#endif
}

/* PKHBT a, b, LSL #16: (bottom of a, bottom of b). */
static inline uint32_t nn_c_pkhbt16(uint32_t a, uint32_t b) {
  return (a & 0xFFFFu) | (b << 16);
}
static inline uint32_t nn_pkhbt16(uint32_t a, uint32_t b) {
#if NN_DSP_NATIVE
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return nn_c_pkhbt16(a, b);
#endif
}

/* PKHTB a, b, ASR #16: (top of b, top of a). */
static inline uint32_t nn_c_pkhtb16(uint32_t a, uint32_t b) {
  return (a & 0xFFFF0000u) | ((uint32_t)((int32_t)b >> 16) & 0xFFFFu);
}
static inline uint32_t nn_pkhtb16(uint32_t a, uint32_t b) {
#if NN_DSP_NATIVE
  uint32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return nn_c_pkhtb16(a, b);
#endif
}

static inline int32_t nn_c_smlabb(uint32_t x, uint32_t y, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(nn_dsp_half_b(x) * nn_dsp_half_b(y)));
}
static inline int32_t nn_smlabb(uint32_t x, uint32_t y, int32_t acc) {
#if NN_DSP_NATIVE
  return __smlabb((int32_t)x, (int32_t)y, acc);
#else
  return nn_c_smlabb(x, y, acc);
#endif
}

static inline int32_t nn_c_smlabt(uint32_t x, uint32_t y, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(nn_dsp_half_b(x) * nn_dsp_half_t(y)));
}
static inline int32_t nn_smlabt(uint32_t x, uint32_t y, int32_t acc) {
#if NN_DSP_NATIVE
  return __smlabt((int32_t)x, (int32_t)y, acc);
#else
  return nn_c_smlabt(x, y, acc);
#endif
}

static inline int32_t nn_c_smlatb(uint32_t x, uint32_t y, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(nn_dsp_half_t(x) * nn_dsp_half_b(y)));
}
static inline int32_t nn_smlatb(uint32_t x, uint32_t y, int32_t acc) {
#if NN_DSP_NATIVE
  return __smlatb((int32_t)x, (int32_t)y, acc);
#else
  return nn_c_smlatb(x, y, acc);
#endif
}

static inline int32_t nn_c_smlatt(uint32_t x, uint32_t y, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(nn_dsp_half_t(x) * nn_dsp_half_t(y)));
}
static inline int32_t nn_smlatt(uint32_t x, uint32_t y, int32_t acc) {
#if NN_DSP_NATIVE
  return __smlatt((int32_t)x, (int32_t)y, acc);
#else
  return nn_c_smlatt(x, y, acc);
#endif
}

static inline int32_t nn_c_qadd(int32_t a, int32_t b) {
  const int64_t s = (int64_t)a + (int64_t)b;
  return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}
static inline int32_t nn_qadd(int32_t a, int32_t b) {
#if NN_DSP_NATIVE
  return __qadd(a, b);
#else
  return nn_c_qadd(a, b);
#endif
}

/* SSAT x, #8: clamp to int8. */
static inline int32_t nn_c_ssat8(int32_t x) {
  return x > 127 ? 127 : (x < -128 ? -128 : x);
}
static inline int32_t nn_ssat8(int32_t x) {
#if NN_DSP_NATIVE
  return __ssat(x, 8);
#else
  return nn_c_ssat8(x);
#endif
}

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_NN_DSP_H */
