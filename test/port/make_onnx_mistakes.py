"""Conversion mistakes planted inside ONNX files, and a state dict with two recurrent modules, for the port checker.

Real PyTorch exports each module (torch.onnx.export); the onnx package then rewrites one thing in the graph, as a
hand-written converter would get it wrong. Each ONNX file is compared against the PyTorch state dict it came from:

    lstm_ok.onnx / gru_ok.onnx        torch.onnx.export as it is (must agree with lstm.pt / gru.pt)
    lstm_keras_order.onnx             W, R, B gate blocks written in Keras (= PyTorch) order i,f,c,o (ONNX reads i,o,f,c)
    lstm_bias_doubled.onnx            B = [b_ih + b_hh, b_ih + b_hh]: one summed bias copied into both halves
    gru_lbr0.onnx                     linear_before_reset 0 (PyTorch's GRU resets after the product: 1)
    gru_torch_order.onnx              W, R, B gate blocks in PyTorch order r,z,n (ONNX reads z,r,h)

encdec.pt holds a wrapper with two recurrent modules (encoder: nn.LSTM, decoder: nn.RNN with nonlinearity relu, fc)
for the panel's module picker and nonlinearity switch; encdec.decoder.expected.json is real PyTorch's decoder output
on encdec.decoder.input.json. manifest.json lists each file's cause.

    .venv/bin/python test/port/make_onnx_mistakes.py OUT_DIR
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

I, H, T, B = 3, 4, 6, 2


class OutputOnly(torch.nn.Module):
    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)[0]


def export(module, x, path):
    torch.onnx.export(OutputOnly(module).float().eval(), (x.float(),), path, dynamo=False, opset_version=17,
                      input_names=["input"], output_names=["output"])


def regate(w, n, order, axis):
    parts = np.split(w, n, axis=axis)
    return np.concatenate([parts[i] for i in order], axis=axis)


def rewrite(src, dst, op, change):
    """Loads src, hands the recurrent node and its W, R, B arrays to change(node, arrays), saves dst."""
    m = onnx.load(src)
    inits = {t.name: t for t in m.graph.initializer}
    node = next(n for n in m.graph.node if n.op_type == op)
    names = node.input[1:4]
    arrays = {k: numpy_helper.to_array(inits[n]).copy() for k, n in zip("WRB", names)}
    change(node, arrays)
    for k, n in zip("WRB", names):
        inits[n].CopyFrom(numpy_helper.from_array(arrays[k].astype(np.float32), n))
    onnx.checker.check_model(m)
    onnx.save(m, dst)


def onnx_blocks_to(order_from_onnx, n):
    """A change that re-stacks W, R and both halves of B: block k of the result is ONNX block order_from_onnx[k]."""
    def change(node, a):
        a["W"] = regate(a["W"], n, order_from_onnx, axis=1)
        a["R"] = regate(a["R"], n, order_from_onnx, axis=1)
        wb, rb = np.split(a["B"], 2, axis=1)
        a["B"] = np.concatenate([regate(wb, n, order_from_onnx, 1), regate(rb, n, order_from_onnx, 1)], axis=1)
    return change


def double_bias(node, a):
    wb, rb = np.split(a["B"], 2, axis=1)
    a["B"] = np.concatenate([wb + rb, wb + rb], axis=1)


def set_lbr0(node, a):
    for at in node.attribute:
        if at.name == "linear_before_reset":
            at.i = 0


class EncDec(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = torch.nn.LSTM(I, H, batch_first=True)
        self.decoder = torch.nn.RNN(H, 5, nonlinearity="relu", batch_first=True)
        self.fc = torch.nn.Linear(5, 2)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(11)
    x = torch.randn(B, T, I)
    with open(os.path.join(out, "input.json"), "w") as f:
        json.dump({"shape": list(x.shape), "data": x.reshape(-1).tolist()}, f)
    manifest = []
    for kind, cls in (("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)):
        module = cls(I, H, batch_first=True).eval()
        with torch.no_grad():  # biases well away from zero, so a doubled bias shows
            for n, p in module.named_parameters():
                if n.startswith("bias"):
                    p.add_(torch.randn_like(p) * 0.5)
        torch.save(module.state_dict(), os.path.join(out, f"{kind}.pt"))
        export(module, x, os.path.join(out, f"{kind}_ok.onnx"))
        manifest.append({"name": f"{kind}_ok", "against": f"{kind}.pt", "cause": None})
    ok = lambda k: os.path.join(out, f"{k}_ok.onnx")  # noqa: E731
    # ONNX LSTM blocks are i,o,f,c. Keras order i,f,c,o = ONNX blocks (0, 2, 3, 1); PyTorch i,f,g,o = the same.
    rewrite(ok("lstm"), os.path.join(out, "lstm_keras_order.onnx"), "LSTM", onnx_blocks_to((0, 2, 3, 1), 4))
    manifest.append({"name": "lstm_keras_order", "against": "lstm.pt", "cause": "lstm-gate-order"})
    rewrite(ok("lstm"), os.path.join(out, "lstm_bias_doubled.onnx"), "LSTM", double_bias)
    manifest.append({"name": "lstm_bias_doubled", "against": "lstm.pt", "cause": "bias-doubled"})
    # ONNX GRU blocks are z,r,h; PyTorch r,z,n = ONNX blocks (1, 0, 2).
    rewrite(ok("gru"), os.path.join(out, "gru_torch_order.onnx"), "GRU", onnx_blocks_to((1, 0, 2), 3))
    manifest.append({"name": "gru_torch_order", "against": "gru.pt", "cause": "gru-gate-order"})
    rewrite(ok("gru"), os.path.join(out, "gru_lbr0.onnx"), "GRU", set_lbr0)
    manifest.append({"name": "gru_lbr0", "against": "gru.pt", "cause": "gru-reset-after"})

    torch.manual_seed(12)
    net = EncDec().eval()
    torch.save(net.state_dict(), os.path.join(out, "encdec.pt"))
    xd = torch.randn(1, 10, H)
    with torch.no_grad():
        yd = net.decoder(xd)[0]
    for name, t in (("encdec.decoder.input.json", xd), ("encdec.decoder.expected.json", yd)):
        with open(os.path.join(out, name), "w") as f:
            json.dump({"shape": list(t.shape), "data": t.reshape(-1).tolist()}, f)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"torch": torch.__version__, "onnx": onnx.__version__, "files": manifest}, f, indent=1)
    print(f"{len(manifest)} ONNX files and encdec.pt in {out}")


if __name__ == "__main__":
    main(sys.argv[1])
