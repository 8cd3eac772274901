"""Builds the PyTorch round-trip cases of test/fixtures/torch/ with real PyTorch (torch + numpy + safetensors).

Each case: <name>.pt (torch.save(module.state_dict())), <name>.safetensors (same keys), <name>.input.json (the
recurrent module's input, batch first) and <name>.expected.json (its full output sequence, batch first), as
{"shape", "data"}. manifest.json lists them with the CLI options (module prefix, nonlinearity) and the dtype.

    .venv/bin/python test/torch/make_torch_cases.py OUT_DIR
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

torch.use_deterministic_algorithms(True)

I, H, P, T, B = 3, 5, 2, 6, 2


def arr(x):
    x = np.asarray(x, dtype=np.float64)
    return {"shape": list(x.shape), "data": x.reshape(-1).tolist()}


class Net(torch.nn.Module):
    """A whole model around a recurrent module: the CLI opens it with --module lstm."""

    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(11, I)
        self.lstm = torch.nn.LSTM(I, H, batch_first=True, num_layers=2)
        self.fc = torch.nn.Linear(H, 4)
        # Its state dict holds an int64 tensor (num_batches_tracked) beside the float ones.
        self.norm = torch.nn.BatchNorm1d(4)

    def forward(self, tokens):
        y, _ = self.lstm(self.emb(tokens))
        return self.norm(self.fc(y).transpose(1, 2)).transpose(1, 2)


class Evil:
    """An object whose unpickling calls fn(*args): what a malicious .pt file does."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


class CellOverSequence(torch.nn.Module):
    """An RNNCell / LSTMCell / GRUCell stepped over the sequence (the cell is the saved module)."""

    def __init__(self, cell):
        super().__init__()
        self.cell = cell

    def forward(self, x):  # x [batch, time, features]
        h = None
        outs = []
        for t in range(x.shape[1]):
            h = self.cell(x[:, t], h)
            outs.append(h[0] if isinstance(h, tuple) else h)
        return torch.stack(outs, 1)


def module_cases():
    """(name, make(), options): every nn.RNN / LSTM / GRU configuration the issue lists, and the cells."""
    cases = []
    for kind in ("RNN", "LSTM", "GRU"):
        cls = getattr(torch.nn, kind)
        extra = [dict()]
        if kind == "RNN":
            extra = [dict(nonlinearity="tanh"), dict(nonlinearity="relu")]
        for ex in extra:
            tag = kind.lower() + ("_" + ex["nonlinearity"] if ex else "")
            for layers in (1, 2, 3):
                for bi in (False, True):
                    name = f"{tag}_l{layers}{'_bi' if bi else ''}"
                    cases.append((name, lambda cls=cls, ex=ex, layers=layers, bi=bi: cls(I, H, num_layers=layers, bidirectional=bi, batch_first=True, **ex), ex))
            cases.append((f"{tag}_nobias", lambda cls=cls, ex=ex: cls(I, H, num_layers=2, bias=False, batch_first=True, **ex), ex))
            cases.append((f"{tag}_dropout", lambda cls=cls, ex=ex: cls(I, H, num_layers=2, dropout=0.5, batch_first=True, **ex), ex))
            cases.append((f"{tag}_timemajor", lambda cls=cls, ex=ex: cls(I, H, num_layers=2, bidirectional=True, batch_first=False, **ex), ex))
    for layers in (1, 2):
        for bi in (False, True):
            cases.append((f"lstm_proj_l{layers}{'_bi' if bi else ''}", lambda layers=layers, bi=bi: torch.nn.LSTM(I, H, num_layers=layers, bidirectional=bi, proj_size=P, batch_first=True), {}))
    cases.append(("lstm_proj_nobias", lambda: torch.nn.LSTM(I, H, proj_size=P, bias=False, batch_first=True), {}))
    for kind, ex in (("RNNCell", dict(nonlinearity="tanh")), ("RNNCell", dict(nonlinearity="relu")), ("LSTMCell", {}), ("GRUCell", {})):
        tag = kind.lower() + ("_" + ex["nonlinearity"] if ex else "")
        cases.append((tag, lambda kind=kind, ex=ex: CellOverSequence(getattr(torch.nn, kind)(I, H, **ex)), ex))
        cases.append((tag + "_nobias", lambda kind=kind, ex=ex: CellOverSequence(getattr(torch.nn, kind)(I, H, bias=False, **ex)), ex))
    return cases


def run_module(m, x):
    """The module's full output sequence, batch first; x is batch first."""
    with torch.no_grad():
        if isinstance(m, CellOverSequence):
            return m(x)
        if m.batch_first:
            return m(x)[0]
        return m(x.transpose(0, 1))[0].transpose(0, 1)


def save(out, name, module, state, x, y, options, dtype, manifest, strided=False):
    sd = {k: v.detach().clone() for k, v in state.items()}
    if strided:
        # Non-contiguous tensors and a storage offset: torch.save keeps both; the reader must honour them.
        for k in list(sd):
            v = sd[k]
            if v.dim() == 2:
                sd[k] = v.t().contiguous().t()
            else:
                sd[k] = torch.cat([torch.zeros(7, dtype=v.dtype), v])[7:]
    torch.save(sd, os.path.join(out, name + ".pt"))
    save_file({k: v.contiguous() for k, v in state.items()}, os.path.join(out, name + ".safetensors"))
    with open(os.path.join(out, name + ".input.json"), "w") as f:
        json.dump(arr(x.double().numpy()), f)
    with open(os.path.join(out, name + ".expected.json"), "w") as f:
        json.dump(arr(y.double().numpy()), f)
    manifest.append({"name": name, "dtype": dtype, **options})


def main(out):
    os.makedirs(out, exist_ok=True)
    manifest = []
    for dtype in ("float64", "float32"):
        tdtype = torch.float64 if dtype == "float64" else torch.float32
        for i, (name, make, ex) in enumerate(module_cases()):
            if dtype == "float32" and not any(name.startswith(p) for p in ("lstm_l2", "gru_l2_bi", "rnn_tanh_l1", "lstm_proj_l2_bi", "grucell", "lstmcell")):
                continue  # float32: a representative subset (the arithmetic is the same code path)
            torch.manual_seed(1000 + i)
            m = make().to(tdtype).eval()
            x = torch.randn(B, T, I, dtype=tdtype)
            y = run_module(m, x)
            state = m.cell.state_dict() if isinstance(m, CellOverSequence) else m.state_dict()
            opts = {"nonlinearity": ex["nonlinearity"]} if ex.get("nonlinearity") == "relu" else {}
            save(out, f"{name}_{dtype}", m, state, x, y, opts, dtype, manifest)
    # Reduced-precision storages: the weights are rounded to float16 / bfloat16 and saved so; the reference runs
    # the same rounded weights in float64.
    for j, (kind, dt, tag) in enumerate((("LSTM", torch.float16, "float16"), ("GRU", torch.bfloat16, "bfloat16"))):
        torch.manual_seed(2000 + j)
        m = getattr(torch.nn, kind)(I, H, num_layers=2, batch_first=True).eval()
        low = {k: v.to(dt) for k, v in m.state_dict().items()}
        m.load_state_dict({k: v.to(torch.float64) for k, v in low.items()})
        m = m.double()
        x = torch.randn(B, T, I, dtype=torch.float64)
        save(out, f"{kind.lower()}_{tag}", m, low, x, run_module(m, x), {}, tag, manifest)
    # Strided and offset tensors.
    torch.manual_seed(3000)
    m = torch.nn.LSTM(I, H, num_layers=2, bidirectional=True, batch_first=True).double().eval()
    x = torch.randn(B, T, I, dtype=torch.float64)
    save(out, "lstm_strided", m, m.state_dict(), x, run_module(m, x), {}, "float64", manifest, strided=True)
    # A whole model: emb, lstm, fc; the recorded input and output are the lstm module's (forward hook).
    torch.manual_seed(4000)
    net = Net().double().eval()
    seen = {}
    net.lstm.register_forward_hook(lambda mod, inp, outp: seen.update(x=inp[0], y=outp[0]))
    with torch.no_grad():
        net(torch.randint(0, 11, (B, T)))
    save(out, "net_lstm", net, net.state_dict(), seen["x"], seen["y"], {"module": "lstm"}, "float64", manifest)
    # Files Cellscope must refuse: a whole pickled module, and pickles whose globals would run code if unpickled by
    # Python (the command is a harmless `true`; Cellscope never executes anything and must name the global).
    torch.save(torch.nn.LSTM(I, H), os.path.join(out, "refuse_whole_module.pt"))
    torch.save({"w": Evil(os.system, ("true",))}, os.path.join(out, "refuse_os_system.pt"))
    torch.save({"w": Evil(eval, ("1+1",))}, os.path.join(out, "refuse_builtins_eval.pt"))
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": manifest}, f, indent=1)
    print(f"{len(manifest)} cases in {out}")


if __name__ == "__main__":
    main(sys.argv[1])
