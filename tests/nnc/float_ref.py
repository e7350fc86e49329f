"""TensorFlow Lite's float32 operators in NumPy, in float64, with their rounding-error bounds.

An independent statement of what mcusim-nnc's float models (firmware/nn/src/f32) compute,
written from TensorFlow Lite's reference kernels (reference_ops::Conv, DepthwiseConv,
FullyConnected, AveragePool, MaxPool, Add, Pad, Softmax, Reshape; fused activations through
CalculateActivationRange). Each operator is computed in float64 on the float32 values it is
given (exact products, sums rounded at 2^-53), and returns with it a bound on how far a float32
implementation, in any summation order, may be from that value.

The bound (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., section 3.1): a sum
of n terms, each a float32 product rounded to nearest and each addition rounded to nearest,
differs from the exact sum by at most gamma_n * sum |t_i|, gamma_n = n u / (1 - n u), u = 2^-24.
We allow (n + 2) u * 1.01 * sum |t_i| (the bias counted as one of the n terms; the 1.01 covers
1 / (1 - n u) for any n here and the float64 evaluation's own error, below 2^-53 n). A hybrid
model's int8 weights are real = scale * (q - zero_point) (per channel along the tensor's
quantized_dimension); the C rounds that product to float32 once (docs/tinyml.md), which is one
more u per term: (n + 3) u. Fused activations (a clamp) and MAX_POOL_2D, PAD, RESHAPE are
1-Lipschitz and add no rounding; ADD rounds once (u |a + b|).

Besides that bound, run_operator propagates a spread: a root-mean-square-like scale of the
error of a float32 evaluation of the whole model so far, under the probabilistic model of rounding
(Higham and Mary, "A new approach to probabilistic rounding error analysis", SIAM J. Sci. Comput.
41(5), 2019: rounding errors independent, mean zero, so that a sum of n of them grows as sqrt(n)
rather than n). An operator's own rounding adds sqrt(n + 2) u sum |t_i| (the sum's k-th rounding
error is at most u times its k-th partial sum, itself at most sum |t_i|); input errors go through
the operator's derivative at the reference point: W^2 for the squares of the spreads of the linear
operators, zero where a fused activation clamps a value farther than SPREAD_LAMBDA spreads from
its limit, the window's maximum for MAX_POOL_2D, p_i beta sqrt(s_i^2 + sum p_j^2 s_j^2) for
SOFTMAX. The worst case propagated the same way (|W| applied to the bound) is no test: through the
ten layers of the anomaly-detection autoencoder it grows to 10^6 for outputs of size 40.
"""

import numpy as np

import int8_ref as R

U = 2.0 ** -24
MARGIN = 1.01
FLT_MIN = float(np.finfo(np.float32).tiny)
EXPF_REL = 4 * U  # mcusim_nn.h: nn_expf within 2 ulp, and an ulp of a float32 v is <= 2 u |v|


def real_weights(t):
    """A constant operand as float64: float32 as is; int8 (a hybrid model's weights) as
    scale * (q - zero_point), per channel along t.axis (TFLite's quantized_dimension) when
    there is more than one scale. Also returns whether it was dequantized."""
    if t.type == R.TFLITE_FLOAT32:
        return np.asarray(t.data, dtype=np.float64), False
    assert t.type == R.TFLITE_INT8 and t.scale.size >= 1, f"tensor {t.name}: no float value"
    q = np.asarray(t.data, dtype=np.float64)
    shape = [1] * q.ndim
    if t.scale.size > 1:
        axis = getattr(t, "axis", 0)
        assert t.scale.size == q.shape[axis], f"tensor {t.name}: {t.scale.size} scales"
        shape[axis] = t.scale.size
    scale = t.scale.astype(np.float64).reshape(shape)
    zp = np.broadcast_to(t.zero_point.astype(np.float64), (t.scale.size,)).reshape(shape) \
        if t.zero_point.size else 0.0
    return scale * (q - zp), True


def _conv(x, filt, stride, dilation, pad, out_hw, depthwise, dm):
    """sum over taps (and input channels) of filt * x, float64; x (h, w, c), filt as TFLite
    stores it ([oc, fh, fw, ic], or [fh, fw, oc] for depthwise); positions in the padding
    contribute nothing (int8_ref's tap loop reads them as 0)."""
    if depthwise:
        x = np.repeat(x, dm, axis=2)
        fh, fw, oc = filt.shape
    else:
        oc, fh, fw, _ = filt.shape
    acc = np.zeros((out_hw[0], out_hw[1], oc))
    for ky, kx, view in R._padded_taps(x, fh, fw, stride, dilation, pad, out_hw):
        acc += view * filt[ky, kx, :] if depthwise else view @ filt[:, ky, kx, :].T
    return acc


def conv_exact(x, filt, bias, stride, dilation, pad, out_hw, depthwise, dm):
    """The exact (float64) sums of CONV_2D / DEPTHWISE_CONV_2D and the sums of the terms'
    magnitudes (for the bound)."""
    x = np.asarray(x, dtype=np.float64)
    filt = np.asarray(filt, dtype=np.float64)
    acc = _conv(x, filt, stride, dilation, pad, out_hw, depthwise, dm)
    mag = _conv(np.abs(x), np.abs(filt), stride, dilation, pad, out_hw, depthwise, dm)
    if bias is not None:
        acc += np.asarray(bias, dtype=np.float64)
        mag += np.abs(np.asarray(bias, dtype=np.float64))
    return acc, mag


def _max_over_windows(x, fhw, stride, pad, out_hw, init):
    best = np.full(out_hw + (x.shape[2],), init)
    for taps, valid in R._pool_windows(x, fhw[0], fhw[1], stride, pad, out_hw):
        best = np.where(valid, np.maximum(best, taps), best)
    return best


def _mean_over_windows(x, fhw, stride, pad, out_hw):
    total = np.zeros(out_hw + (x.shape[2],))
    count = np.zeros(out_hw + (1,))
    for taps, valid in R._pool_windows(x, fhw[0], fhw[1], stride, pad, out_hw):
        total += np.where(valid, taps, 0.0)
        count += valid
    assert (count > 0).all()
    return total / count, count


class Result:
    """An operator's output in float64 (`value`), the bound on a float32 evaluation's distance
    from it given exact inputs (`bound`, worst case) and the spread of a whole model's error
    after it (`spread`, probabilistic; see the module's text). Arrays of the output's shape."""

    def __init__(self, value, bound, spread):
        self.value, self.bound, self.spread = value, bound, spread


# How many spreads a whole model's float32 output may be from its float64 value. For a Gaussian
# error that is a chance of 1.5e-23 per element; the spread overestimates each rounding's
# (u sum |t_i| per step, where a rounding error's standard deviation is at most u/sqrt(3) of it).
SPREAD_LAMBDA = 10.0


def _activation(value, own, spread_sq, act):
    """The clamp of a fused activation: the value clamped; the spread (from its own rounding
    `own` and its inputs' `spread_sq`, squared) zero where the value is clamped farther than
    SPREAD_LAMBDA spreads beyond the limit (the derivative is 0 there), else unchanged."""
    lo, hi = R.activation_range_float(act)
    spread = np.sqrt(own ** 2 + spread_sq)
    far = (value + SPREAD_LAMBDA * spread < lo) | (value - SPREAD_LAMBDA * spread > hi)
    return np.clip(value, lo, hi), np.where(far, 0.0, spread)


def run_operator(op, opt, inputs, output, spreads=None):
    """TFLite builtin operator `op` (e.g. "CONV_2D") with options `opt` on int8_ref.Tensor
    `inputs` (float32 activations; constants float32, int32 or int8 with scales), in float64.
    `spreads`: None, or per input the spread of its error (an array of its shape, or None for
    an exact one). Returns a Result of output.shape."""
    spreads = list(spreads or [])
    spreads += [None] * (len(inputs) - len(spreads))
    x = inputs[0]
    sx = np.zeros(x.shape) if spreads[0] is None else np.asarray(spreads[0], dtype=np.float64)
    xd = np.asarray(x.data, dtype=np.float64)
    act = opt.get("fused_activation_function", R.ACT_NONE)
    shape = output.shape

    def done(value, bound, spread):
        return Result(value.reshape(shape), bound.reshape(shape), spread.reshape(shape))

    if op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        filt, hybrid = real_weights(inputs[1])
        bias = inputs[2] if len(inputs) > 2 and inputs[2] is not None else None
        b = None if bias is None else real_weights(bias)[0].ravel()
        in_hwc = R._hwc(x.shape)
        depthwise = op == "DEPTHWISE_CONV_2D"
        if depthwise:
            _, fh, fw, oc = filt.shape
            filt = filt.reshape(fh, fw, oc)
            n = fh * fw
        else:
            oc, fh, fw, ic = filt.shape
            n = fh * fw * ic
        stride, dilation, pad, out_hw = R._conv_geometry(opt, in_hwc, fh, fw)
        dm = oc // in_hwc[2]  # as TFLite infers it
        acc, mag = conv_exact(xd.reshape(in_hwc), filt, b, stride, dilation, pad, out_hw,
                              depthwise, dm)
        n += (0 if b is None else 1) + 2 + hybrid
        value, spread = _activation(acc, np.sqrt(n) * U * mag,
                                    _conv(sx.reshape(in_hwc) ** 2, filt ** 2, stride, dilation, pad,
                                          out_hw, depthwise, dm), act)
        return done(value, n * U * MARGIN * mag, spread)
    if op == "FULLY_CONNECTED":
        w, hybrid = real_weights(inputs[1])
        bias = inputs[2] if len(inputs) > 2 and inputs[2] is not None else None
        n_out, n_in = w.shape
        rows = xd.reshape(-1, n_in)
        acc, mag = rows @ w.T, np.abs(rows) @ np.abs(w).T
        n = n_in + 2 + hybrid
        if bias is not None:
            b = real_weights(bias)[0].ravel()
            acc, mag, n = acc + b, mag + np.abs(b), n + 1
        value, spread = _activation(acc, np.sqrt(n) * U * mag,
                                    sx.reshape(-1, n_in) ** 2 @ (w ** 2).T, act)
        return done(value, n * U * MARGIN * mag, spread)
    if op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        in_hwc = R._hwc(x.shape)
        fhw = (opt.get("filter_height", 1), opt.get("filter_width", 1))
        stride, _, pad, out_hw = R._conv_geometry(opt, in_hwc, fhw[0], fhw[1])
        if op == "MAX_POOL_2D":  # exact; |max a - max b| <= max |a - b|
            value = _max_over_windows(xd.reshape(in_hwc), fhw, stride, pad, out_hw, -np.inf)
            spread = _max_over_windows(sx.reshape(in_hwc), fhw, stride, pad, out_hw, 0.0)
            value, spread = _activation(value, 0.0, spread ** 2, act)
            return done(value, np.zeros_like(value), spread)
        # a sum of `count` values, then one division: (count + 2) u of the mean of |x|
        value, count = _mean_over_windows(xd.reshape(in_hwc), fhw, stride, pad, out_hw)
        mag, _ = _mean_over_windows(np.abs(xd).reshape(in_hwc), fhw, stride, pad, out_hw)
        mean_sq, _ = _mean_over_windows(sx.reshape(in_hwc) ** 2, fhw, stride, pad, out_hw)
        value, spread = _activation(value, np.sqrt(count + 2) * U * mag, mean_sq / count, act)
        return done(value, (count + 2) * U * MARGIN * mag, spread)
    if op == "ADD":  # one rounding: at most u |a + b|
        y = inputs[1]
        assert x.shape == y.shape == output.shape, "ADD with broadcasting"
        sy = 0.0 if spreads[1] is None else spreads[1]
        value = xd + np.asarray(y.data, dtype=np.float64)
        clamped, spread = _activation(value, U * np.abs(value), sx ** 2 + sy ** 2, act)
        return done(clamped, U * MARGIN * np.abs(value), spread)
    if op == "RESHAPE":
        return done(xd, np.zeros(xd.shape), sx)
    if op == "PAD":
        paddings = inputs[1].data.reshape(-1, 2)
        assert paddings.shape[0] == 4 and paddings[0].sum() == 0, "PAD of the batch"
        before, after = paddings[1:, 0], paddings[1:, 1]
        value = R.pad(xd.reshape(R._hwc(x.shape)), before, after, 0.0)
        return done(value, np.zeros(value.shape), R.pad(sx.reshape(R._hwc(x.shape)), before, after, 0.0))
    if op == "SOFTMAX":
        # p_i = exp(a_i) / sum_j exp(a_j), a = (x - max x) * beta. A float32 evaluation rounds
        # x - max and the product by beta (a_i within 2 u |a_i|, so exp(a_i) within 2 u |a_i|
        # relative), exp within EXPF_REL, the sum of `depth` positive terms within depth u, the
        # division u: p_i within ((depth + 6) u + EXPF_REL + 2 u (|a_i| + max |a_j|)) relative
        # (the sum's terms share max |a_j|), and 2 FLT_MIN absolute where exp underflows to
        # float32's subnormals or 0. An input error moves p_i by p_i beta (e_i - sum p_j e_j).
        beta = float(np.float32(opt.get("beta", 1.0)))
        depth = x.shape[-1]
        rows = xd.reshape(-1, depth)
        a = (rows - rows.max(axis=-1, keepdims=True)) * beta
        e = np.exp(a)
        p = e / e.sum(axis=-1, keepdims=True)
        big = np.abs(a).max(axis=-1, keepdims=True)
        rel = (depth + 6) * U + EXPF_REL + 2 * U * (np.abs(a) + big)
        s = sx.reshape(-1, depth)
        moved = p * abs(beta) * np.sqrt(s ** 2 + (p ** 2 * s ** 2).sum(axis=-1, keepdims=True))
        return done(p, MARGIN * rel * p + 2 * FLT_MIN, np.sqrt((rel * p) ** 2 + moved ** 2))
    raise NotImplementedError(f"float operator {op}")
