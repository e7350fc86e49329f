#!/usr/bin/env python3
"""The projection of one period matches a long simulated run (docs/power.md,
"Checking the projection"): the duty-cycled firmware runs PERIODS periods and
then one; `mcusim battery` projects the one-period report at one inference per
period; the two average currents at the rail must agree within TOLERANCE.

usage: duty_cycle_match.py MCUSIM ELF DEVICE PERIODS PERIOD TOLERANCE WORKDIR
"""
import json
import os
import subprocess
import sys


def run(args):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def main():
    mcusim, elf, device, periods, period, tolerance, work = sys.argv[1:8]
    os.makedirs(work, exist_ok=True)
    long_run = json.loads(run([mcusim, "run", elf, "-d", device, "-q", "--no-db", "--report=json", "--", periods]))
    if long_run["layers"]["invocations"] != int(periods):
        sys.exit(f"the long run has {long_run['layers']['invocations']} invocations, expected {periods}")
    one = os.path.join(work, "one.json")
    with open(one, "w") as f:
        f.write(run([mcusim, "run", elf, "-d", device, "-q", "--no-db", "--report=json", "--", "1"]))
    proj = json.loads(run([mcusim, "battery", one, "--every", period, "--battery", "cr2032", "--per", "inference",
                           "--format", "json"]))
    long_ma, proj_ma = long_run["energy"]["average_ma"], proj["average_ma"]
    diff = abs(proj_ma - long_ma) / long_ma
    print(f"{device}: long run of {periods} periods {long_ma * 1e3:.3f} µA; mcusim battery on one period "
          f"{proj_ma * 1e3:.3f} µA; difference {diff * 100:.2f}% (limit {float(tolerance) * 100:g}%)")
    if diff > float(tolerance):
        sys.exit("the projection and the long run differ by more than the tolerance")


if __name__ == "__main__":
    main()
