"""Every operator of a compiled FP32 model against a float64 NumPy statement of TFLite's float ops.

usage: check_float_layers.py --flatc FLATC --schema nnc/tflite_subset.fbs --model M.tflite
                             --host nnc-host-NAME-dump [--top1] [--seed N]... [--work DIR]

The float sibling of check_model_layers.py, with its model reading (flatc, raw float bits) and
dump reading. For every operator, float_ref.run_operator computes the output in float64 from
the C's own recorded float32 inputs (a hybrid model's int8 weights as scale * q), with the
rounding-error bound of a float32 evaluation in any order (float_ref.py states it); the C's
recorded output must lie within it. Then the whole model runs in float64 from the recorded
input, with the spread of a float32 evaluation's error propagated (float_ref.py: the
probabilistic model of rounding, through each operator's derivative); the C's final output must
lie within float_ref.SPREAD_LAMBDA spreads of it, and with --top1 its largest element must be
the reference's.
Each --seed (default 1, 2, 3) is one random input. Exit 0: all within; 1: a mismatch (one line
per operator, the worst element); 2: usage, a tool or a file failed.
"""

import argparse
import collections
import os
import sys
import tempfile

try:
    import numpy as np
except ImportError as e:  # a failure, not a skip: the check needs NumPy (python3-numpy)
    print(f"check_float_layers: NumPy is required ({e}); install python3-numpy", file=sys.stderr)
    sys.exit(2)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_model_layers as M  # noqa: E402
import float_ref as F  # noqa: E402
import int8_ref as R  # noqa: E402

def tensors_with_axes(model):
    """check_model_layers.tensors_of, each Tensor with `axis`: its quantized_dimension."""
    tensors = M.tensors_of(model)
    for t, raw in zip(tensors, model["subgraphs"][0]["tensors"]):
        t.axis = (raw.get("quantization") or {}).get("quantized_dimension", 0)
    return tensors


def with_data(t, data):
    out = R.Tensor(t.shape, t.type, t.scale, t.zero_point, data, t.name)
    out.axis = t.axis
    return out


class Worst:
    """The largest |C - reference| and the largest ratio to its bound, with where they were."""

    def __init__(self):
        self.err, self.ratio, self.where = 0.0, 0.0, ""

    def add(self, err, bound, where):
        if err.size:
            self.err = max(self.err, float(err.max()))
            r = float((err / np.maximum(bound, 1e-300)).max())
            if r > self.ratio:
                self.ratio, self.where = r, where


def outside(got, value, bound):
    """|got - value| per element and the indices where it is above the bound (or NaN)."""
    err = np.abs(np.asarray(got, dtype=np.float64) - value)
    return err, np.flatnonzero(~(err <= bound).ravel())


def check(args, name, work, seed, worst_layer, worst_model):
    model, names, records = M.run_and_read(args, name, work, seed)
    sg = model["subgraphs"][0]
    codes = model["operator_codes"]
    tensors = tensors_with_axes(model)
    in_t, final_t = sg["inputs"][0], sg["outputs"][0]
    if tensors[in_t].type != R.TFLITE_FLOAT32 or tensors[final_t].type != R.TFLITE_FLOAT32:
        raise M.Failure("not a float model (the input or the output is not FLOAT32)")

    ops = sg["operators"]
    names_of = [M.op_name(codes[op.get("opcode_index", 0)], names) for op in ops]
    recorded = {in_t: M.as_tensor_data(tensors[in_t], records[M.INPUT_RECORD])}
    mismatches = []
    checked = collections.Counter()
    # Layer by layer: each operator on the C's own recorded inputs.
    for i, (op, opname) in enumerate(zip(ops, names_of)):
        if i not in records:
            raise M.Failure(f"operator {i} ({opname}) has no record in the dump")
        out_t = tensors[op["outputs"][0]]
        got = M.as_tensor_data(out_t, records[i])
        inputs = []
        for ti in op["inputs"]:
            if ti < 0:
                inputs.append(None)
                continue
            t = tensors[ti]
            if t.data is None and ti not in recorded:
                raise M.Failure(f"operator {i} ({opname}): input tensor {ti} ({t.name}) was not recorded")
            inputs.append(with_data(t, t.data if t.data is not None else recorded[ti]))
        res = F.run_operator(opname, M.options_of(op), inputs, out_t)
        value, bound = res.value, res.bound
        err, bad = outside(got, value, bound)
        worst_layer.add(err, bound, f"seed {seed} operator {i} ({opname})")
        if bad.size:
            k = int(bad[np.argmax((err / np.maximum(bound, 1e-300)).ravel()[bad])])
            where = tuple(int(v) for v in np.unravel_index(k, out_t.shape))
            mismatches.append(f"{name}: operator {i} ({opname}, output {out_t.name}): {bad.size} of "
                              f"{got.size} elements outside the bound, worst index {k} {where}: "
                              f"float64 {value.ravel()[k]!r}, bound {bound.ravel()[k]:.3g}, "
                              f"got {float(got.ravel()[k])!r}")
        checked[opname] += 1
        recorded[op["outputs"][0]] = got

    # The whole model in float64 from the recorded input, the error's spread propagated.
    values = {in_t: recorded[in_t].astype(np.float64)}
    spreads = {in_t: np.zeros(tensors[in_t].shape)}
    for op, opname in zip(ops, names_of):
        inputs = [None if ti < 0 else with_data(tensors[ti], tensors[ti].data
                                                if tensors[ti].data is not None else values[ti])
                  for ti in op["inputs"]]
        res = F.run_operator(opname, M.options_of(op), inputs, tensors[op["outputs"][0]],
                             [spreads.get(ti) for ti in op["inputs"]])
        values[op["outputs"][0]], spreads[op["outputs"][0]] = res.value, res.spread
    c_final = recorded[final_t]
    bound = F.SPREAD_LAMBDA * spreads[final_t]
    err, bad = outside(c_final, values[final_t], bound)
    worst_model.add(err, bound, f"seed {seed}")
    if bad.size:
        k = int(bad[0])
        mismatches.append(f"{name}: whole model in float64: {bad.size} of {c_final.size} outputs "
                          f"outside the bound, first index {k}: float64 {values[final_t].ravel()[k]!r}, "
                          f"bound {bound.ravel()[k]:.3g}, got {float(c_final.ravel()[k])!r}")
    top1 = ""
    if args.top1:
        want, got = int(np.argmax(values[final_t])), int(np.argmax(c_final))
        if want != got:
            mismatches.append(f"{name}: top-1 class {got}, the float64 reference's is {want}")
        top1 = f", top-1 class {got} as in float64"

    for m in mismatches:
        print(f"MISMATCH (seed {seed}) {m}")
    if mismatches:
        return 1
    summary = ", ".join(f"{op} x{n}" for op, n in checked.items())
    print(f"{name} seed {seed}: {sum(checked.values())} operators within their float32 rounding "
          f"bound of float64 ({summary}); whole model within {F.SPREAD_LAMBDA:g} spreads of its "
          f"propagated error (max error {float(err.max()):.3g}, {float((err / np.maximum(bound, 1e-300)).max()):.3f} "
          f"of the bound){top1}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flatc", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--host", required=True, help="the generated model's host executable (-dump)")
    ap.add_argument("--top1", action="store_true",
                    help="also require the reference's largest output element (a classifier)")
    ap.add_argument("--seed", type=int, action="append",
                    help="the runner's random input (repeatable; default 1, 2, 3)")
    ap.add_argument("--work", help="directory for the JSON and the dump (default: a temporary one)")
    args = ap.parse_args()
    name = os.path.basename(args.host)
    worst_layer, worst_model = Worst(), Worst()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = args.work or tmp
            os.makedirs(work, exist_ok=True)
            status = 0
            for seed in args.seed or [1, 2, 3]:
                status = max(status, check(args, name, work, seed, worst_layer, worst_model))
    except M.Failure as e:
        print(f"check_float_layers: {name}: {e}", file=sys.stderr)
        return 2
    print(f"{name}: per operator max |C - float64| {worst_layer.err:.3g}, at most "
          f"{worst_layer.ratio:.3f} of the bound ({worst_layer.where}); whole model max "
          f"{worst_model.err:.3g}, at most {worst_model.ratio:.3f} of the bound ({worst_model.where})")
    return status


if __name__ == "__main__":
    sys.exit(main())
