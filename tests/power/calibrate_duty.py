#!/usr/bin/env python3
"""mcusim calibrate on a duty-cycled firmware gives back the coefficients a
synthetic capture was made from (docs/power.md, "Calibration").

The board is taken to draw FIXED_UA + UA_PER_MHZ x MHz while awake (running
or waking up) and SLEEP_UA in Stop 2. For each clock, the simulated run of the
duty-cycled firmware gives how long each 10 ms period is awake; the capture
(PPK2 form, 10 us per sample, +-0.5% deterministic noise) draws the run current
for that long at the start of every period and the sleep current for the
rest. calibrate must recover the three figures within 2%.

usage: calibrate_duty.py MCUSIM ELF DEVICE WORKDIR
"""
import json
import os
import re
import subprocess
import sys

FIXED_UA, UA_PER_MHZ, SLEEP_UA = 300.0, 95.0, 2.5
CLOCKS = (24, 80)
PERIODS, PERIOD_S, STEP_S = 10, 0.010, 10e-6


def run(args):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def noise(seed):
    state = seed
    while True:
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield (state >> 11) / float(1 << 53) * 2 - 1


def main():
    mcusim, elf, device, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    captures = []
    for mhz in CLOCKS:
        rep = json.loads(run([mcusim, "run", elf, "-d", device, "--mhz", str(mhz), "-q", "--no-db", "--report=json", "--",
                              str(PERIODS)]))
        awake_s = sum(s["seconds"] for s in rep["energy"]["states"] if not s["state"].startswith(("sleep", "deep sleep")))
        awake_per_period = awake_s / PERIODS
        run_ua = FIXED_UA + UA_PER_MHZ * mhz
        name = os.path.join(work, f"duty-{mhz}.csv")
        n = noise(mhz)
        with open(name, "w", newline="\n") as f:
            f.write("Timestamp(ms),Current(uA),D0-D7\n")
            for i in range(int(round(PERIODS * PERIOD_S / STEP_S))):
                t = i * STEP_S
                ua = run_ua if (t % PERIOD_S) < awake_per_period else SLEEP_UA
                f.write("%.3f,%.4f,00000000\n" % (t * 1e3, ua * (1 + 0.005 * next(n))))
        captures += ["--capture", f"{name}@{mhz}"]
    fitted = os.path.join(work, "fitted.toml")
    out = run([mcusim, "calibrate", elf, "-d", device, *captures, "-o", fitted, "--date", "2026-12-01"])
    print(out)
    m = re.search(r"flash +([0-9.]+) µA \+ +([0-9.]+) µA/MHz", out)
    if not m:
        sys.exit("no fitted flash row in the output")
    fixed, per_mhz = float(m.group(1)), float(m.group(2))
    s = re.search(r"stop2[^\n]*?([0-9.]+) µA", out[out.find("fitted"):])
    checks = [("fixed run current", fixed, FIXED_UA), ("run current per MHz", per_mhz, UA_PER_MHZ)]
    if s:
        checks.append(("stop2 current", float(s.group(1)), SLEEP_UA))
    else:
        sys.exit("no fitted stop2 current in the output")
    bad = [f"{what}: {got:g} against {want:g}" for what, got, want in checks if abs(got - want) > 0.02 * want]
    if bad:
        sys.exit("; ".join(bad))


if __name__ == "__main__":
    main()
