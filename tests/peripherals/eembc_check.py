#!/usr/bin/env python3
"""`mcusim eembc` on the keyword-spotting runner firmware against the model image.

  eembc_check.py --mcusim MCUSIM --runner RUNNER.elf --model-image MODEL.elf
                 --mode performance|accuracy|energy [--windows N --iterations N --warmups N]

The input is the nnc tests' KWS input (tests/nnc/run_model.py --input-bytes
490: byte i = (i * 151 + 7) % 256). Checks:
1. `mcusim run MODEL.elf -- input FILE` (the model image, its input through
   semihosting) and `mcusim eembc RUNNER.elf --input FILE --report json` give
   the same top class; every score the runner printed is the model image's
   int8 output q dequantized as TFLite's int8 softmax output is ((q + 128) /
   256), truncated to three decimals.
2. The JSON: the dut answered name and profile (kws01), one window per
   --windows with two timestamps, inferences = windows x (iterations +
   warmups) INVOKE spans, the clock the firmware set (120 MHz).
3. performance: each window the firmware timed (its DWT timestamps, whole
   microseconds) is within one timestamp tick (1 us) of mcusim's cycles of
   the same window (th_timestamp to th_timestamp) / clock, and so is the
   median per inference (within 1 us / N); the latency per inference is at
   most 3% above mcusim's INVOKE spans (the firmware's overhead in the
   window); inferences per second = 1e6 / latency.
4. energy: energy per inference present and positive, per window = per
   inference x iterations.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mcusim", required=True)
    ap.add_argument("--runner", required=True)
    ap.add_argument("--model-image", required=True)
    ap.add_argument("--mode", default="performance")
    ap.add_argument("--windows", default="2")
    ap.add_argument("--iterations", default="3")
    ap.add_argument("--warmups", default="1")
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "input.bin")
        with open(path, "wb") as f:
            f.write(bytes((i * 151 + 7) % 256 for i in range(490)))
        direct = subprocess.run([a.mcusim, "run", a.model_image, "--device", "stm32l4r5", "--no-db", "--quiet",
                                 "--semihost-dir", tmp, "--", "input", "input.bin"],
                                capture_output=True, text=True, timeout=600)
        if direct.returncode != 0:
            fail(f"the model image exited with {direct.returncode}:\n{direct.stdout}\n{direct.stderr}")
        eembc = subprocess.run([a.mcusim, "eembc", a.runner, "--device", "stm32l4r5", "--mode", a.mode,
                                "--input", path, "--windows", a.windows, "--iterations", a.iterations,
                                "--warmups", a.warmups, "--report", "json", "--quiet"],
                               capture_output=True, text=True, timeout=600)
        if eembc.returncode != 0:
            fail(f"mcusim eembc exited with {eembc.returncode}:\n{eembc.stdout}\n{eembc.stderr}")
    try:
        j = json.loads(eembc.stdout)
    except json.JSONDecodeError as e:
        fail(f"the JSON does not parse ({e}):\n{eembc.stdout}")

    out = [l.split() for l in direct.stdout.splitlines() if l.startswith("output int8 ")]
    if len(out) != 1:
        fail(f"no int8 output line from the model image:\n{direct.stdout}")
    count, hexbytes = int(out[0][2]), out[0][3]
    q = [int.from_bytes(bytes.fromhex(hexbytes[2 * i:2 * i + 2]), "little", signed=True) for i in range(count)]
    want_top = max(range(count), key=lambda i: q[i])
    want_scores = [int((v + 128) / 256 * 1000) / 1000 for v in q]
    windows, iterations, warmups = int(a.windows), int(a.iterations), int(a.warmups)
    failures = []
    if j["top_class"] != want_top:
        failures.append(f"top class {j['top_class']}, the model image's is {want_top} (output {q})")
    if len(j["results"]) != count or any(abs(x - y) > 1e-9 for x, y in zip(j["results"], want_scores)):
        failures.append(f"results {j['results']}, expected {want_scores}")
    if j["dut"]["model"] != "kws01" or not j["dut"]["name"] or not j["dut"]["profile"]:
        failures.append(f"dut {j['dut']}")
    if len(j["windows"]) != windows:
        failures.append(f"{len(j['windows'])} windows, expected {windows}")
    m = j["mcusim"]
    if m["inferences"] != windows * (iterations + warmups):
        failures.append(f"{m['inferences']} INVOKE spans, expected {windows * (iterations + warmups)}")
    if m["mhz"] != 120.0:
        failures.append(f"clock {m['mhz']} MHz, the firmware sets 120")
    us = m["us_per_inference"]
    if a.mode == "performance":
        for k, w in enumerate(j["windows"]):
            if len(w["laps_us"]) != 2 or w["mcusim_cycles"] is None:
                failures.append(f"window {k}: timestamps {w['laps_us']}, mcusim cycles {w['mcusim_cycles']}")
                continue
            sim_us = w["mcusim_cycles"] / m["mhz"]
            if abs(w["elapsed_us"] - sim_us) > 1.0:
                failures.append(f"window {k}: the firmware measured {w['elapsed_us']} us, mcusim's cycles / clock "
                                f"{sim_us:.3f} us: more than one tick apart")
            # The window holds the inferences (INVOKE spans) and the firmware's own overhead
            # (the first timestamp's line on the UART, the input copies): at most 3% here.
            if not 0 <= w["latency_us"] - us <= 0.03 * us:
                failures.append(f"window {k}: {w['latency_us']} us per inference, INVOKE spans {us:.3f} us")
        if abs(j["median_latency_us"] - m["window_us_per_inference"]) > 1.0 / iterations:
            failures.append(f"median latency {j['median_latency_us']} us, mcusim {m['window_us_per_inference']} us")
        if abs(j["median_inferences_per_second"] - 1e6 / j["median_latency_us"]) > 1e-6 * j["median_inferences_per_second"]:
            failures.append("inferences per second is not 1e6 / latency")
    if a.mode == "energy":
        if not (m["uj_per_inference"] or 0) > 0:
            failures.append(f"no energy per inference: {m}")
        elif abs(m["uj_per_window"] - m["uj_per_inference"] * iterations) > 1e-9 * m["uj_per_window"]:
            failures.append("energy per window is not per inference x iterations")
    print(f"top class {j['top_class']}, results {j['results']}; mcusim {m['cycles_per_inference']:.0f} cycles, "
          f"{us:.3f} us per inference; firmware median {j['median_latency_us']} us; {m['uj_per_inference']} uJ")
    if failures:
        print("\n".join("FAIL: " + f for f in failures))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
