#!/usr/bin/env python3
"""Writes DIR/kws-<n>.bin for n in 490, 100, 600: byte i = (i * 151 + 7) % 256,
the nnc tests' keyword-spotting input (tests/nnc/run_model.py) and two of the
wrong size."""
import pathlib
import sys

d = pathlib.Path(sys.argv[1])
d.mkdir(parents=True, exist_ok=True)
for n in (490, 100, 600):
    (d / f"kws-{n}.bin").write_bytes(bytes((i * 151 + 7) % 256 for i in range(n)))
