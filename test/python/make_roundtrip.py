#!/usr/bin/env python3
"""Build small random real Keras 3 models and write, for each, what Cellscope must reproduce.

    python test/python/make_roundtrip.py OUT_DIR [--only NAME[,NAME...]] [--list]

For every case OUT_DIR/<name>/ gets model.keras, model.h5 (legacy HDF5), model.cellscope.json (Keras export
JSON) and recording.json (Keras's output and each recurrent layer's full hidden-state sequence), written by
python/cellscope_export.py. OUT_DIR/index.json lists the cases. Deterministic: every case has its own seed.

Run with KERAS_BACKEND=jax JAX_PLATFORMS=cpu (scripts/python-env.mjs's kerasEnv()).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

import cellscope_export as ce  # noqa: E402

warnings.filterwarnings("ignore", message=".*HDF5.*")


def randomize(model, rng, scale=0.8):
    """Every weight (biases too) uniform in [-scale, scale): Keras's zero biases would hide bias bugs."""
    model.set_weights([rng.uniform(-scale, scale, w.shape).astype(np.float32) for w in model.get_weights()])


def seq(batch_shape, *layers):
    return keras.Sequential([keras.Input(batch_shape=batch_shape)] + list(layers))


# Each case: name -> (builder(rng) -> (model, x), predict_calls, description)
CASES = {}


def case(name, predict_calls=1, description=""):
    def deco(fn):
        CASES[name] = (fn, predict_calls, description or fn.__doc__ or name)
        return fn

    return deco


def xs(rng, b, t, f):
    return rng.uniform(-1, 1, (b, t, f)).astype(np.float32)


@case("simple_rnn")
def _(rng):
    """SimpleRNN(5, tanh), last step."""
    return seq((None, 6, 3), L.SimpleRNN(5)), xs(rng, 2, 6, 3)


@case("simple_rnn_relu_seq_backwards")
def _(rng):
    """SimpleRNN(4, relu), return_sequences, go_backwards."""
    return seq((None, 7, 2), L.SimpleRNN(4, activation="relu", return_sequences=True, go_backwards=True)), xs(rng, 3, 7, 2)


@case("lstm")
def _(rng):
    """LSTM(6), last step."""
    return seq((None, 5, 4), L.LSTM(6)), xs(rng, 2, 5, 4)


@case("lstm_seq_backwards_nobias")
def _(rng):
    """LSTM(3, use_bias=False), return_sequences, go_backwards, hard_sigmoid recurrent activation (Keras 3 formula)."""
    return (
        seq((None, 6, 2), L.LSTM(3, use_bias=False, return_sequences=True, go_backwards=True, recurrent_activation="hard_sigmoid")),
        xs(rng, 2, 6, 2),
    )


@case("gru_reset_after_true")
def _(rng):
    """GRU(5, reset_after=True) (Keras 3 default), return_sequences."""
    return seq((None, 6, 3), L.GRU(5, reset_after=True, return_sequences=True)), xs(rng, 2, 6, 3)


@case("gru_reset_after_false")
def _(rng):
    """GRU(5, reset_after=False), last step."""
    return seq((None, 6, 3), L.GRU(5, reset_after=False)), xs(rng, 2, 6, 3)


for _merge, _cell in (("concat", "LSTM"), ("sum", "GRU"), ("mul", "SimpleRNN"), ("ave", "LSTM")):

    def _make(merge=_merge, cell=_cell, seqs=False):
        def build(rng):
            inner = getattr(L, cell)(4, return_sequences=seqs)
            return seq((None, 5, 3), L.Bidirectional(inner, merge_mode=merge)), xs(rng, 2, 5, 3)

        return build

    CASES[f"bidirectional_{_merge}"] = (_make(), 1, f"Bidirectional({_cell}(4)), merge_mode={_merge}, last step")
    CASES[f"bidirectional_{_merge}_seq"] = (_make(seqs=True), 1, f"Bidirectional({_cell}(4), return_sequences), merge_mode={_merge}")


@case("stacked_dense_head")
def _(rng):
    """LSTM(6, seq) -> GRU(4) -> Dense(3, softmax)."""
    return seq((None, 8, 3), L.LSTM(6, return_sequences=True), L.GRU(4), L.Dense(3, activation="softmax")), xs(rng, 3, 8, 3)


@case("functional_chain")
def _(rng):
    """Functional API: SimpleRNN(5, seq) -> Bidirectional(GRU(3), concat) -> Dense(2)."""
    i = keras.Input((6, 2))
    h = L.SimpleRNN(5, return_sequences=True)(i)
    h = L.Bidirectional(L.GRU(3))(h)
    o = L.Dense(2)(h)
    return keras.Model(i, o), xs(rng, 2, 6, 2)


@case("embedding_lstm")
def _(rng):
    """Embedding(12, 5) -> LSTM(6) -> Dense(12, softmax); integer token input."""
    model = keras.Sequential([keras.Input((7,), dtype="int32"), L.Embedding(12, 5), L.LSTM(6), L.Dense(12, activation="softmax")])
    return model, rng.integers(0, 12, (3, 7)).astype(np.int32)


@case("embedding_mask_zero_gru")
def _(rng):
    """Embedding(9, 4, mask_zero=True) -> GRU(5, seq) -> LSTM(3); token 0 is padding (leading and inside)."""
    model = keras.Sequential(
        [keras.Input((6,), dtype="int32"), L.Embedding(9, 4, mask_zero=True), L.GRU(5, return_sequences=True), L.LSTM(3)]
    )
    x = rng.integers(1, 9, (3, 6)).astype(np.int32)
    x[0, :2] = 0  # left padding
    x[1, 3] = 0  # a gap
    x[2, 4:] = 0  # right padding
    return model, x


@case("time_distributed_dense")
def _(rng):
    """LSTM(5, seq) -> TimeDistributed(Dense(2, tanh))."""
    return seq((None, 6, 3), L.LSTM(5, return_sequences=True), L.TimeDistributed(L.Dense(2, activation="tanh"))), xs(rng, 2, 6, 3)


@case("dense_on_sequence")
def _(rng):
    """GRU(4, seq) -> Dense(3) applied to every step (no TimeDistributed)."""
    return seq((None, 5, 2), L.GRU(4, return_sequences=True), L.Dense(3)), xs(rng, 2, 5, 2)


@case("stateful_lstm", predict_calls=2)
def _(rng):
    """Stateful LSTM(4) -> Dense(2), batch 2, model(x) called twice without reset."""
    return seq((2, 5, 3), L.LSTM(4, stateful=True), L.Dense(2)), xs(rng, 2, 5, 3)


@case("stateful_stack", predict_calls=2)
def _(rng):
    """Stateful SimpleRNN(3, seq) -> stateful GRU(4), batch 1, model(x) called twice."""
    return seq((1, 4, 2), L.SimpleRNN(3, return_sequences=True, stateful=True), L.GRU(4, stateful=True)), xs(rng, 1, 4, 2)


def numpy_lstm(x, kernel, recurrent, bias):
    """Seed 004's numpy LSTM (gate order i, f, c, o; sigmoid / tanh), every step's h."""
    u = recurrent.shape[0]
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = np.zeros((x.shape[0], u))
    c = np.zeros((x.shape[0], u))
    out = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = sig(z[:, :u]), sig(z[:, u : 2 * u]), np.tanh(z[:, 2 * u : 3 * u]), sig(z[:, 3 * u :])
        c = f * c + i * g
        h = o * np.tanh(c)
        out.append(h)
    return np.stack(out, 1)


def check_against_numpy(rec, model, x):
    """Task check: the recorded LSTM sequence equals an independent numpy forward pass, and its last step the output."""
    k, r, b = [np.asarray(w, np.float64) for w in model.get_weights()]
    ref = numpy_lstm(np.asarray(x, np.float64), k, r, b)
    got = np.asarray(rec["layers"][0]["output"]["data"]).reshape(rec["layers"][0]["output"]["shape"])
    out = np.asarray(rec["output"]["data"]).reshape(rec["output"]["shape"])
    err_seq = float(np.abs(got - ref).max())
    err_last = float(np.abs(got[:, -1] - out).max())
    assert err_seq < 1e-5, err_seq
    assert err_last < 1e-6, err_last
    return err_seq, err_last


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("out_dir")
    p.add_argument("--only", help="comma-separated case names")
    p.add_argument("--list", action="store_true")
    p.add_argument("--no-keras-files", action="store_true", help="skip model.keras / model.h5")
    a = p.parse_args(argv)
    if a.list:
        print("\n".join(CASES))
        return 0
    names = a.only.split(",") if a.only else list(CASES)
    os.makedirs(a.out_dir, exist_ok=True)
    index = []
    for n, name in enumerate(names):
        build, predict_calls, description = CASES[name]
        seed = 1000 + list(CASES).index(name)
        keras.utils.set_random_seed(seed)
        rng = np.random.default_rng(seed)
        model, x = build(rng)
        randomize(model, rng)
        d = os.path.join(a.out_dir, name)
        os.makedirs(d, exist_ok=True)
        files = {"export": "model.cellscope.json", "recording": "recording.json"}
        if not a.no_keras_files:
            model.save(os.path.join(d, "model.keras"))
            model.save(os.path.join(d, "model.h5"))
            files.update({"keras": "model.keras", "h5": "model.h5"})
        ce.export(model, os.path.join(d, files["export"]))
        rec = ce.record(model, x, os.path.join(d, files["recording"]), predict_calls=predict_calls)
        entry = {
            "name": name,
            "description": description,
            "seed": seed,
            "predict_calls": predict_calls,
            "files": files,
            "recurrent_layers": [l["name"] for l in rec["layers"]],
        }
        if name == "lstm":
            entry["numpy_check"] = dict(zip(("sequence_max_abs", "last_step_max_abs"), check_against_numpy(rec, model, x)))
        index.append(entry)
        print(f"{name}: {description} -> {d}", flush=True)
    with open(os.path.join(a.out_dir, "index.json"), "w") as f:
        json.dump({"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": index}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
