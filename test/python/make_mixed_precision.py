#!/usr/bin/env python3
"""Keras 3 models under float16 / bfloat16 dtype policies, saved for Cellscope's mixed-precision tests.

    python test/python/make_mixed_precision.py OUT_DIR

For every case OUT_DIR/<name>/ gets model.cellscope.json (export JSON), model.keras, model.h5, input.json and
expected.json: what Keras's predict returned (float16 / bfloat16 values, or float32 after a float32-policy head,
written as float32). OUT_DIR/index.json lists the cases with their policy. Run with KERAS_BACKEND=jax
JAX_PLATFORMS=cpu (the venv's Keras 3.15.1 on JAX): the rounding reproduced is XLA's on CPU.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

import cellscope_export as ce  # noqa: E402

warnings.filterwarnings("ignore")
logging.getLogger("absl").setLevel(logging.ERROR)

CASES = {}


def case(name, policy):
    def deco(fn):
        CASES[name] = (policy, fn)
        return fn

    return deco


def floats(rng, *shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


@case("guide_dense_mixed_float16", "mixed_float16")
def _(rng):
    """keras.io mixed_precision guide, scaled down: Dense(relu) ×2 → Dense → Activation('softmax', dtype='float32')."""
    inp = keras.Input((24,))
    x = L.Dense(32, activation="relu")(inp)
    x = L.Dense(32, activation="relu")(x)
    x = L.Dense(10)(x)
    out = L.Activation("softmax", dtype="float32")(x)
    return keras.Model(inp, out), floats(rng, 6, 24)


@case("lstm_mixed_float16", "mixed_float16")
def _(rng):
    """The guide's advice on a recurrent model: LSTM(seq) → LSTM → Dense, float32 linear head."""
    inp = keras.Input((12, 5))
    x = L.LSTM(16, return_sequences=True)(inp)
    x = L.LSTM(12)(x)
    x = L.Dense(4)(x)
    out = L.Activation("linear", dtype="float32")(x)
    return keras.Model(inp, out), floats(rng, 4, 12, 5)


@case("lstm_sequence_mixed_float16", "mixed_float16")
def _(rng):
    """A half-precision output straight from the LSTM (return_sequences, go_backwards)."""
    m = keras.Sequential([keras.Input((20, 3)), L.LSTM(8, return_sequences=True, go_backwards=True)])
    return m, floats(rng, 3, 20, 3)


@case("gru_mixed_float16", "mixed_float16")
def _(rng):
    """GRU reset_after=True (Keras 3 default) → GRU reset_after=False → Dense(sigmoid)."""
    m = keras.Sequential([
        keras.Input((10, 4)),
        L.GRU(12, return_sequences=True),
        L.GRU(8, reset_after=False),
        L.Dense(3, activation="sigmoid"),
    ])
    return m, floats(rng, 4, 10, 4)


@case("simplernn_mixed_float16", "mixed_float16")
def _(rng):
    m = keras.Sequential([keras.Input((15, 6)), L.SimpleRNN(10, return_sequences=True), L.SimpleRNN(6, activation="relu"), L.Dense(2)])
    return m, floats(rng, 3, 15, 6)


@case("bidirectional_mixed_float16", "mixed_float16")
def _(rng):
    """Bidirectional LSTM (concat) → Bidirectional GRU (sum) → Dense, float32 head."""
    inp = keras.Input((9, 4))
    x = L.Bidirectional(L.LSTM(8, return_sequences=True))(inp)
    x = L.Bidirectional(L.GRU(6), merge_mode="sum")(x)
    x = L.Dense(3)(x)
    out = L.Activation("linear", dtype="float32")(x)
    return keras.Model(inp, out), floats(rng, 4, 9, 4)


@case("imdb_bilstm_mixed_float16", "mixed_float16")
def _(rng):
    """Embedding(mask_zero) → Bidirectional LSTM → Dense(sigmoid, float32): the text classifier in mixed precision."""
    inp = keras.Input((None,), dtype="int32")
    x = L.Embedding(50, 8, mask_zero=True)(inp)
    x = L.Bidirectional(L.LSTM(6))(x)
    out = L.Dense(1, activation="sigmoid", dtype="float32")(x)
    x_ids = rng.integers(1, 50, (4, 11)).astype(np.int32)
    x_ids[1, 7:] = 0
    x_ids[3, 4:] = 0
    return keras.Model(inp, out), x_ids


@case("lstm_mixed_bfloat16", "mixed_bfloat16")
def _(rng):
    inp = keras.Input((12, 5))
    x = L.LSTM(16, return_sequences=True)(inp)
    x = L.GRU(8)(x)
    out = L.Dense(4, dtype="float32")(x)
    return keras.Model(inp, out), floats(rng, 4, 12, 5)


@case("bidirectional_bfloat16", "bfloat16")
def _(rng):
    """Pure bfloat16 (variables in bfloat16 too): Bidirectional SimpleRNN (ave) → Dense."""
    # JAX's QR (the orthogonal recurrent initialiser) has no bfloat16/float16 kernel on CPU: another initialiser.
    rnn = L.SimpleRNN(6, return_sequences=True, recurrent_initializer="glorot_uniform")
    m = keras.Sequential([keras.Input((8, 3)), L.Bidirectional(rnn, merge_mode="ave"), L.Dense(2)])
    return m, floats(rng, 3, 8, 3)


@case("gru_float16", "float16")
def _(rng):
    """Pure float16 (variables stored in float16): GRU → Dense."""
    m = keras.Sequential([keras.Input((10, 4)), L.GRU(8, recurrent_initializer="glorot_uniform"), L.Dense(3)])
    return m, floats(rng, 3, 10, 4)


def build(name, policy, fn):
    keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(sum(map(ord, name)))
        rng = np.random.default_rng(sum(map(ord, name)))
        model, x = fn(rng)
        # Weights large enough that the gates leave their linear range (the default initialisers keep them small).
        for w in model.weights:
            w.assign(rng.uniform(-0.7, 0.7, w.shape).astype(np.float32).astype(w.dtype))
        y = np.asarray(model.predict(x, verbose=0))
        return model, x, y
    finally:
        keras.mixed_precision.set_global_policy("float32")


def main():
    out_dir = sys.argv[1]
    index = []
    for name, (policy, fn) in CASES.items():
        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        model, x, y = build(name, policy, fn)
        ce.export(model, os.path.join(d, "model.cellscope.json"))
        model.save(os.path.join(d, "model.keras"))
        model.save(os.path.join(d, "model.h5"))
        with open(os.path.join(d, "input.json"), "w") as f:
            json.dump(ce.tensor(x), f, separators=(",", ":"))
        with open(os.path.join(d, "expected.json"), "w") as f:
            json.dump({**ce.tensor(y.astype(np.float32)), "keras_dtype": str(y.dtype)}, f, separators=(",", ":"))
        index.append({"name": name, "policy": policy, "output_dtype": str(y.dtype), "doc": (fn.__doc__ or "").strip()})
        print(name, policy, y.dtype, y.shape)
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump({"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": index}, f, indent=1)


if __name__ == "__main__":
    main()
