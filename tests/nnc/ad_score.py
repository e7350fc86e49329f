#!/usr/bin/env python3
"""The anomaly score of the bundled sample (docs/tinyml.md, "Anomaly detection").

Expected score: an independent NumPy FP32 forward pass of ad01_fp32.tflite, its
weights read with `flatc --json --strict-json --raw-binary` against
nnc/tflite_subset.fbs (no TensorFlow, no mcusim code), over every 5-frame
window of the sample; the score is the mean over windows of the mean squared
reconstruction error (MLPerf Tiny).

  ad_score.py --flatc FLATC --schema FBS --model ad01_fp32.tflite --sample BIN
              --f32 CMD --int8 CMD --int8-tolerance REL [--rank-windows N]

checks that `CMD BIN` (the host builds of ad_score.c) print `score S` with
S(FP32) equal to NumPy's within 1e-4 relative and S(int8) within REL relative;
and that the int8 model ranks windows by their error as the FP32 model does
(Spearman's rank correlation over the first N windows, each scored alone with
`windows 1` on a file of that window, at least --min-spearman).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

FRAME, FRAMES_PER_WINDOW = 128, 5
WINDOW = FRAME * FRAMES_PER_WINDOW


def load_model(flatc, schema, model, workdir):
    subprocess.run([flatc, "--json", "--strict-json", "--raw-binary", "-o", workdir, schema, "--", model],
                   check=True)
    name = os.path.splitext(os.path.basename(model))[0] + ".json"
    with open(os.path.join(workdir, name)) as f:
        m = json.load(f)
    codes = [c.get("builtin_code", c.get("deprecated_builtin_code")) for c in m["operator_codes"]]
    sg = m["subgraphs"][0]
    tensors, buffers = sg["tensors"], m["buffers"]

    def const(i):
        t = tensors[i]
        data = bytes(buffers[t["buffer"]].get("data", []))
        assert t.get("type", 0) == 0, "a float32 model is expected"
        return np.frombuffer(data, dtype="<f4").reshape(t["shape"])

    layers = []
    for op in sg["operators"]:
        code = codes[op.get("opcode_index", 0)]
        assert code == 9, f"only FULLY_CONNECTED is expected in ad01_fp32, not builtin {code}"
        _, w, b = op["inputs"]
        act = op.get("builtin_options", {}).get("fused_activation_function", 0)
        assert act in (0, 1), "NONE or RELU expected"
        layers.append((const(w), const(b), act == 1))
    return layers


def forward(layers, x):
    """x: [n, 640] float32 -> [n, 640] float32, every layer in float32."""
    for w, b, relu in layers:
        x = (x @ w.T + b).astype(np.float32)
        if relu:
            x = np.maximum(x, np.float32(0))
    return x


def windows_of(sample):
    frames = np.fromfile(sample, dtype="<f4").reshape(-1, FRAME)
    n = frames.shape[0] - (FRAMES_PER_WINDOW - 1)
    return np.stack([frames[i:i + FRAMES_PER_WINDOW].reshape(-1) for i in range(n)])


def window_errors(layers, x):
    y = forward(layers, x)
    return np.mean(np.square(x.astype(np.float64) - y.astype(np.float64)), axis=1)


def c_score(cmd, path, extra=()):
    out = subprocess.run(cmd + [path] + list(extra), check=True, capture_output=True, text=True).stdout
    m = re.search(r"^score (\S+)$", out, re.M)
    if not m:
        sys.exit(f"FAIL: no score line from {' '.join(cmd)}:\n{out}")
    return float(m.group(1))


def ranks(v):
    order = np.argsort(v, kind="stable")
    r = np.empty(len(v))
    r[order] = np.arange(len(v))
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flatc", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--f32", required=True, nargs="+")
    ap.add_argument("--int8", required=True, nargs="+")
    ap.add_argument("--int8-tolerance", type=float, required=True)
    ap.add_argument("--rank-windows", type=int, default=40)
    ap.add_argument("--min-spearman", type=float, required=True)
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        layers = load_model(a.flatc, a.schema, a.model, tmp)
        x = windows_of(a.sample)
        errors = window_errors(layers, x)
        expected = float(np.mean(errors))
        print(f"numpy fp32: {len(x)} windows, score {expected:.6f}")

        s32 = c_score(a.f32, a.sample)
        s8 = c_score(a.int8, a.sample)
        rel32 = abs(s32 - expected) / expected
        rel8 = abs(s8 - expected) / expected
        print(f"C fp32 score {s32:.6f} (relative difference {rel32:.2e}, limit 1e-4)")
        print(f"C int8 score {s8:.6f} (relative difference {rel8:.2e}, limit {a.int8_tolerance:g})")
        ok = rel32 <= 1e-4 and rel8 <= a.int8_tolerance

        # Ranking: every window alone, through both C models (a file per window).
        n = min(a.rank_windows, len(x))
        e32, e8 = [], []
        for i in range(n):
            path = os.path.join(tmp, f"window{i}.bin")
            x[i].astype("<f4").tofile(path)
            e32.append(c_score(a.f32, path))
            e8.append(c_score(a.int8, path))
        rho = float(np.corrcoef(ranks(np.array(e32)), ranks(np.array(e8)))[0, 1])
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        concordant = sum(1 for i, j in pairs if (e32[i] - e32[j]) * (e8[i] - e8[j]) > 0)
        print(f"window ranking over {n} windows: Spearman {rho:.4f} (limit {a.min_spearman:g}), "
              f"pairwise order agrees {concordant}/{len(pairs)} ({concordant / len(pairs):.1%})")
        ok = ok and rho >= a.min_spearman
    if not ok:
        sys.exit("FAIL")
    print("ok")


if __name__ == "__main__":
    main()
