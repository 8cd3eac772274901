#!/usr/bin/env python3
"""One layer at a time, every mode that changes the arithmetic, computed by real Keras 3 in float64.

    python test/python/make_layer_cases.py OUT.json

Each case is a small functional model (inputs → one layer → output, Embedding/Masking in front where a mask is
tested) as Cellscope's export JSON, its inputs and Keras's float64 output (eager call, JAX with x64).
Run with KERAS_BACKEND=jax JAX_PLATFORMS=cpu.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_ENABLE_X64", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402
from keras import ops as O  # noqa: E402

import cellscope_export as ce  # noqa: E402

keras.config.set_floatx("float64")
keras.config.set_dtype_policy("float64")


def seq_input(shape):
    return keras.Input(shape=shape, dtype="float64")


def one(layer, shape):
    inp = seq_input(shape)
    return keras.Model(inp, layer(inp))


def _identity_then_pool(x):
    return L.GlobalAveragePooling1D()(L.Identity()(x))


def masked(layer, steps=6, dim=3):
    """Masking in front (a padded float sequence), then the layer (or a function of layers)."""
    inp = seq_input((steps, dim))
    return keras.Model(inp, layer(L.Masking()(inp)))


def masked_pair(layer, steps=5, dim=4):
    a, b = seq_input((steps, dim)), seq_input((steps, dim))
    return keras.Model([a, b], layer([L.Masking()(a), b]))


CASES = {
    "conv1d_valid": lambda: one(L.Conv1D(3, 3), (9, 2)),
    "conv1d_same_even_kernel_strides": lambda: one(L.Conv1D(3, 4, strides=3, padding="same"), (10, 2)),
    "conv1d_causal_dilation": lambda: one(L.Conv1D(2, 3, padding="causal", dilation_rate=3, activation="tanh"), (11, 3)),
    "conv1d_groups": lambda: one(L.Conv1D(4, 2, groups=2, use_bias=False), (7, 4)),
    "maxpool1d_same": lambda: one(L.MaxPooling1D(3, strides=2, padding="same"), (8, 2)),
    "avgpool1d_same": lambda: one(L.AveragePooling1D(3, strides=2, padding="same"), (8, 2)),
    "avgpool1d_valid": lambda: one(L.AveragePooling1D(2), (9, 2)),
    "global_avg_masked": lambda: masked(L.GlobalAveragePooling1D()),
    "global_avg_keepdims": lambda: one(L.GlobalAveragePooling1D(keepdims=True), (5, 3)),
    "global_max_masked": lambda: masked(L.GlobalMaxPooling1D()),
    "batchnorm_axis1": lambda: one(L.BatchNormalization(axis=1, epsilon=0.01), (4, 3)),
    "layernorm_no_center": lambda: one(L.LayerNormalization(center=False, epsilon=1e-5), (4, 5)),
    "layernorm_rms": lambda: one(L.LayerNormalization(rms_scaling=True), (4, 5)),
    "concat_masks_last_axis": lambda: masked_pair(L.Concatenate()),
    "concat_masks_time_axis": lambda: masked_pair(L.Concatenate(axis=1)),
    "add_masks": lambda: masked_pair(L.Add()),
    "subtract": lambda: masked_pair(L.Subtract()),
    "permute": lambda: one(L.Permute((2, 1)), (3, 4)),
    "reshape_infer": lambda: one(L.Reshape((-1, 2)), (3, 4)),
    "zero_padding_cropping": lambda: one(keras.Sequential([L.ZeroPadding1D(2), L.Cropping1D((1, 3))]), (5, 2)),
    "relu_threshold": lambda: one(L.ReLU(max_value=0.6, negative_slope=0.3, threshold=0.2), (4, 3)),
    "leaky_relu": lambda: one(L.LeakyReLU(negative_slope=0.05), (4, 3)),
    "prelu_shared": lambda: one(L.PReLU(shared_axes=[1]), (4, 3)),
    "elu": lambda: one(L.ELU(alpha=0.4), (4, 3)),
    "softmax_axis1": lambda: one(L.Softmax(axis=1), (4, 3)),
    "lstm_masked_seq": lambda: masked(L.LSTM(3, return_sequences=True)),
    "bidirectional_gru_masked_last": lambda: masked(L.Bidirectional(L.GRU(2))),
    "attention_causal_masked": lambda: _attention(),
    "additive_attention": lambda: _additive(),
    "unit_norm_last": lambda: one(L.UnitNormalization(), (4, 3)),
    "unit_norm_two_axes": lambda: one(L.UnitNormalization(axis=[1, 2]), (4, 3)),
    "identity_keeps_mask": lambda: masked(_identity_then_pool),
    "ops_reduce": lambda: _ops(lambda x: O.concatenate([O.sum(x, axis=1), O.mean(x, axis=1), O.max(x, axis=1), O.min(x, axis=1), O.prod(x, axis=1)], axis=-1), (4, 3)),
    "ops_reduce_keepdims_two_axes": lambda: _ops(lambda x: x - O.mean(x, axis=(1, 2), keepdims=True), (4, 3)),
    "ops_binary_broadcast": lambda: _ops(lambda x: O.concatenate([x * O.sum(x, axis=-1, keepdims=True), 1.0 - x, x / 2.0, O.maximum(x, 0.1), 2.0 / (x + 3.0), O.power(x + 2.0, 1.5), O.minimum(x, x * 0.5)], axis=-1), (4, 3)),
    "ops_unary": lambda: _ops(lambda x: O.concatenate([O.tanh(x), O.sigmoid(x), O.relu(x), O.exp(x), O.log(O.abs(x) + 1.0), O.square(x), O.sqrt(O.abs(x)), O.negative(x), O.softplus(x), O.silu(x), O.gelu(x), O.gelu(x, approximate=False), O.relu6(x * 8.0), O.sign(x)], axis=-1), (4, 3)),
    "ops_shape": lambda: _ops(lambda x: O.concatenate([O.reshape(O.transpose(x, (0, 2, 1)), (-1, 4, 3)), O.squeeze(O.expand_dims(x, 1), axis=1), O.stack([x[:, :, 0], x[:, :, 1], x[:, :, 2]], axis=-1)], axis=1), (4, 3)),
    "ops_softmax_time": lambda: _ops(lambda x: O.softmax(x, axis=1), (4, 3)),
    "ops_getitem_last_step": lambda: _ops(lambda x: O.concatenate([x[:, -1, :], x[:, 0], O.reshape(x[:, 1:3, ::2], (-1, 4)), x[:, ::-2, 1]], axis=-1), (5, 3)),
}


def _ops(fn, shape):
    """keras.ops applied to a symbolic tensor in a functional model: Keras 3 records each call as an operation node."""
    inp = seq_input(shape)
    return keras.Model(inp, fn(inp))


def _attention():
    inp = seq_input((5, 3))
    m = L.Masking()(inp)
    return keras.Model(inp, L.Attention(use_scale=True)([m, m], use_causal_mask=True))


def _additive():
    a, b = seq_input((4, 3)), seq_input((6, 3))
    return keras.Model([a, b], L.AdditiveAttention()([a, L.Masking()(b)]))


def inputs_for(model, rng):
    xs = []
    for t in model.inputs:
        x = rng.uniform(-1, 1, tuple(1 if d is None else d for d in (3,) + tuple(t.shape[1:])))
        if x.ndim == 3 and x.shape[1] >= 4:
            x[0, -2:] = 0  # padding at the end of row 0, a padded step inside row 1 (Masking's value is 0)
            x[1, 1] = 0
        xs.append(x)
    return xs


def main(out):
    cases = []
    for k, (name, build) in enumerate(CASES.items()):
        keras.utils.set_random_seed(k)
        rng = np.random.default_rng(k)
        model = build()
        model.set_weights([rng.uniform(0.5, 1.5, w.shape) if "variance" in w.path else rng.uniform(-0.8, 0.8, w.shape) for w in model.weights])
        xs = inputs_for(model, rng)
        y = model(xs if len(xs) > 1 else xs[0], training=False)
        y = np.asarray(y)
        # Keras 3 on JAX computes a few ops in float32 even in a float64 model; the test then allows float32 error.
        keras_dtype = str(y.dtype)
        cases.append({"name": name, "keras_dtype": keras_dtype, "export": ce.export_dict(model), "inputs": [ce.tensor(x, "float64") for x in xs], "output": ce.tensor(y.astype(np.float64), "float64")})
        print(name, y.shape, keras_dtype, flush=True)
    with open(out, "w") as f:
        json.dump({"keras_version": keras.__version__, "cases": cases}, f, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1])
