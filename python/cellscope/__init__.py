"""Cellscope from Python: export a recurrent model with what its framework computed, or show it in a notebook cell.

    import cellscope
    cellscope.export(model, x, "out/")      # out/model.cellscope.json, out/input.json, out/recording.json
    cellscope.show(model, x)                # in Jupyter / VS Code notebooks: the gates, step by step

`model` is a Keras 3 model (PyTorch modules: see `cellscope.frameworks`). `x` is the input batch as numpy can read it:
[batch, time, features], or token ids [batch, time] for a model that starts with an Embedding.
"""

from .notebook import MIME_TYPE, MAX_BUNDLE_BYTES, Shown, bundle, show
from .frameworks import export

__all__ = ["export", "show", "bundle", "Shown", "MIME_TYPE", "MAX_BUNDLE_BYTES"]
__version__ = "0.1.0"
