#!/usr/bin/env python3
"""A two-input, two-output Keras 3 model with the exporter's recording, as a user opens it in the panel.

    python test/python/make_panel_multi_input.py OUT_DIR     # the committed copy: test/fixtures/panel-multi-input

keras.io lstm_seq2seq's encoder–decoder with a second head: encoder_inputs [batch, 6, 3] → LSTM "encoder"
(return_sequences, return_state) → its states start LSTM "decoder" on decoder_inputs [batch, 4, 2] → Dense
"next_step" per step; the encoder's sequence → GlobalAveragePooling1D → Dense softmax "category". The inputs differ in
length and features, so the panel must keep them apart. OUT_DIR gets model.keras, input.json (an object keyed by
input name) and, from python/cellscope_export.py, model.cellscope.json and recording.json (both inputs, both
outputs, each recurrent layer's recorded input, sequence and states). Run with KERAS_BACKEND=jax JAX_PLATFORMS=cpu.
"""
import json
import os
import subprocess
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
EXPORTER = os.path.join(HERE, "..", "..", "python", "cellscope_export.py")


def main(out):
    os.makedirs(out, exist_ok=True)
    keras.utils.set_random_seed(21)
    enc_in = keras.Input(shape=(6, 3), name="encoder_inputs")
    dec_in = keras.Input(shape=(4, 2), name="decoder_inputs")
    enc_seq, h, c = L.LSTM(5, return_sequences=True, return_state=True, name="encoder")(enc_in)
    y = L.LSTM(5, return_sequences=True, name="decoder")(dec_in, initial_state=[h, c])
    next_step = L.Dense(2, name="next_step")(y)
    category = L.Dense(3, activation="softmax", name="category")(L.GlobalAveragePooling1D(name="pool")(enc_seq))
    model = keras.Model([enc_in, dec_in], [next_step, category], name="seq2seq_two_heads")
    model.save(os.path.join(out, "model.keras"))
    rng = np.random.default_rng(21)
    inputs = {"encoder_inputs": rng.uniform(-1, 1, (3, 6, 3)).tolist(), "decoder_inputs": rng.uniform(-1, 1, (3, 4, 2)).tolist()}
    with open(os.path.join(out, "input.json"), "w") as f:
        json.dump(inputs, f)
    cmd = [sys.executable, EXPORTER, os.path.join(out, "model.keras"), "--input", os.path.join(out, "input.json"), "--out-dir", out]
    r = subprocess.run(cmd, capture_output=True, text=True)
    sys.stderr.write(r.stderr)
    if r.returncode:
        sys.exit("exporter failed")


if __name__ == "__main__":
    main(sys.argv[1])
