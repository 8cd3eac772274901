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

Layer replay (for models Cellscope cannot run whole)
----------------------------------------------------
Every entry of ``layers`` also holds what the layer read in the model, so Cellscope can run the layer alone::

    "input": {...},                 # [batch, time, features]: the tensor Keras fed the layer (its first call)
    "mask"?: {...},                 # [batch, time] int32 1/0: the mask it received, when one reached it
    "initial_state"?: [{...}, ...], # the initial_state= tensors it was called with
    "config": {module, class_name, config, registered_name},  # keras.saving.serialize_keras_object(layer)
    "weights": [[...], ...]         # layer.get_weights()

For models that are not a chain (branches, several inputs, nested models) or that hold layers only Python runs
(``Lambda``, layer classes defined outside Keras), each recurrent layer is recorded this way: its input, mask and
initial states from a sub-model of the real model (``keras.Model(model.inputs, [input, mask, *states])``), its
``output`` / ``states`` from a clone with ``return_sequences`` and ``return_state`` called on that input, checked
against the layer's own output in the model. With Python layers the recording says ``"replay": true`` and a
warning names each such layer. ``cellscope compare MODEL --recording recording.json`` then replays each layer
("layer replay: inputs as recorded by Keras").

Command-line options for such models: ``--unsafe-lambda`` loads a Lambda's Python code (Keras
``safe_mode=False``: only for files you trust); ``--custom-objects FILE.py`` runs a file that defines and
registers your layer classes before loading.
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
    if isinstance(y, (list, tuple, dict)):
        # Dict outputs (named heads) in Keras's flattening order, sorted keys: the order Cellscope reads the config in.
        return [np.asarray(v) for v in keras.tree.flatten(y)]
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
    except Exception:  # not a chain (branches, several inputs, shared layers...): each layer is recorded on its own
        return False


def _as_input(x):
    x = np.asarray(x)
    return x.astype(np.float32) if x.dtype == np.float64 else x


# ---------------------------------------------------------------------------------------------- layer replay


def python_code_layers(model) -> list:
    """The layers only Python can run: Lambda (its function is bytecode) and layer classes defined outside Keras.
    Cellscope refuses to run such a model whole; it replays each recurrent layer on the input recorded here."""
    found = []

    def visit(layer, inside):
        subs = getattr(layer, "layers", None)
        if isinstance(subs, list) and layer is not model and isinstance(layer, keras.Model):
            for s in subs:
                visit(s, layer.name)
            return
        module = type(layer).__module__
        if type(layer).__name__ == "Lambda" or not module.startswith("keras."):
            found.append((layer.name, type(layer).__name__, inside))

    for layer in model.layers:
        visit(layer, None)
    return found


def _node_tensors(layer):
    """The symbolic tensors of the layer's first call: its input sequence, the mask it received, initial_state."""
    node = layer._inbound_nodes[0]
    args, kwargs = node.arguments.args, node.arguments.kwargs
    x = args[0]
    if isinstance(x, (list, tuple)):  # Keras passes [sequence, *initial_state] positionally in some spellings
        x, rest = x[0], list(x[1:])
    else:
        rest = list(args[1:])
    mask = kwargs.get("mask")
    if isinstance(mask, (list, tuple)):
        mask = mask[0] if mask else None
    states = kwargs.get("initial_state") or rest
    return x, mask, [s for s in states if s is not None]


def _replay_inputs(model, layer, x, predict_calls: int, stateful: bool):
    """What Keras fed the layer in the model: input sequence, mask (or None) and initial states, as arrays."""
    seq, mask, states = _node_tensors(layer)
    outs = [seq] + ([mask] if mask is not None else []) + states
    sub = keras.Model(model.inputs, outs)
    got = _call(sub, x, predict_calls, stateful)
    got = got if isinstance(got, list) else [got]
    return got[0], (got[1] if mask is not None else None), got[(2 if mask is not None else 1):]


def _run_clone(layer, config, seq, mask, states):
    clone = _clone(layer, config)
    kwargs = {}
    if mask is not None:
        kwargs["mask"] = mask.astype(bool)
    if states:
        kwargs["initial_state"] = list(states)
    y = clone(seq, training=False, **kwargs)
    clone.set_weights(layer.get_weights())
    y = clone(seq, training=False, **kwargs)
    return [np.asarray(v) for v in y] if isinstance(y, (list, tuple)) else [np.asarray(y)]


def _replay_entry(model, layer, x, predict_calls: int, stateful: bool, check: bool) -> dict:
    """The layer on its own: its recorded input, mask and initial states, its config and weights, and what it
    outputs there (full sequence and final states, from a clone with return_sequences/return_state)."""
    seq_in, mask, states = _replay_inputs(model, layer, x, predict_calls, stateful)
    cls = layer.__class__.__name__
    entry = {
        "input": tensor(seq_in),
        "config": json.loads(json.dumps(keras.saving.serialize_keras_object(layer))),
        "weights": [np.asarray(w).tolist() for w in layer.get_weights()],
    }
    if mask is not None:
        entry["mask"] = tensor(np.asarray(mask).astype(np.int32))
    if states:
        entry["initial_state"] = [tensor(s) for s in states]
    if stateful:
        return entry  # a stateful layer's clone would start from zeros: the sequences come from the chain route
    own = _run_clone(layer, None, seq_in, mask, states)
    got = _run_clone(layer, _set_sequences(layer.get_config(), cls, return_state=True), seq_in, mask, states)
    if check:
        in_model = keras.Model(model.inputs, layer._inbound_nodes[0].outputs[0])
        _check_close(f"layer {layer.name}: replayed alone vs in the model", own[0], _call(in_model, x, predict_calls, stateful))
    entry.update({"name": layer.name, "class_name": cls, "output": tensor(got[0]), "layer_output": tensor(own[0]), "states": [tensor(s) for s in got[1:]]})
    return entry


def _recurrent_calls(model):
    """Recurrent layers anywhere in the model (nested models included), in call order."""
    out = []

    def visit(m):
        for layer in m.layers:
            if isinstance(layer, keras.Model) and not isinstance(layer, keras.layers.RNN):
                visit(layer)
            elif _is_recurrent(layer):
                out.append(layer)

    visit(model)
    return out


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
    if not any(_is_recurrent(l) for l in layers) and not _recurrent_calls(model):
        return rec
    python_code = python_code_layers(model)
    if python_code or not _is_chain(model, layers, x, predict_calls, stateful, outputs[0], ):
        # Branches, several inputs, or layers only Python runs: each recurrent layer recorded on its own.
        if stateful and predict_calls > 1:
            warnings.warn("cellscope_export: a stateful model that is not a chain: no per-layer sequences")
            return rec
        for layer in _recurrent_calls(model):
            entry = _replay_entry(model, layer, x, predict_calls, stateful, check)
            entry["index"] = model.layers.index(layer) if layer in model.layers else -1
            rec["layers"].append(entry)
        if python_code:
            rec["replay"] = True
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
        entry = _replay_entry(model, layer, x, predict_calls, stateful, check=False)
        entry.update(
            {
                "name": layer.name,
                "class_name": cls,
                "index": model.layers.index(layer),
                "output": tensor(seq),
                "layer_output": tensor(own),
                "states": [tensor(s) for s in states],
            }
        )
        rec["layers"].append(entry)
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
    p.add_argument("--unsafe-lambda", action="store_true", help="load Lambda layers' Python code (Keras safe_mode=False): only for a file you trust")
    p.add_argument("--custom-objects", metavar="FILE.py", help="a Python file defining (and registering) the model's custom layer classes, run before loading")
    a = p.parse_args(argv)
    if a.custom_objects:
        import runpy

        runpy.run_path(a.custom_objects)  # @keras.saving.register_keras_serializable registers the classes
    try:
        model = keras.models.load_model(a.model, compile=False, safe_mode=not a.unsafe_lambda)
    except ValueError as e:
        if "safe_mode" not in str(e):
            raise
        print(f"{a.model}: the model holds a Lambda layer, whose Python code Keras will not load by default. If you trust this file, run again with --unsafe-lambda (Keras safe_mode=False).", file=sys.stderr)
        return 2
    for name, cls, inside in python_code_layers(model):
        where = f" inside {inside}" if inside else ""
        print(
            f"warning: Cellscope cannot run {cls} layer \"{name}\"{where} (Python code); it will replay each recurrent layer on the input "
            "recorded here: cellscope compare MODEL --recording recording.json",
            file=sys.stderr,
        )
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
