#!/usr/bin/env python3
"""float32 → float16 / bfloat16 rounding as numpy and ml_dtypes do it (the conversion XLA applies after each op).

    python test/python/make_half_rounding.py test/fixtures/mixed-precision/rounding.json

Writes float32 inputs as uint32 bit patterns and the rounded values as uint16 bit patterns: random bit patterns,
values exactly halfway between float16 neighbours (ties to even), values just off them, the subnormal and overflow
edges of float16.
"""
import json
import sys

import ml_dtypes
import numpy as np

rng = np.random.default_rng(0)
v = rng.integers(0, 2**32, 4000, dtype=np.uint64).astype(np.uint32).view(np.float32)
v = v[np.isfinite(v)]
h = np.arange(0, 2**16, dtype=np.uint16).view(np.float16).astype(np.float64)
h = np.sort(h[np.isfinite(h)])
pick = rng.choice(len(h) - 1, 3000, replace=False)
mid = ((h[pick] + h[pick + 1]) / 2).astype(np.float32)  # exact in float32: 11-bit neighbours, 12-bit midpoint
near = (h[pick] * (1 + 2.0**-12)).astype(np.float32)
edges = np.array([65504, 65519.99, 65520, 65536, 1e5, -1e5, 6.1e-5, 6e-8, 2.98e-8, 2.9802322e-8, 5.96e-8, 1e-9, -1e-9,
                  0.0, -0.0, 3.0e38, 1.17e-38, 1e-40, np.inf, -np.inf, 1.00390625, 1.01171875, -3.99609375],
                 np.float32)
x = np.concatenate([v, mid, near, edges, rng.normal(0, 3, 1000).astype(np.float32)]).astype(np.float32)
with np.errstate(over="ignore"):
    f16 = x.astype(np.float16).view(np.uint16)
bf16 = x.astype(ml_dtypes.bfloat16).view(np.uint16)
json.dump({"x": x.view(np.uint32).tolist(), "float16": f16.tolist(), "bfloat16": bf16.tolist()}, open(sys.argv[1], "w"))
print(len(x), "values")
