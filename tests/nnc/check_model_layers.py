"""Every operator of a compiled model against the NumPy statement of TFLite's int8 spec.

usage: check_model_layers.py --flatc FLATC --schema nnc/tflite_subset.fbs --model M.tflite
                             --host nnc-host-NAME-dump [--seed N]... [--work DIR]

Reads the .tflite with flatc (JSON, against the schema subset mcusim-nnc reads), runs the
host build of the generated model with --dump-layers (NNC_PLAN.md: records of uint32
operator index, uint32 byte count, the bytes; index 0xFFFFFFFF holds the input), and for
every operator runs int8_ref.run_operator on the C's own recorded inputs, with every
quantization parameter derived from the model's float scales, and requires the C's recorded
output bit for bit. Then runs the whole model in NumPy from the recorded input and requires
the C's final output. With --generated, also compares the multipliers, shifts, offsets,
paddings and activation ranges in the generated C with TFLite's. Each --seed (default 1, 2, 3) is one random input. Exit 0: all
identical; 1: a mismatch (one line per mismatching operator, the first element that
differs); 2: usage, a tool or a file failed.
"""

import argparse
import collections
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError as e:  # a failure, not a skip: the check needs NumPy (python3-numpy)
    print(f"check_model_layers: NumPy is required ({e}); install python3-numpy", file=sys.stderr)
    sys.exit(2)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import int8_ref as R  # noqa: E402

INPUT_RECORD = 0xFFFFFFFF


class Failure(Exception):
    pass


def schema_with_raw_floats(schema_text):
    """flatc writes floats to JSON with 6 decimals (flatbuffers' FloatToString(v, 6)), which
    loses the scales' bits (0.000673...). The same schema with every float field declared
    `uint` (4 bytes, same layout) makes flatc print the raw IEEE bits, read back exactly."""
    out, n = re.subn(r"\b(min|max|scale):\[float\]", r"\1:[uint]", schema_text)
    out, m = re.subn(r"\bbeta:float\b", "beta:uint", out)
    if n != 3 or m != 1 or re.search(r":\s*\[?float\b", out):
        raise Failure("the schema's float fields are not the expected min/max/scale/beta")
    return out


def bits_to_f32(v):
    return np.asarray(v, dtype=np.uint32).view(np.float32)


def read_model(flatc, schema, model, work):
    raw_schema = os.path.join(work, "tflite_subset_raw_floats.fbs")
    with open(schema) as f, open(raw_schema, "w") as g:
        g.write(schema_with_raw_floats(f.read()))
    r = subprocess.run([flatc, "--json", "--strict-json", "--raw-binary", "-o", work, raw_schema,
                        "--", model], capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure(f"flatc failed on {model}: {r.stderr.strip()}")
    path = os.path.join(work, os.path.splitext(os.path.basename(model))[0] + ".json")
    with open(path) as f:
        return json.load(f)


def builtin_operators(schema_text):
    """{value: name} of the schema's BuiltinOperator enum."""
    body = re.search(r"enum BuiltinOperator\s*:\s*\w+\s*\{(.*?)\}", schema_text, re.S).group(1)
    return {int(v): n for n, v in re.findall(r"(\w+)\s*=\s*(\d+)", body)}


def op_name(code, names):
    """TFLite's rule (schema_utils.cc GetBuiltinCode): the builtin code is the larger of
    builtin_code and deprecated_builtin_code; a field at its default (ADD = 0) is absent."""
    by_name = {n: v for v, n in names.items()}
    value = max(by_name[code.get("builtin_code", "ADD")], code.get("deprecated_builtin_code", 0))
    return names[value]


def tensors_of(model):
    sg = model["subgraphs"][0]
    buffers = model.get("buffers", [])
    out = []
    for t in sg["tensors"]:
        q = t.get("quantization", {})
        ty = t.get("type", R.TFLITE_FLOAT32)
        data = None
        b = t.get("buffer", 0)
        if b < len(buffers) and buffers[b].get("data"):
            raw = bytes(buffers[b]["data"])
            data = np.frombuffer(raw, dtype=R.NUMPY_TYPE[ty]).reshape(t.get("shape", []))
        out.append(R.Tensor(t.get("shape", []), ty, bits_to_f32(q.get("scale", [])),
                            q.get("zero_point", []), data, t.get("name", "")))
    return out


def options_of(op):
    opt = dict(op.get("builtin_options") or {})
    if "beta" in opt:
        opt["beta"] = float(bits_to_f32([opt["beta"]])[0])
    return opt


def read_dump(path):
    records = {}
    with open(path, "rb") as f:
        blob = f.read()
    at = 0
    while at < len(blob):
        if at + 8 > len(blob):
            raise Failure(f"{path}: truncated record header at byte {at}")
        index, n = struct.unpack_from("<II", blob, at)
        at += 8
        if at + n > len(blob):
            raise Failure(f"{path}: record {index} truncated ({n} bytes announced)")
        records[index] = blob[at:at + n]
        at += n
    return records


def as_tensor_data(t, raw):
    arr = np.frombuffer(raw, dtype=R.NUMPY_TYPE[t.type])
    if arr.size != int(np.prod(t.shape)):
        raise Failure(f"tensor {t.name}: {arr.size} elements recorded, shape {list(t.shape)}")
    return arr.reshape(t.shape)


def expected_params(op, opt, inputs, output):
    """The quantization parameters TFLite derives for an operator (int8_ref.py), named as in
    mcusim_nn.h's parameter structs, plus "multiplier"/"shift" lists for nn_requant; None
    for operators whose parameters are not in a struct."""
    x = inputs[0]
    act = opt.get("fused_activation_function", R.ACT_NONE)
    if op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        filt = inputs[1]
        oc, fh, fw = (filt.shape[0], filt.shape[1], filt.shape[2]) if op == "CONV_2D" else \
            (filt.shape[3], filt.shape[1], filt.shape[2])
        stride, dilation, pad, _ = R._conv_geometry(opt, R._hwc(x.shape), fh, fw)
        m, sh = R.conv_multipliers(x.s, filt.scale, output.s, oc)
        lo, hi = R.activation_range(act, output.s, output.zp)
        return dict(multiplier=list(m), shift=list(sh), input_offset=-x.zp, output_offset=output.zp,
                    stride_h=stride[0], stride_w=stride[1], dilation_h=dilation[0],
                    dilation_w=dilation[1], pad_h=pad[0], pad_w=pad[1],
                    depth_multiplier=oc // x.shape[3] if op != "CONV_2D" else 1,
                    act_min=lo, act_max=hi)
    if op == "FULLY_CONNECTED":
        w = inputs[1]
        if w.scale.size > 1:
            m, sh = (list(v) for v in R.conv_multipliers(x.s, w.scale, output.s, w.shape[0]))
        else:
            m, sh = (list(v) for v in zip(R.fc_multiplier(x.s, w.s, output.s)))
        lo, hi = R.activation_range(act, output.s, output.zp)
        return dict(multiplier=m, shift=sh, input_offset=-x.zp, output_offset=output.zp,
                    act_min=lo, act_max=hi)
    if op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        fh, fw = opt.get("filter_height", 1), opt.get("filter_width", 1)
        stride, _, pad, _ = R._conv_geometry(opt, R._hwc(x.shape), fh, fw)
        lo, hi = R.activation_range(act, output.s, output.zp)
        return dict(stride_h=stride[0], stride_w=stride[1], filter_h=fh, filter_w=fw, pad_h=pad[0],
                    pad_w=pad[1], act_min=lo, act_max=hi)
    if op == "ADD":
        return R.add_params(x.s, x.zp, inputs[1].s, inputs[1].zp, output.s, output.zp, act)
    if op == "SOFTMAX":
        return R.softmax_params(np.float32(opt.get("beta", 0.0)), x.s)
    return None


def generated_params(c_text, prefix, index):
    """An operator's parameters as the generated C defines them: the designated initializers
    of <prefix>_op<index>_params and the <prefix>_op<index>_multiplier / _shift arrays."""
    found = {}
    m = re.search(rf"\b{prefix}_op{index}_params\s*=\s*\{{([^}}]*)\}}", c_text)
    if m:
        for name, value in re.findall(r"\.(\w+)\s*=\s*(-?\d+)\b(?![.xp])", m.group(1)):
            found[name] = int(value)
    for arr in ("multiplier", "shift"):
        m = re.search(rf"\b{prefix}_op{index}_{arr}\[\d+\]\s*=\s*\{{([^}}]*)\}}", c_text)
        if m:
            found[arr] = [int(v) for v in re.findall(r"-?\d+", m.group(1))]
    return found


def compare_params(expected, found):
    """The first field whose value differs, as text, or None."""
    for name, want in expected.items():
        if name not in found:
            return f"{name} not found in the generated C"
        got = found[name]
        if isinstance(want, list):
            want = [int(v) for v in want]
            if len(got) == 1 and len(want) > 1 and len(set(want)) == 1:
                want = want[:1]   # one value for every channel (nn_requant.per_channel 0)
            if got != want:
                k = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), None)
                return (f"{name}[{k}]: expected {want[k]}, got {got[k]}" if k is not None else
                        f"{name}: {len(want)} values expected, {len(got)} generated")
        elif int(got) != int(want):
            return f"{name}: expected {want}, got {got}"
    return None


def first_difference(expected, got):
    e = np.ascontiguousarray(expected).ravel()
    g = np.ascontiguousarray(got).ravel()
    diff = np.flatnonzero(e.view(np.uint8 if e.itemsize == 1 else np.uint32) !=
                          g.view(np.uint8 if g.itemsize == 1 else np.uint32))
    return None if diff.size == 0 else int(diff[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flatc", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--host", required=True, help="the generated model's host executable")
    ap.add_argument("--seed", type=int, action="append",
                    help="the runner's random input (repeatable; default 1, 2, 3)")
    ap.add_argument("--work", help="directory for the JSON and the dump (default: a temporary one)")
    ap.add_argument("--generated", help="the generated PREFIX.c: also compare every operator's "
                    "quantization parameters with TFLite's")
    args = ap.parse_args()
    name = os.path.basename(args.host)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = args.work or tmp
            os.makedirs(work, exist_ok=True)
            status = 0
            for seed in args.seed or [1, 2, 3]:
                status = max(status, check(args, name, work, seed))
            return status
    except Failure as e:
        print(f"check_model_layers: {name}: {e}", file=sys.stderr)
        return 2


def run_and_read(args, name, work, seed):
    """The model (flatc JSON), TFLite's builtin operator names, and the
    per-layer dump of the C's run with `seed`; one input and one output."""
    model = read_model(args.flatc, args.schema, args.model, work)
    with open(args.schema) as f:
        names = builtin_operators(f.read())
    dump = os.path.join(work, name + ".layers")
    r = subprocess.run([args.host, "--seed", str(seed), "--dump-layers", dump],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure(f"{args.host} exited {r.returncode}: {r.stderr.strip()}")
    records = read_dump(dump)
    if INPUT_RECORD not in records:
        raise Failure("the dump has no input record (index 0xFFFFFFFF)")
    sg = model["subgraphs"][0]
    if len(sg["inputs"]) != 1 or len(sg["outputs"]) != 1:
        raise Failure("the model has more than one input or output")
    return model, names, records


def check(args, name, work, seed):
    model, names, records = run_and_read(args, name, work, seed)
    sg = model["subgraphs"][0]
    codes = model["operator_codes"]
    tensors = tensors_of(model)

    # Layer by layer: each operator on the C's own recorded inputs.
    recorded = {sg["inputs"][0]: as_tensor_data(tensors[sg["inputs"][0]], records[INPUT_RECORD])}
    ops = sg["operators"]
    c_text, prefix, params_checked = None, None, 0
    if args.generated:
        with open(args.generated) as f:
            c_text = f.read()
        # NNC_PLAN.md: the prefix is the output's basename, [^A-Za-z0-9_] -> '_', 'm_' before a digit
        prefix = re.sub(r"[^A-Za-z0-9_]", "_", os.path.splitext(os.path.basename(args.generated))[0])
        prefix = "m_" + prefix if prefix[0].isdigit() else prefix
    checked = collections.Counter()
    mismatches = []
    for i, op in enumerate(ops):
        opname = op_name(codes[op.get("opcode_index", 0)], names)
        if i not in records:
            raise Failure(f"operator {i} ({opname}) has no record in the dump")
        out_t = tensors[op["outputs"][0]]
        got = as_tensor_data(out_t, records[i])
        inputs = []
        for ti in op["inputs"]:
            if ti < 0:
                inputs.append(None)
                continue
            t = tensors[ti]
            if t.data is None and ti not in recorded:
                raise Failure(f"operator {i} ({opname}): input tensor {ti} ({t.name}) was not recorded")
            inputs.append(R.Tensor(t.shape, t.type, t.scale, t.zero_point,
                                   t.data if t.data is not None else recorded[ti], t.name))
        if c_text is not None:
            want = expected_params(opname, options_of(op), inputs, out_t)
            if want is not None:
                bad = compare_params(want, generated_params(c_text, prefix, i))
                if bad:
                    mismatches.append(f"{name}: operator {i} ({opname}) parameters in "
                                      f"{os.path.basename(args.generated)}: {bad}")
                params_checked += 1
        expected = R.run_operator(opname, options_of(op), inputs, out_t)
        k = first_difference(expected, got)
        if k is not None:
            where = tuple(int(v) for v in np.unravel_index(k, out_t.shape))
            count = int(np.count_nonzero(expected.ravel() != got.ravel()))
            mismatches.append(f"{name}: operator {i} ({opname}, output {out_t.name}): {count} of "
                              f"{got.size} elements differ, first index {k} {where}: expected "
                              f"{expected.ravel()[k]}, got {got.ravel()[k]}")
        checked[opname] += 1
        recorded[op["outputs"][0]] = got

    # The whole model in NumPy from the recorded input.
    values = {sg["inputs"][0]: recorded[sg["inputs"][0]]}
    for op in ops:
        inputs = [None if ti < 0 else R.Tensor(tensors[ti].shape, tensors[ti].type, tensors[ti].scale,
                                               tensors[ti].zero_point,
                                               tensors[ti].data if tensors[ti].data is not None
                                               else values[ti], tensors[ti].name)
                  for ti in op["inputs"]]
        values[op["outputs"][0]] = R.run_operator(op_name(codes[op.get("opcode_index", 0)], names),
                                                  options_of(op), inputs, tensors[op["outputs"][0]])
    final_t = sg["outputs"][0]
    c_final = recorded.get(final_t)
    k = first_difference(values[final_t], c_final)
    if k is not None:
        mismatches.append(f"{name}: whole model in NumPy: output index {k}: expected "
                          f"{values[final_t].ravel()[k]}, got {c_final.ravel()[k]}")

    summary = ", ".join(f"{op} x{n}" for op, n in checked.items())
    for m in mismatches:
        print(f"MISMATCH (seed {seed}) {m}")
    if mismatches:
        return 1
    print(f"{name} seed {seed}: {sum(checked.values())} operators bit-identical to TFLite's int8 spec "
          f"({summary}); whole model in NumPy gives the same {c_final.size}-element output"
          + (f"; quantization parameters of {params_checked} operators as TFLite computes them"
             if c_text is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
