"""A PyTorch model as a user meets it in the panel, and its Keras twins, built by real PyTorch 2.13 and real Keras 3.

    net.pt                  state_dict() of a wrapper Net: emb (nn.Embedding), rnn (nn.RNN, nonlinearity relu),
                            lstm (nn.LSTM), fc (nn.Linear) — two recurrent modules, so the panel shows its picker;
                            nn.RNN's relu is not in the file, so the panel's nonlinearity switch matters
    input.json              what both recurrent modules see in Net.forward for one token sequence (emb's output,
                            [1, T, 4], batch first): the panel runs the picked module on it
    torch-outputs.json      real PyTorch's output sequence of each module on input.json (rnn with relu as trained,
                            rnn with tanh, lstm), for the test to hold the panel's numbers against
    lstm.keras.json         the lstm ported to a Keras LSTM correctly (Cellscope export JSON, python/cellscope_export.py)
    lstm_onnx_order.keras.json   the same port with the gate blocks taken in ONNX's order i,o,f,c (a planted mistake)
    onnx/net.onnx           the whole Net (token ids → logits) through torch.onnx.export, time-major inside
    onnx/input.json         the token ids; onnx/net.expected.json: onnxruntime's logits on them

    KERAS_BACKEND=jax .venv/bin/python test/port/make_panel_e2e.py test/fixtures/torch/panel
"""
import json
import os
import sys

import numpy as np
import onnxruntime
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import keras  # noqa: E402
import cellscope_export  # noqa: E402

V, E, H, T = 12, 4, 5, 16


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(V, E)
        self.rnn = torch.nn.RNN(E, E, nonlinearity="relu", batch_first=True)
        self.lstm = torch.nn.LSTM(E, H, batch_first=True)
        self.fc = torch.nn.Linear(H, V)

    def forward(self, ids):
        x = self.emb(ids)
        y, _ = self.rnn(x)
        y, _ = self.lstm(y + x)
        return self.fc(y)


def lstm_keras(sd, order):
    """Keras LSTM weights from PyTorch's: kernels transposed, the two biases summed, gate blocks taken in `order`."""
    def blocks(w):
        parts = np.split(w, 4, axis=0)
        return np.concatenate([parts[i] for i in order], axis=0)
    return [blocks(sd["lstm.weight_ih_l0"]).T, blocks(sd["lstm.weight_hh_l0"]).T, blocks(sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"])]


def main(out):
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    torch.manual_seed(13)
    net = Net().double().eval()
    with torch.no_grad():  # biases away from zero, and a bigger input scale, so relu and tanh differ plainly
        for n, p in net.named_parameters():
            if "bias" in n:
                p.add_(torch.randn_like(p) * 0.5)
        net.emb.weight.mul_(1.5)
    torch.save(net.state_dict(), os.path.join(out, "net.pt"))
    ids = torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3]])
    assert ids.shape[1] == T
    with torch.no_grad():
        x = net.emb(ids)
        relu = net.rnn(x)[0]
        tanh_rnn = torch.nn.RNN(E, E, nonlinearity="tanh", batch_first=True).double()
        tanh_rnn.load_state_dict(net.rnn.state_dict())
        tanh = tanh_rnn(x)[0]
        lstm = net.lstm(x)[0]
    flat = lambda t: {"shape": list(t.shape), "data": t.reshape(-1).tolist()}
    with open(os.path.join(out, "input.json"), "w") as f:
        json.dump(flat(x), f)
    with open(os.path.join(out, "torch-outputs.json"), "w") as f:
        json.dump({"torch": torch.__version__, "rnn_relu": flat(relu), "rnn_tanh": flat(tanh), "lstm": flat(lstm)}, f)
    sd = {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
    agree = {}
    for name, order in (("lstm", (0, 1, 2, 3)), ("lstm_onnx_order", (0, 3, 1, 2))):
        model = keras.Sequential([keras.Input((None, E)), keras.layers.LSTM(H, return_sequences=True)])
        model.set_weights([np.asarray(w, dtype=np.float32) for w in lstm_keras(sd, order)])
        cellscope_export.export(model, os.path.join(out, f"{name}.keras.json"))
        agree[name] = float(np.abs(np.asarray(model(x.numpy().astype(np.float32))) - lstm.numpy()).max())
    # The whole model as ONNX (float32, token ids in): nn.LSTM / nn.RNN export time-major with Transposes around.
    path = os.path.join(out, "onnx", "net.onnx")
    torch.onnx.export(net.float(), (ids,), path, dynamo=False, opset_version=17, input_names=["ids"], output_names=["logits"])
    logits = onnxruntime.InferenceSession(path).run(None, {"ids": ids.numpy()})[0]
    with open(os.path.join(out, "onnx", "input.json"), "w") as f:
        json.dump({"shape": list(ids.shape), "dtype": "int32", "data": ids.reshape(-1).tolist()}, f)
    with open(os.path.join(out, "onnx", "net.expected.json"), "w") as f:
        json.dump({"shape": list(logits.shape), "data": logits.astype(np.float64).reshape(-1).tolist()}, f)
    print(json.dumps({"keras_vs_torch_max_abs": agree, "relu_vs_tanh_max_abs": float((relu - tanh).abs().max())}))


if __name__ == "__main__":
    main(sys.argv[1])
