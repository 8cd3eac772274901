"""`cellscope.show(model, x)`: a notebook output that Cellscope's VS Code renderer draws (gates, heatmap, stepping,
the comparison with the framework), with a plain-text summary for every other front end.

The output is a MIME bundle: `application/vnd.cellscope+json` holds the model (Keras export JSON), the input and the
framework's recording of what it computed; `text/plain` says what the model is and how to see it. Jupyter stores the
bundle in the notebook, so the cell renders again when the notebook is opened without a kernel.
"""

from __future__ import annotations

import json
from typing import Any

from .frameworks import framework_of, keras_exporter

MIME_TYPE = "application/vnd.cellscope+json"
BUNDLE_FORMAT = "cellscope-notebook/v1"
#: Notebooks keep outputs inline: past this size the output says how to export instead (`cellscope.export`).
MAX_BUNDLE_BYTES = 5_000_000


def bundle(model: Any, x: Any, vocabulary=None, predict_calls: int = 1, name: str | None = None) -> dict:
    """The data of the notebook output: model, input and recording, each in the format Cellscope's files use."""
    kind = framework_of(model)
    if kind != "keras":
        raise NotImplementedError("cellscope.show: PyTorch modules are shown through cellscope.export(model, x, path) for now")
    ce = keras_exporter()
    rec = ce.recording_dict(model, x, predict_calls=predict_calls)
    return {
        "format": BUNDLE_FORMAT,
        "name": name or model.name,
        "framework": kind,
        "model": ce.export_dict(model, vocabulary),
        "input": rec["input"],
        "recording": rec,
    }


def _summary(b: dict) -> str:
    layers = [l.get("class_name", "?") for l in b["model"]["model"].get("config", {}).get("layers", []) if l.get("class_name") != "InputLayer"]
    shape = "×".join(str(d) for d in b["input"]["shape"])
    return (
        f"Cellscope: {b['name']} ({' → '.join(layers) or 'model'}), input {shape}. "
        "Open this notebook in VS Code with the Cellscope extension to step through every gate."
    )


class Shown:
    """What `show` returns; Jupyter calls `_repr_mimebundle_` to display it."""

    def __init__(self, data: dict | None, text: str):
        self.data = data
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None):
        out = {"text/plain": self.text}
        if self.data is not None:
            out[MIME_TYPE] = self.data
        return out

    def __repr__(self) -> str:
        return self.text


def show(model: Any, x: Any, vocabulary=None, predict_calls: int = 1, name: str | None = None, max_bytes: int = MAX_BUNDLE_BYTES) -> Shown:
    """Display `model` run on `x` in the notebook. Over `max_bytes` of data, the output says so and how to export."""
    b = bundle(model, x, vocabulary=vocabulary, predict_calls=predict_calls, name=name)
    size = len(json.dumps(b, allow_nan=True))
    if size > max_bytes:
        return Shown(
            None,
            f"Cellscope: {b['name']} with this input is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB a notebook "
            f"output may hold (max_bytes). Export it instead and open the folder in VS Code: "
            f"cellscope.export(model, x, 'cellscope-out/'), then `Open in Cellscope` on cellscope-out/model.cellscope.json "
            f"(or show fewer batch items / steps).",
        )
    return Shown(b, _summary(b))
