#!/usr/bin/env python3
"""Export a Keras recurrent model, and record what Keras computes, for Cellscope.

One file, no dependency beyond Keras 3 and numpy. Use it as a module::

    import cellscope_export
    cellscope_export.export(model, "model.cellscope.json", vocabulary=chars)   # optional vocabulary
    cellscope_export.record(model, x, "recording.json")                       # predict_calls=2 for stateful

or as a command::

    python cellscope_export.py MODEL.keras --input X.npy --out-dir DIR
    python cellscope_export.py MODEL.h5 --input X.json --out-dir DIR [--predict-calls 2] [--vocabulary V.json]

which writes ``DIR/model.cellscope.json`` and, when an input is given, ``DIR/recording.json``.
Without installing anything, this two-liner writes the same model file (minus the version and vocabulary)::

    json.dump({"model": json.loads(model.to_json()), "weights": [w.tolist() for w in model.get_weights()]},
              open("model.cellscope.json", "w"))

Keras export JSON (``format: "keras-export/v1"``)
--------------------------------------------------
``{"format": "keras-export/v1", "keras_version": keras.__version__, "model": json.loads(model.to_json()),
"weights": [w.tolist() for w in model.get_weights()], "vocabulary"?: [str, ...]}``

- ``model`` is Keras's own architecture JSON, unchanged.
- ``weights`` is ``model.get_weights()`` in Keras's order, each array as nested lists, numbers exactly as
  the float32 values Keras holds (written as the float64 with the same value).
- NaN and infinite weights are written the way Python's ``json`` writes them: ``NaN``, ``Infinity``,
  ``-Infinity`` (not strict JSON; Cellscope's loader accepts them).
- ``vocabulary`` (optional): for models whose input is token ids (Embedding first), the string of each id.

Recording (``format: "cellscope-recording/v1"``)
------------------------------------------------
What real Keras computed for one input, to compare Cellscope's forward pass against::

    {"format": "cellscope-recording/v1", "keras_version": "3.15.1", "backend": "jax",
     "input":  {"shape": [batch, time(, features)], "dtype": "float32"|"int32", "data": [...]},
     "output": {"shape": [...], "dtype": "float32", "data": [...]},
     "outputs"?: [{...}, ...],                # only when the model has several outputs (return_state)
     "predict_calls": 1,
     "layers": [{"name": layer.name, "class_name": "LSTM", "index": i,
                 "output": {"shape": [batch, time, units], ...},   # the FULL hidden-state sequence
                 "layer_output": {...},                          # what the layer itself outputs in the model
                 "states": [{...}, ...]}, ...]}

- Tensors are ``{shape, dtype, data}`` with ``data`` flat in row-major (C) order. Float data are Keras's
  float32 results, each written as the shortest decimal that reads back as the same float32 (about 9
  significant digits: files stay small; the difference from the float32's exact value is below 3e-8 relative).
- ``output`` is ``model.predict(x)``; for a model with stateful layers it is ``model(x)`` called
  ``predict_calls`` times after resetting the states (Keras 3 on JAX does not carry RNN state between
  ``predict`` calls), and the last call's result is kept.
- ``layers`` has one entry per recurrent layer (SimpleRNN, LSTM, GRU, any ``keras.layers.RNN``, and
  ``Bidirectional``), ``index`` being its position in ``model.layers``. ``output`` is that layer's full
  hidden-state sequence ``[batch, time, units]``, computed by a sub-model that rebuilds the model up to that
  layer (same configs, same weights) with ``return_sequences=True`` on that layer: go_backwards layers give it
  in processing order, as Keras does; Bidirectional gives it merged (concat, sum, mul, ave) after reversing the
  backward sequence. ``layer_output`` is the layer's output as configured in the model (the last step when
  ``return_sequences`` is false). ``states`` are the layer's final states after the last call (``h``; ``h, c``
  for LSTM; forward then backward for Bidirectional).
- The sub-models are checked: rebuilding up to each layer unchanged must reproduce the model's own
  intermediate output, and the full sequence's last processed step must equal ``layer_output``.

Only models that are a chain (each layer feeding the next: Sequential, or a Functional model built as one)
get per-layer sequences; for other models ``layers`` is empty and a warning is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402

EXPORT_FORMAT = "keras-export/v1"
RECORDING_FORMAT = "cellscope-recording/v1"
RECURRENT_CLASSES = ("SimpleRNN", "LSTM", "GRU", "RNN", "Bidirectional")

__all__ = ["export", "record", "export_dict", "recording_dict", "load_input"]


# ---------------------------------------------------------------------------------------------- tensors


def _float32_list(a: np.ndarray) -> list:
    """Flat list of floats, each the shortest decimal that reads back as the same float32."""
    flat = np.asarray(a, dtype=np.float32).ravel()
    return [float(str(v)) for v in flat]  # str(np.float32) is the shortest round-trip form; nan/inf survive


def tensor(a, dtype: str | None = None) -> dict:
    a = np.asarray(a)
    if np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.bool_):
        return {"shape": list(a.shape), "dtype": dtype or "int32", "data": [int(v) for v in a.ravel()]}
    if a.dtype == np.float64 and dtype == "float64":
        return {"shape": list(a.shape), "dtype": "float64", "data": a.ravel().tolist()}
    return {"shape": list(a.shape), "dtype": "float32", "data": _float32_list(a)}


def _dump(obj: dict, path: str) -> None:
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        # allow_nan (the default) writes NaN / Infinity / -Infinity tokens, as the loader expects.
        json.dump(obj, f, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
        f.write("\n")


# ---------------------------------------------------------------------------------------------- export


def export_dict(model, vocabulary=None) -> dict:
    out = {
        "format": EXPORT_FORMAT,
        "keras_version": keras.__version__,
        "model": json.loads(model.to_json()),
        # A scalar weight (Attention's scale) as {"shape": [], "data": [x]}: a bare number is not an array.
        "weights": [np.asarray(w).tolist() if np.ndim(w) else {"shape": [], "data": [float(np.asarray(w))]} for w in model.get_weights()],
    }
    if vocabulary is not None:
        out["vocabulary"] = [str(v) for v in vocabulary]
    return out


def export(model, path: str, vocabulary=None) -> dict:
    """Write the Keras export JSON for `model` to `path` and return it."""
    obj = export_dict(model, vocabulary)
    _dump(obj, path)
    return obj


# ---------------------------------------------------------------------------------------------- recording


def _real_layers(model):
    return [l for l in model.layers if l.__class__.__name__ != "InputLayer"]


def _is_recurrent(layer) -> bool:
    return layer.__class__.__name__ in RECURRENT_CLASSES or isinstance(layer, keras.layers.RNN)


def _is_stateful(model) -> bool:
    def st(layer):
        if getattr(layer, "stateful", False):
            return True
        return any(st(sub) for sub in (getattr(layer, "forward_layer", None), getattr(layer, "backward_layer", None)) if sub is not None)

    return any(st(l) for l in model.layers)


def _reset_states(model) -> None:
    for layer in model.layers:
        if _is_recurrent(layer) and hasattr(layer, "reset_states"):
            try:
                layer.reset_states()
            except Exception:  # a non-stateful layer may refuse; nothing to reset then
                pass


def _set_sequences(cfg: dict, class_name: str, return_state: bool) -> dict:
    cfg = json.loads(json.dumps(cfg))  # deep copy
    if class_name == "Bidirectional":
        for key in ("layer", "backward_layer"):
            if cfg.get(key):
                cfg[key]["config"]["return_sequences"] = True
                cfg[key]["config"]["return_state"] = return_state
    else:
        cfg["return_sequences"] = True
        cfg["return_state"] = return_state
    return cfg


def _clone(layer, config=None):
    cfg = layer.get_config() if config is None else config
    return layer.__class__.from_config(cfg)


def _input_spec(model):
    inp = model.inputs[0]
    return tuple(inp.shape), inp.dtype


def _prefix_model(model, layers, k: int, target_config=None):
    """Sequential rebuild of layers[0..k] with the original weights; layer k may get a different config."""
    batch_shape, dtype = _input_spec(model)
    clones = [_clone(l) for l in layers[:k]] + [_clone(layers[k], target_config)]
    sub = keras.Sequential([keras.Input(batch_shape=batch_shape, dtype=dtype)] + clones)
    for original, clone in zip(layers[: k + 1], clones):
        clone.set_weights(original.get_weights())
    return sub


def _call(model, x, predict_calls: int, stateful: bool):
    """Keras's result for x: predict() once, or model(x) `predict_calls` times from reset states."""
    if not stateful and predict_calls == 1:
        y = model.predict(x, verbose=0)
    else:
        _reset_states(model)
        for _ in range(predict_calls):
            y = model(x, training=False)
    if isinstance(y, (list, tuple)):
        return [np.asarray(v) for v in y]
    return np.asarray(y)


def _last_processed_step(seq: np.ndarray, layer) -> np.ndarray:
    """The step of a full sequence that return_sequences=False returns (processing order: always the last)."""
    return seq[:, -1]


def _real_ends(half: np.ndarray):
    """Per row, the first and last time step whose output is not all zeros (padded steps of a Bidirectional are)."""
    real = np.any(half != 0, axis=-1)
    steps = half.shape[1]
    first = np.where(real.any(axis=1), real.argmax(axis=1), 0)
    last = np.where(real.any(axis=1), steps - 1 - real[:, ::-1].argmax(axis=1), steps - 1)
    return first, last


def _check_close(what: str, a, b, atol: float = 1e-6) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise AssertionError(f"{what}: shape {a.shape} != {b.shape}")
    both_nan = np.isnan(a) & np.isnan(b)
    diff = np.where(both_nan, 0.0, np.abs(a - b))
    worst = float(np.nanmax(diff)) if diff.size else 0.0
    if not worst <= atol:
        raise AssertionError(f"{what}: max |difference| {worst} > {atol}")
    return worst


def _is_chain(model, layers, x, predict_calls, stateful, expected) -> bool:
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return False
    if isinstance(model, keras.Sequential):
        return True
    try:
        full = _prefix_model(model, layers, len(layers) - 1)
        got = _call(full, x, predict_calls, stateful)
        _check_close("chain rebuild", got, expected)
        return True
    except Exception as e:  # not a chain (branches, several inputs, shared layers...)
        warnings.warn(f"cellscope_export: model is not a single chain of layers ({e}); no per-layer sequences")
        return False


def _as_input(x):
    x = np.asarray(x)
    return x.astype(np.float32) if x.dtype == np.float64 else x


def recording_dict(model, x, predict_calls: int = 1, check: bool = True) -> dict:
    # A multi-input model takes a list of arrays of different shapes: never one numpy array.
    several = isinstance(x, (list, tuple)) and len(model.inputs) > 1
    xs = [_as_input(v) for v in x] if several else [_as_input(x)]
    x = xs if several else xs[0]
    stateful = _is_stateful(model)
    y = _call(model, x, predict_calls, stateful)
    outputs = y if isinstance(y, list) else [y]
    rec = {
        "format": RECORDING_FORMAT,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "input": tensor(xs[0]),
        "output": tensor(outputs[0]),
        "predict_calls": int(predict_calls),
        "layers": [],
    }
    if len(outputs) > 1:
        rec["outputs"] = [tensor(o) for o in outputs]
    if several:
        rec["inputs"] = [tensor(v) for v in xs]
    layers = _real_layers(model)
    if not any(_is_recurrent(l) for l in layers):
        return rec
    if not _is_chain(model, layers, x, predict_calls, stateful, outputs[0]):
        return rec
    for k, layer in enumerate(layers):
        if not _is_recurrent(layer):
            continue
        cls = layer.__class__.__name__
        own = _call(_prefix_model(model, layers, k), x, predict_calls, stateful)
        own = own[0] if isinstance(own, list) else own
        seq_cfg = _set_sequences(layer.get_config(), cls, return_state=True)
        got = _call(_prefix_model(model, layers, k, seq_cfg), x, predict_calls, stateful)
        seq, states = got[0], got[1:]
        if check:
            cfg = layer.get_config()
            inner = cfg["layer"]["config"] if cls == "Bidirectional" else cfg
            if inner.get("return_sequences"):
                _check_close(f"layer {layer.name}: sequence vs layer output", seq, own)
            elif cls != "Bidirectional":
                _check_close(f"layer {layer.name}: last step vs layer output", _last_processed_step(seq, layer), own)
            elif cfg.get("merge_mode") == "concat":
                # Forward half ends at the last real time step; the reversed backward half ends at the first. Keras's
                # Bidirectional writes zeros at padded steps, so with a mask those ends are found per row.
                u = seq.shape[-1] // 2
                fwd, bwd = _real_ends(seq[:, :, :u]), _real_ends(seq[:, :, u:])
                rows = np.arange(seq.shape[0])
                _check_close(f"layer {layer.name}: forward last step", seq[rows, fwd[1], :u], own[:, :u])
                _check_close(f"layer {layer.name}: backward last step", seq[rows, bwd[0], u:], own[:, u:])
        rec["layers"].append(
            {
                "name": layer.name,
                "class_name": cls,
                "index": model.layers.index(layer),
                "output": tensor(seq),
                "layer_output": tensor(own),
                "states": [tensor(s) for s in states],
            }
        )
    if stateful:
        _reset_states(model)
        for _ in range(predict_calls):  # leave the caller's model in the state it would be in after recording
            model(x, training=False)
    return rec


def record(model, x, path: str, predict_calls: int = 1, check: bool = True) -> dict:
    """Run Keras on x (predict, or model(x) `predict_calls` times when stateful) and write the recording."""
    rec = recording_dict(model, x, predict_calls=predict_calls, check=check)
    _dump(rec, path)
    return rec


# ---------------------------------------------------------------------------------------------- CLI


def _wants_tokens(model) -> bool:
    layers = _real_layers(model)
    if layers and layers[0].__class__.__name__ == "Embedding":
        return True
    dtype = str(model.inputs[0].dtype) if model.inputs else "float32"
    return "int" in dtype


def load_input(path: str, model=None) -> np.ndarray:
    """An input array from .npy, or .json holding nested lists or {"shape", "data"} (as input.json files)."""
    if path.endswith(".npy"):
        x = np.load(path)
    else:
        with open(path, encoding="utf-8") as f:
            obj = json.load(f)
        if isinstance(obj, dict) and "input" in obj and "data" not in obj:
            obj = obj["input"]  # a recording or fixture file
        if isinstance(obj, dict):
            x = np.asarray(obj["data"]).reshape(obj["shape"])
        else:
            x = np.asarray(obj)
    if model is not None and _wants_tokens(model):
        return x.astype(np.int32)
    return x.astype(np.float32)


def _array(obj, dtype) -> np.ndarray:
    x = np.asarray(obj["data"]).reshape(obj["shape"]) if isinstance(obj, dict) else np.asarray(obj)
    return x.astype(np.int32 if "int" in str(dtype) else np.float32)


def load_inputs(path: str, model):
    """The input(s) of `model`: one array, or for a multi-input model a JSON array of N arrays in the model's input
    order or an object keyed by input name (each nested lists or {shape, data})."""
    if len(model.inputs) <= 1:
        return load_input(path, model)
    with open(path, encoding="utf-8") as f:
        obj = json.load(f)
    if isinstance(obj, dict) and "inputs" in obj:
        obj = obj["inputs"]  # a recording
    names = [t.name.split(":")[0] for t in model.inputs]
    if isinstance(obj, dict):
        missing = [n for n in names if n not in obj]
        if missing:
            raise SystemExit(f"--input: no array for input(s) {', '.join(missing)} (the model's inputs: {', '.join(names)})")
        obj = [obj[n] for n in names]
    if not isinstance(obj, list) or len(obj) != len(names):
        raise SystemExit(f"--input: the model takes {len(names)} inputs ({', '.join(names)}); give a JSON array of {len(names)} arrays or an object keyed by input name")
    return [_array(o, t.dtype) for o, t in zip(obj, model.inputs)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Export a Keras model (and a recording of Keras's outputs) for Cellscope.")
    p.add_argument("model", help="a .keras or legacy .h5 model file")
    p.add_argument("--input", help="input batch: .npy, or .json (nested lists or {shape, data}); several inputs: a JSON array of them in input order, or an object keyed by input name")
    p.add_argument("--out-dir", default=".", help="where to write model.cellscope.json and recording.json")
    p.add_argument("--predict-calls", type=int, default=1, help="run a stateful model this many times (default 1)")
    p.add_argument("--vocabulary", help="JSON list of the token strings, for Embedding models")
    a = p.parse_args(argv)
    model = keras.models.load_model(a.model, compile=False)
    vocabulary = None
    if a.vocabulary:
        with open(a.vocabulary, encoding="utf-8") as f:
            vocabulary = json.load(f)
    out_model = os.path.join(a.out_dir, "model.cellscope.json")
    export(model, out_model, vocabulary)
    print(f"wrote {out_model}")
    if a.input:
        out_rec = os.path.join(a.out_dir, "recording.json")
        record(model, load_inputs(a.input, model), out_rec, predict_calls=a.predict_calls)
        print(f"wrote {out_rec}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
