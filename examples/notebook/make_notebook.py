"""Writes and executes examples/notebook/cellscope-show.ipynb: a small Keras LSTM shown with `cellscope.show()`.

    KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python examples/notebook/make_notebook.py [OUT.ipynb]

The executed notebook keeps its outputs, so VS Code (with Cellscope) draws the cell without a kernel.
"""

import os
import sys

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))

CELLS = [
    (
        "markdown",
        "# An LSTM in a notebook cell\n\n`cellscope.show(model, x)` runs the model on `x`, records what Keras computed, "
        "and displays it: with the Cellscope extension in VS Code the output below is the gate view "
        "(step with ← →, the comparison with Keras's recording); elsewhere it is a one-line summary.",
    ),
    (
        "code",
        "import numpy as np\n"
        "import keras\n"
        "import cellscope\n"
        "\n"
        "keras.utils.set_random_seed(1)\n"
        "model = keras.Sequential([keras.Input((None, 1)), keras.layers.LSTM(4, return_sequences=True), keras.layers.Dense(1)], name='wave_lstm')\n"
        "t = np.arange(60, dtype=np.float32)\n"
        "x = np.stack([np.sin(t / 5), np.cos(t / 3)])[:, :, None]  # two waves of 60 steps",
    ),
    ("code", "cellscope.show(model, x)"),
]


def main(out):
    # The kernel is a child process: it finds this repository's `cellscope` package (python/) through PYTHONPATH.
    repo_python = os.path.abspath(os.path.join(HERE, "..", "..", "python"))
    os.environ["PYTHONPATH"] = os.pathsep.join([repo_python, *filter(None, [os.environ.get("PYTHONPATH")])])
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "markdown" else nbformat.v4.new_code_cell(src) for kind, src in CELLS]
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(os.path.abspath(out))}}).execute()
    for cell in nb.cells:  # execution counts and timing metadata differ per run; the outputs are what matters
        cell.metadata.pop("execution", None)
    nbformat.write(nb, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "cellscope-show.ipynb"))
