#!/usr/bin/env python3
"""Models holding layers only Python can run (a Lambda, a custom layer class), for the layer-replay route (issue 12 §4).

    python test/python/make_replay_cases.py OUT_DIR      # the committed copy: test/fixtures/replay

The custom layer class is test/python/replay_custom_layers.py (the exporter's --custom-objects file).
OUT_DIR/text_lambda/: Embedding(mask_zero) → LSTM(return_sequences) → Lambda → Scale (custom, with a weight) →
    Bidirectional(GRU) → Dense; rows ending in padding, so the LSTM's recorded mask matters.
OUT_DIR/encdec_custom/: an encoder–decoder: encoder input → Scale → LSTM(return_state); decoder input → Lambda (t² − 0.5) →
    LSTM(initial_state=[h, c]) → SimpleRNN; two inputs.
Each gets model.keras, input.json, and (from python/cellscope_export.py --unsafe-lambda) model.cellscope.json and
recording.json. Run with KERAS_BACKEND=jax JAX_PLATFORMS=cpu.
"""
import os
import runpy
import subprocess
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_export_cases import save  # noqa: E402
EXPORTER = os.path.join(HERE, "..", "..", "python", "cellscope_export.py")



def main(out):
    os.makedirs(out, exist_ok=True)
    custom = os.path.join(HERE, "replay_custom_layers.py")
    Scale = runpy.run_path(custom)["Scale"]
    keras.utils.set_random_seed(11)
    inp = keras.Input(shape=(7,), dtype="int32", name="tokens")
    e = L.Embedding(30, 6, mask_zero=True)(inp)
    h = L.LSTM(5, return_sequences=True)(e)
    lam = L.Lambda(lambda t: t * 2.0 + 0.1, name="double")(h)
    s = Scale(0.7, name="scale")(lam)
    b = L.Bidirectional(L.GRU(4))(s)
    m = keras.Model(inp, L.Dense(3)(b))
    x = [[5, 9, 2, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7], [8, 0, 0, 0, 0, 0, 0]]
    save(os.path.join(out, "text_lambda"), m, x)

    keras.utils.set_random_seed(12)
    enc_in = keras.Input(shape=(5, 3), name="encoder_in")
    dec_in = keras.Input(shape=(4, 2), name="decoder_in")
    _, hh, cc = L.LSTM(6, return_state=True, name="encoder")(Scale(1.3, name="scale")(enc_in))
    d = L.LSTM(6, return_sequences=True, name="decoder")(L.Lambda(lambda t: t * t - 0.5, name="square")(dec_in), initial_state=[hh, cc])
    y = L.SimpleRNN(3, go_backwards=True, name="post")(d)
    m2 = keras.Model([enc_in, dec_in], y)
    rng = np.random.default_rng(5)
    save(os.path.join(out, "encdec_custom"), m2, {"encoder_in": rng.uniform(-1, 1, (2, 5, 3)).tolist(), "decoder_in": rng.uniform(-2, 2, (2, 4, 2)).tolist()})

    for name in ("text_lambda", "encdec_custom"):
        d = os.path.join(out, name)
        cmd = [sys.executable, EXPORTER, os.path.join(d, "model.keras"), "--input", os.path.join(d, "input.json"), "--out-dir", d, "--unsafe-lambda", "--custom-objects", custom]
        r = subprocess.run(cmd, capture_output=True, text=True)
        sys.stderr.write(r.stderr)
        if r.returncode:
            sys.exit(f"exporter failed on {name}")


if __name__ == "__main__":
    main(sys.argv[1])
