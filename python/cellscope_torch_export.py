"""Export a PyTorch model for Cellscope (needs torch and numpy only).

    from cellscope_torch_export import export
    export(model, example_input, "out_dir")          # or: python cellscope_torch_export.py --demo out_dir

writes into out_dir:
  model.pt                 torch.save(model.state_dict()): Cellscope opens every nn.RNN / LSTM / GRU / *Cell in it
                           (`cellscope run out_dir/model.pt --module lstm --input out_dir/lstm.input.json`)
  <module>.input.json      what each recurrent module received, batch first [batch, time, features]
  <module>.expected.json   its full output sequence, batch first [batch, time, directions·H_out] (forward hooks);
                           cells (nn.LSTMCell …) called once per step are stacked over the calls
  model.onnx               the whole model, torch.onnx.export(..., dynamo=False), for `cellscope run model.onnx`
  input.json, output.json  the whole model's input and output
  manifest.json            the modules and the commands that check them

Arrays are JSON {"shape": [...], "data": [...]} (flat, row-major), what `cellscope --input/--expected` read.
"""
import argparse
import json
import os

import numpy as np
import torch

RECURRENT = (torch.nn.RNN, torch.nn.LSTM, torch.nn.GRU)
CELLS = (torch.nn.RNNCell, torch.nn.LSTMCell, torch.nn.GRUCell)


def _array(t):
    a = np.asarray(t.detach().cpu().double().numpy() if torch.is_tensor(t) else t, dtype=np.float64)
    return {"shape": list(a.shape), "data": a.reshape(-1).tolist()}


def _write(path, value):
    with open(path, "w") as f:
        json.dump(value, f)


def _record(model):
    """Forward hooks on every recurrent module and cell: their inputs and outputs, batch first."""
    seen = {}
    handles = []
    for name, mod in model.named_modules():
        if isinstance(mod, RECURRENT):
            def hook(m, inp, out, name=name):
                x, y = inp[0], out[0]
                if isinstance(x, torch.nn.utils.rnn.PackedSequence):
                    raise ValueError(f"module {name}: packed sequences are not exported; call it on a padded tensor")
                if x.dim() == 2:  # unbatched input: [time, features]
                    x, y = x.unsqueeze(0), y.unsqueeze(0)
                elif not m.batch_first:
                    x, y = x.transpose(0, 1), y.transpose(0, 1)
                seen[name] = {"x": x, "y": y, "cell": False}
            handles.append(mod.register_forward_hook(hook))
        elif isinstance(mod, CELLS):
            def cell_hook(m, inp, out, name=name):
                h = out[0] if isinstance(out, tuple) else out
                rec = seen.setdefault(name, {"xs": [], "ys": [], "cell": True})
                rec["xs"].append(inp[0])
                rec["ys"].append(h)
            handles.append(mod.register_forward_hook(cell_hook))
    return seen, handles


def export(model, example_input, out_dir, onnx=True, opset=17):
    """Writes the files listed in the module docstring; returns the manifest."""
    os.makedirs(out_dir, exist_ok=True)
    model.eval()
    torch.save(model.state_dict(), os.path.join(out_dir, "model.pt"))
    seen, handles = _record(model)
    try:
        with torch.no_grad():
            output = model(example_input)
    finally:
        for h in handles:
            h.remove()
    modules = []
    for name, rec in seen.items():
        if rec["cell"]:
            x, y = torch.stack(rec["xs"], 1), torch.stack(rec["ys"], 1)
        else:
            x, y = rec["x"], rec["y"]
        stem = name or "module"
        _write(os.path.join(out_dir, f"{stem}.input.json"), _array(x))
        _write(os.path.join(out_dir, f"{stem}.expected.json"), _array(y))
        module_flag = f" --module {name}" if name else ""
        modules.append({
            "module": name,
            "input": f"{stem}.input.json",
            "expected": f"{stem}.expected.json",
            "check": f"cellscope compare model.pt{module_flag} --input {stem}.input.json --expected {stem}.expected.json --atol 1e-5",
        })
    _write(os.path.join(out_dir, "input.json"), _array(example_input))
    first = output[0] if isinstance(output, tuple) else output
    _write(os.path.join(out_dir, "output.json"), _array(first))
    manifest = {"format": "cellscope-torch-export/v1", "torch": torch.__version__, "modules": modules}
    if onnx:
        torch.onnx.export(model, (example_input,), os.path.join(out_dir, "model.onnx"), dynamo=False, opset_version=opset,
                          input_names=["input"], output_names=["output"])
        manifest["onnx"] = {"file": "model.onnx", "check": "cellscope compare model.onnx --input input.json --expected output.json --atol 1e-5"}
    _write(os.path.join(out_dir, "manifest.json"), manifest)
    return manifest


class _Demo(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(20, 8)
        self.lstm = torch.nn.LSTM(8, 16, batch_first=True, num_layers=2, bidirectional=True)
        self.fc = torch.nn.Linear(32, 3)

    def forward(self, tokens):
        y, _ = self.lstm(self.emb(tokens))
        return self.fc(y)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--demo", metavar="OUT_DIR", help="export a small demo model (Embedding, bidirectional LSTM, Linear)")
    args = p.parse_args()
    if not args.demo:
        p.print_help()
    else:
        torch.manual_seed(0)
        m = export(_Demo(), torch.randint(0, 20, (2, 7)), args.demo)
        for mod in m["modules"]:
            print(mod["check"])
