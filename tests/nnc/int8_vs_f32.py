#!/usr/bin/env python3
"""int8 against FP32: the top-1 class of a quantized model agrees with its FP32 model.

  int8_vs_f32.py --flatc FLATC --schema FBS --int8-model M.tflite
                 --int8 CMD... --f32 CMD... [--count 50] --min-agreement P

Builds COUNT deterministic inputs (NumPy, seed 2026): for each, int8 values q
(uniform over [-128, 127], or with --input-sd SD normal around the input zero
point with SD quantization steps, clipped), and the float input
x = scale * (q - zero_point) with the int8
model's input scale and zero point (read with flatc from the model), so that
quantizing x (TFLite's rounding) gives q back and both models see the same
signal. Runs the host builds (nnc-host-<name> --input FILE) on x (FP32) and q
(int8), reads the `output` line of each and compares the arg-max. Fails when
fewer than P of the inputs agree.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np


def input_quantization(flatc, schema, model, workdir):
    subprocess.run([flatc, "--json", "--strict-json", "--raw-binary", "-o", workdir, schema, "--", model],
                   check=True)
    with open(os.path.join(workdir, os.path.splitext(os.path.basename(model))[0] + ".json")) as f:
        m = json.load(f)
    sg = m["subgraphs"][0]
    t = sg["tensors"][sg["inputs"][0]]
    q = t["quantization"]
    return float(np.float32(q["scale"][0])), int(q.get("zero_point", [0])[0]), int(np.prod(t["shape"]))


def run_output(cmd, path):
    out = subprocess.run(cmd + ["--input", path], check=True, capture_output=True, text=True).stdout
    m = re.search(r"^output (int8|float32) (\d+) ([0-9a-f]+)$", out, re.M)
    if not m:
        sys.exit(f"FAIL: no output line from {' '.join(cmd)}:\n{out}")
    dtype = "<i1" if m.group(1) == "int8" else "<f4"
    return np.frombuffer(bytes.fromhex(m.group(3)), dtype=dtype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flatc", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--int8-model", required=True)
    ap.add_argument("--int8", required=True, nargs="+")
    ap.add_argument("--f32", required=True, nargs="+")
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--input-sd", type=float, default=0.0)
    ap.add_argument("--min-agreement", type=float, required=True)
    a = ap.parse_args()

    rng = np.random.default_rng(2026)
    agree = 0
    classes = {}
    with tempfile.TemporaryDirectory() as tmp:
        scale, zp, n = input_quantization(a.flatc, a.schema, a.int8_model, tmp)
        for i in range(a.count):
            if a.input_sd > 0:
                q = np.clip(np.round(rng.normal(zp, a.input_sd, size=n)), -128, 127).astype(np.int8)
            else:
                q = rng.integers(-128, 128, size=n).astype(np.int8)
            x = (np.float32(scale) * (q.astype(np.float32) - np.float32(zp))).astype("<f4")
            back = np.clip(np.sign(x / np.float32(scale)) * np.floor(np.abs(x / np.float32(scale)) + 0.5) + zp,
                           -128, 127).astype(np.int8)
            assert np.array_equal(back, q), "the float input must quantize back to the int8 input"
            pq, px = os.path.join(tmp, "q.bin"), os.path.join(tmp, "x.bin")
            q.tofile(pq)
            x.tofile(px)
            c8 = int(np.argmax(run_output(a.int8, pq)))
            c32 = int(np.argmax(run_output(a.f32, px)))
            agree += c8 == c32
            classes[c32] = classes.get(c32, 0) + 1
    rate = agree / a.count
    print(f"{os.path.basename(a.int8_model)}: int8 top-1 = FP32 top-1 on {agree}/{a.count} inputs "
          f"({rate:.0%}, limit {a.min_agreement:.0%}); FP32 classes {dict(sorted(classes.items()))}")
    if rate < a.min_agreement:
        sys.exit("FAIL")
    print("ok")


if __name__ == "__main__":
    main()
