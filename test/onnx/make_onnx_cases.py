"""Writes the ONNX test cases of test/fixtures/onnx: real models exported by torch.onnx.export (dynamo=False) and
graphs built with onnx.helper for the attributes torch never emits; reference outputs from onnxruntime (float64 graphs, which onnxruntime's recurrent kernels do not take: onnx's
ReferenceEvaluator).

    .venv/bin/python test/onnx/make_onnx_cases.py OUT_DIR

Per case NAME: NAME.onnx (and NAME.onnx.data for torch's dynamo exporter, which keeps weights beside the model;
those two cases need onnxscript, and are skipped without it), NAME.input.json (one {"shape", "data"}, or a list of them for several graph inputs, in
graph input order), NAME.expected.json (a list of {"shape", "data"}: every graph output, in order, from onnxruntime).
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'onnx')
os.makedirs(OUT, exist_ok=True)
CASES = []


def tensor_json(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.reshape(-1).tolist()}


def run_ort(model_path, feeds):
    model = onnx.load(model_path)
    if model.graph.input[0].type.tensor_type.elem_type == TensorProto.DOUBLE:
        from onnx.reference import ReferenceEvaluator
        ref = ReferenceEvaluator(model)
        names = [i.name for i in model.graph.input]
        return names, ref.run(None, {n: feeds[n] for n in names})
    sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    return names, sess.run(None, {n: feeds[n] for n in names})


def save(name, model_path, feeds, outs=None):
    names, ort_outs = run_ort(model_path, feeds) if outs is None else (list(feeds), outs)
    outs = ort_outs
    arrays = [feeds[n] for n in names]
    with open(os.path.join(OUT, name + ".input.json"), "w") as f:
        json.dump(tensor_json(arrays[0]) if len(arrays) == 1 else [tensor_json(a) for a in arrays], f)
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump([tensor_json(o) for o in outs], f)
    CASES.append(name)


def export(name, module, args, input_names, output_names, dynamic_axes=None, opset=17, dynamo=False):
    torch.manual_seed(len(CASES) + 1)
    path = os.path.join(OUT, name + ".onnx")
    module.eval()
    if dynamo:
        # torch's default exporter (torch.export + onnxscript): its weights go to NAME.onnx.data beside the model.
        torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names, dynamo=True,
                          external_data=True, verbose=False)
    else:
        torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names, dynamo=False,
                          opset_version=opset, dynamic_axes=dynamic_axes)
    feeds = {n: a.detach().numpy() for n, a in zip(input_names, args if isinstance(args, tuple) else (args,))}
    save(name, path, feeds)


class Seq(torch.nn.Module):
    """An nn.RNN / LSTM / GRU returning its output and final states (h, and c for LSTM) as separate outputs."""

    def __init__(self, rnn, with_state=False):
        super().__init__()
        self.rnn = rnn
        self.with_state = with_state

    def forward(self, x, *state):
        if self.with_state:
            st = (state[0], state[1]) if isinstance(self.rnn, torch.nn.LSTM) else state[0]
            y, s = self.rnn(x, st)
        else:
            y, s = self.rnn(x)
        return (y, *s) if isinstance(s, tuple) else (y, s)


def torch_cases():
    g = torch.Generator().manual_seed(7)
    rnd = lambda *s: torch.randn(*s, generator=g)
    for kind in ("LSTM", "GRU", "RNN"):
        cls = getattr(torch.nn, kind)
        outs = ["y", "h_n", "c_n"] if kind == "LSTM" else ["y", "h_n"]
        k = kind.lower()
        torch.manual_seed(1)
        export(f"torch_{k}_1layer", Seq(cls(5, 8)), rnd(7, 2, 5), ["x"], outs)
        torch.manual_seed(2)
        export(f"torch_{k}_2layer_bidir_batchfirst", Seq(cls(5, 6, num_layers=2, bidirectional=True, batch_first=True)),
               rnd(2, 7, 5), ["x"], outs, dynamic_axes={"x": {0: "batch", 1: "time"}})
        torch.manual_seed(3)
        export(f"torch_{k}_nobias", Seq(cls(4, 5, bias=False, batch_first=True)), rnd(3, 6, 4), ["x"], outs)
        torch.manual_seed(4)
        states = (rnd(2, 2, 6), rnd(2, 2, 6)) if kind == "LSTM" else (rnd(2, 2, 6),)
        export(f"torch_{k}_initial_states_bidir", Seq(cls(3, 6, bidirectional=True), with_state=True),
               (rnd(5, 2, 3), *states), ["x", "h0", "c0"][: 1 + len(states)], outs)
    # Older and newer opsets: Squeeze/Unsqueeze/Slice/Split take attributes before 13 (Slice: 10), inputs after.
    torch.manual_seed(9)
    export("torch_gru_bidir_batchfirst_opset9", Seq(torch.nn.GRU(3, 5, bidirectional=True, batch_first=True)), rnd(2, 6, 3), ["x"],
           ["y", "h_n"], dynamic_axes={"x": {0: "batch", 1: "time"}}, opset=9)
    torch.manual_seed(10)
    export("torch_lstm_2layer_opset20", Seq(torch.nn.LSTM(3, 5, num_layers=2, batch_first=True)), rnd(2, 6, 3), ["x"],
           ["y", "h_n", "c_n"], dynamic_axes={"x": {0: "batch", 1: "time"}}, opset=20)
    torch.manual_seed(5)
    export("torch_rnn_relu_2layer", Seq(torch.nn.RNN(4, 5, num_layers=2, nonlinearity="relu", batch_first=True)),
           rnd(2, 6, 4), ["x"], ["y", "h_n"])

    class Classifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(20, 8)
            self.lstm = torch.nn.LSTM(8, 16, batch_first=True)
            self.fc = torch.nn.Linear(16, 3)

        def forward(self, tokens):
            y, _ = self.lstm(self.emb(tokens))
            return self.fc(y[:, -1, :])

    torch.manual_seed(6)
    export("torch_embedding_lstm_classifier", Classifier(), torch.randint(0, 20, (2, 9), generator=g), ["tokens"], ["logits"],
           dynamic_axes={"tokens": {0: "batch", 1: "time"}})

    class GruSoftmax(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = torch.nn.GRU(4, 10, batch_first=True, bidirectional=True)
            self.fc = torch.nn.Linear(20, 5)

        def forward(self, x):
            y, _ = self.gru(x)
            return torch.softmax(self.fc(y), dim=-1), torch.log_softmax(self.fc(y), dim=-1)

    torch.manual_seed(8)
    export("torch_gru_softmax", GruSoftmax(), rnd(3, 6, 4), ["x"], ["probs", "log_probs"])


def dynamo_cases():
    """Exports by torch's default (dynamo) exporter, which needs onnxscript: skipped when it is not installed."""
    try:
        import onnxscript  # noqa: F401
    except ImportError:
        print("skipped the dynamo exports: onnxscript is not installed", file=sys.stderr)
        return

    class Stack(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True)
            self.gru = torch.nn.GRU(12, 5, batch_first=True)
            self.fc = torch.nn.Linear(5, 3)

        def forward(self, x):
            y, _ = self.lstm(x)
            z, _ = self.gru(y)
            return torch.softmax(self.fc(z[:, -1]), -1)

    g = torch.Generator().manual_seed(12)
    torch.manual_seed(12)
    export("dynamo_lstm_gru_softmax", Stack(), torch.randn(2, 7, 4, generator=g), ["x"], ["probs"], dynamo=True)
    torch.manual_seed(13)
    export("dynamo_rnn_initial_state", Seq(torch.nn.RNN(3, 4, batch_first=True), with_state=True),
           (torch.randn(2, 5, 3, generator=g), torch.randn(1, 2, 4, generator=g)), ["x", "h0"], ["y", "h_n"], dynamo=True)


def helper_case(name, op, attrs, X, H, *, bidir=False, bias=True, P=False, seq_lens=None, initial=False, layout=0,
                dtype=np.float32, outputs=None):
    """One recurrent node with random weights as initializers (and optional inputs), checked by onnx.checker."""
    rng = np.random.default_rng(len(CASES) + 100)
    G = {"LSTM": 4, "GRU": 3, "RNN": 1}[op]
    D = 2 if bidir else 1
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    features = X.shape[2]
    batch = X.shape[1] if layout == 0 else X.shape[0]
    inits = [numpy_helper.from_array((rng.standard_normal((D, G * H, features)) * 0.5).astype(dtype), "W"),
             numpy_helper.from_array((rng.standard_normal((D, G * H, H)) * 0.5).astype(dtype), "R")]
    names = ["X", "W", "R"]
    if bias:
        inits.append(numpy_helper.from_array((rng.standard_normal((D, 2 * G * H)) * 0.5).astype(dtype), "B"))
    names.append("B" if bias else "")
    feeds = {"X": X.astype(dtype)}
    graph_inputs = [helper.make_tensor_value_info("X", elem, list(X.shape))]
    if seq_lens is not None:
        feeds["sequence_lens"] = np.asarray(seq_lens, dtype=np.int32)
        graph_inputs.append(helper.make_tensor_value_info("sequence_lens", TensorProto.INT32, [batch]))
    names.append("sequence_lens" if seq_lens is not None else "")
    state_shape = [D, batch, H] if layout == 0 else [batch, D, H]
    for s in (["initial_h", "initial_c"] if op == "LSTM" else ["initial_h"]):
        if initial:
            feeds[s] = (rng.standard_normal(state_shape) * 0.5).astype(dtype)
            graph_inputs.append(helper.make_tensor_value_info(s, elem, state_shape))
        names.append(s if initial else "")
    if P:
        inits.append(numpy_helper.from_array((rng.standard_normal((D, 3 * H)) * 0.5).astype(dtype), "P"))
        names.append("P")
    while names and names[-1] == "":
        names.pop()
    outputs = outputs or (["Y", "Y_h", "Y_c"] if op == "LSTM" else ["Y", "Y_h"])
    node = helper.make_node(op, names, outputs, name=f"{name}_node", hidden_size=H, layout=layout,
                            direction="bidirectional" if bidir else attrs.pop("direction", "forward"), **attrs)
    steps = X.shape[0] if layout == 0 else X.shape[1]
    out_shapes = {"Y": [steps, D, batch, H] if layout == 0 else [batch, steps, D, H], "Y_h": state_shape, "Y_c": state_shape}
    graph_outputs = [helper.make_tensor_value_info(o, elem, out_shapes[o]) for o in outputs if o]
    graph = helper.make_graph([node], name, graph_inputs, graph_outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14 if layout else 14)], producer_name="cellscope-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = os.path.join(OUT, name + ".onnx")
    onnx.save(model, path)
    if layout == 0:
        save(name, path, feeds)
        return
    # onnxruntime refuses layout = 1 ("Batchwise recurrent operations are not supported"): the reference is the same
    # node with layout = 0 on transposed inputs, its outputs transposed back.
    twin = onnx.load(path)
    for a in twin.graph.node[0].attribute:
        if a.name == "layout":
            a.i = 0
    for vi in list(twin.graph.input) + list(twin.graph.output):
        dims = vi.type.tensor_type.shape.dim
        if len(dims) == 3:
            d = [x.dim_value for x in dims]
            for x, v in zip(dims, [d[1], d[0], d[2]]):
                x.dim_value = v
        elif len(dims) == 4:
            d = [x.dim_value for x in dims]
            for x, v in zip(dims, [d[1], d[2], d[0], d[3]]):
                x.dim_value = v
    twin_path = path + ".layout0.tmp"
    onnx.save(twin, twin_path)
    twin_feeds = {k: (v.transpose(1, 0, 2) if v.ndim == 3 else v) for k, v in feeds.items()}
    names, outs = run_ort(twin_path, twin_feeds)
    os.remove(twin_path)
    outs = [o.transpose(2, 0, 1, 3) if o.ndim == 4 else o.transpose(1, 0, 2) for o in outs]
    save(name, path, {n: feeds[n] for n in names}, outs)


def helper_cases():
    rng = np.random.default_rng(11)
    x = lambda *s: rng.standard_normal(s).astype(np.float32)
    helper_case("lstm_peepholes", "LSTM", {}, x(6, 2, 3), 4, P=True, initial=True)
    helper_case("lstm_peepholes_bidir", "LSTM", {}, x(5, 2, 3), 4, P=True, bidir=True)
    helper_case("lstm_clip", "LSTM", {"clip": 0.7}, x(6, 2, 3) * 3, 4, initial=True)
    helper_case("lstm_input_forget", "LSTM", {"input_forget": 1}, x(6, 2, 3), 4)
    helper_case("lstm_activations_alpha_beta", "LSTM",
                {"activations": ["HardSigmoid", "ScaledTanh", "Affine"], "activation_alpha": [0.3, 0.9, 0.6],
                 "activation_beta": [0.4, 1.1, 0.1]}, x(6, 2, 3), 4)
    helper_case("lstm_activations_g_h_differ", "LSTM", {"activations": ["Sigmoid", "Tanh", "Relu"]}, x(6, 2, 3), 4)
    helper_case("lstm_layout1_bidir_initial", "LSTM", {}, x(2, 6, 3), 4, layout=1, bidir=True, initial=True)
    helper_case("lstm_reverse", "LSTM", {"direction": "reverse"}, x(6, 2, 3), 5, initial=True)
    helper_case("lstm_sequence_lens_bidir", "LSTM", {}, x(6, 3, 3), 4, bidir=True, seq_lens=[6, 3, 1], initial=True)
    helper_case("lstm_sequence_lens_peepholes_clip", "LSTM", {"clip": 1.5}, x(6, 3, 3) * 2, 4, bidir=True, P=True,
                seq_lens=[2, 6, 4])
    helper_case("lstm_only_yh", "LSTM", {}, x(5, 2, 3), 4, outputs=["", "Y_h"])
    helper_case("gru_lbr0", "GRU", {"linear_before_reset": 0}, x(6, 2, 3), 5, initial=True)
    helper_case("gru_lbr0_reverse_seq_lens", "GRU", {"linear_before_reset": 0, "direction": "reverse"}, x(6, 3, 3), 4,
                seq_lens=[3, 6, 5])
    helper_case("gru_lbr1_layout1_bidir", "GRU", {"linear_before_reset": 1}, x(2, 6, 3), 4, layout=1, bidir=True, initial=True)
    helper_case("gru_clip_activations", "GRU",
                {"clip": 0.8, "activations": ["HardSigmoid", "LeakyRelu", "Sigmoid", "Softsign"],
                 "activation_alpha": [0.25, 0.1], "activation_beta": [0.45]}, x(6, 2, 3) * 2, 4, bidir=True)
    helper_case("rnn_leakyrelu_clip", "RNN", {"activations": ["LeakyRelu"], "activation_alpha": [0.05], "clip": 2.0},
                x(6, 2, 3) * 2, 5)
    helper_case("rnn_layout1_bidir_seq_lens", "RNN", {"activations": ["Tanh", "Elu"]}, x(3, 5, 3), 4, layout=1, bidir=True,
                seq_lens=[5, 2, 4], initial=True)
    for op in ("LSTM", "GRU", "RNN"):
        # onnxruntime has no double kernel for LSTM, GRU or RNN: the reference is onnx's own ReferenceEvaluator.
        helper_case(f"{op.lower()}_float64", op, {}, rng.standard_normal((6, 2, 3)), 4, dtype=np.float64, initial=True,
                    bidir=op == "GRU")


def op_case(name, nodes, inputs, outputs, opset, initializers=()):
    """A small graph of feed-forward operators with the attribute and opset forms torch rarely emits."""
    elem = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64}
    graph_inputs = [helper.make_tensor_value_info(n, elem[a.dtype], list(a.shape)) for n, a in inputs.items()]
    graph_outputs = [helper.make_value_info(o, onnx.TypeProto()) for o in outputs]
    graph = helper.make_graph(nodes, name, graph_inputs, graph_outputs, [numpy_helper.from_array(a, n) for n, a in initializers])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="cellscope-tests")
    model.ir_version = 8
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    del model.graph.output[:]
    model.graph.output.extend(inferred.graph.output)
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(OUT, name + ".onnx")
    onnx.save(model, path)
    save(name, path, inputs)


def op_cases():
    rng = np.random.default_rng(21)
    f = lambda *s: rng.standard_normal(s).astype(np.float32)
    i64 = lambda *v: np.asarray(v, dtype=np.int64)
    n = helper.make_node
    op_case("ops_slice_split_concat", [
        n("Slice", ["X", "starts", "ends", "axes", "steps"], ["A"]),
        n("Split", ["X", "split"], ["B1", "B2"], axis=1),
        n("Concat", ["B2", "B1"], ["C"], axis=-1),
    ], {"X": f(4, 6)}, ["A", "C"], 13,
        [("starts", i64(3, -1)), ("ends", i64(-10, -100)), ("axes", i64(0, 1)), ("steps", i64(-1, -2)), ("split", i64(2, 4))])
    op_case("ops_split_num_outputs_opset18", [n("Split", ["X"], ["P", "Q"], axis=0, num_outputs=2)], {"X": f(5, 3)}, ["P", "Q"], 18)
    op_case("ops_attribute_forms_opset9", [
        n("Slice", ["X"], ["S"], starts=[1, 0], ends=[100, -1], axes=[0, 2]),
        n("Unsqueeze", ["S"], ["U"], axes=[0, 3]),
        n("Squeeze", ["U"], ["Q"], axes=[0]),
        n("Split", ["X"], ["P1", "P2"], axis=2, split=[1, 3]),
    ], {"X": f(3, 2, 4)}, ["Q", "P1", "P2"], 9)
    op_case("ops_softmax_opset11", [n("Softmax", ["X"], ["S"], axis=1), n("LogSoftmax", ["X"], ["L"])], {"X": f(2, 3, 4)}, ["S", "L"], 11)
    op_case("ops_softmax_opset13", [n("Softmax", ["X"], ["S"], axis=0), n("LogSoftmax", ["X"], ["L"], axis=-2)], {"X": f(2, 3, 4)}, ["S", "L"], 13)
    op_case("ops_gemm_matmul", [
        n("Gemm", ["A", "B", "C"], ["G"], transA=1, transB=1, alpha=0.5, beta=2.0),
        n("MatMul", ["X", "W"], ["M"]),
        n("MatMul", ["v", "Mv"], ["V"]),
    ], {"A": f(4, 3), "X": f(2, 1, 3, 4), "v": f(4)}, ["G", "M", "V"], 13,
        [("B", f(5, 4)), ("C", f(5)), ("W", f(3, 4, 2)), ("Mv", f(4, 2))])
    op_case("ops_shapes_casts_opset15", [
        n("Shape", ["X"], ["sh"], start=1),
        n("Squeeze", ["X"], ["sq"]),
        n("Unsqueeze", ["X", "ax"], ["un"]),
        n("Reshape", ["X", "rs"], ["re"]),
        n("Transpose", ["X"], ["tr"]),
        n("Expand", ["col", "ex"], ["exp"]),
        n("ConstantOfShape", ["sh"], ["cs"], value=numpy_helper.from_array(np.asarray([2.5], dtype=np.float32))),
        n("Mul", ["X", "ten"], ["x10"]),
        n("Cast", ["x10"], ["ci"], to=TensorProto.INT32),
        n("Cast", ["ci"], ["cf"], to=TensorProto.FLOAT),
        n("Div", ["num", "den"], ["idiv"]),
        n("Gather", ["X", "gi"], ["ga"], axis=1),
        n("Constant", [], ["k"], value_floats=[1.5, -2.0]),
        n("Identity", ["k"], ["kid"]),
    ], {"X": f(2, 3, 1), "num": i64(-7, 7, 9, -9)}, ["sh", "sq", "un", "re", "tr", "exp", "cs", "cf", "idiv", "ga", "kid"], 15,
        [("ax", i64(-1, 0)), ("rs", i64(0, -1)), ("col", f(3, 1)), ("ex", i64(2, 3, 4)), ("ten", np.asarray(10, np.float32)),
         ("den", i64(2, -2, 4, 4)), ("gi", i64(-1, 0, 2, 1).reshape(2, 2))])
    op_case("ops_elementwise_broadcast", [
        n("Add", ["a", "b"], ["s"]), n("Sub", ["a", "b"], ["d"]), n("Mul", ["a", "b"], ["m"]), n("Div", ["a", "b"], ["q"]),
        n("Relu", ["s"], ["r"]), n("Tanh", ["d"], ["t"]), n("Sigmoid", ["m"], ["g"]),
    ], {"a": f(2, 1, 3), "b": f(4, 1) + 3}, ["r", "t", "g", "q"], 14)


if __name__ == "__main__":
    torch_cases()
    dynamo_cases()
    helper_cases()
    op_cases()
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(CASES, f, indent=0)
    print(f"{len(CASES)} cases in {OUT}")
