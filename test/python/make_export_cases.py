#!/usr/bin/env python3
"""Models the exporter used to crash on (issue 12 §5), saved for test/python/exporter-graph.test.mjs.

    python test/python/make_export_cases.py OUT_DIR

OUT_DIR/masked_bidi/: Embedding(mask_zero) → Bidirectional(LSTM) without return_sequences, rows ending in padding.
OUT_DIR/two_inputs/: an encoder–decoder with two inputs (initial_state), input.json as an object keyed by input name.
OUT_DIR/dict_heads/: a model whose outputs are a dict of named heads ({"tags": …, "next": …}).
Each gets model.keras and input.json. Run with KERAS_BACKEND=jax JAX_PLATFORMS=cpu.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402


def save(d, model, inputs):
    os.makedirs(d, exist_ok=True)
    model.save(os.path.join(d, "model.keras"))
    with open(os.path.join(d, "input.json"), "w") as f:
        json.dump(inputs, f)


def main(out):
    keras.utils.set_random_seed(7)
    m = keras.Sequential([keras.Input(shape=(6,), dtype="int32"), L.Embedding(12, 4, mask_zero=True), L.Bidirectional(L.LSTM(3)), L.Dense(2)])
    x = np.array([[3, 4, 5, 0, 0, 0], [1, 2, 3, 4, 5, 6], [7, 0, 0, 0, 0, 0]])
    save(os.path.join(out, "masked_bidi"), m, x.tolist())
    enc_in = keras.Input(shape=(4, 3), name="encoder_in")
    dec_in = keras.Input(shape=(3, 2), name="decoder_in")
    _, h, c = L.LSTM(5, return_state=True)(enc_in)
    y = L.LSTM(5, return_sequences=True)(dec_in, initial_state=[h, c])
    m2 = keras.Model([enc_in, dec_in], L.Dense(2)(y))
    rng = np.random.default_rng(3)
    save(os.path.join(out, "two_inputs"), m2, {"decoder_in": rng.uniform(-1, 1, (2, 3, 2)).tolist(), "encoder_in": rng.uniform(-1, 1, (2, 4, 3)).tolist()})
    inp = keras.Input(shape=(5, 3), name="series")
    h = L.GRU(4, return_sequences=True)(inp)
    m3 = keras.Model(inp, {"tags": L.Dense(2, name="tags")(h), "next": L.Dense(1, name="next")(L.LSTM(3)(h))})
    save(os.path.join(out, "dict_heads"), m3, rng.uniform(-1, 1, (2, 5, 3)).tolist())


if __name__ == "__main__":
    main(sys.argv[1])
