#!/usr/bin/env python3
"""JAX float64 gradients of the real Keras 3 architectures in test/fixtures/architectures, for explain's tests.

    python test/explain/make_architecture_grads.py OUT_DIR [--only NAME[,NAME...]]

For each case the model is rebuilt as test/python/make_architectures.py builds it: the float32 model (checked
against the fixture's recorded float32 outputs, so the weights are the saved ones), then the float64 model with the
same weights, run by Keras on JAX with x64. OUT_DIR/<name>.json = {"name", "output": 0, "target": [indices],
"value", "inputs": [{"name", "space": "input" | "embedding", "gradient": {"shape", "data"}}], "ig"?}: ∂y/∂(each
model input), or for a token input ∂y/∂(the vectors its Embedding looked up), taken by jax.grad through the whole
model (the Embedding's output gets a zero perturbation that jax.grad differentiates). "ig" (float inputs only): 64
midpoint steps from zeros, all inputs interpolated together, with f(x) − f(0). Inputs are the fixture's
reference.json inputs (float32 values, read as float64 by both sides).

Run with KERAS_BACKEND=jax JAX_PLATFORMS=cpu (scripts/python-env.mjs's kerasEnv()).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ["JAX_ENABLE_X64"] = "1"
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402

# As make_grad_cases.py: Keras on JAX demotes float64 results of ops.tanh, ops.sigmoid, … to float32 unless told not to.
from keras.src.backend.common import dtypes as _keras_dtypes  # noqa: E402

_keras_dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"

from keras.src.backend.jax import nn as _keras_jax_nn  # noqa: E402

# MultiHeadAttention runs jax.nn.dot_product_attention, which computes the softmax in float32 even for float64
# inputs (~5e-8 off). The same computation, same masking (masked logits −0.7·finfo.max, so a row masked entirely
# attends uniformly), in the inputs' own dtype:
_dot_product_attention = jax.nn.dot_product_attention


def _dot_product_attention_same_dtype(query, key, value, bias=None, mask=None, *, scale=None, is_causal=False, **kw):
    if query.dtype != jnp.float64:
        return _dot_product_attention(query, key, value, bias=bias, mask=mask, scale=scale, is_causal=is_causal, **kw)
    logits = jnp.einsum("BTNH,BSNH->BNTS", query, key) * (scale if scale is not None else 1 / np.sqrt(query.shape[-1]))
    if bias is not None:
        logits = logits + bias
    probs = jax.nn.softmax(_keras_jax_nn._apply_masks(logits, mask, is_causal), axis=-1)
    return jnp.einsum("BNTS,BSNH->BTNH", probs, value)


jax.nn.dot_product_attention = _dot_product_attention_same_dtype

import make_architectures as ma  # noqa: E402
import cellscope_export as ce  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "fixtures", "architectures")
IG_STEPS = 64

# The cases explain differentiates, with the ones whose integrated gradients are checked too.
CASES = [
    "activation_layers", "addition_seq2seq", "bidir_ave_masked_state", "bidir_merge_none", "bidirectional_initial_state",
    "bilstm_encoder_concat_states", "classic_attention_repeat_permute", "cnn_lstm", "concat_time_residual", "conv1d_variants",
    "conv_bilstm_timedistributed", "dict_inputs", "embedding_3d_reshape", "embedding_conv_lstm_sentiment",
    "encoder_decoder_initial_state", "gru_conv1d_dilated_wavenet", "gru_encoder_decoder", "gru_v1_functional_states",
    "last_step_slice", "lstm_autoencoder", "masked_global_pooling", "multi_input_multi_output", "multistep_lstm_reshape",
    "nested_siamese", "norm_around_lstm", "ops_attention_pooling", "ops_reshaping", "reshape_permute_padding",
    "seq2seq_inference_decoder", "shared_lstm_two_calls", "simple_rnn_relu_clip", "stacked_sequential_dropouts_bn",
    "td_bidir_sequence", "td_sequential", "toxic_bigru_pooling", "two_token_inputs_concat", "unit_norm_identity",
    "univariate_reshape_lstm", "upsampling_autoencoder", "video_cnn_rnn_mask_input", "return_state_outputs",
    "lstm_attention", "attention_concat_score", "additive_attention_decoder", "gru_attention_dot_softmax", "luong_dot_attention",
    "lstm_multi_head_attention", "mha_causal", "nmt_cross_attention", "ctc_speech_deepspeech2", "ocr_crnn", "video_timedistributed_conv2d",
    "han_timedistributed_model", "bidirectional_convlstm2d", "convlstm1d_stack", "convlstm2d_channels_first", "convlstm2d_variants", "convlstm_state", "next_frame_convlstm2d",
]
WITH_IG = {"cnn_lstm", "concat_time_residual", "encoder_decoder_initial_state", "norm_around_lstm", "ops_reshaping", "activation_layers"}


# Token models whose Embedding runs inside TimeDistributed(model), once per time step (a perturbation of its output
# cannot be aligned with the steps): differentiated instead through a table with one row per token position (row
# k + 1 holds the vector position k looked up; padding keeps id 0), as explain's own stand-in Embedding does.
PER_POSITION_TABLE = {"han_timedistributed_model"}


def per_position_gradient(model, feed, names, token_layer, idx):
    (i, emb), = token_layer.items()
    ids = np.asarray(feed[i])
    table = np.asarray(emb.embeddings)
    flat = ids.reshape(-1)
    new_ids = np.where(flat != 0, np.arange(1, flat.size + 1), 0).reshape(ids.shape).astype(np.int32)
    rows = np.concatenate([table[:1], table[flat]], axis=0)
    # The ids themselves name their positions, so each per-step call of the Embedding looks its rows up in the table
    # given here (its mask, ids ≠ 0, is unchanged).
    orig = emb.call

    def f(r):
        emb.call = lambda t, *a, **kw: jnp.take(r, jnp.asarray(t, dtype=jnp.int32), axis=0)
        try:
            ma._reset_stateful(model)
            return keras.tree.flatten(model(jnp.asarray(new_ids), training=False))[0][idx]
        finally:
            emb.call = orig

    g = np.asarray(jax.grad(f)(jnp.asarray(rows)))[1:].reshape(ids.shape + (table.shape[1],))
    return {"name": names[i], "space": "embedding", "gradient": ce.tensor(g, "float64")}


def target_of(shape):
    """An item other than the first where there is one, the last step, the first unit."""
    b = min(1, shape[0] - 1)
    return [b] + [shape[1] - 1 if len(shape) > 2 else 0] * (len(shape) > 1) + [0] * max(0, len(shape) - 2)


def embeddings_of(model):
    out = []
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.Embedding):
            out.append(layer)
    return out


def build_case(name):
    with open(os.path.join(FIXTURES, name, "reference.json")) as f:
        ref = json.load(f)
    fn = ma.CASES[name]
    seed = 1000 + list(ma.CASES).index(name)
    m32, inputs = ma.build(fn, seed, "float32")
    # The weights the fixture saved (a builder may have changed since: its own random weights are checked only as
    # a fallback), checked by the float32 outputs it recorded.
    try:
        weights = keras.saving.load_model(os.path.join(FIXTURES, name, "model.keras"), compile=False, safe_mode=False).get_weights()
        m32.set_weights(weights)
    except Exception:  # noqa: BLE001 (a model whose .keras needs custom objects: the rebuilt weights)
        weights = m32.get_weights()
    feed32 = [np.asarray(r["data"], dtype=np.int32 if r["dtype"].startswith("int") else np.float32).reshape(r["shape"]) for r in ref["inputs"]]
    ma._reset_stateful(m32)
    y32 = ma._outputs(m32.predict(feed32 if len(feed32) > 1 else feed32[0], verbose=0))
    np.testing.assert_allclose(y32[0].ravel(), np.asarray(ref["outputs_float32"][0]["data"], dtype=np.float32), rtol=0, atol=1e-5)
    m64, _ = ma.build(fn, seed, "float64")
    m64.set_weights([np.asarray(w, dtype=np.float64) for w in weights])
    for w in m64.weights:
        assert str(w.dtype) in ("float64", "int32", "int64", "bool"), f"{name}: {w.path} is {w.dtype}"
    names = [t._keras_history.operation.name for t in m64.inputs]  # the InputLayers' names, as the export keeps them
    feed = [np.asarray(r["data"], dtype=np.int32 if r["dtype"].startswith("int") else np.float64).reshape(r["shape"]) for r in ref["inputs"]]
    tokens = [np.issubdtype(x.dtype, np.integer) for x in feed]
    embs = embeddings_of(m64)
    # A token input is differentiated at its Embedding's output: the Embedding reading it gets a perturbation d.
    deltas = {}

    def patch(layer):
        orig = layer.call

        def call(ids, *a, **k):
            out = orig(ids, *a, **k)
            d = deltas.get(id(layer))
            # d has the ids' own shape + (dim,): a TimeDistributed(model) folds time into the batch before the lookup.
            return out if d is None else out + jnp.reshape(d, out.shape)

        layer.call = call

    for e in embs:
        patch(e)
    token_layer = {}
    for i, is_tok in enumerate(tokens):
        if not is_tok:
            continue
        # The Embedding fed by this input (the one whose first call reads it, through InputLayers).
        src = m64.inputs[i]
        hits = [e for e in embs if any(getattr(n.arguments.args[0], "name", None) == src.name or n.arguments.args[0] is src for n in e._inbound_nodes)]
        if not hits and len(embs) == 1 and sum(tokens) == 1:
            hits = embs  # the one Embedding, inside a nested model (TimeDistributed(model)) reading this input folded
        assert len(hits) <= 1, f"{name}: token input {names[i]} is read by {len(hits)} Embedding layers"
        if hits:
            token_layer[i] = hits[0]

    def reset():
        ma._reset_stateful(m64)

    def run(float_parts, token_deltas, xs):
        deltas.clear()
        for i, d in token_deltas.items():
            deltas[id(token_layer[i])] = d
        args = []
        it = iter(float_parts)
        for i, x in enumerate(xs):
            args.append(jnp.asarray(x, dtype=jnp.int32) if tokens[i] else next(it))
        reset()
        y = keras.tree.flatten(m64(args if len(args) > 1 else args[0], training=False))
        deltas.clear()
        return y[0]

    floats = [jnp.asarray(x) for x, t in zip(feed, tokens) if not t]
    # The embedding vectors (value of each token input's Embedding output) fix the perturbations' shapes.
    zero_d = {}
    for i in token_layer:
        if name in PER_POSITION_TABLE:
            continue
        zero_d[i] = jnp.zeros(feed[i].shape + (token_layer[i].output_dim,), dtype=jnp.float64)
    out = run(floats, zero_d, feed)
    assert out.dtype == jnp.float64, f"{name}: output is {out.dtype}"
    target = target_of(list(out.shape))
    idx = tuple(target)
    # The fixture's float64 outputs were taken without the float64 fix above (some ops demoted): a loose check.
    np.testing.assert_allclose(np.asarray(out).ravel(), np.asarray(ref["outputs_float64"][0]["data"]), rtol=0, atol=1e-5)
    value = float(out[idx])

    def f(fl, td):
        return run(fl, td, feed)[idx]

    g_fl, g_td = jax.grad(f, argnums=(0, 1))(floats, zero_d)
    parts = []
    k = 0
    for i in range(len(feed)) if name not in PER_POSITION_TABLE else []:
        if tokens[i] and i not in token_layer:
            # Integers no Embedding reads (a mask given as an input): no gradient, zeros in the input's shape.
            g = np.zeros(feed[i].shape)
            parts.append({"name": names[i], "space": "input", "gradient": ce.tensor(g, "float64")})
        elif tokens[i]:
            g = np.asarray(g_td[i])
            parts.append({"name": names[i], "space": "embedding", "gradient": ce.tensor(g, "float64")})
        else:
            g = np.asarray(g_fl[k])
            k += 1
            parts.append({"name": names[i], "space": "input", "gradient": ce.tensor(g, "float64")})
        assert g.dtype == np.float64
    if name in PER_POSITION_TABLE:
        parts = [per_position_gradient(m64, feed, names, token_layer, idx)]
    case = {"name": name, "output": 0, "target": target, "value": value, "inputs": parts}
    if name in WITH_IG:
        assert not any(tokens)
        b, rest = idx[0], idx[1:]
        alphas = (np.arange(IG_STEPS) + 0.5) / IG_STEPS
        xb = [np.asarray(x)[b] for x in floats]
        X = [jnp.asarray(alphas.reshape((-1,) + (1,) * v.ndim) * v[None]) for v in xb]
        G = jax.grad(lambda xs: jnp.sum(run(xs, {}, [None] * len(feed))[(slice(None),) + rest]))(X)
        ig = []
        for x, g, v in zip(floats, G, xb):
            a = np.zeros(x.shape)
            a[b] = v * np.asarray(g).mean(axis=0)
            ig.append(ce.tensor(a, "float64"))
        f0 = float(run([jnp.zeros((1,) + v.shape) for v in xb], {}, [None] * len(feed))[(0,) + rest])
        case["ig"] = {"steps": IG_STEPS, "baseline": "zeros", "attributions": ig, "delta": value - f0}
    return case


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--only")
    a = p.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    names = a.only.split(",") if a.only else CASES
    for name in names:
        try:
            c = build_case(name)
        except Exception as e:  # noqa: BLE001
            print(f"{name}: FAILED {type(e).__name__}: {str(e)[:300]}", flush=True)
            continue
        with open(os.path.join(a.out, f"{name}.json"), "w") as fh:
            json.dump(c, fh, separators=(",", ":"))
            fh.write("\n")
        print(f"{name}: value {c['value']:.6g}, target {c['target']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
