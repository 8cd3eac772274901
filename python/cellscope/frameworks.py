"""Which framework a model comes from, and that framework's exporter. Each exporter is imported only when a model of
its framework is handed over, so `import cellscope` needs numpy alone."""

from __future__ import annotations

import os
from typing import Any


def framework_of(model: Any) -> str:
    """'keras' or 'torch', from the model's class (its module), without importing either framework."""
    for cls in type(model).__mro__:
        root = cls.__module__.split(".")[0]
        if root in ("keras", "tf_keras"):
            return "keras"
        if root == "torch":
            return "torch"
    raise TypeError(
        f"cellscope: {type(model).__module__}.{type(model).__qualname__} is not a Keras model or a PyTorch module; "
        "export the weights as Keras export JSON (see the README) and open that file instead"
    )


def keras_exporter():
    import cellscope_export  # the one-file Keras exporter shipped beside this package

    return cellscope_export


def _torch_exporter():
    try:
        import cellscope_torch_export  # the one-file PyTorch exporter, when installed beside this package
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise NotImplementedError(
            "cellscope: PyTorch models need python/cellscope_torch_export.py from the Cellscope repository"
        ) from e
    return cellscope_torch_export


def export(model: Any, x: Any, path: str, vocabulary=None, predict_calls: int = 1) -> dict:
    """Write what Cellscope opens into the folder `path`: the model, the input `x`, and the framework's recording
    of what it computed on `x` (output and every recurrent layer's hidden sequence). Returns the written file paths."""
    os.makedirs(path, exist_ok=True)
    kind = framework_of(model)
    if kind == "torch":
        import torch

        return _torch_exporter().export(model, x if torch.is_tensor(x) else torch.as_tensor(x), path)
    ce = keras_exporter()
    files = {
        "model": os.path.join(path, "model.cellscope.json"),
        "input": os.path.join(path, "input.json"),
        "recording": os.path.join(path, "recording.json"),
    }
    ce.export(model, files["model"], vocabulary=vocabulary)
    rec = ce.record(model, x, files["recording"], predict_calls=predict_calls)
    ce._dump(rec["input"], files["input"])
    return files
