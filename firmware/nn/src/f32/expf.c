/*
 * nn_expf - exp(x) in float with a fixed algorithm, so that float models give
 * the same bits on every host and target (plain float operations in a fixed
 * order, no fused multiply-add, no library call). The algorithm is that of
 * FreeBSD's e_expf.c (also musl's former expf), error below 1 ulp:
 *
 *   x = k ln2 + r, |r| <= ln2 / 2, k = round(x / ln2), with ln2 split in a
 *   high part (9 trailing zero bits, so k * ln2_hi is exact) and a low part
 *   (Cody-Waite);
 *   exp(r) = 1 + r + r c / (2 - c), c = r - r^2 (P1 + r^2 P2), a rational
 *   approximation with a minimax polynomial (|error| < 2^-27.74);
 *   exp(x) = 2^k exp(r), 2^k built from its bits (in two steps when 2^k is
 *   not a normal float).
 *
 * x > 88.72284 (ln FLT_MAX) gives +inf, x < -103.97208 gives 0 (between -103.97
 * and -87.34 the result is subnormal), NaN gives NaN.
 */
#include <stdint.h>
#include <string.h>

#include "mcusim_nn.h"

static float nn_f32_from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static uint32_t nn_f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

/* y * 2^k for -150 <= k <= 128, y in [0.5, 2): one rounding at most. */
static float nn_scale_by_pow2(float y, int32_t k) {
  if (k > 127) {
    y *= 0x1p127f;
    k -= 127;
  } else if (k < -126) {
    y *= 0x1p-102f; /* exact: y stays normal */
    k += 102;
  }
  return y * nn_f32_from_bits((uint32_t)(0x7f + k) << 23);
}

float nn_expf(float x) {
  static const float ln2_hi = 0x1.62e400p-1f;  /* 6.9314575195e-01, 0x3f317200 */
  static const float ln2_lo = 0x1.7f7d1cp-20f; /* 1.4286067653e-06, 0x35bfbe8e */
  static const float inv_ln2 = 0x1.715476p+0f; /* 1.4426950216e+00, 0x3fb8aa3b */
  static const float p1 = 0x1.55551ep-3f;      /* 1.6666625440e-01 */
  static const float p2 = -0x1.6aa42ap-9f;     /* -2.7667332906e-03 */

  const uint32_t bits = nn_f32_bits(x);
  const uint32_t sign = bits >> 31;
  const uint32_t abs_bits = bits & 0x7fffffffu;

  if (abs_bits > 0x7f800000u) return x + x;                /* NaN */
  if (abs_bits >= 0x42b17218u && !sign) return nn_f32_from_bits(0x7f800000u); /* x >= 88.72284: +inf */
  if (sign && abs_bits >= 0x42cff1b5u) return 0.0f;        /* x <= -103.97208 (and -inf) */

  int32_t k;
  float hi, lo;
  if (abs_bits > 0x3eb17218u) { /* |x| > ln2 / 2 */
    if (abs_bits > 0x3f851592u) /* |x| > 1.5 ln2: k = round(x / ln2) */
      k = (int32_t)(inv_ln2 * x + (sign ? -0.5f : 0.5f));
    else
      k = sign ? -1 : 1;
    hi = x - (float)k * ln2_hi; /* (float)k * ln2_hi is exact */
    lo = (float)k * ln2_lo;
    x = hi - lo;
  } else if (abs_bits > 0x39000000u) { /* |x| > 2^-13 */
    k = 0;
    hi = x;
    lo = 0.0f;
  } else {
    return 1.0f + x;
  }

  const float xx = x * x;
  const float c = x - xx * (p1 + xx * p2);
  const float y = 1.0f + (x * c / (2.0f - c) - lo + hi);
  return k == 0 ? y : nn_scale_by_pow2(y, k);
}
