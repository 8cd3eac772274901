#!/usr/bin/env python3
"""Real Keras 3 models with their exact gradients, from JAX in float64, for the explain tests.

    python test/explain/make_grad_cases.py OUT_DIR [--only NAME[,NAME...]]

Each case: OUT_DIR/<name>.json = {"name", "description", "model": <Keras export JSON>, "input": {"shape", "data"},
"target": [indices], "output": k, "value": y_target, "space": "input" | "embedding",
"gradient": {"shape", "data"}  ∂y_target/∂(input), or ∂y_target/∂(the embedding vectors) for token models,
"ig": {"steps": 64, "baseline": "zeros", "attribution": {...}, "delta": f(x) − f(baseline)}}.
OUT_DIR/index.json lists them. Deterministic (one seed per case). Keras runs in float64 on JAX with x64 enabled,
and the script checks that every weight and output really is float64 (Keras demotes silently otherwise).

Run with KERAS_BACKEND=jax JAX_PLATFORMS=cpu (scripts/python-env.mjs's kerasEnv()).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ["JAX_ENABLE_X64"] = "1"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

keras.config.set_floatx("float64")
keras.config.set_dtype_policy("float64")
# Keras's type promotion on JAX turns every float64 result of ops.tanh, ops.sigmoid, … into float32 (result_type's
# BIT64_TO_BIT32_DTYPE, "to be aligned with JAX's default", whatever jax_enable_x64 says): the scan of an RNN then
# fails (float64 carry, float32 step) or, worse, a reference silently loses half its digits. Keep float64 float64;
# build_case checks every output is float64.
from keras.src.backend.common import dtypes as _keras_dtypes  # noqa: E402

_keras_dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"

import cellscope_export as ce  # noqa: E402

IG_STEPS = 64
CASES = {}


def case(name, description):
    def deco(fn):
        CASES[name] = (fn, description)
        return fn

    return deco


def seq(batch_shape, *layers, dtype="float64"):
    # Any batch size: integrated gradients runs all its interpolation points as one batch.
    return keras.Sequential([keras.Input(shape=batch_shape[1:], dtype=dtype)] + list(layers))


def randomize(model, rng, scale=0.7):
    model.set_weights([rng.uniform(-scale, scale, w.shape) for w in model.get_weights()])


def numeric(rng, shape):
    return rng.uniform(-1.5, 1.5, shape)


# ------------------------------------------------------------------------------------------------ the models


@case("simple_rnn_seq", "SimpleRNN tanh, return_sequences, 3-D target")
def _(rng):
    return seq((2, 6, 3), L.SimpleRNN(4, return_sequences=True)), numeric(rng, (2, 6, 3)), [1, 3, 2]


@case("simple_rnn_relu", "SimpleRNN relu + Dense")
def _(rng):
    return seq((2, 5, 3), L.SimpleRNN(4, activation="relu"), L.Dense(2)), numeric(rng, (2, 5, 3)), [0, 1]


@case("lstm_dense", "LSTM + Dense head, 2-D target")
def _(rng):
    return seq((2, 7, 3), L.LSTM(5), L.Dense(3)), numeric(rng, (2, 7, 3)), [1, 2]


@case("lstm_seq_neg_target", "LSTM return_sequences, negative target indices")
def _(rng):
    return seq((1, 6, 2), L.LSTM(4, return_sequences=True)), numeric(rng, (1, 6, 2)), [-1, -2, -1]


@case("lstm_hard_sigmoid", "LSTM with recurrent_activation hard_sigmoid (Keras 3 formula)")
def _(rng):
    return seq((2, 6, 3), L.LSTM(4, recurrent_activation="hard_sigmoid"), L.Dense(2)), numeric(rng, (2, 6, 3)), [0, 1]


@case("lstm_relu", "LSTM with activation relu")
def _(rng):
    return seq((1, 6, 3), L.LSTM(4, activation="relu", return_sequences=True), L.Dense(2)), numeric(rng, (1, 6, 3)), [0, 4, 1]


@case("lstm_go_backwards", "LSTM go_backwards, return_sequences (processing order)")
def _(rng):
    return seq((2, 6, 3), L.LSTM(4, go_backwards=True, return_sequences=True)), numeric(rng, (2, 6, 3)), [1, 1, 3]


@case("gru_reset_after", "GRU reset_after=True + Dense")
def _(rng):
    return seq((2, 6, 3), L.GRU(4, reset_after=True), L.Dense(2)), numeric(rng, (2, 6, 3)), [1, 0]


@case("gru_reset_before", "GRU reset_after=False, return_sequences")
def _(rng):
    return seq((2, 6, 3), L.GRU(4, reset_after=False, return_sequences=True)), numeric(rng, (2, 6, 3)), [0, 2, 3]


@case("gru_go_backwards_seq", "GRU go_backwards, return_sequences, TimeDistributed Dense")
def _(rng):
    return seq((1, 5, 2), L.GRU(3, go_backwards=True, return_sequences=True), L.TimeDistributed(L.Dense(2))), numeric(rng, (1, 5, 2)), [0, 1, 1]


for mode in ["concat", "sum", "mul", "ave"]:

    def make(rng, mode=mode):
        m = seq((2, 6, 3), L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode=mode), L.Dense(2))
        return m, numeric(rng, (2, 6, 3)), [1, 2, 1]

    case(f"bidirectional_{mode}", f"Bidirectional(LSTM) merge_mode={mode}, return_sequences, Dense")(make)


@case("bidirectional_gru_last", "Bidirectional(GRU) concat, last step only, Dense")
def _(rng):
    return seq((2, 5, 3), L.Bidirectional(L.GRU(3)), L.Dense(2)), numeric(rng, (2, 5, 3)), [0, 1]


@case("stacked", "LSTM → GRU → SimpleRNN → Dense, stacked")
def _(rng):
    m = seq((2, 6, 3), L.LSTM(4, return_sequences=True), L.GRU(3, return_sequences=True), L.SimpleRNN(3), L.Dense(2))
    return m, numeric(rng, (2, 6, 3)), [1, 1]


@case("dense_3d_activation", "Dense on 3-D, Activation, Flatten, Dense softmax head, Dropout")
def _(rng):
    m = seq((2, 4, 3), L.LSTM(3, return_sequences=True), L.Dense(4, activation="elu"), L.Activation("softsign"), L.Dropout(0.3), L.Flatten(), L.Dense(3, activation="softmax"))
    return m, numeric(rng, (2, 4, 3)), [1, 2]


@case("gelu_swish_heads", "GRU + Dense gelu + Dense swish")
def _(rng):
    m = seq((1, 5, 2), L.GRU(4), L.Dense(4, activation="gelu"), L.Dense(2, activation="swish"))
    return m, numeric(rng, (1, 5, 2)), [0, 0]


def tokens(rng, batch, steps, vocab, pad_front=0, pad_back=0):
    t = rng.integers(1, vocab, (batch, steps))
    if pad_back:
        t[0, steps - pad_back:] = 0
    if pad_front:
        t[-1, :pad_front] = 0
    return t


@case("embedding_masked_lstm", "Embedding mask_zero + LSTM + Dense; padding at the end and at the start")
def _(rng):
    m = seq((2, 7), L.Embedding(9, 4, mask_zero=True), L.LSTM(4), L.Dense(3), dtype="int32")
    return m, tokens(rng, 2, 7, 9, pad_front=2, pad_back=2), [1, 2]


@case("embedding_masked_seq", "Embedding mask_zero + GRU return_sequences (masked outputs repeat) + Dense")
def _(rng):
    m = seq((2, 7), L.Embedding(9, 3, mask_zero=True), L.GRU(4, return_sequences=True), L.Dense(2), dtype="int32")
    return m, tokens(rng, 2, 7, 9, pad_back=3), [0, 5, 1]


@case("embedding_masked_bidirectional", "Embedding mask_zero + Bidirectional(LSTM) sum, return_sequences (zeros at masked steps) + Dense")
def _(rng):
    m = seq((2, 6), L.Embedding(8, 3, mask_zero=True), L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="sum"), L.Dense(2), dtype="int32")
    return m, tokens(rng, 2, 6, 8, pad_front=2, pad_back=2), [1, 3, 0]


@case("embedding_masked_stacked_backwards", "Embedding mask_zero + LSTM go_backwards seq + GRU + Dense")
def _(rng):
    m = seq((2, 6), L.Embedding(8, 3, mask_zero=True), L.LSTM(3, go_backwards=True, return_sequences=True), L.GRU(3), L.Dense(2), dtype="int32")
    return m, tokens(rng, 2, 6, 8, pad_front=1, pad_back=2), [0, 1]


@case("embedding_gru", "Embedding (no mask) + GRU + Dense")
def _(rng):
    m = seq((1, 6), L.Embedding(7, 3), L.GRU(4), L.Dense(2), dtype="int32")
    return m, tokens(rng, 1, 6, 7), [0, 1]


# ------------------------------------------------------------------------------------------------ gradients


def check_float64(model):
    for w in model.weights:
        assert str(w.dtype) == "float64", f"{w.path} is {w.dtype}, not float64"


def build_case(name, fn, description, seed):
    rng = np.random.default_rng(seed)
    model, x, target = fn(rng)
    randomize(model, rng)
    check_float64(model)
    is_tokens = np.issubdtype(np.asarray(x).dtype, np.integer)
    layers = [l for l in model.layers]
    if is_tokens:
        # Differentiate with respect to the embedding vectors: the layers after the Embedding called one by one on
        # the vectors, with the mask Keras would propagate (token ≠ 0 for mask_zero) passed along explicitly.
        def wrapped(e, t):
            mask = (t != 0) if layers[0].mask_zero else None
            h = e
            for layer in layers[1:]:
                takes_mask = "mask" in inspect.signature(layer.call).parameters
                out = layer(h, mask=mask, training=False) if mask is not None and takes_mask else layer(h, training=False)
                mask = layer.compute_mask(h, mask) if mask is not None else None
                h = out
            return h

        emb_of = lambda t: np.asarray(layers[0](jnp.asarray(t, dtype=jnp.int32)))  # noqa: E731
        call = lambda e, t: wrapped(e, jnp.asarray(t, dtype=jnp.int32))  # noqa: E731
        point = emb_of(x)
    else:
        call = lambda v, t: model(v, training=False)  # noqa: E731
        point = np.asarray(x, dtype=np.float64)
    out = call(jnp.asarray(point), x)
    assert out.dtype == jnp.float64, f"{name}: output is {out.dtype}"
    ref = np.asarray(model(np.asarray(x), training=False))
    np.testing.assert_allclose(np.asarray(out), ref, rtol=0, atol=1e-12)
    idx = tuple(i if i >= 0 else s + i for i, s in zip(target, out.shape))

    grad = np.asarray(jax.grad(lambda v: call(v, x)[idx])(jnp.asarray(point)))
    value = float(out[idx])
    assert grad.dtype == np.float64
    # Integrated gradients of item b from the zero baseline (of the differentiable input), midpoint rule: the 64
    # interpolation points as one batch; ∂Σ_k y[k, rest]/∂X gives each point's own gradient (items are independent).
    b, rest = idx[0], idx[1:]
    alphas = (np.arange(IG_STEPS) + 0.5) / IG_STEPS
    xb = point[b]
    X = alphas.reshape((-1,) + (1,) * xb.ndim) * xb[None]
    T = np.repeat(np.asarray(x)[b : b + 1], IG_STEPS, axis=0)
    G = np.asarray(jax.grad(lambda v: jnp.sum(call(v, T)[(slice(None),) + rest]))(jnp.asarray(X)))
    ig = np.zeros_like(point)
    ig[b] = xb * G.mean(axis=0)
    zero_out = call(jnp.zeros((1,) + xb.shape), np.asarray(x)[b : b + 1])
    delta_f = value - float(zero_out[(0,) + rest])
    return {
        "name": name,
        "description": description,
        "model": ce.export_dict(model),
        "input": ce.tensor(np.asarray(x), "int32" if is_tokens else "float64"),
        "target": list(target),
        "output": 0,
        "value": value,
        "space": "embedding" if is_tokens else "input",
        "gradient": ce.tensor(grad, "float64"),
        "ig": {"steps": IG_STEPS, "baseline": "zeros", "attribution": ce.tensor(ig, "float64"), "delta": delta_f},
    }


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--only")
    a = p.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    names = a.only.split(",") if a.only else list(CASES)
    index = []
    for i, name in enumerate(CASES):
        if name not in names:
            continue
        fn, description = CASES[name]
        c = build_case(name, fn, description, 1000 + i)
        with open(os.path.join(a.out, f"{name}.json"), "w") as fh:
            json.dump(c, fh, separators=(",", ":"))
            fh.write("\n")
        index.append(name)
        print(f"{name}: value {c['value']:.6g}", flush=True)
    with open(os.path.join(a.out, "index.json"), "w") as fh:
        json.dump({"cases": index, "ig_steps": IG_STEPS}, fh, indent=1)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
