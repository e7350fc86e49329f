"""Every C kernel of firmware/nn against the NumPy statement of TFLite's int8 spec.

usage: check_kernels.py LIBMCUSIM_NNRT_SHARED.so [--seed N] [--cases N]

Loads the host build of the kernels with ctypes (the structs and signatures of
firmware/nn/include/mcusim_nn.h) and runs each kernel on random shapes, data
and quantization parameters (a fixed seed). int8 kernels (_ref, and _dsp when
the library has them) must equal int8_ref.py bit for bit; float kernels must
agree with a float64 evaluation within the bound given where it is checked.
Prints one line per kernel; exits 1 with a one-line summary of the first
mismatch (kernel, case, index, expected, got), 2 on a usage error or when the
library lacks a kernel that mcusim_nn.h declares (the _dsp kernels and the
float kernels count as declared too).
"""

import argparse
import ctypes as C
import os
import sys

try:
    import numpy as np
except ImportError as e:  # a failure, not a skip: the check needs NumPy (python3-numpy)
    print(f"check_kernels: NumPy is required ({e}); install python3-numpy", file=sys.stderr)
    sys.exit(2)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import float_ref as F  # noqa: E402
import int8_ref as R  # noqa: E402

# ---- the C interface (mcusim_nn.h) -------------------------------------------------------------

I32 = C.c_int32
P_I8 = C.POINTER(C.c_int8)
P_I32 = C.POINTER(C.c_int32)
P_F32 = C.POINTER(C.c_float)


class Shape(C.Structure):
    _fields_ = [("h", I32), ("w", I32), ("c", I32)]


class Requant(C.Structure):
    _fields_ = [("multiplier", P_I32), ("shift", P_I32), ("per_channel", I32)]


class ConvS8(C.Structure):
    _fields_ = [(n, I32) for n in ("input_offset", "output_offset", "stride_h", "stride_w",
                                   "dilation_h", "dilation_w", "pad_h", "pad_w",
                                   "depth_multiplier", "act_min", "act_max")]


class FcS8(C.Structure):
    _fields_ = [(n, I32) for n in ("input_offset", "output_offset", "act_min", "act_max")]


class Pool(C.Structure):
    _fields_ = [(n, I32) for n in ("stride_h", "stride_w", "filter_h", "filter_w", "pad_h",
                                   "pad_w", "act_min", "act_max")] + \
               [("act_min_f", C.c_float), ("act_max_f", C.c_float)]


class AddS8(C.Structure):
    _fields_ = [(n, I32) for n in ("input1_offset", "input2_offset", "output_offset",
                                   "left_shift", "input1_multiplier", "input1_shift",
                                   "input2_multiplier", "input2_shift", "output_multiplier",
                                   "output_shift", "act_min", "act_max")]


class SoftmaxS8(C.Structure):
    _fields_ = [(n, I32) for n in ("input_multiplier", "input_left_shift", "diff_min")]


class ConvF32(C.Structure):
    _fields_ = [(n, I32) for n in ("stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h",
                                   "pad_w", "depth_multiplier")] + \
               [("act_min", C.c_float), ("act_max", C.c_float)]


P = C.POINTER
VP = C.c_void_p
CONV_S8_ARGS = [P(ConvS8), P(Requant), Shape, P_I8, I32, I32, P_I8, P_I32, Shape, P_I8]
FC_S8_ARGS = [P(FcS8), P(Requant), I32, P_I8, I32, P_I8, P_I32, P_I8]
CONV_F32_ARGS = [P(ConvF32), Shape, P_F32, I32, I32, P_F32, P_F32, Shape, P_F32]
POOL_S8_ARGS = [P(Pool), Shape, P_I8, Shape, P_I8]
POOL_F32_ARGS = [P(Pool), Shape, P_F32, Shape, P_F32]

SIGNATURES = {
    "nn_conv2d_s8_ref": CONV_S8_ARGS,
    "nn_depthwise_conv2d_s8_ref": CONV_S8_ARGS,
    "nn_fully_connected_s8_ref": FC_S8_ARGS,
    "nn_avgpool2d_s8_ref": POOL_S8_ARGS,
    "nn_maxpool2d_s8_ref": POOL_S8_ARGS,
    "nn_add_s8_ref": [P(AddS8), I32, P_I8, P_I8, P_I8],
    "nn_pad_s8": [Shape, P_I8, Shape, Shape, P_I8, C.c_int8],
    "nn_softmax_s8_ref": [P(SoftmaxS8), I32, I32, P_I8, P_I8],
    "nn_quantize_f32_s8": [I32, P_F32, C.c_float, I32, P_I8],
    "nn_requantize_s8": [I32, P_I8, I32, I32, I32, I32, P_I8],
    "nn_dequantize_s8_f32": [I32, P_I8, C.c_float, I32, P_F32],
    "nn_conv2d_s8_dsp": CONV_S8_ARGS + [VP],
    "nn_depthwise_conv2d_s8_dsp": CONV_S8_ARGS + [VP],
    "nn_fully_connected_s8_dsp": FC_S8_ARGS + [VP],
    "nn_conv2d_f32": CONV_F32_ARGS,
    "nn_depthwise_conv2d_f32": CONV_F32_ARGS,
    "nn_fully_connected_f32": [I32, P_F32, I32, P_F32, P_F32, C.c_float, C.c_float, P_F32],
    "nn_avgpool2d_f32": POOL_F32_ARGS,
    "nn_maxpool2d_f32": POOL_F32_ARGS,
    "nn_add_f32": [I32, P_F32, P_F32, C.c_float, C.c_float, P_F32],
    "nn_pad_f32": [Shape, P_F32, Shape, Shape, P_F32, C.c_float],
    "nn_softmax_f32": [I32, I32, P_F32, C.c_float, P_F32],
    "nn_expf": [C.c_float],
}
RESTYPES = {"nn_expf": C.c_float}


class Mismatch(Exception):
    pass


def ptr(a, kind):
    return None if a is None else a.ctypes.data_as(kind)


def shape(t):
    return Shape(*[int(v) for v in t])


def first_difference(expected, got):
    diff = np.flatnonzero(expected.ravel().view(np.uint8 if expected.dtype == np.int8 else
                                                 expected.dtype) !=
                          got.ravel().view(np.uint8 if got.dtype == np.int8 else got.dtype))
    return None if diff.size == 0 else int(diff[0])


def require_equal(kernel, case, expected, got, detail=""):
    expected = np.ascontiguousarray(expected)
    got = np.ascontiguousarray(got)
    assert expected.shape == got.shape and expected.dtype == got.dtype
    i = first_difference(expected, got)
    if i is not None:
        where = np.unravel_index(i, expected.shape)
        raise Mismatch(f"{kernel} case {case}: index {i} {tuple(int(v) for v in where)}: "
                       f"expected {expected.ravel()[i]}, got {got.ravel()[i]}{detail}")


def require_close(kernel, case, expected, got, tol):
    """|got - expected| <= tol elementwise (expected in float64, tol an array or scalar)."""
    err = np.abs(got.astype(np.float64) - expected)
    bad = np.flatnonzero(~(err <= np.broadcast_to(tol, err.shape)))
    if bad.size:
        i = int(bad[0])
        raise Mismatch(f"{kernel} case {case}: index {i}: expected {expected.ravel()[i]!r} "
                       f"(tolerance {np.broadcast_to(tol, err.shape).ravel()[i]:.3g}), "
                       f"got {got.ravel()[i]!r}")


# ---- random parameters ------------------------------------------------------------------------

def rand_scale(rng, lo=-10.0, hi=0.0):
    """A scale between 2^lo and 2^hi; one in five an exact power of two, so that multipliers
    are exactly 2^30 and products land on the rounding ties (x.5) of SRDHM and
    RoundingDivideByPOT, where the rounding rules differ."""
    if rng.random() < 0.2:
        return np.float32(2.0 ** int(rng.integers(int(lo), int(hi) + 1)))
    return np.float32(2.0 ** rng.uniform(lo, hi))


def rand_i8(rng, shape):
    return rng.integers(-128, 128, size=shape, dtype=np.int64).astype(np.int8)


def rand_act(rng, scale, zp):
    """A fused activation's int8 clamp, or (1 in 5) a random narrower one."""
    if rng.random() < 0.2:
        lo = int(rng.integers(-128, 100))
        return lo, int(rng.integers(lo, 128))
    return R.activation_range(int(rng.choice([R.ACT_NONE, R.ACT_RELU, R.ACT_RELU6])), scale, zp)


def rand_geometry(rng, h, w, fh, fw, max_stride=3):
    """Stride, dilation, padding (TFLite SAME / VALID) and the output size, or None when a
    VALID window does not fit."""
    stride = (int(rng.integers(1, max_stride + 1)), int(rng.integers(1, max_stride + 1)))
    dilation = (1, 1) if rng.random() < 0.7 else (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    padding = int(rng.choice([R.PADDING_SAME, R.PADDING_VALID]))
    oh = R.out_size(padding, h, fh, stride[0], dilation[0])
    ow = R.out_size(padding, w, fw, stride[1], dilation[1])
    if oh < 1 or ow < 1:
        return None
    pad = (R.padding_before(padding, h, fh, stride[0], dilation[0]),
           R.padding_before(padding, w, fw, stride[1], dilation[1]))
    return stride, dilation, pad, (oh, ow)


def rand_bias(rng, n):
    """None (no bias), or int32 biases; 1 in 10 as large as 2^30 so that the requantization
    sees accumulators over the whole int32 range (the sum stays clear of int32 overflow,
    undefined in TFLite: |products| < 2^26 here)."""
    r = rng.random()
    if r < 0.1:
        return None
    bound = 1 << (30 if r > 0.9 else 18)
    return rng.integers(-bound, bound, size=n).astype(np.int32)


def tie_filter_scales(rng, in_scale, out_scale, n):
    """Filter scales that make in * filter / out exactly 2^-k, k = 0..3: multiplier 2^30 and
    a right shift of k, so that odd accumulators land on SRDHM's ties and the shift's."""
    k = rng.integers(0, 4, size=n)
    return (np.float64(out_scale) / np.float64(in_scale) * 2.0 ** -k.astype(np.float64)).astype(np.float32)


def conv_case(rng, depthwise):
    while True:
        h, w = int(rng.integers(1, 13)), int(rng.integers(1, 13))
        fh, fw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        g = rand_geometry(rng, h, w, fh, fw)
        if g:
            break
    stride, dilation, pad, out_hw = g
    # channel counts around the DSP kernels' 2- and 4-wide steps, and (1 in 5) longer runs
    ic = int(rng.integers(1, 17)) if rng.random() < 0.8 else int(rng.integers(17, 73))
    dm = int(rng.integers(1, 4)) if depthwise else 1
    oc = ic * dm if depthwise else int(rng.integers(1, 17))
    in_scale, out_scale = rand_scale(rng), rand_scale(rng)
    in_zp, out_zp = int(rng.integers(-128, 128)), int(rng.integers(-128, 128))
    per_channel = rng.random() < 0.8
    f_scales = np.array([rand_scale(rng, -12, -4) for _ in range(oc if per_channel else 1)],
                        dtype=np.float32)
    if rng.random() < 0.15:
        f_scales = tie_filter_scales(rng, in_scale, out_scale, f_scales.size)
    mult, shift = R.conv_multipliers(in_scale, f_scales, out_scale, oc)
    x = rand_i8(rng, (h, w, ic))
    filt = rand_i8(rng, (fh, fw, oc) if depthwise else (oc, fh, fw, ic))
    bias = rand_bias(rng, oc)
    act = rand_act(rng, out_scale, out_zp)
    return dict(misalign=int(rng.integers(0, 4)), x=x, in_off=-in_zp, filt=filt, bias=bias, mult=mult, shift=shift,
                per_channel=per_channel, out_off=out_zp, stride=stride, dilation=dilation,
                pad=pad, dm=dm, act=act, out_hw=out_hw, fh=fh, fw=fw, oc=oc)


def requant_struct(k):
    """nn_requant for a case, and the arrays it points into (keep them alive for the call)."""
    n = k["oc"] if k["per_channel"] else 1
    m = np.ascontiguousarray(k["mult"][:n], dtype=np.int32)
    s = np.ascontiguousarray(k["shift"][:n], dtype=np.int32)
    return Requant(ptr(m, P_I32), ptr(s, P_I32), int(k["per_channel"])), (m, s)


def misaligned(a, offset):
    """A copy of a whose data starts `offset` bytes past a 16-byte boundary (mcusim_nn.h: the
    _dsp kernels' data pointers need no alignment)."""
    raw = np.zeros(a.nbytes + 32, dtype=np.uint8)
    start = (-raw.ctypes.data) % 16 + offset
    view = raw[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    view[...] = a
    return view


def run_conv(lib, name, k, depthwise, dsp):
    p = ConvS8(k["in_off"], k["out_off"], k["stride"][0], k["stride"][1], k["dilation"][0],
               k["dilation"][1], k["pad"][0], k["pad"][1], k["dm"], k["act"][0], k["act"][1])
    rq, keep = requant_struct(k)
    x = np.ascontiguousarray(k["x"])
    filt = np.ascontiguousarray(k["filt"])
    bias = None if k["bias"] is None else np.ascontiguousarray(k["bias"])
    out = np.full((k["out_hw"][0], k["out_hw"][1], k["oc"]), 0x55, dtype=np.int8)
    if dsp:
        x, filt, out = (misaligned(a, k["misalign"]) for a in (x, filt, out))
    args = [C.byref(p), C.byref(rq), shape(x.shape), ptr(x, P_I8), k["fh"], k["fw"],
            ptr(filt, P_I8), ptr(bias, P_I32), shape(out.shape), ptr(out, P_I8)]
    scratch = None
    if dsp:
        n = 0 if depthwise else 2 * 2 * k["fh"] * k["fw"] * x.shape[2]
        scratch = np.zeros(max(n, 1), dtype=np.uint8) if n else None
        args.append(None if scratch is None else scratch.ctypes.data_as(VP))
    getattr(lib, name)(*args)
    return np.array(out)


def expect_conv(k, depthwise):
    n = k["oc"]
    mult = k["mult"] if k["per_channel"] else np.repeat(k["mult"][:1], n)
    shift = k["shift"] if k["per_channel"] else np.repeat(k["shift"][:1], n)
    if depthwise:
        return R.depthwise_conv2d(k["x"], k["in_off"], k["filt"], k["bias"], mult, shift,
                                  k["out_off"], k["stride"], k["dilation"], k["pad"], k["dm"],
                                  k["act"][0], k["act"][1], k["out_hw"])
    return R.conv2d(k["x"], k["in_off"], k["filt"], k["bias"], mult, shift, k["out_off"],
                    k["stride"], k["dilation"], k["pad"], k["act"][0], k["act"][1], k["out_hw"])


# ---- the checks: each returns the number of cases it ran --------------------------------------

def check_conv(lib, name, cases, rng, depthwise, dsp=False):
    for case in range(cases):
        k = conv_case(rng, depthwise)
        require_equal(name, case, expect_conv(k, depthwise), run_conv(lib, name, k, depthwise, dsp))
    return cases


def check_fc(lib, name, cases, rng, dsp=False):
    for case in range(cases):
        n_in, n_out = int(rng.integers(1, 300)), int(rng.integers(1, 40))
        in_scale, out_scale = rand_scale(rng), rand_scale(rng)
        in_zp, out_zp = int(rng.integers(-128, 128)), int(rng.integers(-128, 128))
        per_channel = rng.random() < 0.3
        if per_channel:
            f_scales = np.array([rand_scale(rng, -12, -4) for _ in range(n_out)], dtype=np.float32)
            mult, shift = R.conv_multipliers(in_scale, f_scales, out_scale, n_out)
        else:
            f_scale = rand_scale(rng, -12, -4)
            if rng.random() < 0.15:
                in_scale = np.float32(2.0 ** int(rng.integers(-10, 1)))
                f_scale = tie_filter_scales(rng, in_scale, out_scale, 1)[0]
            m, s = R.fc_multiplier(in_scale, f_scale, out_scale)
            mult, shift = np.full(n_out, m, dtype=np.int64), np.full(n_out, s, dtype=np.int64)
        x = rand_i8(rng, n_in)
        wts = rand_i8(rng, (n_out, n_in))
        bias = rand_bias(rng, n_out)
        act = rand_act(rng, out_scale, out_zp)
        expected = R.fully_connected(x, -in_zp, wts, bias, mult, shift, out_zp, *act)
        p = FcS8(-in_zp, out_zp, act[0], act[1])
        k = dict(oc=n_out, per_channel=per_channel, mult=mult, shift=shift)
        rq, keep = requant_struct(k)
        out = np.full(n_out, 0x55, dtype=np.int8)
        if dsp:
            off = int(rng.integers(0, 4))
            x, wts, out = (misaligned(a, off) for a in (x, wts, out))
        args = [C.byref(p), C.byref(rq), n_in, ptr(x, P_I8), n_out, ptr(wts, P_I8),
                ptr(bias, P_I32), ptr(out, P_I8)]
        if dsp:
            args.append(None)
        getattr(lib, name)(*args)
        require_equal(name, case, expected, out)
    return cases


def pool_case(rng):
    while True:
        h, w, c = int(rng.integers(1, 12)), int(rng.integers(1, 12)), int(rng.integers(1, 12))
        fh, fw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        padding = int(rng.choice([R.PADDING_SAME, R.PADDING_VALID]))
        oh, ow = R.out_size(padding, h, fh, stride[0]), R.out_size(padding, w, fw, stride[1])
        if oh >= 1 and ow >= 1:
            pad = (R.padding_before(padding, h, fh, stride[0]), R.padding_before(padding, w, fw, stride[1]))
            return (h, w, c), (fh, fw), stride, pad, (oh, ow)


def check_pool_s8(lib, name, cases, rng, fn):
    for case in range(cases):
        in_shape, fhw, stride, pad, out_hw = pool_case(rng)
        scale, zp = rand_scale(rng), int(rng.integers(-128, 128))
        act = rand_act(rng, scale, zp)
        x = rand_i8(rng, in_shape)
        expected = fn(x, fhw, stride, pad, act[0], act[1], out_hw)
        p = Pool(stride[0], stride[1], fhw[0], fhw[1], pad[0], pad[1], act[0], act[1], 0.0, 0.0)
        out = np.full(expected.shape, 0x55, dtype=np.int8)
        getattr(lib, name)(C.byref(p), shape(x.shape), ptr(x, P_I8), shape(out.shape), ptr(out, P_I8))
        require_equal(name, case, expected, out)
    return cases


def check_add_s8(lib, name, cases, rng):
    for case in range(cases):
        n = int(rng.integers(1, 500))
        s1, s2, so = rand_scale(rng, -8, 0), rand_scale(rng, -8, 0), rand_scale(rng, -8, 0)
        z1, z2, zo = (int(v) for v in rng.integers(-128, 128, size=3))
        act = int(rng.choice([R.ACT_NONE, R.ACT_RELU, R.ACT_RELU6]))
        prm = R.add_params(s1, z1, s2, z2, so, zo, act)
        a, b = rand_i8(rng, n), rand_i8(rng, n)
        expected = R.add(a, b, prm)
        p = AddS8(*[prm[f] for f, _ in AddS8._fields_])
        out = np.full(n, 0x55, dtype=np.int8)
        getattr(lib, name)(C.byref(p), n, ptr(a, P_I8), ptr(b, P_I8), ptr(out, P_I8))
        require_equal(name, case, expected, out)
    return cases


def check_pad_s8(lib, name, cases, rng):
    for case in range(cases):
        in_shape = tuple(int(v) for v in rng.integers(1, 8, size=3))
        before = tuple(int(v) for v in rng.integers(0, 4, size=3))
        after = tuple(int(v) for v in rng.integers(0, 4, size=3))
        value = int(rng.integers(-128, 128))
        x = rand_i8(rng, in_shape)
        expected = R.pad(x, before, after, value)
        out = np.full(expected.shape, 0x55, dtype=np.int8)
        getattr(lib, name)(shape(in_shape), ptr(x, P_I8), shape(before), shape(out.shape),
                           ptr(out, P_I8), value)
        require_equal(name, case, expected, out)
    return cases


def check_softmax_s8(lib, name, cases, rng):
    for case in range(cases):
        rows, depth = int(rng.integers(1, 5)), int(rng.integers(1, 300))
        if rng.random() < 0.1:
            # long rows, up to the largest sum of exps TFLite accepts (below 512: its
            # TFLITE_CHECK(exponent <= 31) in reference_ops::Softmax stops the program past it)
            depth = int(rng.integers(300, 512))
        # input scales from tiny to past the multiplier's cap (beta * scale * 2^26 >= 2^31)
        scale = rand_scale(rng, -12, 6)
        beta = np.float32(1.0) if rng.random() < 0.7 else np.float32(rng.uniform(0.1, 3.0))
        prm = R.softmax_params(beta, scale)
        kind = rng.random()
        if kind < 0.2:     # a few distinct values, many ties
            x = rng.choice(rand_i8(rng, 4), size=(rows, depth)).astype(np.int8)
        elif kind < 0.3:   # all equal
            x = np.full((rows, depth), int(rng.integers(-128, 128)), dtype=np.int8)
        else:
            x = rand_i8(rng, (rows, depth))
        expected = R.softmax(x, prm["input_multiplier"], prm["input_left_shift"], prm["diff_min"])
        p = SoftmaxS8(prm["input_multiplier"], prm["input_left_shift"], prm["diff_min"])
        out = np.full(x.shape, 0x55, dtype=np.int8)
        getattr(lib, name)(C.byref(p), rows, depth, ptr(x, P_I8), ptr(out, P_I8))
        require_equal(name, case, expected, out,
                      f" (input scale {float(scale)!r}, beta {float(beta)!r}, params {prm})")
    return cases


def check_quantize(lib, name, cases, rng):
    for case in range(cases):
        n = int(rng.integers(1, 400))
        scale, zp = rand_scale(rng, -10, 2), int(rng.integers(-128, 128))
        x = (rng.standard_normal(n) * float(scale) * rng.choice([1, 30, 300])).astype(np.float32)
        # exact halves: x / scale lands on k + 1/2 (in float) in a share of the cells
        half = rng.random(n) < 0.3
        k = rng.integers(-200, 200, size=n)
        x[half] = ((k[half] + 0.5) * np.float64(scale)).astype(np.float32)
        # values whose quotient is far outside int32 (TFLite clamps before converting)
        huge = rng.random(n) < 0.05
        x[huge] = np.float32(1e20) * np.sign(rng.standard_normal(int(huge.sum()))).astype(np.float32)
        expected = R.quantize(x, scale, zp)
        out = np.full(n, 0x55, dtype=np.int8)
        getattr(lib, name)(n, ptr(x, P_F32), scale, zp, ptr(out, P_I8))
        require_equal(name, case, expected, out, f" (x {x.ravel()[0]!r}, scale {float(scale)!r}, zp {zp})")
    return cases


def check_requantize(lib, name, cases, rng):
    for case in range(cases):
        n = int(rng.integers(1, 400))
        m, s = R.requantize_params(rand_scale(rng, -8, 0), rand_scale(rng, -8, 0))
        in_zp, out_zp = (int(v) for v in rng.integers(-128, 128, size=2))
        x = rand_i8(rng, n)
        expected = R.requantize(x, in_zp, m, s, out_zp)
        out = np.full(n, 0x55, dtype=np.int8)
        getattr(lib, name)(n, ptr(x, P_I8), in_zp, m, s, out_zp, ptr(out, P_I8))
        require_equal(name, case, expected, out)
    return cases


def check_dequantize(lib, name, cases, rng):
    for case in range(cases):
        n = int(rng.integers(1, 400))
        scale, zp = rand_scale(rng, -12, 4), int(rng.integers(-128, 128))
        x = rand_i8(rng, n)
        expected = R.dequantize(x, scale, zp)
        out = np.full(n, np.nan, dtype=np.float32)
        getattr(lib, name)(n, ptr(x, P_I8), scale, zp, ptr(out, P_F32))
        require_equal(name, case, expected, out)
    return cases


# ---- float kernels -----------------------------------------------------------------------------
# The float kernels are not defined bit for bit by anything but themselves (the order of their
# sums is theirs), so they are held to the rounding-error bound of any summation order: a sum
# of n float32 products t_i, each product and each addition rounded to nearest, differs from
# the exact sum by at most gamma_(n+1) * sum |t_i| with gamma_k = k u / (1 - k u), u = 2^-24
# (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., section 3.1). We allow
# (n + 2) u * 1.01 * sum |t_i| (+ the bias's magnitude in the sum), and 1e-30 absolute for the
# all-zero case; the clamp that follows only narrows the difference. Operations with a single
# rounding (ADD, MAX_POOL, PAD, DEQUANTIZE) must match NumPy's float32 exactly.

U = 2.0 ** -24
FLT_MAX = float(np.finfo(np.float32).max)


def rand_f32(rng, shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def f32_act(rng):
    return (-FLT_MAX, FLT_MAX) if rng.random() < 0.4 else \
        ((0.0, FLT_MAX) if rng.random() < 0.5 else (0.0, 6.0) if rng.random() < 0.5 else (-1.0, 1.0))


def conv_f32_in_order(x, filt, bias, stride, dilation, pad, out_hw, depthwise, dm, act):
    """The float32 result in the order mcusim_nn.h defines: the sum starts at the bias (0
    without one) and adds input * weight over fy, then fx, then ic, skipping padding; each
    product and each sum rounded to float32 (NumPy's float32 ufuncs, no fused multiply-add,
    like the C built with -ffp-contract=off); then min(max(acc, act_min), act_max)."""
    if depthwise:
        fh, fw, oc = filt.shape
        xs = np.repeat(x, dm, axis=2)
    else:
        oc, fh, fw, _ = filt.shape
        xs = x
    acc = np.zeros((out_hw[0], out_hw[1], oc), dtype=np.float32)
    if bias is not None:
        acc += bias
    inside = np.ones(x.shape[:2] + (1,), dtype=bool)
    taps = R._padded_taps(xs, fh, fw, stride, dilation, pad, out_hw)
    masks = R._padded_taps(inside, fh, fw, stride, dilation, pad, out_hw)
    for (ky, kx, view), (_, _, valid) in zip(taps, masks):
        if depthwise:
            acc = np.where(valid, acc + view * filt[ky, kx, :], acc)
        else:
            for ic in range(x.shape[2]):
                acc = np.where(valid, acc + view[:, :, ic:ic + 1] * filt[:, ky, kx, ic], acc)
    return np.minimum(np.maximum(acc, np.float32(act[0])), np.float32(act[1]))


def check_conv_f32(lib, name, cases, rng, depthwise):
    for case in range(cases):
        k = conv_case(rng, depthwise)
        x = rand_f32(rng, k["x"].shape)
        filt = rand_f32(rng, k["filt"].shape, 0.5)
        bias = None if k["bias"] is None else rand_f32(rng, k["oc"])
        act = f32_act(rng)
        acc, mag = F.conv_exact(x, filt, bias, k["stride"], k["dilation"], k["pad"], k["out_hw"],
                                depthwise, k["dm"])
        n = k["fh"] * k["fw"] * (1 if depthwise else x.shape[2]) + 1
        expected = np.clip(acc, act[0], act[1])
        p = ConvF32(k["stride"][0], k["stride"][1], k["dilation"][0], k["dilation"][1], k["pad"][0],
                    k["pad"][1], k["dm"], act[0], act[1])
        out = np.full(expected.shape, np.nan, dtype=np.float32)
        getattr(lib, name)(C.byref(p), shape(x.shape), ptr(x, P_F32), k["fh"], k["fw"],
                           ptr(filt, P_F32), ptr(bias, P_F32), shape(out.shape), ptr(out, P_F32))
        require_close(name, case, expected, out, (n + 2) * U * 1.01 * mag + 1e-30)
        require_equal(name + " (operation order)", case,
                      conv_f32_in_order(x, filt, bias, k["stride"], k["dilation"], k["pad"],
                                        k["out_hw"], depthwise, k["dm"], act), out)
    return cases


def check_fc_f32(lib, name, cases, rng):
    for case in range(cases):
        n_in, n_out = int(rng.integers(1, 300)), int(rng.integers(1, 40))
        x, w = rand_f32(rng, n_in), rand_f32(rng, (n_out, n_in), 0.3)
        bias = None if rng.random() < 0.15 else rand_f32(rng, n_out)
        act = f32_act(rng)
        acc = w.astype(np.float64) @ x.astype(np.float64)
        mag = np.abs(w.astype(np.float64)) @ np.abs(x.astype(np.float64))
        if bias is not None:
            acc += bias
            mag += np.abs(bias.astype(np.float64))
        out = np.full(n_out, np.nan, dtype=np.float32)
        getattr(lib, name)(n_in, ptr(x, P_F32), n_out, ptr(w, P_F32), ptr(bias, P_F32), act[0], act[1],
                           ptr(out, P_F32))
        require_close(name, case, np.clip(acc, act[0], act[1]), out, (n_in + 3) * U * 1.01 * mag + 1e-30)
        ordered = np.zeros(n_out, dtype=np.float32) if bias is None else bias.copy()
        for i in range(n_in):  # mcusim_nn.h's order: from the bias over i = 0, 1, ...
            ordered = ordered + x[i] * w[:, i]
        ordered = np.minimum(np.maximum(ordered, np.float32(act[0])), np.float32(act[1]))
        require_equal(name + " (operation order)", case, ordered, out)
    return cases


def check_pool_f32(lib, name, cases, rng, average):
    for case in range(cases):
        in_shape, fhw, stride, pad, out_hw = pool_case(rng)
        act = f32_act(rng)
        x = rand_f32(rng, in_shape, 3.0)
        total = np.zeros(out_hw + (in_shape[2],))
        mag = np.zeros_like(total)
        count = np.zeros(out_hw + (1,))
        best = np.full_like(total, -np.inf)
        for taps, valid in R._pool_windows(x.astype(np.float64), fhw[0], fhw[1], stride, pad, out_hw):
            total += np.where(valid, taps, 0.0)
            mag += np.where(valid, np.abs(taps), 0.0)
            count += valid
            best = np.where(valid, np.maximum(best, taps), best)
        p = Pool(stride[0], stride[1], fhw[0], fhw[1], pad[0], pad[1], 0, 0, act[0], act[1])
        out = np.full(total.shape, np.nan, dtype=np.float32)
        getattr(lib, name)(C.byref(p), shape(x.shape), ptr(x, P_F32), shape(out.shape), ptr(out, P_F32))
        if average:
            # a sum of `count` values then one division: (count + 2) u of sum |x| / count
            require_close(name, case, np.clip(total / count, act[0], act[1]), out,
                          (count + 2) * U * 1.01 * mag / count + 1e-30)
            # and mcusim_nn.h's order: from 0 over fy, then fx, one division by the count
            acc = np.zeros(total.shape, dtype=np.float32)
            for taps, valid in R._pool_windows(x, fhw[0], fhw[1], stride, pad, out_hw):
                acc = np.where(valid, acc + taps, acc)
            ordered = acc / count.astype(np.float32)
            ordered = np.minimum(np.maximum(ordered, np.float32(act[0])), np.float32(act[1]))
            require_equal(name + " (operation order)", case, ordered, out)
        else:
            require_equal(name, case, np.clip(best, act[0], act[1]).astype(np.float32), out)
    return cases


def check_add_f32(lib, name, cases, rng):
    for case in range(cases):
        n = int(rng.integers(1, 500))
        a, b = rand_f32(rng, n, 4.0), rand_f32(rng, n, 4.0)
        act = f32_act(rng)
        expected = np.clip(a + b, np.float32(act[0]), np.float32(act[1])).astype(np.float32)
        out = np.full(n, np.nan, dtype=np.float32)
        getattr(lib, name)(n, ptr(a, P_F32), ptr(b, P_F32), act[0], act[1], ptr(out, P_F32))
        require_equal(name, case, expected, out)
    return cases


def check_pad_f32(lib, name, cases, rng):
    for case in range(cases):
        in_shape = tuple(int(v) for v in rng.integers(1, 8, size=3))
        before = tuple(int(v) for v in rng.integers(0, 4, size=3))
        after = tuple(int(v) for v in rng.integers(0, 4, size=3))
        value = np.float32(rng.standard_normal())
        x = rand_f32(rng, in_shape)
        expected = R.pad(x, before, after, value)
        out = np.full(expected.shape, np.nan, dtype=np.float32)
        getattr(lib, name)(shape(in_shape), ptr(x, P_F32), shape(before), shape(out.shape),
                           ptr(out, P_F32), value)
        require_equal(name, case, expected, out)
    return cases


EXPF_ULPS = 2  # mcusim_nn.h: nn_expf's error is below 2 ulp


def check_expf(lib, name, cases, rng):
    """nn_expf against exp in float64, within EXPF_ULPS units in the last place of the float32
    result (the contract of mcusim_nn.h), over the range where expf is a normal float."""
    xs = np.concatenate([np.linspace(-87.0, 88.0, 20001), rng.uniform(-87.0, 88.0, cases * 40),
                         rng.uniform(-1.0, 1.0, cases * 10), [0.0, -0.0, 1e-8, -1e-8]]).astype(np.float32)
    f = getattr(lib, name)
    got = np.array([f(float(v)) for v in xs], dtype=np.float32)
    ref = np.exp(xs.astype(np.float64))
    ulp = np.spacing(ref.astype(np.float32)).astype(np.float64)
    require_close(name, 0, ref, got, EXPF_ULPS * ulp)
    return xs.size


def check_softmax_f32(lib, name, cases, rng):
    for case in range(cases):
        rows, depth = int(rng.integers(1, 5)), int(rng.integers(1, 300))
        beta = np.float32(1.0) if rng.random() < 0.7 else np.float32(rng.uniform(0.1, 3.0))
        x = rand_f32(rng, (rows, depth), float(rng.choice([1.0, 5.0, 20.0])))
        # the argument of exp as the C forms it: (x - max) * beta, two float32 roundings
        arg = ((x - x.max(axis=1, keepdims=True)) * beta).astype(np.float32)
        e = np.exp(arg.astype(np.float64))
        expected = e / e.sum(axis=1, keepdims=True)
        # each exp within 2 ulp (4u relative), the sum of depth positive terms (depth + 1) u,
        # the division u: relative error (depth + 10) u with margin
        out = np.full(x.shape, np.nan, dtype=np.float32)
        getattr(lib, name)(rows, depth, ptr(x, P_F32), beta, ptr(out, P_F32))
        require_close(name, case, expected, out, (depth + 10) * U * 1.01 * expected + 1e-38)
    return cases


# ---- main ---------------------------------------------------------------------------------------

HOW = {
    "nn_conv2d_f32": "identical in mcusim_nn.h's order, within the bound of any order",
    "nn_depthwise_conv2d_f32": "identical in mcusim_nn.h's order, within the bound of any order",
    "nn_fully_connected_f32": "identical in mcusim_nn.h's order, within the bound of any order",
    "nn_avgpool2d_f32": "identical in mcusim_nn.h's order, within the bound of any order",
    "nn_softmax_f32": "within the rounding bound",
    "nn_expf": f"values within {EXPF_ULPS} ulp",
}


def checks(cases):
    c = cases
    return [
        ("nn_conv2d_s8_ref", lambda L, n, r: check_conv(L, n, c, r, False)),
        ("nn_depthwise_conv2d_s8_ref", lambda L, n, r: check_conv(L, n, c, r, True)),
        ("nn_fully_connected_s8_ref", lambda L, n, r: check_fc(L, n, c, r)),
        ("nn_conv2d_s8_dsp", lambda L, n, r: check_conv(L, n, c, r, False, dsp=True)),
        ("nn_depthwise_conv2d_s8_dsp", lambda L, n, r: check_conv(L, n, c, r, True, dsp=True)),
        ("nn_fully_connected_s8_dsp", lambda L, n, r: check_fc(L, n, c, r, dsp=True)),
        ("nn_avgpool2d_s8_ref", lambda L, n, r: check_pool_s8(L, n, c, r, R.average_pool)),
        ("nn_maxpool2d_s8_ref", lambda L, n, r: check_pool_s8(L, n, c, r, R.max_pool)),
        ("nn_add_s8_ref", lambda L, n, r: check_add_s8(L, n, c, r)),
        ("nn_pad_s8", lambda L, n, r: check_pad_s8(L, n, c, r)),
        ("nn_softmax_s8_ref", lambda L, n, r: check_softmax_s8(L, n, 2 * c, r)),
        ("nn_quantize_f32_s8", lambda L, n, r: check_quantize(L, n, c, r)),
        ("nn_requantize_s8", lambda L, n, r: check_requantize(L, n, c, r)),
        ("nn_dequantize_s8_f32", lambda L, n, r: check_dequantize(L, n, c, r)),
        ("nn_conv2d_f32", lambda L, n, r: check_conv_f32(L, n, c, r, False)),
        ("nn_depthwise_conv2d_f32", lambda L, n, r: check_conv_f32(L, n, c, r, True)),
        ("nn_fully_connected_f32", lambda L, n, r: check_fc_f32(L, n, c, r)),
        ("nn_avgpool2d_f32", lambda L, n, r: check_pool_f32(L, n, c, r, True)),
        ("nn_maxpool2d_f32", lambda L, n, r: check_pool_f32(L, n, c, r, False)),
        ("nn_add_f32", lambda L, n, r: check_add_f32(L, n, c, r)),
        ("nn_pad_f32", lambda L, n, r: check_pad_f32(L, n, c, r)),
        ("nn_softmax_f32", lambda L, n, r: check_softmax_f32(L, n, c, r)),
        ("nn_expf", lambda L, n, r: check_expf(L, n, c, r)),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--cases", type=int, default=300, help="random cases per kernel")
    ap.add_argument("--only", help="check only the kernels whose name contains this")
    ap.add_argument("--allow-missing", action="store_true",
                    help="report a kernel the library lacks instead of failing")
    args = ap.parse_args()
    try:
        lib = C.CDLL(os.path.abspath(args.library))
    except OSError as e:
        print(f"check_kernels: cannot load {args.library}: {e}", file=sys.stderr)
        return 2
    missing, total = [], 0
    for index, (name, check) in enumerate(checks(args.cases)):
        if args.only and args.only not in name:
            continue
        try:
            fn = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            print(f"{name:28s} MISSING from the library")
            continue
        fn.argtypes = SIGNATURES[name]
        fn.restype = RESTYPES.get(name)
        rng = np.random.default_rng([args.seed, index])
        try:
            n = check(lib, name, rng)
        except Mismatch as m:
            print(f"MISMATCH {m}")
            return 1
        total += n
        print(f"{name:28s} {n:6d} cases {HOW.get(name, 'identical')}")
    if missing and not args.allow_missing:
        print(f"check_kernels: the library lacks {len(missing)} kernel(s) that mcusim_nn.h declares: "
              f"{', '.join(missing)}", file=sys.stderr)
        return 2
    print(f"check_kernels: {total} cases, every kernel as TFLite's spec says"
          + (f" ({len(missing)} missing: {', '.join(missing)})" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
