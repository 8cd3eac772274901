"""Writes the Keras 3 export files under test/formats/data/keras3/ that test/formats/keras3-exports.test.ts loads.

Each file is what a user gets from
    {"model": json.loads(model.to_json()), "weights": [w.tolist() for w in model.get_weights()], "keras_version": keras.__version__}
(one file keeps "model" as the to_json() string, which the format also accepts). lstm_dense also gets a
cellscope-recording/v1 file with the model's prediction and the LSTM's full hidden sequence.

Run with real Keras 3 (JAX backend, CPU):
    KERAS_BACKEND=jax JAX_PLATFORMS=cpu python test/formats/data/make_keras3_exports.py
"""
import json
import os

import numpy as np
import keras
from keras import layers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras3")
keras.utils.set_random_seed(7)


def rounded(a):
    # 6 decimals keeps the files small; the loader tests only look at shapes and configs.
    return np.round(np.asarray(a, dtype=np.float64), 6).tolist()


def export(name, model, model_as_string=False, extra=None):
    doc = {
        "model": model.to_json() if model_as_string else json.loads(model.to_json()),
        "weights": [rounded(w) for w in model.get_weights()],
        "keras_version": keras.__version__,
    }
    doc.update(extra or {})
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f)
    return model


def sequential_models():
    lstm = export("lstm_dense", keras.Sequential([
        keras.Input((6, 3)),
        layers.LSTM(4),
        layers.Dense(2, activation="softmax"),
    ]))
    export("gru_stack", keras.Sequential([
        keras.Input((5, 3)),
        layers.GRU(4, return_sequences=True),  # reset_after=True, the Keras 3 default
        layers.GRU(3, reset_after=False, go_backwards=True),
        layers.Dense(1),
    ]), model_as_string=True)
    export("bidi_simplernn_td", keras.Sequential([
        keras.Input((4, 2)),
        layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True), merge_mode="sum"),
        layers.TimeDistributed(layers.Dense(2)),
        layers.Flatten(),
        layers.Dense(1, activation="hard_sigmoid"),
    ]))
    export("embedding_lstm", keras.Sequential([
        keras.Input((7,), dtype="int32"),
        layers.Embedding(10, 4, mask_zero=True),
        layers.LSTM(3),
        layers.Dropout(0.5),
        layers.Dense(2),
    ]), extra={"vocabulary": ["<pad>", "a", "b", "c", "d", "e", "f", "g", "h", "i"]})
    export("conv1d_lstm", keras.Sequential([
        keras.Input((6, 2)),
        layers.Conv1D(2, 3),
        layers.LSTM(2),
    ]))
    return lstm


def functional_models():
    inp = keras.Input((5, 2))
    x = layers.Bidirectional(layers.LSTM(2, return_sequences=True))(inp)
    x = layers.SpatialDropout1D(0.1)(x)
    x = layers.GRU(3)(x)
    x = layers.Dense(2, activation="relu")(x)
    out = layers.Activation("softmax")(x)
    export("functional_chain", keras.Model(inp, out))

    inp = keras.Input((5, 2))
    a = layers.LSTM(2)(inp)
    b = layers.GRU(2)(inp)
    out = layers.Dense(1)(layers.Concatenate()([a, b]))
    export("functional_branch", keras.Model(inp, out))


def recording(model):
    x = np.round(np.random.RandomState(1).uniform(-1, 1, (2, 6, 3)), 6).astype("float32")
    lstm = model.layers[0]
    seq = keras.layers.LSTM(lstm.units, return_sequences=True, return_state=True)
    seq.build((None, 6, 3))
    seq.set_weights(lstm.get_weights())
    hidden, h, c = seq(x)
    doc = {
        "format": "cellscope-recording/v1",
        "keras_version": keras.__version__,
        "input": rounded(x),
        "output": rounded(model.predict(x, verbose=0)),
        "predict_calls": 1,
        "layers": [{"name": lstm.name, "class_name": "LSTM", "output": rounded(hidden), "states": [rounded(h), rounded(c)]}],
    }
    with open(os.path.join(OUT, "lstm_dense.recording.json"), "w") as f:
        json.dump(doc, f)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    recording(sequential_models())
    functional_models()
