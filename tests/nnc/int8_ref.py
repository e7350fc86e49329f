"""TensorFlow Lite's int8 quantization specification in NumPy.

An independent statement of what mcusim's int8 kernels (firmware/nn/src/ref,
firmware/nn/src/dsp) and mcusim-nnc's parameters must compute, written from
TensorFlow Lite's specification (https://www.tensorflow.org/lite/performance/
quantization_spec) and its reference code: gemmlowp fixedpoint/fixedpoint.h,
tensorflow/lite/kernels/internal/common.h, quantization_util.cc,
reference/integer_ops/{conv,depthwise_conv,fully_connected,pooling,add}.h,
reference/softmax.h, reference/{quantize,requantize,dequantize,pad}.h and the
Prepare() functions of tensorflow/lite/kernels/{conv,depthwise_conv,
fully_connected,pooling,add,activations,quantize}.cc.

The arithmetic is stated the way the mathematics reads (a rounding is "round
half up of a/2^31", not a transliteration of bit masks) and runs on int64
arrays, whole tensors at a time; where TFLite's int32 arithmetic would wrap,
wrap32() says so. Tensors are NHWC with batch 1, as NumPy arrays of shape
(h, w, c); filters as in TFLite: CONV_2D [oc, fh, fw, ic], DEPTHWISE_CONV_2D
[fh, fw, oc], FULLY_CONNECTED [out, in].

Rounding conventions used below (all on exact integers):
  floor_div_pow2(x, e)      = floor(x / 2^e)            (arithmetic shift)
  round_half_away(x, 2^e)   = sign(x) * floor(|x| / 2^e + 1/2)
"""

import math

import numpy as np

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1
INT8_MIN, INT8_MAX = -128, 127


def i64(x):
    return np.asarray(x, dtype=np.int64)


def wrap32(x):
    """The int32 that C's two's-complement arithmetic keeps of an exact integer."""
    x = i64(x)
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


# ---- fixed-point primitives ------------------------------------------------------------------

def srdhm(a, b):
    """gemmlowp SaturatingRoundingDoublingHighMul(a, b): a*b / 2^31 rounded to nearest.

    gemmlowp adds a nudge of 2^30 (a*b >= 0) or 1 - 2^30 (a*b < 0) and divides by 2^31
    truncating towards zero. For a*b < 0 that is ceil((a*b + 1 - 2^30) / 2^31), which for
    integers equals floor((a*b + 2^30) / 2^31): so the result is round-half-UP of a*b/2^31
    for either sign (a negative tie goes towards zero). The one product that does not fit,
    INT32_MIN * INT32_MIN (= 2^62, giving 2^31), saturates to INT32_MAX.
    """
    prod = i64(a) * i64(b)
    return np.minimum((prod + (1 << 30)) >> 31, INT32_MAX)


def rounding_divide_by_pot(x, exponent):
    """gemmlowp RoundingDivideByPOT(x, exponent): x / 2^exponent rounded to nearest, ties
    away from zero (0 <= exponent <= 31; exponent may be an array, e.g. per channel)."""
    x = i64(x)
    e = i64(exponent)
    half = np.where(e > 0, i64(1) << np.maximum(e - 1, 0), 0)
    mag = (np.abs(x) + half) >> e
    return np.where(x < 0, -mag, mag)


def saturating_rounding_multiply_by_pot(x, exponent):
    """gemmlowp SaturatingRoundingMultiplyByPOT<exponent>(x) for int32: x * 2^exponent,
    saturated to int32 when exponent > 0, rounded (RoundingDivideByPOT) when < 0."""
    x = i64(x)
    if exponent > 0:
        return np.clip(x << exponent, INT32_MIN, INT32_MAX)
    if exponent < 0:
        return rounding_divide_by_pot(x, -exponent)
    return x


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """TFLite MultiplyByQuantizedMultiplier(x, multiplier, shift), the double-rounding form
    (TFLITE_SINGLE_ROUNDING off, TFLite's and TFLM's default; common.h):
    RoundingDivideByPOT(SRDHM(x * 2^max(shift, 0), multiplier), max(-shift, 0)), the
    left shift done in int32 (wrapping, as the C does)."""
    shift = i64(shift)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    return rounding_divide_by_pot(srdhm(wrap32(i64(x) << left), multiplier), right)


def multiply_by_quantized_multiplier_smaller_than_one(x, multiplier, shift):
    """TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp(x, multiplier, shift <= 0)."""
    return rounding_divide_by_pot(srdhm(x, multiplier), -i64(shift))


def multiply_by_quantized_multiplier_greater_than_one(x, multiplier, left_shift):
    """TFLite MultiplyByQuantizedMultiplierGreaterThanOne(x, multiplier, left_shift >= 0)."""
    return srdhm(wrap32(i64(x) << left_shift), multiplier)


# ---- parameters (computed once per operator, from float scales) ------------------------------

def quantize_multiplier(real):
    """TFLite QuantizeMultiplier (quantization_util.cc): real = q * 2^shift with q in
    [0.5, 1) (frexp), multiplier = round_half_away(q * 2^31) (TfLiteRound = std::round), a
    multiplier of 2^31 becomes 2^30 with shift + 1, and shift < -31 flushes to (0, 0).
    Returns Python ints (multiplier, shift)."""
    real = float(real)
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    scaled = q * float(1 << 31)  # exact: a power-of-two scaling of a double
    fixed = int(math.floor(abs(scaled) + 0.5))
    fixed = fixed if scaled >= 0 else -fixed
    assert abs(fixed) <= (1 << 31)
    if fixed == (1 << 31):
        fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return fixed, shift


def quantize_multiplier_smaller_than_one(real):
    """TFLite QuantizeMultiplierSmallerThanOneExp: 0 < real < 1, shift <= 0."""
    assert 0.0 < real < 1.0, real
    m, s = quantize_multiplier(real)
    assert s <= 0
    return m, s


def quantize_multiplier_greater_than_one(real):
    """TFLite QuantizeMultiplierGreaterThanOne: real > 1, shift >= 0."""
    assert real > 1.0, real
    m, s = quantize_multiplier(real)
    assert s >= 0
    return m, s


def f32(x):
    return np.float32(x)


def conv_multipliers(input_scale, filter_scales, output_scale, channels):
    """Per-channel requantization of CONV_2D / DEPTHWISE_CONV_2D (kernel_util.cc
    PopulateConvolutionQuantizationParams): double(input_scale) * double(filter_scale[c])
    / double(output_scale), each through QuantizeMultiplier. A filter with one scale
    (per tensor) uses it for every channel. Returns int64 arrays (multiplier, shift)."""
    filter_scales = np.asarray(filter_scales, dtype=np.float32).ravel()
    ms, ss = [], []
    for c in range(channels):
        fs = filter_scales[c] if filter_scales.size > 1 else filter_scales[0]
        real = float(f32(input_scale)) * float(fs) / float(f32(output_scale))
        m, s = quantize_multiplier(real)
        ms.append(m)
        ss.append(s)
    return i64(ms), i64(ss)


def fc_multiplier(input_scale, filter_scale, output_scale):
    """FULLY_CONNECTED per tensor (kernel_util.cc GetQuantizedConvolutionMultipler):
    double(float(input_scale * filter_scale)) / double(output_scale): the product in float."""
    product = f32(f32(input_scale) * f32(filter_scale))
    return quantize_multiplier(float(product) / float(f32(output_scale)))


ACT_NONE, ACT_RELU, ACT_RELU_N1_TO_1, ACT_RELU6 = 0, 1, 2, 3


def quantize_scalar(value, scale, zero_point):
    """zero_point + round_half_away(float(value) / scale), the division in float
    (kernel_util.cc CalculateActivationRangeQuantizedImpl's `quantize`)."""
    q = np.float64(f32(f32(value) / f32(scale)))
    return int(zero_point) + int(np.sign(q) * np.floor(np.abs(q) + 0.5))


def activation_range(activation, scale, zero_point, qmin=INT8_MIN, qmax=INT8_MAX):
    """TFLite CalculateActivationRangeQuantized for int8 outputs."""
    if activation == ACT_RELU:
        return max(qmin, quantize_scalar(0.0, scale, zero_point)), qmax
    if activation == ACT_RELU6:
        return (max(qmin, quantize_scalar(0.0, scale, zero_point)),
                min(qmax, quantize_scalar(6.0, scale, zero_point)))
    if activation == ACT_RELU_N1_TO_1:
        return (max(qmin, quantize_scalar(-1.0, scale, zero_point)),
                min(qmax, quantize_scalar(1.0, scale, zero_point)))
    if activation == ACT_NONE:
        return qmin, qmax
    raise ValueError(f"activation {activation} has no int8 range")


def activation_range_float(activation):
    """TFLite CalculateActivationRange for float."""
    big = float(np.finfo(np.float32).max)
    return {ACT_NONE: (-big, big), ACT_RELU: (0.0, big), ACT_RELU6: (0.0, 6.0),
            ACT_RELU_N1_TO_1: (-1.0, 1.0)}[activation]


PADDING_SAME, PADDING_VALID = 0, 1


def out_size(padding, in_size, filter_size, stride, dilation=1):
    """TFLite ComputeOutSize."""
    effective = (filter_size - 1) * dilation + 1
    if padding == PADDING_SAME:
        return (in_size + stride - 1) // stride
    return (in_size + stride - effective) // stride


def padding_before(padding, in_size, filter_size, stride, dilation=1):
    """TFLite ComputePaddingHeightWidth (ComputePaddingWithOffset): the rows/columns of
    padding before the input; (total - total % 2) / 2, the odd one going after. 0 for VALID
    (TFLite computes it the same way; for VALID the total is never positive)."""
    out = out_size(padding, in_size, filter_size, stride, dilation)
    effective = (filter_size - 1) * dilation + 1
    total = max((out - 1) * stride + effective - in_size, 0)
    return total // 2


def add_params(scale1, zp1, scale2, zp2, out_scale, out_zp, activation=ACT_NONE):
    """kernels/add.cc Prepare for int8 (left_shift 20)."""
    left_shift = 20
    twice_max = 2.0 * float(max(f32(scale1), f32(scale2)))
    m1, s1 = quantize_multiplier_smaller_than_one(float(f32(scale1)) / twice_max)
    m2, s2 = quantize_multiplier_smaller_than_one(float(f32(scale2)) / twice_max)
    mo, so = quantize_multiplier_smaller_than_one(
        twice_max / (float(1 << left_shift) * float(f32(out_scale))))
    lo, hi = activation_range(activation, out_scale, out_zp)
    return dict(input1_offset=-int(zp1), input2_offset=-int(zp2), output_offset=int(out_zp),
                left_shift=left_shift, input1_multiplier=m1, input1_shift=s1,
                input2_multiplier=m2, input2_shift=s2, output_multiplier=mo, output_shift=so,
                act_min=lo, act_max=hi)


SOFTMAX_DIFF_INTEGER_BITS = 5   # kScaledDiffIntegerBits: exp's input is Q5.26
SOFTMAX_ACCUM_INTEGER_BITS = 12  # kAccumulationIntegerBits: the sum of exps is Q12.19


def softmax_params(beta, input_scale):
    """activations.cc SoftmaxPrepare (and TFLM CalculateSoftmaxParams) for int8:
    PreprocessSoftmaxScaling(beta, input_scale, 5): min(beta * input_scale * 2^26,
    2^31 - 1) in double through QuantizeMultiplierGreaterThanOne; diff_min =
    -CalculateInputRadius(5, left_shift) = -floor((2^5 - 1) * 2^26 / 2^left_shift)."""
    real = min(float(f32(beta)) * float(f32(input_scale)) * float(1 << (31 - SOFTMAX_DIFF_INTEGER_BITS)),
               float((1 << 31) - 1))
    m, left = quantize_multiplier_greater_than_one(real)
    radius = math.floor(((1 << SOFTMAX_DIFF_INTEGER_BITS) - 1) *
                        float(1 << (31 - SOFTMAX_DIFF_INTEGER_BITS)) / float(1 << left))
    return dict(input_multiplier=m, input_left_shift=left, diff_min=-int(radius))


def requantize_params(input_scale, output_scale):
    """kernels/quantize.cc Prepare, int8 -> int8: QuantizeMultiplier(double(in) / double(out))."""
    return quantize_multiplier(float(f32(input_scale)) / float(f32(output_scale)))


# ---- operators -------------------------------------------------------------------------------

def _exact_dot(a, b):
    """Integer matrix product, exact: through float64 BLAS when every partial sum stays below
    2^53 (int8 data with offsets: |terms| < 2^16, so any K < 2^37), else in int64."""
    a = np.asarray(a)
    b = np.asarray(b)
    bound = float(np.abs(a).max(initial=0)) * float(np.abs(b).max(initial=0)) * a.shape[-1]
    if bound < 2.0 ** 52:
        return np.rint(a.astype(np.float64) @ b.astype(np.float64)).astype(np.int64)
    return i64(a) @ i64(b)


def _requantize_acc(acc, multiplier, shift, output_offset, act_min, act_max):
    """acc (int32 in TFLite) -> MultiplyByQuantizedMultiplier -> + zero point -> clamp."""
    out = multiply_by_quantized_multiplier(wrap32(acc), multiplier, shift) + output_offset
    return np.clip(out, act_min, act_max).astype(np.int8)


def _padded_taps(x, fh, fw, stride, dilation, pad, out_hw):
    """For every filter tap (ky, kx), the (oh, ow, c) view of x that it multiplies: the input
    at (oy*sh - ph + ky*dh, ox*sw - pw + kx*dw); positions outside the input read 0 (TFLite's
    kernels skip them, which is the same as adding a zero)."""
    h, w, c = x.shape
    sh, sw = stride
    dh, dw = dilation
    ph, pw = pad
    oh, ow = out_hw
    need_h = (oh - 1) * sh + (fh - 1) * dh + 1
    need_w = (ow - 1) * sw + (fw - 1) * dw + 1
    padded = np.zeros((ph + max(need_h, h) + 1, pw + max(need_w, w) + 1, c), dtype=x.dtype)
    padded[ph:ph + h, pw:pw + w] = x
    for ky in range(fh):
        for kx in range(fw):
            y0, x0 = ky * dh, kx * dw
            yield ky, kx, padded[y0:y0 + (oh - 1) * sh + 1:sh, x0:x0 + (ow - 1) * sw + 1:sw]


def conv2d(x, input_offset, filt, bias, multiplier, shift, output_offset, stride, dilation, pad,
           act_min, act_max, out_hw):
    """reference_integer_ops::ConvPerChannel: out[y,x,o] = clamp(MBQM(sum over taps and input
    channels of filt[o,ky,kx,i] * (x[...,i] + input_offset) + bias[o], M[o], S[o]) +
    output_offset)."""
    oc, fh, fw, ic = filt.shape
    assert x.shape[2] == ic
    xo = i64(x) + input_offset
    acc = np.zeros((out_hw[0], out_hw[1], oc), dtype=np.int64)
    for ky, kx, view in _padded_taps(xo, fh, fw, stride, dilation, pad, out_hw):
        acc += _exact_dot(view, i64(filt[:, ky, kx, :]).T)
    if bias is not None:
        acc += i64(bias)
    return _requantize_acc(acc, multiplier, shift, output_offset, act_min, act_max)


def depthwise_conv2d(x, input_offset, filt, bias, multiplier, shift, output_offset, stride,
                     dilation, pad, depth_multiplier, act_min, act_max, out_hw):
    """reference_integer_ops::DepthwiseConvPerChannel: output channel o reads input channel
    o // depth_multiplier: out[y,x,o] = clamp(MBQM(sum over taps of filt[ky,kx,o] *
    (x[...,o // dm] + input_offset) + bias[o], M[o], S[o]) + output_offset)."""
    fh, fw, oc = filt.shape
    ic = x.shape[2]
    assert oc == ic * depth_multiplier
    xo = np.repeat(i64(x) + input_offset, depth_multiplier, axis=2)
    acc = np.zeros((out_hw[0], out_hw[1], oc), dtype=np.int64)
    for ky, kx, view in _padded_taps(xo, fh, fw, stride, dilation, pad, out_hw):
        acc += view * i64(filt[ky, kx, :])
    if bias is not None:
        acc += i64(bias)
    return _requantize_acc(acc, multiplier, shift, output_offset, act_min, act_max)


def fully_connected(x, input_offset, weights, bias, multiplier, shift, output_offset, act_min,
                    act_max):
    """reference_integer_ops::FullyConnected (per channel: FullyConnectedPerChannel), weight
    zero point 0: out[r,o] = clamp(MBQM(sum_i w[o,i] * (x[r,i] + input_offset) + bias[o])
    + output_offset). x is (rows, in) or (in,)."""
    xo = i64(x) + input_offset
    acc = _exact_dot(xo, i64(weights).T)
    if bias is not None:
        acc = acc + i64(bias)
    return _requantize_acc(acc, multiplier, shift, output_offset, act_min, act_max)


def _pool_windows(x, fh, fw, stride, pad, out_hw):
    """Per output cell, the input window clipped to the input (TFLite's filter_*_start/end):
    yields (taps, valid) of shape (oh, ow, c) per tap, valid saying the tap is inside."""
    h, w, c = x.shape
    oh, ow = out_hw
    ys = np.arange(oh) * stride[0] - pad[0]
    xs = np.arange(ow) * stride[1] - pad[1]
    for ky in range(fh):
        yy = ys + ky
        for kx in range(fw):
            xx = xs + kx
            valid = ((yy >= 0) & (yy < h))[:, None] & ((xx >= 0) & (xx < w))[None, :]
            taps = x[np.clip(yy, 0, h - 1)][:, np.clip(xx, 0, w - 1)]
            yield taps, valid[:, :, None]


def average_pool(x, filter_hw, stride, pad, act_min, act_max, out_hw):
    """reference_integer_ops::AveragePool: the sum over the part of the window inside the
    input divided by the number of those cells, rounded half away from zero; clamp."""
    c = x.shape[2]
    total = np.zeros((out_hw[0], out_hw[1], c), dtype=np.int64)
    count = np.zeros((out_hw[0], out_hw[1], 1), dtype=np.int64)
    for taps, valid in _pool_windows(i64(x), filter_hw[0], filter_hw[1], stride, pad, out_hw):
        total += np.where(valid, taps, 0)
        count += valid
    assert (count > 0).all()
    avg = np.sign(total) * ((np.abs(total) + count // 2) // count)
    return np.clip(avg, act_min, act_max).astype(np.int8)


def max_pool(x, filter_hw, stride, pad, act_min, act_max, out_hw):
    """reference_integer_ops::MaxPool: the maximum over the part of the window inside the
    input; clamp."""
    c = x.shape[2]
    best = np.full((out_hw[0], out_hw[1], c), np.iinfo(np.int64).min, dtype=np.int64)
    for taps, valid in _pool_windows(i64(x), filter_hw[0], filter_hw[1], stride, pad, out_hw):
        best = np.where(valid, np.maximum(best, taps), best)
    return np.clip(best, act_min, act_max).astype(np.int8)


def add(a, b, p):
    """reference_integer_ops::Add (AddElementwise), same shapes: each input offset, shifted
    left by left_shift, scaled by its MultiplyByQuantizedMultiplierSmallerThanOneExp; the sum
    scaled to the output the same way; + output offset; clamp."""
    sa = multiply_by_quantized_multiplier_smaller_than_one(
        wrap32((i64(a) + p["input1_offset"]) << p["left_shift"]), p["input1_multiplier"],
        p["input1_shift"])
    sb = multiply_by_quantized_multiplier_smaller_than_one(
        wrap32((i64(b) + p["input2_offset"]) << p["left_shift"]), p["input2_multiplier"],
        p["input2_shift"])
    out = multiply_by_quantized_multiplier_smaller_than_one(
        wrap32(sa + sb), p["output_multiplier"], p["output_shift"]) + p["output_offset"]
    return np.clip(out, p["act_min"], p["act_max"]).astype(np.int8)


def pad(x, before, after, value):
    """PAD / PADV2 with a constant (reference_ops::PadImpl): cells outside the input take
    `value` (for int8 the output zero point unless PADV2 gives one). x is (h, w, c); before
    and after are (h, w, c) counts."""
    return np.pad(x, [(before[i], after[i]) for i in range(3)], mode="constant",
                  constant_values=value).astype(x.dtype)


# gemmlowp's fixed-point functions on raw int32 values (held in int64). FixedPoint<int32, k>
# holds real = raw / 2^(31 - k); a product of Qa and Qb values is SRDHM and is Q(a+b).

_EXP_M1_8 = 1895147668    # exp(-1/8) in Q0.31
_ONE_THIRD = 715827883    # 1/3 in Q0.31
# exp(-2^k) in Q0.31 for the bits of a multiple of 1/4, k = -2 .. 4 (gemmlowp's barrel shifter)
_EXP_NEG_POW2 = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
                 (2, 39332535), (3, 720401), (4, 242))
_48_OVER_17 = 1515870810      # Q2.29
_NEG_32_OVER_17 = -1010580540  # Q2.29


def exp_on_interval_between_negative_one_quarter_and_0_excl(a):
    """exp(a) for a in [-1/4, 0), a and the result Q0.31: the Taylor expansion of exp about
    -1/8 to the 4th power: exp(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24), x = a + 1/8, with
    x^4/24 + x^3/6 + x^2/2 formed as ((x^4/4 + x^3) / 3 + x^2) / 2."""
    x = wrap32(i64(a) + (1 << 28))
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    x4_over_4 = rounding_divide_by_pot(x4, 2)
    poly = rounding_divide_by_pot(wrap32(srdhm(wrap32(x4_over_4 + x3), _ONE_THIRD) + x2), 1)
    return wrap32(_EXP_M1_8 + srdhm(_EXP_M1_8, wrap32(x + poly)))


def exp_on_negative_values(a, integer_bits):
    """gemmlowp exp_on_negative_values: exp(a) for a <= 0 given as Q(integer_bits).(31 -
    integer_bits), result Q0.31. a = -(n/4 + r) with r in (0, 1/4]: exp(-r) from the
    polynomial, times exp(-2^k) for every bit k of the multiple of 1/4 that is set; exp(0)
    is Q0.31's largest value."""
    a = i64(a)
    frac_bits = 31 - integer_bits
    quarter = 1 << (frac_bits - 2)
    a_mod_quarter_minus_quarter = (a & (quarter - 1)) - quarter   # in [-1/4, 0)
    result = exp_on_interval_between_negative_one_quarter_and_0_excl(
        saturating_rounding_multiply_by_pot(a_mod_quarter_minus_quarter, integer_bits))
    remainder = wrap32(a_mod_quarter_minus_quarter - a)            # n/4, n >= 0
    for k, multiplier in _EXP_NEG_POW2:
        if integer_bits > k:
            bit = (remainder >> (frac_bits + k)) & 1
            result = np.where(bit != 0, srdhm(result, multiplier), result)
    if integer_bits > 5:
        clamp = -(1 << (36 - integer_bits))   # -32 in Q(integer_bits)
        result = np.where(a < clamp, 0, result)
    return np.where(a == 0, INT32_MAX, result)


def rounding_half_sum(a, b):
    """gemmlowp RoundingHalfSum: (a + b) / 2 rounded half away from zero."""
    s = i64(a) + i64(b)
    mag = (np.abs(s) + 1) >> 1
    return np.where(s < 0, -mag, mag)


def one_over_one_plus_x_for_x_in_0_1(a):
    """gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a in [0, 1) in Q0.31, by
    three Newton-Raphson steps on d = (1 + a) / 2 from 48/17 - 32/17 d (Q2.29), result x / 2."""
    half_denominator = rounding_half_sum(a, INT32_MAX)  # Q0.31; 1.0 is INT32_MAX there
    x = wrap32(_48_OVER_17 + srdhm(half_denominator, _NEG_32_OVER_17))
    one_q2 = 1 << 29
    for _ in range(3):
        one_minus_dx = wrap32(one_q2 - srdhm(half_denominator, x))      # Q2.29
        x = wrap32(x + saturating_rounding_multiply_by_pot(srdhm(x, one_minus_dx), 2))  # Q4 -> Q2
    return saturating_rounding_multiply_by_pot(x, 1)  # x/2 as Q1.30, rescaled to Q0.31


def _bit_length(v):
    """Number of significant bits of positive integers below 2^53 (exact through frexp)."""
    return np.frexp(np.asarray(v, dtype=np.float64))[1].astype(np.int64)


def get_reciprocal(x, integer_bits):
    """TFLite GetReciprocal (common.h): for x > 0 in Q(integer_bits), returns (scale Q0.31,
    num_bits_over_unit) with 1/x = scale * 2^-num_bits_over_unit: x is normalised to
    1 + f (f in [0, 1)) by shifting its leading one to bit 31, and 1/(1 + f) is gemmlowp's."""
    x = i64(x)
    assert (x > 0).all()
    headroom_plus_one = 32 - _bit_length(x)            # count of leading zeros of uint32 x
    num_bits_over_unit = integer_bits - headroom_plus_one
    shifted_minus_one = (x << headroom_plus_one) - (1 << 31)
    return one_over_one_plus_x_for_x_in_0_1(shifted_minus_one), num_bits_over_unit


def softmax(x, input_multiplier, input_left_shift, diff_min):
    """reference_ops::Softmax for int8 input and int8 output (scale 1/256, zero point -128),
    over the last axis of x:
      d = x - max(row) (int), kept where d >= diff_min;
      e = exp(MultiplyByQuantizedMultiplierGreaterThanOne(d, M, L) as Q5.26), Q0.31;
      sum = sum of e / 2^12 rounded (Q12.19);  1/sum = s * 2^-n (GetReciprocal);
      out = RoundingDivideByPOT(SRDHM(s, e), n + 31 - 8) - 128, clamped to int8;
    cells below diff_min give -128."""
    x = i64(x)
    diff = x - x.max(axis=-1, keepdims=True)
    keep = diff >= diff_min
    scaled = multiply_by_quantized_multiplier_greater_than_one(diff, input_multiplier,
                                                               input_left_shift)
    e = exp_on_negative_values(np.where(keep, scaled, 0), SOFTMAX_DIFF_INTEGER_BITS)
    e = np.where(keep, e, 0)
    terms = saturating_rounding_multiply_by_pot(e, -SOFTMAX_ACCUM_INTEGER_BITS)
    total = wrap32(terms.sum(axis=-1, keepdims=True))
    scale, bits_over_unit = get_reciprocal(total, SOFTMAX_ACCUM_INTEGER_BITS)
    exponent = bits_over_unit + 31 - 8
    assert ((exponent >= 0) & (exponent <= 31)).all()
    out = rounding_divide_by_pot(srdhm(scale, e), exponent) + INT8_MIN
    out = np.clip(out, INT8_MIN, INT8_MAX)
    return np.where(keep, out, INT8_MIN).astype(np.int8)


def round_half_away_f32(v):
    """std::round of float values (TfLiteRound), exactly: done in float64, where |v| + 1/2 is
    exact for any float32 |v| < 2^29 (and any float32 >= 2^23 is already an integer)."""
    v = np.asarray(v, dtype=np.float32).astype(np.float64)
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def quantize(x, scale, zero_point):
    """reference_ops::AffineQuantize, float -> int8: clamp(TfLiteRound(x / float(scale)) +
    zero_point), the division in float32."""
    q = np.asarray(x, dtype=np.float32) / f32(scale)
    with np.errstate(invalid="ignore"):
        v = round_half_away_f32(q) + float(zero_point)
    return np.clip(v, INT8_MIN, INT8_MAX).astype(np.int8)


def requantize(x, input_zero_point, multiplier, shift, output_zero_point):
    """reference_ops::Requantize, int8 -> int8: clamp(MBQM(x - in_zp, M, S) + out_zp)."""
    out = multiply_by_quantized_multiplier(i64(x) - input_zero_point, multiplier, shift)
    return np.clip(out + output_zero_point, INT8_MIN, INT8_MAX).astype(np.int8)


def dequantize(x, scale, zero_point):
    """reference_ops::Dequantize: float(double(scale) * (x - zero_point)). The exact product
    of a float32 and a 9-bit integer fits a double, so this is the correctly rounded float32
    product, the same as the float multiplication the C does."""
    return (float(f32(scale)) * (i64(x) - zero_point).astype(np.float64)).astype(np.float32)


# ---- a TFLite operator from its tensors' float scales ----------------------------------------
# Tensor: what run_operator needs of a TFLite tensor. `scale` is a float32 array (one value, or
# one per channel), `zero_point` an int array, `data` a NumPy array of the tensor's shape
# (constants and computed activations alike).

TFLITE_FLOAT32, TFLITE_INT32, TFLITE_INT64, TFLITE_INT8 = 0, 2, 4, 9
NUMPY_TYPE = {TFLITE_FLOAT32: np.float32, TFLITE_INT32: np.int32, TFLITE_INT64: np.int64,
              TFLITE_INT8: np.int8}


class Tensor:
    def __init__(self, shape, type_, scale=(), zero_point=(), data=None, name=""):
        self.shape = tuple(int(v) for v in shape)
        self.type = type_
        self.scale = np.asarray(scale, dtype=np.float32).ravel()
        self.zero_point = np.asarray(zero_point, dtype=np.int64).ravel()
        self.data = data
        self.name = name

    @property
    def s(self):
        """The per-tensor scale (float32)."""
        return self.scale[0]

    @property
    def zp(self):
        return int(self.zero_point[0]) if self.zero_point.size else 0


def _hwc(shape):
    """A 4-D NHWC shape with batch 1 as (h, w, c)."""
    assert len(shape) == 4 and shape[0] == 1, shape
    return shape[1:]


def _conv_geometry(opt, in_hwc, fh, fw):
    padding = opt.get("padding", PADDING_SAME)
    stride = (opt.get("stride_h", 1), opt.get("stride_w", 1))
    dilation = (opt.get("dilation_h_factor", 1), opt.get("dilation_w_factor", 1))
    pad = (padding_before(padding, in_hwc[0], fh, stride[0], dilation[0]),
           padding_before(padding, in_hwc[1], fw, stride[1], dilation[1]))
    out_hw = (out_size(padding, in_hwc[0], fh, stride[0], dilation[0]),
              out_size(padding, in_hwc[1], fw, stride[1], dilation[1]))
    return stride, dilation, pad, out_hw


def run_operator(op, opt, inputs, output):
    """The output (NumPy array of output.shape) of TFLite builtin operator `op` (its name,
    e.g. "CONV_2D") with options `opt` (a dict, TFLite's defaults where a key is absent) on
    input Tensors `inputs` (None for an omitted optional input), every quantization parameter
    derived here from the tensors' float scales and zero points."""
    x = inputs[0]
    act = opt.get("fused_activation_function", ACT_NONE)
    if op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        filt, bias = inputs[1], inputs[2] if len(inputs) > 2 else None
        in_hwc = _hwc(x.shape)
        if op == "CONV_2D":
            oc, fh, fw, _ = filt.shape
        else:
            _, fh, fw, oc = filt.shape
        stride, dilation, pad, out_hw = _conv_geometry(opt, in_hwc, fh, fw)
        assert (1,) + out_hw + (oc,) == output.shape, (out_hw, output.shape)
        mult, shift = conv_multipliers(x.s, filt.scale, output.s, oc)
        lo, hi = activation_range(act, output.s, output.zp)
        b = None if bias is None else bias.data.ravel()
        xd = x.data.reshape(in_hwc)
        if op == "CONV_2D":
            out = conv2d(xd, -x.zp, filt.data, b, mult, shift, output.zp, stride, dilation, pad,
                         lo, hi, out_hw)
        else:
            dm = oc // in_hwc[2]  # as TFLite infers it; the option is not always set right
            out = depthwise_conv2d(xd, -x.zp, filt.data.reshape(fh, fw, oc), b, mult, shift,
                                   output.zp, stride, dilation, pad, dm, lo, hi, out_hw)
        return out.reshape(output.shape)
    if op == "FULLY_CONNECTED":
        w, bias = inputs[1], inputs[2] if len(inputs) > 2 else None
        n_out, n_in = w.shape
        if w.scale.size > 1:
            mult, shift = conv_multipliers(x.s, w.scale, output.s, n_out)
        else:
            m, s = fc_multiplier(x.s, w.s, output.s)
            mult, shift = i64([m] * n_out), i64([s] * n_out)
        lo, hi = activation_range(act, output.s, output.zp)
        out = fully_connected(x.data.reshape(-1, n_in), -x.zp, w.data,
                              None if bias is None else bias.data.ravel(), mult, shift,
                              output.zp, lo, hi)
        return out.reshape(output.shape)
    if op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        in_hwc = _hwc(x.shape)
        fh, fw = opt.get("filter_height", 1), opt.get("filter_width", 1)
        stride, _, pad, out_hw = _conv_geometry(opt, in_hwc, fh, fw)
        lo, hi = activation_range(act, output.s, output.zp)
        fn = average_pool if op == "AVERAGE_POOL_2D" else max_pool
        return fn(x.data.reshape(in_hwc), (fh, fw), stride, pad, lo, hi, out_hw).reshape(output.shape)
    if op == "ADD":
        b = inputs[1]
        assert x.shape == b.shape == output.shape, "ADD with broadcasting"
        p = add_params(x.s, x.zp, b.s, b.zp, output.s, output.zp, act)
        return add(x.data, b.data, p).reshape(output.shape)
    if op == "SOFTMAX":
        p = softmax_params(np.float32(opt.get("beta", 0.0)), x.s)
        depth = x.shape[-1]
        out = softmax(x.data.reshape(-1, depth), p["input_multiplier"], p["input_left_shift"],
                      p["diff_min"])
        return out.reshape(output.shape)
    if op == "PAD":
        paddings = inputs[1].data.reshape(-1, 2)
        assert paddings.shape[0] == 4 and paddings[0].sum() == 0, "PAD of the batch"
        value = output.zp if output.type == TFLITE_INT8 else 0.0
        return pad(x.data.reshape(_hwc(x.shape)), paddings[1:, 0], paddings[1:, 1],
                   value).reshape(output.shape)
    if op == "RESHAPE":
        return x.data.reshape(output.shape)
    if op == "QUANTIZE":
        if x.type == TFLITE_FLOAT32:
            return quantize(x.data, output.s, output.zp).reshape(output.shape)
        m, s = requantize_params(x.s, output.s)
        return requantize(x.data, x.zp, m, s, output.zp).reshape(output.shape)
    if op == "DEQUANTIZE":
        return dequantize(x.data, x.s, x.zp).reshape(output.shape)
    raise NotImplementedError(f"operator {op}")
