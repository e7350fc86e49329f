#!/usr/bin/env python3
"""Writes the synthetic captures of the calibration CLI tests (tests/CMakeLists.txt).

Each capture is a constant run current made from known coefficients,
500 uA + 100 uA/MHz from flash, at one clock (48, 16 and 32 MHz), with +-0.2% deterministic noise,
in the nRF Connect Power Profiler's CSV form (Timestamp(ms),Current(uA)),
10 us per sample for 5 ms. The hello firmware never sleeps, so every sample is
active; calibrate must give back 500 uA and 100 uA/MHz.
Run from this directory: python3 make_captures.py
"""

FIXED_UA, UA_PER_MHZ = 500.0, 100.0


def noise(seed):
    state = seed
    while True:
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield (state >> 11) / float(1 << 53) * 2 - 1


def write(name, mhz, seed):
    n = noise(seed)
    with open(name, "w", newline="\n") as f:
        f.write("Timestamp(ms),Current(uA),D0-D7\n")
        for i in range(500):
            ua = (FIXED_UA + UA_PER_MHZ * mhz) * (1 + 0.002 * next(n))
            f.write("%.2f,%.3f,00000000\n" % (i * 0.01, ua))


write("hello-48.csv", 48, 1)
write("hello-16.csv", 16, 2)
write("hello-32.csv", 32, 3)
