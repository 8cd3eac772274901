"""Keras <-> PyTorch porting pairs for the port checker, built by real PyTorch and real Keras 3.

Each pair: <name>.pt (a PyTorch module's state dict), <name>.keras.json (a Keras export JSON written by
python/cellscope_export.py) and one shared input.json. The Keras weights are mapped from PyTorch's correctly, or with
one planted conversion mistake; manifest.json says which (`cause`: the id of the diagnosis that must name it).

    KERAS_BACKEND=jax .venv/bin/python test/port/make_port_pairs.py OUT_DIR
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import keras  # noqa: E402
import cellscope_export  # noqa: E402

I, H, T, B = 3, 4, 6, 2


def np_sd(m):
    return {k: v.detach().double().numpy().copy() for k, v in m.state_dict().items()}  # copies: numpy() shares memory


def blocks(w, order, n, axis=0):
    """w's n gate blocks along axis, re-stacked in `order` (a list of block indices)."""
    parts = np.split(w, n, axis=axis)
    return np.concatenate([parts[i] for i in order], axis=axis)


def keras_model(layer):
    return keras.Sequential([keras.Input((None, I)), layer])


def lstm_weights(sd, sfx="_l0", order=(0, 1, 2, 3), kernel=lambda w: w.T, bias=lambda bi, bh: bi + bh, rkernel=None):
    rk = rkernel or kernel
    return [kernel(blocks(sd["weight_ih" + sfx], order, 4)), rk(blocks(sd["weight_hh" + sfx], order, 4)),
            bias(blocks(sd["bias_ih" + sfx], order, 4), blocks(sd["bias_hh" + sfx], order, 4))]


def gru_weights(sd, order=(1, 0, 2), bias=lambda bi, bh: np.stack([bi, bh])):
    return [blocks(sd["weight_ih_l0"], order, 3).T, blocks(sd["weight_hh_l0"], order, 3).T,
            bias(blocks(sd["bias_ih_l0"], order, 3), blocks(sd["bias_hh_l0"], order, 3))]


def pairs():
    """(name, torch module, keras layer factory, keras weights from sd, cause or None, torch sd override)."""
    out = []
    # Correct conversions: the models must agree.
    out.append(("lstm_ok", torch.nn.LSTM(I, H, batch_first=True), lambda: keras.layers.LSTM(H, return_sequences=True), lambda sd: lstm_weights(sd), None))
    out.append(("gru_ok", torch.nn.GRU(I, H, batch_first=True), lambda: keras.layers.GRU(H, return_sequences=True, reset_after=True), lambda sd: gru_weights(sd), None))
    out.append(("rnn_ok", torch.nn.RNN(I, H, batch_first=True), lambda: keras.layers.SimpleRNN(H, return_sequences=True),
                lambda sd: [sd["weight_ih_l0"].T, sd["weight_hh_l0"].T, sd["bias_ih_l0"] + sd["bias_hh_l0"]], None))
    out.append(("lstm_bi_ok", torch.nn.LSTM(I, H, batch_first=True, bidirectional=True),
                lambda: keras.layers.Bidirectional(keras.layers.LSTM(H, return_sequences=True)),
                lambda sd: lstm_weights(sd) + lstm_weights(sd, "_l0_reverse"), None))
    # Planted mistakes.
    out.append(("lstm_onnx_order", torch.nn.LSTM(I, H, batch_first=True), lambda: keras.layers.LSTM(H, return_sequences=True),
                lambda sd: lstm_weights(sd, order=(0, 3, 1, 2)), "lstm-gate-order"))
    out.append(("gru_torch_order", torch.nn.GRU(I, H, batch_first=True), lambda: keras.layers.GRU(H, return_sequences=True, reset_after=True),
                lambda sd: gru_weights(sd, order=(0, 1, 2)), "gru-gate-order"))
    out.append(("lstm_kernel_reshaped", torch.nn.LSTM(I, H, batch_first=True), lambda: keras.layers.LSTM(H, return_sequences=True),
                lambda sd: lstm_weights(sd, kernel=lambda w: w.reshape(w.shape[1], w.shape[0]), rkernel=lambda w: w.T), "kernel-reshaped"))
    out.append(("lstm_recurrent_reshaped", torch.nn.LSTM(I, H, batch_first=True), lambda: keras.layers.LSTM(H, return_sequences=True),
                lambda sd: lstm_weights(sd, rkernel=lambda w: w.reshape(w.shape[1], w.shape[0])), "recurrentKernel-reshaped"))
    out.append(("lstm_bias_dropped", torch.nn.LSTM(I, H, batch_first=True), lambda: keras.layers.LSTM(H, return_sequences=True),
                lambda sd: lstm_weights(sd, bias=lambda bi, bh: np.zeros_like(bi)), "bias-zero"))
    out.append(("gru_bias_not_split", torch.nn.GRU(I, H, batch_first=True), lambda: keras.layers.GRU(H, return_sequences=True, reset_after=True),
                lambda sd: gru_weights(sd, bias=lambda bi, bh: np.stack([bi + bh, np.zeros_like(bh)])), "gru-bias-not-split"))
    out.append(("gru_reset_before", torch.nn.GRU(I, H, batch_first=True), lambda: keras.layers.GRU(H, return_sequences=True, reset_after=False),
                lambda sd: [w if i < 2 else w[0] + w[1] for i, w in enumerate(gru_weights(sd))], "gru-reset-after"))
    out.append(("lstm_hard_sigmoid", torch.nn.LSTM(I, H, batch_first=True), lambda: keras.layers.LSTM(H, return_sequences=True, recurrent_activation="hard_sigmoid"),
                lambda sd: lstm_weights(sd), "recurrent-activation"))
    out.append(("lstm_go_backwards", torch.nn.LSTM(I, H, batch_first=True), lambda: keras.layers.LSTM(H, return_sequences=True, go_backwards=True),
                lambda sd: lstm_weights(sd), "go-backwards"))
    # The mistake on the PyTorch side: Keras's one bias copied into both bias_ih and bias_hh (PyTorch adds them).
    out.append(("lstm_bias_doubled", torch.nn.LSTM(I, H, batch_first=True), lambda: keras.layers.LSTM(H, return_sequences=True),
                lambda sd: lstm_weights(sd), "bias-doubled", DOUBLE_BIAS))
    # A projected LSTM (proj_size 2) ported to a Keras LSTM, which has no projection: the W_hr step is missing.
    out.append(("lstm_projection_missing", torch.nn.LSTM(I, H, batch_first=True, proj_size=2), lambda: keras.layers.LSTM(2, return_sequences=True),
                lambda sd: [sd["weight_ih_l0"][[*range(0, 2), *range(4, 6), *range(8, 10), *range(12, 14)]].T, sd["weight_hh_l0"][[*range(0, 2), *range(4, 6), *range(8, 10), *range(12, 14)]].T,
                            (sd["bias_ih_l0"] + sd["bias_hh_l0"])[[*range(0, 2), *range(4, 6), *range(8, 10), *range(12, 14)]]], "missing-projection"))
    return out


class _OutputOnly(torch.nn.Module):
    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)[0]


def export_onnx(module, x, path):
    torch.onnx.export(_OutputOnly(module).float().eval(), (x.float(),), path, dynamo=False, opset_version=17,
                      input_names=["input"], output_names=["output"])
    module.double()


def DOUBLE_BIAS(module):
    with torch.no_grad():
        b = module.bias_ih_l0 + module.bias_hh_l0
        module.bias_ih_l0.copy_(b)
        module.bias_hh_l0.copy_(b)


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(7)
    x = torch.randn(B, T, I, dtype=torch.float64)
    with open(os.path.join(out_dir, "input.json"), "w") as f:
        json.dump({"shape": list(x.shape), "data": x.reshape(-1).tolist()}, f)
    manifest = []
    for k, (name, module, make_layer, weights, cause, *torch_mistake) in enumerate(pairs()):
        torch.manual_seed(100 + k)
        module = module.double().eval()
        with torch.no_grad():  # biases well away from zero, so a dropped or doubled bias shows
            for n, p in module.named_parameters():
                if n.startswith("bias"):
                    p.add_(torch.randn_like(p) * 0.5)
        sd = np_sd(module)
        for mistake in torch_mistake:  # after the Keras weights are taken from the correct state dict
            mistake(module)
        torch.save(module.state_dict(), os.path.join(out_dir, f"{name}.pt"))
        model = keras_model(make_layer())
        model.set_weights([np.asarray(w, dtype=np.float32) for w in weights(sd)])
        cellscope_export.export(model, os.path.join(out_dir, f"{name}.keras.json"))
        with torch.no_grad():
            y_torch = module(x)[0].numpy()
        y_keras = np.asarray(model(x.numpy().astype(np.float32)))
        if cause is None:  # the correct pairs also as ONNX (torch.onnx.export), for PyTorch <-> ONNX checks
            export_onnx(module, x, os.path.join(out_dir, f"{name}.onnx"))
        manifest.append({"name": name, "cause": cause, "torch_vs_keras_max_abs": float(np.abs(y_torch - y_keras).max())})
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"torch": torch.__version__, "keras": keras.__version__, "pairs": manifest}, f, indent=1)
    print(f"{len(manifest)} pairs in {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1])
