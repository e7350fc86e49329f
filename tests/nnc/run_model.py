#!/usr/bin/env python3
"""A model image in mcusim against the host build of the same generated C.

  run_model.py --mcusim MCUSIM --elf IMAGE --device DEV --nnc MCUSIM_NNC
               --model M.tflite (--seed N | --input-bytes B) --host CMD...

1. `CMD --seed N` (nnc-host-<name>) and `mcusim run IMAGE -- seed N` print the
   same `output ...` lines (type, count, raw bytes in hex, CRC-32): the
   generated C gives bit-identical results on the host and in the simulator.
   With --input-bytes B: B deterministic bytes in a file instead, read by the
   host (--input FILE) and by the firmware through semihosting
   (--semihost-dir, `input FILE invocations 2`).
2. The run's report (--report=json) shows one inference (the INVOKE marker)
   and every operator of `mcusim-nnc MODEL --plan` but RESHAPE as a layer
   named <op>_<index>, with its op, its MACs and, when it has MACs, its
   cycles per MAC.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile


def output_lines(text):
    return [l for l in text.splitlines() if l.startswith("output ")]


def plan_operators(nnc, model):
    out = subprocess.run([nnc, model, "--plan"], check=True, capture_output=True, text=True).stdout
    section = out.split("\noperators\n", 1)[1]
    ops = []
    for line in section.splitlines():
        m = re.match(r"^\s+(\d+)\s+([A-Z0-9_]+)\s+\d+\s+\S+\s+\S+\s+([\d,]+|-)\s*$", line)
        if m:
            macs = 0 if m.group(3) == "-" else int(m.group(3).replace(",", ""))
            ops.append((int(m.group(1)), m.group(2), macs))
    if not ops:
        sys.exit(f"FAIL: no operators in the plan of {model}")
    return ops


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mcusim", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--device", required=True)
    ap.add_argument("--nnc", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--seed", default="7")
    ap.add_argument("--input-bytes", type=int, default=0)
    ap.add_argument("--host", required=True, nargs="+")
    a = ap.parse_args()
    failures = []

    with tempfile.TemporaryDirectory() as tmp:
        if a.input_bytes:
            path = os.path.join(tmp, "input.bin")
            with open(path, "wb") as f:
                f.write(bytes((i * 151 + 7) % 256 for i in range(a.input_bytes)))
            host_args, fw_args = ["--input", path], ["--semihost-dir", tmp, "--", "input", "input.bin",
                                                     "invocations", "2"]
        else:
            host_args, fw_args = ["--seed", a.seed], ["--", "seed", a.seed]
        host = subprocess.run(a.host + host_args, check=True, capture_output=True, text=True).stdout
        report_path = os.path.join(tmp, "report.json")
        run = subprocess.run([a.mcusim, "run", a.elf, "--device", a.device, "--no-db", "--quiet",
                              "--report=json", "--report-out", report_path] + fw_args,
                             capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            sys.exit(f"FAIL: mcusim exited with {run.returncode}:\n{run.stdout}\n{run.stderr}")
        with open(report_path) as f:
            report = json.load(f)

    want, got = output_lines(host), output_lines(run.stdout)
    if not want or want != got:
        failures.append(f"output differs:\n host:   {want}\n mcusim: {got}")
    else:
        print(f"output identical to the host's: {got[-1]}")

    layers = report.get("layers") or {}
    rows = {r["name"]: r for r in layers.get("rows", [])}
    want_invocations = 2 if a.input_bytes else 1
    if layers.get("invocations") != want_invocations:
        failures.append(f"expected {want_invocations} inference(s) (INVOKE marker), the report has "
                        f"{layers.get('invocations')}")
    for index, op, macs in plan_operators(a.nnc, a.model):
        if op == "RESHAPE":
            continue
        name = f"{op.lower()}_{index}"
        r = rows.get(name)
        if r is None:
            failures.append(f"layer {name} missing from the report")
            continue
        if r.get("op") != op or (r.get("macs") or 0) != macs:
            failures.append(f"layer {name}: op {r.get('op')} macs {r.get('macs')}, expected {op} {macs}")
        if macs and not (r.get("cycles_per_mac") or 0) > 0:
            failures.append(f"layer {name}: no cycles per MAC")
        if not r.get("cycles"):
            failures.append(f"layer {name}: no cycles")
    extra = set(rows) - {f"{op.lower()}_{i}" for i, op, _ in plan_operators(a.nnc, a.model)}
    if extra:
        failures.append(f"layers not in the plan: {sorted(extra)}")
    total = report["totals"]["cycles"]
    print(f"{len(rows)} layers reported; {layers.get('invocation_cycles')} cycles in "
          f"{layers.get('invocations')} inference(s) ({total} in the run)")
    if failures:
        print("\n".join("FAIL: " + f for f in failures))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
