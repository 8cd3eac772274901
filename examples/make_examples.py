#!/usr/bin/env python3
"""Regenerates every file under examples/ with real Keras 3 (deterministic: fixed seeds, JAX on CPU).

    node scripts/python-env.mjs                      # once: creates .venv/ with keras 3.15.1 + jax 0.10.2
    KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python examples/make_examples.py [--only sine,char,hand]

- examples/sine-wave/   an LSTM reading a sine wave whose frequency changes, predicting the next value at every step
                        of 300 (the gates at work over a long sequence)
- examples/sine-lstm/   seed 004: LSTM + Dense on a noisy sine wave, trained briefly
- examples/char-rnn/    seed 001: Embedding + LSTM + softmax predicting the next character of the seed's text
- examples/hand-built/  seeds 000, 002, 003: hand-set cells as keras-model-fixture/v1 files, each checked
                        against real Keras 3 (and against the numbers the seed printed, where it printed any)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

import cellscope_export as ce  # noqa: E402

warnings.filterwarnings("ignore", message=".*HDF5.*")
warnings.filterwarnings("ignore", message=".*legacy.*")

MAX_FILE_BYTES = 300_000


def write_json(obj, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")


def strict_json(obj):
    """json.dumps with ±inf written as 1e999 / -1e999: strict JSON (no red squiggles in VS Code) that every JSON
    reader, Python's and JavaScript's included, reads back as ±inf. Python's own `Infinity` token is not JSON."""

    def mark(v):
        if isinstance(v, float) and math.isinf(v):
            return "__INF__" if v > 0 else "__-INF__"
        if isinstance(v, dict):
            return {k: mark(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [mark(x) for x in v]
        return v

    return json.dumps(mark(obj), indent=1, allow_nan=False).replace('"__INF__"', "1e999").replace('"__-INF__"', "-1e999")


def write_text(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def check_sizes(d):
    sizes = {}
    for name in sorted(os.listdir(d)):
        size = os.path.getsize(os.path.join(d, name))
        sizes[name] = size
        assert size < MAX_FILE_BYTES, f"{d}/{name} is {size} bytes (limit {MAX_FILE_BYTES})"
    return sizes


def sizes_table(sizes):
    return "\n".join(f"| `{n}` | {s / 1000:.1f} kB |" for n, s in sizes.items() if n != "README.md")


# ============================================================================================ sine-lstm (seed 004)

STEPS_PER_CYCLE = 80
NUMBER_OF_CYCLES = 50
RANDOM_FACTOR = 0.05
LENGTH_OF_SEQUENCES = 5
# Seed 004 used h_num = 100. With 100 units the recording of all test windows' hidden sequences alone is
# 395 x 5 x 100 numbers (about 2 MB of JSON), so the shipped example uses 6 units to keep every file under
# 300 kB. Set H_NUM = 100 to reproduce the seed's model exactly (the files then grow accordingly).
H_NUM = 6
SINE_EPOCHS = 15
SINE_BATCH = 60


def sine_data():
    """Seed 004's recipe without pandas: same random draws in the same order, same split and windows."""
    np.random.seed(0)
    t = np.arange(STEPS_PER_CYCLE * NUMBER_OF_CYCLES + 1)
    sin_t = np.array(
        [math.sin(x * (2 * math.pi / STEPS_PER_CYCLE) + np.random.uniform(-1.0, +1.0) * RANDOM_FACTOR) for x in t]
    )
    data = sin_t.reshape(-1, 1)

    def load(d, n_prev):
        xs = [d[i : i + n_prev] for i in range(len(d) - n_prev)]
        ys = [d[i + n_prev] for i in range(len(d) - n_prev)]
        return np.array(xs), np.array(ys)

    ntrn = int(round(len(data) * (1 - 0.1)))
    x_train, y_train = load(data[:ntrn], LENGTH_OF_SEQUENCES)
    x_test, y_test = load(data[ntrn:], LENGTH_OF_SEQUENCES)
    return (x_train.astype(np.float32), y_train.astype(np.float32)), (x_test.astype(np.float32), y_test.astype(np.float32))


def make_sine(out):
    os.makedirs(out, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = sine_data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((LENGTH_OF_SEQUENCES, 1)),
            L.LSTM(H_NUM, activation="tanh", recurrent_activation="sigmoid", return_sequences=False),
            L.Dense(1),
            L.Activation("linear"),
        ],
        name="sine_lstm",
    )
    model.compile(loss="mean_squared_error", optimizer="rmsprop")
    hist = model.fit(x_train, y_train, batch_size=SINE_BATCH, epochs=SINE_EPOCHS, validation_split=0.05, verbose=0, shuffle=True)
    y_hat = model.predict(x_test, verbose=0)
    test_mse = float(np.mean((y_hat - y_test) ** 2))
    baseline_mse = float(np.mean((x_test[:, -1] - y_test) ** 2))  # "next value = last value"
    metrics = {
        "train_loss": float(hist.history["loss"][-1]),
        "val_loss": float(hist.history["val_loss"][-1]),
        "test_mse": test_mse,
        "persistence_baseline_mse": baseline_mse,
    }
    model.save(os.path.join(out, "model.keras"))
    model.save(os.path.join(out, "model.h5"))
    ce.export(model, os.path.join(out, "model.cellscope.json"))
    write_json(ce.tensor(x_test), os.path.join(out, "input.json"))
    rec = ce.record(model, x_test, os.path.join(out, "recording.json"))
    # The recording's layer sequence must end where the LSTM's own output does (return_sequences=False).
    seq = np.asarray(rec["layers"][0]["output"]["data"]).reshape(rec["layers"][0]["output"]["shape"])
    own = np.asarray(rec["layers"][0]["layer_output"]["data"]).reshape(rec["layers"][0]["layer_output"]["shape"])
    assert np.array_equal(seq[:, -1], own)
    sizes = check_sizes_after_readme(out, lambda sizes: sine_readme(metrics, x_train, x_test, sizes))
    return metrics, sizes


def check_sizes_after_readme(out, readme):
    write_text(os.path.join(out, "README.md"), readme({}))
    sizes = check_sizes(out)
    write_text(os.path.join(out, "README.md"), readme(sizes))
    return check_sizes(out)


def sine_readme(m, x_train, x_test, sizes):
    return f"""# sine-lstm — seed 004's Keras LSTM on a noisy sine wave

Seed 004 ("Implement Keras LSTM feed forward with numpy") trains a Keras LSTM to predict the next value of a noisy
sine wave, then re-implements the forward pass in numpy and plots its `h_t` at every step against Keras's own
predictions. Cellscope does that re-implementation for you: open `model.keras` (or `model.h5`, or
`model.cellscope.json`) with `input.json` and compare against `recording.json`.

Data, exactly seed 004's recipe: `np.random.seed(0)`, {STEPS_PER_CYCLE} steps per cycle, {NUMBER_OF_CYCLES} cycles
(4001 points), `sin(t·2π/80 + uniform(-1, 1)·0.05)`, windows of {LENGTH_OF_SEQUENCES} values predicting the next,
first 90 % for training ({len(x_train)} windows), the rest for testing ({len(x_test)} windows). Seed 004's comments
say `(390, 100)` for the test batch; its own recipe (`round(4001·0.9) = 3601` training points, 400 test points,
windows of 5) gives {len(x_test)} windows, which is what `input.json` holds: shape `[{len(x_test)}, 5, 1]`.

Model: `LSTM({H_NUM}, activation="tanh", recurrent_activation="sigmoid")` → `Dense(1)` → `Activation("linear")`,
MSE loss, rmsprop, {SINE_EPOCHS} epochs, batch {SINE_BATCH}, `validation_split=0.05`, `keras.utils.set_random_seed(0)`.
**Deviation from the seed:** the seed uses 100 units (`h_num = 100`); here {H_NUM}, because the recording of every
test window's hidden-state sequence with 100 units would be about 2 MB. `H_NUM` at the top of
`examples/make_examples.py` switches back. The seed's batch size was 600; {SINE_BATCH} gives the small model
enough updates in {SINE_EPOCHS} epochs.

Training result (Keras 3.15.1, JAX, CPU): final training loss {m["train_loss"]:.5f}, validation loss
{m["val_loss"]:.5f}, test MSE {m["test_mse"]:.5f} (predicting "same as the last value" scores
{m["persistence_baseline_mse"]:.5f}).

| file | size |
|---|---|
{sizes_table(sizes)}

- `model.keras` — `model.save("model.keras")` (Keras 3 zip).
- `model.h5` — `model.save("model.h5")` (legacy HDF5).
- `model.cellscope.json` — Keras export JSON (`python/cellscope_export.py`: `model.to_json()` + `get_weights()`).
- `input.json` — the test windows, `{{"shape": [{len(x_test)}, 5, 1], "dtype", "data"}}` row-major.
- `recording.json` — what Keras computed on them (`cellscope-recording/v1`): `model.predict` output
  `[{len(x_test)}, 1]`, the LSTM's full hidden sequence `[{len(x_test)}, 5, {H_NUM}]` (seed 004's `ht_list`), its
  output and final `h`, `c`.

Regenerate: `KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python examples/make_examples.py --only sine`.
"""


# ============================================================================================ sine-wave (long sequences)

WAVE_STEPS = 300  # long enough to watch the gates follow several cycles and a change of frequency
WAVE_UNITS = 8
WAVE_TRAIN = 256
WAVE_EPOCHS = 30


def wave(rng, steps, periods):
    """A sine wave whose period switches once, at a random step, between two of `periods` (in steps)."""
    p1, p2 = rng.choice(periods, 2)
    switch = int(rng.integers(steps // 4, 3 * steps // 4))
    phase = rng.uniform(0, 2 * math.pi)
    omega = np.where(np.arange(steps + 1) < switch, 2 * math.pi / p1, 2 * math.pi / p2)
    return np.sin(phase + np.cumsum(omega)).astype(np.float32), int(p1), int(p2), switch


def make_sine_wave(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(4)
    periods = np.array([20, 30, 45, 60])
    train = np.stack([wave(rng, WAVE_STEPS, periods)[0] for _ in range(WAVE_TRAIN)])
    x_train, y_train = train[:, :-1, None], train[:, 1:, None]
    shown = [wave(rng, WAVE_STEPS, periods) for _ in range(2)]
    x_test = np.stack([w[0][:-1] for w in shown])[:, :, None]
    y_test = np.stack([w[0][1:] for w in shown])[:, :, None]
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((None, 1)), L.LSTM(WAVE_UNITS, return_sequences=True), L.Dense(1)],
        name="sine_wave_lstm",
    )
    model.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam(0.01))
    hist = model.fit(x_train, y_train, batch_size=32, epochs=WAVE_EPOCHS, verbose=0, shuffle=True)
    y_hat = model.predict(x_test, verbose=0)
    metrics = {
        "train_loss": float(hist.history["loss"][-1]),
        "test_mse": float(np.mean((y_hat - y_test) ** 2)),
        "persistence_baseline_mse": float(np.mean((x_test - y_test) ** 2)),
        "shown": [{"periods": [w[1], w[2]], "switch_step": w[3]} for w in shown],
    }
    model.save(os.path.join(out, "model.keras"))
    model.save(os.path.join(out, "model.h5"))
    ce.export(model, os.path.join(out, "model.cellscope.json"))
    write_json(ce.tensor(x_test), os.path.join(out, "input.json"))
    ce.record(model, x_test, os.path.join(out, "recording.json"))
    sizes = check_sizes_after_readme(out, lambda sizes: sine_wave_readme(metrics, sizes))
    return metrics, sizes


def sine_wave_readme(m, sizes):
    shown = "; ".join(
        f"item {i}: period {s['periods'][0]} steps, then {s['periods'][1]} from step {s['switch_step']}" for i, s in enumerate(m["shown"])
    )
    return f"""# sine-wave — an LSTM following a sine wave over {WAVE_STEPS} steps

An `LSTM({WAVE_UNITS}, return_sequences=True)` → `Dense(1)` reads a sine wave one value per step and predicts the
next value at every step. The wave's period changes once, at a random step, so the cell has to track phase and
frequency: step through it in Cellscope and watch the gates swing with each cycle, the cell state settle, and
what happens at the change.

Training (Keras 3.15.1, JAX, CPU, `keras.utils.set_random_seed(0)`): {WAVE_TRAIN} random waves of {WAVE_STEPS} steps with
periods from {{20, 30, 45, 60}} steps, MSE loss, Adam(0.01), {WAVE_EPOCHS} epochs: final loss {m["train_loss"]:.5f}. On the
two waves in `input.json` ({shown}) the test MSE is {m["test_mse"]:.5f}; predicting "same as the last value" scores
{m["persistence_baseline_mse"]:.5f}.

| file | size |
|---|---|
{sizes_table(sizes)}

- `model.keras`, `model.h5`, `model.cellscope.json` — the model as Keras saves it and as Keras export JSON.
- `input.json` — the two waves, shape `[2, {WAVE_STEPS}, 1]`.
- `recording.json` — what Keras computed on them: the predictions `[2, {WAVE_STEPS}, 1]` and the LSTM's hidden sequence.

Regenerate: `KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python examples/make_examples.py --only wave`.
"""


# ============================================================================================ char-rnn (seed 001)

# Seed 001's input.txt: "data has 45 characters, 25 unique" -- the line and its newline.
CHAR_TEXT = "Deep Learning Capacitacao LAVID - LSTM E RNN\n"
CHAR_EMBED = 8
CHAR_UNITS = 32
CHAR_EPOCHS = 150


def make_char(out):
    os.makedirs(out, exist_ok=True)
    chars = sorted(set(CHAR_TEXT))
    assert (len(CHAR_TEXT), len(chars)) == (45, 25), (len(CHAR_TEXT), len(chars))
    ids = np.array([chars.index(c) for c in CHAR_TEXT], dtype=np.int32)
    x = ids[None, :-1]  # the visible text, 44 tokens
    y = ids[None, 1:]  # the character after each one (the last is the newline)
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            L.Embedding(len(chars), CHAR_EMBED),
            L.LSTM(CHAR_UNITS, return_sequences=True),
            L.Dense(len(chars), activation="softmax"),
        ],
        name="char_rnn",
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01), metrics=["accuracy"])
    hist = model.fit(x, y, epochs=CHAR_EPOCHS, batch_size=1, verbose=0)
    probs = model.predict(x, verbose=0)
    predicted = "".join(chars[i] for i in probs[0].argmax(-1))
    correct = int(sum(a == b for a, b in zip(predicted, CHAR_TEXT[1:])))
    metrics = {
        "loss": float(hist.history["loss"][-1]),
        "accuracy": float(hist.history["accuracy"][-1]),
        "correct": correct,
        "total": len(predicted),
        "predicted": predicted,
    }
    model.save(os.path.join(out, "model.keras"))
    model.save(os.path.join(out, "model.h5"))
    ce.export(model, os.path.join(out, "model.cellscope.json"), vocabulary=chars)
    write_json(ce.tensor(x), os.path.join(out, "input.json"))
    write_json(chars, os.path.join(out, "vocabulary.json"))
    rec = ce.record(model, x, os.path.join(out, "recording.json"))
    seq = np.asarray(rec["layers"][0]["output"]["data"]).reshape(rec["layers"][0]["output"]["shape"])
    own = np.asarray(rec["layers"][0]["layer_output"]["data"]).reshape(rec["layers"][0]["layer_output"]["shape"])
    assert np.array_equal(seq, own)
    sizes = check_sizes_after_readme(out, lambda sizes: char_readme(metrics, chars, x, sizes))
    return metrics, sizes


def char_readme(m, chars, x, sizes):
    shown = "".join(chars).replace("\n", "\\n")
    predicted = m["predicted"].replace("\n", "\\n")
    return f"""# char-rnn — seed 001's character model, in Keras

Seed 001 (a Portuguese course notebook) reads a one-line `input.txt`, "{CHAR_TEXT.strip()}" ("data has 45
characters, 25 unique": the line and its newline), sketches a numpy RNN and LSTM forward pass over one-hot
characters, and ends with a Keras `Embedding` + `LSTM` model. This example is that idea, trained until it works:
a model that predicts the next character of the text.

- Vocabulary: the sorted set of the text's characters, {len(chars)} of them: `{shown}` (id = position;
  `"\\n"` is id 0). It is in `model.cellscope.json` under `"vocabulary"` and in `vocabulary.json`.
- Model: `Embedding({len(chars)}, {CHAR_EMBED})` → `LSTM({CHAR_UNITS}, return_sequences=True)` →
  `Dense({len(chars)}, softmax)`, input: token ids of any length.
- Training: input the text's first 44 ids, target the id of the character after each one; Adam(0.01),
  sparse categorical cross-entropy, {CHAR_EPOCHS} epochs, `keras.utils.set_random_seed(1)`.

Result (Keras 3.15.1, JAX, CPU): loss {m["loss"]:.4f}, accuracy {m["accuracy"]:.3f};
{m["correct"]} of {m["total"]} next characters predicted right. Argmax of each step:
`{predicted}` (target: `{CHAR_TEXT[1:].replace(chr(10), chr(92) + "n")}`).

| file | size |
|---|---|
{sizes_table(sizes)}

- `model.keras`, `model.h5` — the trained model (Keras 3 zip; legacy HDF5).
- `model.cellscope.json` — Keras export JSON with `"vocabulary"`.
- `input.json` — the text's ids, shape `[1, {x.shape[1]}]` (`int32` tokens).
- `recording.json` — Keras's output `[1, {x.shape[1]}, {len(chars)}]` (next-character probabilities) and the LSTM's
  hidden sequence `[1, {x.shape[1]}, {CHAR_UNITS}]`, final `h`, `c`.

Regenerate: `KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python examples/make_examples.py --only char`.
"""


# ============================================================================================ hand-built (seeds 000, 002, 003)

INF = math.inf


def weight(name, arr):
    a = np.asarray(arr, dtype=np.float64)
    return {"name": name, "shape": list(a.shape), "dtype": "float32", "data": a.ravel().tolist()}


def recurrent_config(units, activation, **kw):
    cfg = {"units": units, "activation": activation, "use_bias": True, "return_sequences": True, "go_backwards": False, "stateful": False}
    cfg.update(kw)
    return cfg


def fixture(fid, source, layers, x, expected):
    x = np.asarray(x, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    return {
        "format": "keras-model-fixture/v1",
        "id": fid,
        "source": source,
        "predict_calls": 1,
        "layers": layers,
        "input": {"shape": list(x.shape), "dtype": "float32", "data": x.ravel().tolist()},
        "expected_output": {"shape": list(expected.shape), "dtype": "float32", "data": expected.ravel().tolist()},
    }


def keras_from_fixture(fx):
    """The fixture as a real Keras 3 model with its weights set (the check that Keras means what the file says)."""
    layers = []
    for spec in fx["layers"]:
        cls = getattr(L, spec["class_name"])
        layers.append(cls(**spec["config"]))
    model = keras.Sequential([keras.Input(batch_shape=tuple(fx["input"]["shape"]))] + layers)
    for layer, spec in zip(model.layers, fx["layers"]):
        layer.set_weights([np.asarray(w["data"], dtype=np.float32).reshape(w["shape"]) for w in spec["weights"]])
    return model


def keras_predict(fx):
    model = keras_from_fixture(fx)
    x = np.asarray(fx["input"]["data"], dtype=np.float32).reshape(fx["input"]["shape"])
    return model.predict(x, verbose=0)


SEED_000 = {"seed": "000_4f8d09d9fe95fc4a", "document": "French course notebook: RecurenceNeurone, LSTM_Neurone, GRU_Neurone"}
SEED_002 = {"seed": "002_4272bf060f88e1fb", "document": "Polish notebook: hand-set LSTMs computing identity, count, sum and mean"}
SEED_003 = {"seed": "003_e61051facfc62559", "document": "French exercise: RecurrentNeuron h = tanh(wh*h + wx*x), y = wyh*h"}

SEQ_002 = [2, 5, -4, 0, 10]


def lstm_1unit(kernel_cfio, bias_cfio):
    """Seed 002's 1-unit LSTM weights in Keras layout: kernel [1, 4] and bias [4], gate order i, f, c, o."""
    return [
        weight("kernel", [kernel_cfio]),
        weight("recurrent_kernel", np.zeros((1, 4))),
        weight("bias", bias_cfio),
    ]


def hand_built_fixtures():
    out = {}
    # ---- seed 000: RecurenceNeurone(theta=1, w=1, h=0), relu, compute(1) printed 1, 2, then 3..17.
    out["relu-counter"] = (
        fixture(
            "examples/hand-built/relu-counter",
            {**SEED_000, "cell": "RecurenceNeurone: h = relu(theta*x + w*h), output relu(h)", "printed": "1, 2, 3, ..., 17"},
            [
                {
                    "class_name": "SimpleRNN",
                    "config": recurrent_config(1, "relu"),
                    "weights": [weight("kernel", [[1.0]]), weight("recurrent_kernel", [[1.0]]), weight("bias", [0.0])],
                }
            ],
            np.ones((1, 17, 1)),
            np.arange(1, 18, dtype=np.float64).reshape(1, 17, 1),
        ),
        "exact",
    )
    # ---- seed 002: LSTMs with ±inf biases (sigmoid gates become exactly 0 or 1) and identity activations.
    # Seed's constructor order: forget, input, candidate, output (weights over [x, h]); Keras's: i, f, c, o.
    lstm_cfg = recurrent_config(1, "linear", recurrent_activation="sigmoid")
    cases_002 = {
        # name: (kernel i,f,c,o ; bias i,f,c,o ; printed)
        "identity": ([0, 0, 1, 0], [INF, -INF, 0, INF], [2, 5, -4, 0, 10]),
        "count": ([0, 0, 0, 0], [INF, INF, 1, INF], [1, 2, 3, 4, 5]),
        "sum": ([0, 0, 1, 0], [INF, INF, 0, INF], [2, 7, 3, 3, 13]),
    }
    for name, (k, b, printed) in cases_002.items():
        out[f"seed002-{name}-lstm"] = (
            fixture(
                f"examples/hand-built/seed002-{name}-lstm",
                {**SEED_002, "cell": f"{name}_lstm", "printed": printed, "input": SEQ_002},
                [{"class_name": "LSTM", "config": lstm_cfg, "weights": lstm_1unit(k, b)}],
                np.asarray(SEQ_002, dtype=np.float64).reshape(1, 5, 1),
                np.asarray(printed, dtype=np.float64).reshape(1, 5, 1),
            ),
            "exact",
        )
    # mean_lstm: 2 units; unit 0 sums x, unit 1 counts. Keras kernel [1, 8] = i(2) f(2) c(2) o(2).
    sums = np.cumsum(SEQ_002)
    counts = np.arange(1, 6)
    out["mean-lstm"] = (
        fixture(
            "examples/hand-built/mean-lstm",
            {
                **SEED_002,
                "cell": "mean_lstm (expected output: the raw [sum, count] pairs; the seed printed their ratio)",
                "printed": [2.0, 3.5, 1.0, 0.75, 2.6],
                "input": SEQ_002,
            },
            [
                {
                    "class_name": "LSTM",
                    "config": {**lstm_cfg, "units": 2},
                    "weights": [
                        weight("kernel", [[0, 0, 0, 0, 1, 0, 0, 0]]),
                        weight("recurrent_kernel", np.zeros((2, 8))),
                        weight("bias", [INF, INF, INF, INF, 0, 1, INF, INF]),
                    ],
                }
            ],
            np.asarray(SEQ_002, dtype=np.float64).reshape(1, 5, 1),
            np.stack([sums, counts], -1).reshape(1, 5, 2).astype(np.float64),
        ),
        "exact",
    )
    # ---- seed 003: RecurrentNeuron with random weights (not printed): documented choice wx=0.8, wh=0.5, wyh=2.0,
    # predict(0.1) three times. Expected output computed by Keras below.
    out["tanh-neuron"] = (
        fixture(
            "examples/hand-built/tanh-neuron",
            {
                **SEED_003,
                "cell": "h = tanh(wh*h + wx*x), y = wyh*h; weights chosen here (the seed draws them at random and prints none): wx=0.8, wh=0.5, wyh=2.0",
                "printed": None,
            },
            [
                {
                    "class_name": "SimpleRNN",
                    "config": recurrent_config(1, "tanh", use_bias=False),
                    "weights": [weight("kernel", [[0.8]]), weight("recurrent_kernel", [[0.5]])],
                },
                {"class_name": "Dense", "config": {"units": 1, "activation": "linear", "use_bias": False}, "weights": [weight("kernel", [[2.0]])]},
            ],
            np.full((1, 3, 1), 0.1),
            np.zeros((1, 3, 1)),  # replaced by Keras's result
        ),
        "keras",
    )
    return out


def make_hand(out):
    os.makedirs(out, exist_ok=True)
    results = {}
    for name, (fx, kind) in hand_built_fixtures().items():
        got = keras_predict(fx)
        if kind == "exact":
            want = np.asarray(fx["expected_output"]["data"]).reshape(fx["expected_output"]["shape"])
            assert np.array_equal(got, want), f"{name}: Keras gives {got.ravel()}, the seed printed {want.ravel()}"
            if name == "mean-lstm":
                ratio = got[0, :, 0] / got[0, :, 1]
                assert np.allclose(ratio, [2.0, 3.5, 1.0, 0.75, 2.6], rtol=0, atol=1e-7), ratio
        else:
            fx["expected_output"]["data"] = np.asarray(got, dtype=np.float32).astype(np.float64).ravel().tolist()
            # Cross-check Keras against the seed's own formula in float64.
            h, ys = 0.0, []
            for _ in range(3):
                h = math.tanh(0.5 * h + 0.8 * 0.1)
                ys.append(2.0 * h)
            assert np.allclose(got.ravel(), ys, rtol=0, atol=1e-6), (got.ravel(), ys)
        fx["source"]["verified_with"] = f"Keras {keras.__version__} ({keras.backend.backend()}): predict() == expected_output" + (
            " == the seed's printed numbers" if kind == "exact" else " (computed by Keras; the seed printed none)"
        )
        write_text(os.path.join(out, f"{name}.json"), strict_json(fx) + "\n")
        results[name] = got.ravel().tolist()
    write_text(os.path.join(out, "README.md"), hand_readme(results))
    return results, check_sizes(out)


def hand_readme(results):
    y003 = ", ".join(f"{v:.7g}" for v in results["tanh-neuron"])
    return f"""# hand-built — the seeds' hand-written cells as Keras models

Seeds 000, 002 and 003 build recurrent cells by hand in numpy and print what they compute. Each file here is that
cell as a `keras-model-fixture/v1` model (see `test/fixtures/keras3-generated/README.md` for the schema): layers
with Keras configs and weights, an input, and the expected output. Open one in Cellscope to watch every gate.

`examples/make_examples.py` writes these files and checks each with real Keras {keras.__version__} (JAX backend):
it builds the Keras model from the file, sets the weights, runs `predict`, and asserts the result is **exactly** the
seed's printed numbers (where the seed printed any).

| file | seed | cell | input | expected output |
|---|---|---|---|---|
| `relu-counter.json` | 000 | `RecurenceNeurone`: `h = relu(θ·x + w·h)`, θ = w = 1 → `SimpleRNN(1, relu)`, kernel 1, recurrent 1, bias 0, `return_sequences` | 17 × `1` | 1, 2, …, 17 (printed by the seed) |
| `identity-lstm.json` | 002 | `identity_lstm` | 2, 5, −4, 0, 10 | 2, 5, −4, 0, 10 (printed) |
| `count-lstm.json` | 002 | `count_lstm` | 2, 5, −4, 0, 10 | 1, 2, 3, 4, 5 (printed) |
| `sum-lstm.json` | 002 | `sum_lstm` | 2, 5, −4, 0, 10 | 2, 7, 3, 3, 13 (printed) |
| `mean-lstm.json` | 002 | `mean_lstm` (2 units: sum, count) | 2, 5, −4, 0, 10 | [2, 1], [7, 2], [3, 3], [3, 4], [13, 5]; the seed printed the ratio 2, 3.5, 1, 0.75, 2.6 |
| `tanh-neuron.json` | 003 | `RecurrentNeuron`: `h = tanh(wh·h + wx·x)`, `y = wyh·h` → `SimpleRNN(1, tanh, use_bias=False)` + `Dense(1, use_bias=False)` | 0.1, 0.1, 0.1 | {y003} (computed by Keras) |

## How the seeds' cells map onto Keras

**Seed 002's LSTMs.** Its constructor takes weights in the order forget, input, candidate, output, each over
`[x, h]`; Keras's kernel columns are in the order **i, f, c, o**, with the `x` part in `kernel` and the `h` part in
`recurrent_kernel` (all zero here). Its gates use `sigmoid`; its `recurrent_activation` argument is applied to the
*candidate* and its `activation` to the state before the output gate (`h = activation(c)·o`). Keras names them the
other way round: Keras applies `recurrent_activation` to i, f, o and `activation` to the candidate c̃ and to c in
`h = o·activation(c)`. The faithful translation is therefore `recurrent_activation="sigmoid"` (the seed's gates)
and `activation="linear"` (the seed's `identity` for both candidate and output). The biases are `±inf`, which makes
`sigmoid` exactly 0 or 1 (Keras on JAX computes `sigmoid(±inf)` as exactly 1 and 0), so every output is an exact
integer. JSON has no infinity: the files write it as `1e999` / `-1e999`, strict JSON that every JSON reader turns
into ±inf (Cellscope also accepts Python's `Infinity` / `-Infinity` tokens in users' files).

**Seed 002's mean.** `mean_lstm` keeps the running sum in unit 0 and the count in unit 1 and the seed divides them
afterwards (`result[:, 0] / result[:, 1]`); an LSTM cannot divide, so the expected output is the raw pairs, and
the script checks their ratio is the printed 2, 3.5, 1, 0.75, 2.6.

**Seed 003's neuron** draws `wh`, `wx`, `wyh` with `random.uniform(0, 1)` and prints only the hidden state of
that random draw, so there are no numbers to reproduce. The file uses documented weights `wx = 0.8`,
`wh = 0.5`, `wyh = 2.0` and the seed's input (`predict(0.1)` three times, as one sequence with
`return_sequences=True`: the `Dense` readout applies at every step). The expected output is what Keras computed
(and the script checks it against the seed's formula in float64 to 1e-6).

## What Keras cannot represent exactly

Seed 000 also prints two other hand-made cells, `LSTM_Neurone` (0.8175744761936437, 0.7713736452486172, …) and
`GRU_Neurone` (0.8175744761936437, 0.5382595861413569, …). Neither maps onto a Keras layer, so they are not here:

- both return the **output gate** `o`, not the hidden state `h`;
- `LSTM_Neurone` uses `relu` for the input and forget gates but `sigmoid` for the output gate, while Keras applies
  one `recurrent_activation` to all three;
- `GRU_Neurone` keeps an LSTM-style cell `c` with `c = f·c + (1 − f)·c̃` and a separate output gate, which is neither
  Keras GRU formula (`reset_after` false or true).

Regenerate: `KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python examples/make_examples.py --only hand`.
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default="wave,sine,char,hand")
    a = p.parse_args(argv)
    which = a.only.split(",")
    summary = {}
    for key, fn, sub in (
        ("hand", make_hand, "hand-built"),
        ("wave", make_sine_wave, "sine-wave"),
        ("sine", make_sine, "sine-lstm"),
        ("char", make_char, "char-rnn"),
    ):
        if key not in which:
            continue
        t0 = time.time()
        keras.backend.clear_session()  # layer names (lstm, lstm_1, ...) must not depend on what ran before
        metrics, sizes = fn(os.path.join(HERE, sub))
        summary[sub] = {"seconds": round(time.time() - t0, 1), "metrics": metrics, "sizes": sizes}
        print(f"{sub}: {summary[sub]['seconds']} s, {metrics}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
