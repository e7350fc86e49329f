/*
 * nn_gemmlowp.h - the few pieces of gemmlowp's fixed-point library
 * (gemmlowp/fixedpoint/fixedpoint.h) that TFLite's int8 softmax uses, for
 * int32 raw values. A FixedPoint<int32_t, I> holds real = raw * 2^(I - 31);
 * the functions below work on raw values and name their I in a comment.
 * Additions and subtractions wrap as gemmlowp's do (on int32 in two's
 * complement), written on uint32_t so that C does not call them undefined.
 * Private to firmware/nn/src/ref.
 */
#ifndef NN_GEMMLOWP_H
#define NN_GEMMLOWP_H

#include "mcusim_nn_fixedpoint.h"

static inline int32_t nn_gl_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t nn_gl_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

/* FixedPoint operator*: integer bits add up. */
static inline int32_t nn_gl_mul(int32_t a, int32_t b) { return nn_sat_rounding_doubling_high_mul(a, b); }

/* SaturatingRoundingMultiplyByPOT<exponent>: a saturating left shift for
 * exponent > 0, a rounding right shift for exponent < 0. */
static inline int32_t nn_gl_mul_by_pot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return nn_rounding_divide_by_pot(x, -exponent);
  const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

/* Rescale<dst>(FixedPoint<src>): multiply the raw value by 2^(src - dst). */
static inline int32_t nn_gl_rescale(int32_t x, int src_integer_bits, int dst_integer_bits) {
  return nn_gl_mul_by_pot(x, src_integer_bits - dst_integer_bits);
}

/* RoundingHalfSum for int32: (a + b) / 2 rounded away from zero. */
static inline int32_t nn_gl_rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  const int64_t sign = sum >= 0 ? 1 : -1;
  return (int32_t)((sum + sign) / 2);
}

/* exp_on_interval_between_negative_one_quarter_and_0_excl: a in [-1/4, 0),
 * 0 integer bits in and out. */
static inline int32_t nn_gl_exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a) {
  const int32_t constant_term = 1895147668;     /* exp(-1/8) */
  const int32_t constant_1_over_3 = 715827883;  /* 1/3 */
  const int32_t x = nn_gl_add(a, 1 << 28);      /* a + 1/8 */
  const int32_t x2 = nn_gl_mul(x, x);
  const int32_t x3 = nn_gl_mul(x2, x);
  const int32_t x4 = nn_gl_mul(x2, x2);
  const int32_t x4_over_4 = nn_gl_mul_by_pot(x4, -2);
  const int32_t x4_over_24_plus_x3_over_6_plus_x2_over_2 =
      nn_gl_mul_by_pot(nn_gl_add(nn_gl_mul(nn_gl_add(x4_over_4, x3), constant_1_over_3), x2), -1);
  /* AddSaturatingIf16Bit: a plain addition for int32. */
  return nn_gl_add(constant_term, nn_gl_mul(constant_term, nn_gl_add(x, x4_over_24_plus_x3_over_6_plus_x2_over_2)));
}

/* exp_on_negative_values: a <= 0 with integer_bits integer bits (1..31) in,
 * 0 integer bits out (exp(0) is the largest raw value). */
static inline int32_t nn_gl_exp_on_negative_values(int32_t a, int integer_bits) {
  const int fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2); /* ConstantPOT<-2> */
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_one_quarter = nn_gl_sub(a & mask, one_quarter);
  int32_t result = nn_gl_exp_on_interval_between_negative_one_quarter_and_0_excl(
      nn_gl_rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
  const int32_t remainder = nn_gl_sub(a_mod_quarter_minus_one_quarter, a);

  /* The barrel shifter: exp(-2^e) for e = -2..4, applied while integer_bits > e. */
  static const struct {
    int exponent;
    int32_t multiplier;
  } barrel[] = {{-2, 1672461947}, {-1, 1302514674}, {0, 790015084}, {1, 290630308},
                {2, 39332535},    {3, 720401},      {4, 242}};
  for (unsigned i = 0; i < sizeof barrel / sizeof barrel[0]; ++i) {
    if (integer_bits > barrel[i].exponent) {
      const int shift_amount = fractional_bits + barrel[i].exponent;
      if (remainder & (int32_t)(1u << shift_amount)) result = nn_gl_mul(result, barrel[i].multiplier);
    }
  }
  if (integer_bits > 5) {
    const int32_t clamp = -((int32_t)1 << (36 - integer_bits)); /* -32 */
    if (a < clamp) result = 0;
  }
  if (a == 0) result = INT32_MAX; /* One() with 0 integer bits */
  return result;
}

/* one_over_one_plus_x_for_x_in_0_1: 0 integer bits in and out; Newton-Raphson
 * in 2 integer bits. */
static inline int32_t nn_gl_one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t half_denominator = nn_gl_rounding_half_sum(a, INT32_MAX);
  const int32_t constant_48_over_17 = 1515870810;    /* F2 */
  const int32_t constant_neg_32_over_17 = -1010580540; /* F2 */
  int32_t x = nn_gl_add(constant_48_over_17, nn_gl_mul(half_denominator, constant_neg_32_over_17));
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x = nn_gl_mul(half_denominator, x);     /* F2 */
    const int32_t one_minus = nn_gl_sub(1 << 29, half_denominator_times_x);   /* F2::One() - ... */
    x = nn_gl_add(x, nn_gl_rescale(nn_gl_mul(x, one_minus), 4, 2));           /* F4 -> F2 */
  }
  /* Rescale<0>(ExactMulByPot<-1>(x)): the raw value read as F1, then to F0. */
  return nn_gl_rescale(x, 1, 0);
}

/* TFLite's CountLeadingZeros for uint32 (32 for 0). */
static inline int nn_gl_count_leading_zeros(uint32_t x) {
  int n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    ++n;
  }
  return n;
}

/* TFLite's GetReciprocal (kernels/internal/common.h): 1 / x for x with
 * x_integer_digits integer bits, as a 0-integer-bit value and a shift. */
static inline int32_t nn_gl_get_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit) {
  const int headroom_plus_one = nn_gl_count_leading_zeros((uint32_t)x);
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  const int32_t shifted_sum_minus_one = (int32_t)(((uint32_t)x << headroom_plus_one) - (1u << 31));
  return nn_gl_one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
}

#endif /* NN_GEMMLOWP_H */
