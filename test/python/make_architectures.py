#!/usr/bin/env python3
"""Real-world Keras 3 architectures (keras.io examples and guides) saved for Cellscope's graph engine tests.

    python test/python/make_architectures.py OUT_DIR [--only NAME[,NAME...]] [--list]

For every case OUT_DIR/<name>/ gets model.cellscope.json (export JSON), model.keras, model.h5 and reference.json:
the inputs, Keras's outputs in float32 (the saved model) and in float64 (the same weights in a float64 model, JAX
with x64 enabled), and every recurrent layer's full sequence (return_sequences=True, return_state=True, run by
Keras on the layer's own recorded input, mask and initial state) in float64. OUT_DIR/index.json lists the cases.
Deterministic: each case has its own seed. Run with KERAS_BACKEND=jax JAX_PLATFORMS=cpu.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_ENABLE_X64", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

import cellscope_export as ce  # noqa: E402

warnings.filterwarnings("ignore")
import logging  # noqa: E402

logging.getLogger("absl").setLevel(logging.ERROR)

RECURRENT = ("SimpleRNN", "LSTM", "GRU", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
CASES = {}


def case(name):
    def deco(fn):
        CASES[name] = fn
        return fn

    return deco


def floats(rng, *shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


def tokens(rng, batch, steps, vocab, pad_rows=True):
    """Token ids with trailing (and one leading) padding, as padded text batches have."""
    x = rng.integers(1, vocab, (batch, steps)).astype(np.int32)
    if pad_rows:
        for b in range(batch):
            cut = int(rng.integers(steps // 2, steps + 1)) if b else steps
            x[b, cut:] = 0
        if batch > 2:
            x[2, 0] = 0
    return x


# ------------------------------------------------------------------------------------------- architectures
# Each builder(rng) returns (model, inputs); it is called twice (float32, then float64 policy) with equal seeds.


@case("imdb_bilstm_functional")
def _(rng):
    """keras.io bidirectional_lstm_imdb / DLwP text classifier: Embedding(mask_zero) → BiLSTM(seq) → BiLSTM → Dense."""
    inp = keras.Input(shape=(None,), dtype="int32")
    x = L.Embedding(40, 8, mask_zero=True)(inp)
    x = L.Bidirectional(L.LSTM(6, return_sequences=True))(x)
    x = L.Bidirectional(L.LSTM(5))(x)
    out = L.Dense(1, activation="sigmoid")(x)
    return keras.Model(inp, out), [tokens(rng, 4, 9, 40)]


@case("imdb_gru_sequential_masked")
def _(rng):
    """Sequential Embedding(mask_zero) → GRU(seq) → GRU → Dropout → Dense softmax."""
    m = keras.Sequential([keras.Input(shape=(None,), dtype="int32"), L.Embedding(30, 6, mask_zero=True), L.GRU(5, return_sequences=True), L.GRU(4), L.Dropout(0.3), L.Dense(3, activation="softmax")])
    return m, [tokens(rng, 3, 8, 30)]


@case("addition_seq2seq")
def _(rng):
    """keras.io addition_rnn: LSTM encoder → RepeatVector → LSTM(seq) decoder → Dense softmax per step."""
    m = keras.Sequential([keras.Input(shape=(7, 12)), L.LSTM(16), L.RepeatVector(4), L.LSTM(16, return_sequences=True), L.Dense(12, activation="softmax")])
    return m, [floats(rng, 3, 7, 12)]


@case("lstm_autoencoder")
def _(rng):
    """LSTM autoencoder (functional): LSTM → RepeatVector(T) → LSTM(seq) → TimeDistributed(Dense)."""
    inp = keras.Input(shape=(6, 3))
    z = L.LSTM(8, activation="relu")(inp)
    x = L.RepeatVector(6)(z)
    x = L.LSTM(8, activation="relu", return_sequences=True)(x)
    out = L.TimeDistributed(L.Dense(3))(x)
    return keras.Model(inp, out), [floats(rng, 2, 6, 3)]


@case("cnn_lstm")
def _(rng):
    """CNN-LSTM: Conv1D(same, relu) → MaxPooling1D → LSTM → Dense."""
    m = keras.Sequential([keras.Input(shape=(16, 3)), L.Conv1D(8, 3, padding="same", activation="relu"), L.MaxPooling1D(2), L.LSTM(6), L.Dense(2)])
    return m, [floats(rng, 3, 16, 3)]


@case("conv1d_variants")
def _(rng):
    """Conv1D causal+dilation, valid+strides, groups; AveragePooling1D same; GRU; GlobalAveragePooling1D."""
    inp = keras.Input(shape=(20, 4))
    x = L.Conv1D(6, 3, padding="causal", dilation_rate=2, activation="tanh")(inp)
    x = L.Conv1D(6, 4, strides=2, padding="valid", groups=2)(x)
    x = L.Conv1D(4, 2, strides=2, padding="same", use_bias=False)(x)
    x = L.AveragePooling1D(pool_size=3, strides=2, padding="same")(x)
    x = L.GRU(5, return_sequences=True)(x)
    out = L.GlobalAveragePooling1D()(x)
    return keras.Model(inp, out), [floats(rng, 2, 20, 4)]


@case("encoder_decoder_initial_state")
def _(rng):
    """keras.io lstm_seq2seq: encoder LSTM(return_state) → decoder LSTM(initial_state=[h, c]) → Dense softmax."""
    enc_in = keras.Input(shape=(None, 5))
    dec_in = keras.Input(shape=(None, 6))
    _, h, c = L.LSTM(7, return_state=True)(enc_in)
    y = L.LSTM(7, return_sequences=True)(dec_in, initial_state=[h, c])
    out = L.Dense(6, activation="softmax")(y)
    return keras.Model([enc_in, dec_in], out), [floats(rng, 2, 5, 5), floats(rng, 2, 4, 6)]


@case("gru_encoder_decoder")
def _(rng):
    """GRU encoder (return_state) → GRU decoder with initial_state, both outputs returned."""
    enc_in = keras.Input(shape=(6, 3))
    dec_in = keras.Input(shape=(4, 2))
    enc_seq, h = L.GRU(5, return_sequences=True, return_state=True)(enc_in)
    y = L.GRU(5, return_sequences=True)(dec_in, initial_state=h)
    return keras.Model([enc_in, dec_in], [L.Dense(2)(y), L.GlobalMaxPooling1D()(enc_seq)]), [floats(rng, 3, 6, 3), floats(rng, 3, 4, 2)]


@case("two_branch_concat")
def _(rng):
    """Two branches from one input (LSTM and GRU) joined by Concatenate → Dense."""
    inp = keras.Input(shape=(8, 4))
    a = L.LSTM(5)(inp)
    b = L.GRU(3, go_backwards=True)(inp)
    out = L.Dense(2, activation="softmax")(L.Concatenate()([a, b]))
    return keras.Model(inp, out), [floats(rng, 3, 8, 4)]


@case("multi_input_multi_output")
def _(rng):
    """keras.io functional API guide: text + tags inputs, two outputs (priority, department)."""
    title = keras.Input(shape=(None,), dtype="int32", name="title")
    tags = keras.Input(shape=(5,), name="tags")
    t = L.Embedding(25, 6)(title)
    t = L.LSTM(6)(t)
    x = L.Concatenate()([t, tags])
    priority = L.Dense(1, name="priority")(x)
    department = L.Dense(3, activation="softmax", name="department")(x)
    return keras.Model([title, tags], [priority, department]), [tokens(rng, 3, 7, 25, pad_rows=False), floats(rng, 3, 5)]


@case("merge_ops")
def _(rng):
    """Add, Subtract, Multiply, Average, Maximum, Minimum of recurrent branches, Concatenate along time.

    (No SimpleRNN here: Keras 3.15 on JAX cannot run SimpleRNN in float64, its scan carry turns float32.)"""
    inp = keras.Input(shape=(5, 3))
    a = L.GRU(4, return_sequences=True, reset_after=False)(inp)
    b = L.GRU(4, return_sequences=True)(inp)
    c = L.LSTM(4, return_sequences=True)(inp)
    s = L.Add()([a, b, c])
    d = L.Subtract()([a, b])
    m = L.Multiply()([b, c])
    av = L.Average()([a, c])
    mx = L.Maximum()([s, d])
    mn = L.Minimum()([m, av])
    t = L.Concatenate(axis=1)([mx, mn])
    return keras.Model(inp, L.LSTM(3)(t)), [floats(rng, 2, 5, 3)]


@case("norm_around_lstm")
def _(rng):
    """BatchNormalization → LSTM(seq) → LayerNormalization → LSTM → BatchNormalization → Dense."""
    m = keras.Sequential([keras.Input(shape=(7, 4)), L.BatchNormalization(), L.LSTM(6, return_sequences=True), L.LayerNormalization(), L.LSTM(5), L.BatchNormalization(center=False), L.Dense(2)])
    return m, [floats(rng, 3, 7, 4)]


@case("masked_global_pooling")
def _(rng):
    """Embedding(mask_zero) → LSTM(seq) → masked GlobalAveragePooling1D + GlobalMaxPooling1D → Concatenate → Dense."""
    inp = keras.Input(shape=(10,), dtype="int32")
    x = L.Embedding(20, 5, mask_zero=True)(inp)
    x = L.LSTM(6, return_sequences=True)(x)
    x = L.Dense(4, activation="tanh")(x)
    out = L.Dense(1)(L.Concatenate()([L.GlobalAveragePooling1D()(x), L.GlobalMaxPooling1D()(x)]))
    return keras.Model(inp, out), [tokens(rng, 4, 10, 20)]


@case("masking_layer")
def _(rng):
    """Masking(0.0) on padded float sequences → LSTM(seq) → Bidirectional GRU → Dense (functional)."""
    x = floats(rng, 3, 8, 3)
    x[0, 6:] = 0
    x[1, 3:] = 0
    x[2, 0] = 0
    return _masking_model(keras.Input(shape=(8, 3))), [x]


def _masking_model(inp):
    x = L.Masking(mask_value=0.0)(inp)
    x = L.LSTM(5, return_sequences=True)(x)
    x = L.Bidirectional(L.GRU(4), merge_mode="sum")(x)
    return keras.Model(inp, L.Dense(2)(x))


@case("nested_siamese")
def _(rng):
    """A nested Sequential encoder (LSTM → Dense) called on two inputs (shared weights) → Subtract → abs-free Dense."""
    enc = keras.Sequential([keras.Input(shape=(6, 3)), L.LSTM(5), L.Dense(4, activation="relu")], name="encoder")
    a = keras.Input(shape=(6, 3))
    b = keras.Input(shape=(6, 3))
    d = L.Subtract()([enc(a), enc(b)])
    return keras.Model([a, b], L.Dense(1, activation="sigmoid")(d)), [floats(rng, 2, 6, 3), floats(rng, 2, 6, 3)]


@case("shared_lstm_two_calls")
def _(rng):
    """One LSTM layer called on two inputs (keras.io shared layers), outputs concatenated."""
    shared = L.LSTM(4)
    a = keras.Input(shape=(5, 2))
    b = keras.Input(shape=(7, 2))
    return keras.Model([a, b], L.Concatenate()([shared(a), shared(b)])), [floats(rng, 2, 5, 2), floats(rng, 2, 7, 2)]


@case("activation_layers")
def _(rng):
    """Dense → ReLU(max 0.5, slope 0.1, threshold 0.1) → GRU(seq) → LeakyReLU → ELU → PReLU(shared time) → LSTM → Softmax."""
    m = keras.Sequential(
        [
            keras.Input(shape=(6, 3)),
            L.Dense(5),
            L.ReLU(max_value=0.5, negative_slope=0.1, threshold=0.1),
            L.GRU(5, return_sequences=True),
            L.LeakyReLU(negative_slope=0.2),
            L.ELU(alpha=0.7),
            L.PReLU(shared_axes=[1]),
            L.LSTM(4),
            L.Softmax(),
        ]
    )
    return m, [floats(rng, 2, 6, 3)]


@case("reshape_permute_padding")
def _(rng):
    """Permute → LSTM(seq) → ZeroPadding1D → Cropping1D → Reshape → GRU → Dense."""
    m = keras.Sequential(
        [
            keras.Input(shape=(4, 6)),
            L.Permute((2, 1)),
            L.LSTM(4, return_sequences=True),
            L.ZeroPadding1D((1, 2)),
            L.Cropping1D((2, 1)),
            L.Reshape((3, 8)),
            L.GRU(3),
            L.Dense(2),
        ]
    )
    return m, [floats(rng, 2, 4, 6)]


@case("lstm_attention")
def _(rng):
    """Attention after an LSTM (keras.io text/seq examples): LSTM(seq) self-attention (scaled dot) + masked query."""
    inp = keras.Input(shape=(None,), dtype="int32")
    x = L.Embedding(30, 6, mask_zero=True)(inp)
    h = L.LSTM(6, return_sequences=True)(x)
    a = L.Attention(use_scale=True)([h, h])
    out = L.Dense(2)(L.GlobalAveragePooling1D()(a))
    return keras.Model(inp, out), [tokens(rng, 4, 8, 30)]


@case("additive_attention_decoder")
def _(rng):
    """Bahdanau attention: decoder GRU states attend over encoder GRU states (AdditiveAttention), Concatenate, Dense."""
    enc_in = keras.Input(shape=(7, 3))
    dec_in = keras.Input(shape=(5, 2))
    enc = L.GRU(6, return_sequences=True)(enc_in)
    dec = L.GRU(6, return_sequences=True)(dec_in)
    ctx = L.AdditiveAttention()([dec, enc])
    c2 = L.Attention(score_mode="concat", use_scale=True)([dec, enc])
    out = L.Dense(3, activation="softmax")(L.Concatenate()([dec, ctx, c2]))
    return keras.Model([enc_in, dec_in], out), [floats(rng, 2, 7, 3), floats(rng, 2, 5, 2)]


@case("rnn_stacked_cells")
def _(rng):
    """The RNN layer with StackedRNNCells([LSTMCell, GRUCell]) (Keras RNN guide), then RNN(SimpleRNNCell... as GRUCell)."""
    m = keras.Sequential(
        [
            keras.Input(shape=(6, 3)),
            L.RNN(L.StackedRNNCells([L.LSTMCell(5), L.GRUCell(4)]), return_sequences=True),
            L.RNN(L.LSTMCell(3), go_backwards=True),
            L.Dense(2),
        ]
    )
    return m, [floats(rng, 2, 6, 3)]


@case("conv_bilstm_timedistributed")
def _(rng):
    """Conv1D(valid, strides) → BatchNormalization → Bidirectional LSTM(seq, ave) → TimeDistributed(Dense) → GlobalMaxPooling1D."""
    inp = keras.Input(shape=(15, 2))
    x = L.Conv1D(5, 3, strides=2, activation="relu")(inp)
    x = L.BatchNormalization()(x)
    x = L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode="ave")(x)
    x = L.TimeDistributed(L.Dense(3))(x)
    return keras.Model(inp, L.GlobalMaxPooling1D()(x)), [floats(rng, 3, 15, 2)]


@case("video_timedistributed_conv2d")
def _(rng):
    """Video classifier: TimeDistributed(Conv2D same/valid) → TimeDistributed(MaxPooling2D) → TimeDistributed(Flatten) → LSTM → Dense."""
    m = keras.Sequential(
        [
            keras.Input(shape=(4, 8, 8, 2)),
            L.TimeDistributed(L.Conv2D(4, 3, padding="same", activation="relu")),
            L.TimeDistributed(L.MaxPooling2D(2)),
            L.TimeDistributed(L.Conv2D(3, (2, 3), strides=(1, 2))),
            L.TimeDistributed(L.AveragePooling2D(pool_size=2, padding="same")),
            L.TimeDistributed(L.Flatten()),
            L.LSTM(5),
            L.Dense(3, activation="softmax"),
        ]
    )
    return m, [floats(rng, 2, 4, 8, 8, 2)]


@case("next_frame_convlstm2d")
def _(rng):
    """keras.io conv_lstm (next-frame video prediction): ConvLSTM2D(5×5, 3×3, 1×1; same, relu, seq) with BatchNormalization between, then Conv3D(3×3×3, sigmoid)."""
    inp = keras.Input(shape=(None, 8, 8, 1))
    x = L.ConvLSTM2D(4, (5, 5), padding="same", return_sequences=True, activation="relu")(inp)
    x = L.BatchNormalization()(x)
    x = L.ConvLSTM2D(4, (3, 3), padding="same", return_sequences=True, activation="relu")(x)
    x = L.BatchNormalization()(x)
    x = L.ConvLSTM2D(4, (1, 1), padding="same", return_sequences=True, activation="relu")(x)
    out = L.Conv3D(1, (3, 3, 3), activation="sigmoid", padding="same")(x)
    return keras.Model(inp, out), [floats(rng, 2, 3, 8, 8, 1)]


@case("convlstm2d_variants")
def _(rng):
    """ConvLSTM2D valid with strides 2, go_backwards and hard_sigmoid → ConvLSTM2D same with dilation (2, 1), no bias, return_state → Flatten → Dense; outputs [dense, h, c]."""
    inp = keras.Input(shape=(4, 9, 9, 2))
    x = L.ConvLSTM2D(3, (3, 3), strides=(2, 2), return_sequences=True, go_backwards=True, recurrent_activation="hard_sigmoid")(inp)
    y, h, c = L.ConvLSTM2D(2, (2, 3), dilation_rate=(2, 1), padding="same", use_bias=False, return_state=True)(x)
    out = L.Dense(3)(L.Flatten()(y))
    return keras.Model(inp, [out, h, c]), [floats(rng, 2, 4, 9, 9, 2)]


@case("convlstm1d_stack")
def _(rng):
    """ConvLSTM1D(same, dilation 2, seq) → ConvLSTM1D(valid, strides 2, unit_forget_bias False) → GlobalAveragePooling1D → Dense, Sequential."""
    m = keras.Sequential(
        [
            keras.Input(shape=(5, 10, 3)),
            L.ConvLSTM1D(4, 3, padding="same", dilation_rate=2, return_sequences=True),
            L.ConvLSTM1D(3, 2, strides=2, unit_forget_bias=False),
            L.GlobalAveragePooling1D(),
            L.Dense(2),
        ]
    )
    return m, [floats(rng, 3, 5, 10, 3)]


@case("convlstm2d_channels_first")
def _(rng):
    """ConvLSTM2D data_format channels_first (frames [channels, rows, cols]), same, seq → ConvLSTM2D channels_first valid → Flatten → Dense."""
    inp = keras.Input(shape=(3, 2, 7, 6))
    x = L.ConvLSTM2D(3, (3, 2), padding="same", data_format="channels_first", return_sequences=True)(inp)
    x = L.ConvLSTM2D(2, (2, 2), data_format="channels_first")(x)
    return keras.Model(inp, L.Dense(2)(L.Flatten()(x))), [floats(rng, 2, 3, 2, 7, 6)]


@case("bidirectional_convlstm2d")
def _(rng):
    """Bidirectional(ConvLSTM2D same, seq; concat) → Bidirectional(ConvLSTM2D valid; sum) → Flatten → Dense."""
    inp = keras.Input(shape=(3, 6, 6, 2))
    x = L.Bidirectional(L.ConvLSTM2D(2, 3, padding="same", return_sequences=True))(inp)
    x = L.Bidirectional(L.ConvLSTM2D(2, 3), merge_mode="sum")(x)
    return keras.Model(inp, L.Dense(2)(L.Flatten()(x))), [floats(rng, 2, 3, 6, 6, 2)]


@case("lstm_multi_head_attention")
def _(rng):
    """LSTM(seq) → MultiHeadAttention self-attention (2 heads, masks from Embedding) → Add → LayerNormalization → pooling → Dense."""
    inp = keras.Input(shape=(7,), dtype="int32")
    x = L.Embedding(25, 6, mask_zero=True)(inp)
    h = L.LSTM(6, return_sequences=True)(x)
    a = L.MultiHeadAttention(num_heads=2, key_dim=3)(h, h)
    y = L.LayerNormalization()(L.Add()([h, a]))
    c = L.MultiHeadAttention(num_heads=1, key_dim=4)(y, h, use_causal_mask=True)
    out = L.Dense(2)(L.GlobalAveragePooling1D()(L.Concatenate()([y, c])))
    return keras.Model(inp, out), [tokens(rng, 4, 7, 25)]


@case("luong_dot_attention")
def _(rng):
    """keras.io-style manual Luong attention: Dot(scores) → Softmax → Dot(context) over LSTM states, normalized Dot head."""
    enc_in = keras.Input(shape=(6, 3))
    dec_in = keras.Input(shape=(4, 3))
    enc = L.LSTM(5, return_sequences=True)(enc_in)
    dec = L.LSTM(5, return_sequences=True)(dec_in)
    scores = L.Dot(axes=[2, 2])([dec, enc])
    weights = L.Softmax()(scores)
    context = L.Dot(axes=[2, 1])([weights, enc])
    sim = L.Dot(axes=1, normalize=True)([L.GlobalAveragePooling1D()(context), L.GlobalAveragePooling1D()(dec)])
    out = L.Concatenate()([L.Flatten()(context), sim])
    return keras.Model([enc_in, dec_in], L.Dense(2)(out)), [floats(rng, 2, 6, 3), floats(rng, 2, 4, 3)]


@case("bidirectional_rnn_cell")
def _(rng):
    """Bidirectional around the generic RNN layer (RNN(GRUCell), sequences, masked tokens) → RNN(LSTMCell) → Dense."""
    m = keras.Sequential(
        [
            keras.Input(shape=(7,), dtype="int32"),
            L.Embedding(15, 4, mask_zero=True),
            L.Bidirectional(L.RNN(L.GRUCell(3), return_sequences=True)),
            L.RNN(L.LSTMCell(4)),
            L.Dense(2),
        ]
    )
    return m, [tokens(rng, 3, 7, 15)]


# ------------------------------------------------------------------------------------------- recording


@case("normalization_lstm")
def _(rng):
    """TF time-series tutorial: Normalization (adapted) → LSTM → Dense."""
    x = floats(rng, 3, 7, 4) * 5 + 2
    norm = L.Normalization()
    norm.adapt(x)
    inp = keras.Input(shape=(7, 4))
    y = L.LSTM(5)(norm(inp))
    return keras.Model(inp, L.Dense(2)(y)), [x]

@case("spatial_dropout_gru")
def _(rng):
    """Embedding → SpatialDropout1D → GRU → Dropout → Dense (Kaggle text classifiers)."""
    m = keras.Sequential([keras.Input(shape=(8,), dtype="int32"), L.Embedding(30, 6), L.SpatialDropout1D(0.3), L.GRU(5), L.Dropout(0.5), L.Dense(3, activation="softmax")])
    return m, [tokens(rng, 3, 8, 30, pad_rows=False)]

@case("flatten_after_lstm")
def _(rng):
    """LSTM(return_sequences) → Flatten → Dense (common forecasting head)."""
    m = keras.Sequential([keras.Input(shape=(6, 3)), L.LSTM(4, return_sequences=True), L.Flatten(), L.Dense(2)])
    return m, [floats(rng, 2, 6, 3)]

@case("dense_on_sequence_softmax")
def _(rng):
    """LSTM(return_sequences) → Dense on 3-D (no TimeDistributed) → Activation softmax (char model per step)."""
    m = keras.Sequential([keras.Input(shape=(6, 5)), L.LSTM(7, return_sequences=True), L.Dense(5), L.Activation("softmax")])
    return m, [floats(rng, 2, 6, 5)]

@case("gru_v1_dropouts")
def _(rng):
    """GRU(reset_after=False, dropout, recurrent_dropout) stacked, inference."""
    m = keras.Sequential([keras.Input(shape=(5, 3)), L.GRU(4, reset_after=False, dropout=0.2, recurrent_dropout=0.2, return_sequences=True), L.GRU(3, recurrent_dropout=0.1), L.Dense(1)])
    return m, [floats(rng, 2, 5, 3)]

@case("lstm_unroll")
def _(rng):
    """LSTM(unroll=True, use_bias=False) → SimpleRNN(relu)."""
    m = keras.Sequential([keras.Input(shape=(4, 3)), L.LSTM(4, unroll=True, use_bias=False, return_sequences=True), L.SimpleRNN(3, activation="relu")])
    return m, [floats(rng, 2, 4, 3)]

@case("upsampling_autoencoder")
def _(rng):
    """Conv1D → MaxPooling1D → LSTM → RepeatVector → LSTM → UpSampling1D → Conv1D (anomaly detection)."""
    m = keras.Sequential([keras.Input(shape=(8, 2)), L.Conv1D(4, 3, padding="same", activation="relu"), L.MaxPooling1D(2), L.LSTM(5), L.RepeatVector(4), L.LSTM(5, return_sequences=True), L.UpSampling1D(2), L.Conv1D(2, 3, padding="same")])
    return m, [floats(rng, 2, 8, 2)]

@case("noise_regularizers")
def _(rng):
    """GaussianNoise, GaussianDropout, ActivityRegularization, AlphaDropout around a BiGRU (inference no-ops)."""
    inp = keras.Input(shape=(5, 3))
    x = L.GaussianNoise(0.1)(inp)
    x = L.Bidirectional(L.GRU(4, return_sequences=True), merge_mode="ave")(x)
    x = L.GaussianDropout(0.2)(x)
    x = L.ActivityRegularization(l1=0.01)(x)
    x = L.Bidirectional(L.LSTM(3), merge_mode="mul")(x)
    x = L.AlphaDropout(0.1)(x)
    return keras.Model(inp, L.Dense(2)(x)), [floats(rng, 2, 5, 3)]

@case("char_textgen")
def _(rng):
    """keras.io text generation with LSTM: one-hot chars → LSTM(16) → Dense softmax."""
    idx = rng.integers(0, 10, (2, 6))
    x = np.eye(10, dtype=np.float32)[idx]
    m = keras.Sequential([keras.Input(shape=(6, 10)), L.LSTM(16), L.Dense(10, activation="softmax")])
    return m, [x]

@case("rescaling_lstm")
def _(rng):
    """Rescaling → LSTM → Dense (sensor data scaled in the model)."""
    m = keras.Sequential([keras.Input(shape=(5, 3)), L.Rescaling(1 / 255.0, offset=-0.5), L.LSTM(4), L.Dense(1)])
    return m, [floats(rng, 2, 5, 3) * 255]

@case("attention_concat_score")
def _(rng):
    """Attention(use_scale, score_mode=concat) between two LSTM sequences, GlobalAveragePooling1D."""
    inp = keras.Input(shape=(6, 3))
    q = L.LSTM(4, return_sequences=True)(inp)
    v = L.GRU(4, return_sequences=True)(inp)
    a = L.Attention(use_scale=True, score_mode="concat")([q, v])
    return keras.Model(inp, L.Dense(2)(L.GlobalAveragePooling1D()(a))), [floats(rng, 2, 6, 3)]

@case("mha_causal")
def _(rng):
    """LSTM → MultiHeadAttention(use_causal_mask=True) self-attention → LayerNormalization → Dense."""
    inp = keras.Input(shape=(6, 3))
    h = L.LSTM(8, return_sequences=True)(inp)
    a = L.MultiHeadAttention(num_heads=2, key_dim=4)(h, h, use_causal_mask=True)
    x = L.LayerNormalization()(L.Add()([h, a]))
    return keras.Model(inp, L.Dense(2)(x)), [floats(rng, 2, 6, 3)]

@case("return_state_outputs")
def _(rng):
    """GRU(return_sequences, return_state) with both as model outputs; LSTM states into a Dense."""
    inp = keras.Input(shape=(5, 3))
    seq, st = L.GRU(4, return_sequences=True, return_state=True)(inp)
    o, h, c = L.LSTM(3, return_state=True)(seq)
    x = L.Concatenate()([o, h, c, st])
    return keras.Model(inp, [seq, L.Dense(1)(x)]), [floats(rng, 2, 5, 3)]

@case("bidir_ner_tagger")
def _(rng):
    """NER tagger: Embedding(mask_zero) → BiLSTM(seq) → TimeDistributed(Dense softmax)."""
    m = keras.Sequential([keras.Input(shape=(7,), dtype="int32"), L.Embedding(25, 6, mask_zero=True), L.Bidirectional(L.LSTM(5, return_sequences=True)), L.TimeDistributed(L.Dense(4, activation="softmax"))])
    return m, [tokens(rng, 3, 7, 25)]

@case("stateful_lstm")
def _(rng):
    """Stateful LSTM with a fixed batch (batch_shape), one predict from zero state."""
    m = keras.Sequential([keras.Input(batch_shape=(2, 5, 3)), L.LSTM(4, stateful=True, return_sequences=True), L.LSTM(3, stateful=True), L.Dense(1)])
    return m, [floats(rng, 2, 5, 3)]

@case("gru_conv1d_dilated_wavenet")
def _(rng):
    """Causal dilated Conv1D stack (WaveNet-ish) → GRU → Dense (DLwP time series)."""
    m = keras.Sequential([keras.Input(shape=(12, 2)), L.Conv1D(4, 2, padding="causal", dilation_rate=1, activation="relu"), L.Conv1D(4, 2, padding="causal", dilation_rate=2, activation="relu"), L.AveragePooling1D(2), L.GRU(5), L.Dense(1)])
    return m, [floats(rng, 2, 12, 2)]

@case("normalization_given_stats_inverted")
def _(rng):
    """Normalization with given statistics over (time, features), and an inverted Normalization de-normalizing the
    forecast (TF time-series tutorial's scaling kept inside the model)."""
    inp = keras.Input(shape=(5, 2))
    x = L.Normalization(axis=(1, 2), mean=rng.uniform(-1, 1, (5, 2)).tolist(), variance=rng.uniform(0.5, 2, (5, 2)).tolist())(inp)
    x = L.GRU(4)(x)
    y = L.Dense(2)(x)
    y = L.Normalization(mean=[3.0, -1.5], variance=[4.0, 0.25], invert=True)(y)
    return keras.Model(inp, y), [floats(rng, 2, 5, 2) * 3]


# ------------------------------------------------------------------------------------------- more real-world models
# Round 2 (issue 12's held-out suite): keras.ops nodes in functional models, the remaining inference no-ops, states
# as model inputs and outputs, Bidirectional with initial states, Conv2D front ends (keras.io CTC models).


@case("ops_attention_pooling")
def _(rng):
    """Stack Overflow attention pooling written with keras.ops: Dense(1) scores → ops.softmax over time → h * w →
    ops.sum over time, plus ops.mean / ops.max poolings and ops.concatenate → Dense."""
    inp = keras.Input(shape=(7, 3))
    h = L.LSTM(5, return_sequences=True)(inp)
    score = L.Dense(1, activation="tanh")(h)
    w = keras.ops.softmax(score, axis=1)
    ctx = keras.ops.sum(h * w, axis=1)
    pooled = keras.ops.concatenate([ctx, keras.ops.mean(h, axis=1), keras.ops.max(h, axis=1)], axis=-1)
    return keras.Model(inp, L.Dense(2)(pooled)), [floats(rng, 2, 7, 3)]


@case("ops_reshaping")
def _(rng):
    """keras.ops shape nodes around recurrent layers: expand_dims of a flat series → GRU(seq) → transpose → squeeze
    after a Dense(1) → ops.add / ops.multiply / ops.tanh of tensors → LSTM."""
    inp = keras.Input(shape=(6,))
    x = keras.ops.expand_dims(inp, -1)
    g = L.GRU(4, return_sequences=True)(x)
    t = keras.ops.transpose(g, (0, 2, 1))
    y = L.Dense(1)(t)
    y = keras.ops.squeeze(y, axis=-1)
    z = keras.ops.tanh(keras.ops.add(keras.ops.multiply(y, 2.0), 0.5))
    seq = keras.ops.stack([z, y], axis=-1)
    return keras.Model(inp, L.LSTM(3)(seq)), [floats(rng, 2, 6)]


@case("unit_norm_identity")
def _(rng):
    """Identity and UnitNormalization (metric-learning heads): BiGRU → Identity → UnitNormalization over features,
    then an LSTM and a UnitNormalization of the final embedding."""
    inp = keras.Input(shape=(6, 3))
    x = L.Bidirectional(L.GRU(4, return_sequences=True))(inp)
    x = L.Identity()(x)
    x = L.UnitNormalization()(x)
    x = L.LSTM(5)(x)
    return keras.Model(inp, L.UnitNormalization(axis=-1)(x)), [floats(rng, 2, 6, 3)]


@case("bidirectional_initial_state")
def _(rng):
    """Bidirectional LSTM encoder (return_state: forward and backward h, c) whose four states start a Bidirectional
    LSTM decoder (initial_state=[fh, fc, bh, bc]), the NMT-with-BiLSTM pattern from Stack Overflow."""
    enc_in = keras.Input(shape=(5, 3))
    dec_in = keras.Input(shape=(4, 2))
    _, fh, fc, bh, bc = L.Bidirectional(L.LSTM(4, return_state=True))(enc_in)
    y = L.Bidirectional(L.LSTM(4, return_sequences=True))(dec_in, initial_state=[fh, fc, bh, bc])
    return keras.Model([enc_in, dec_in], L.Dense(2)(y)), [floats(rng, 2, 5, 3), floats(rng, 2, 4, 2)]


@case("bilstm_encoder_concat_states")
def _(rng):
    """keras.io/SO seq2seq with a BiLSTM encoder: forward and backward h and c concatenated → decoder LSTM(2·units,
    initial_state=[h, c]) → TimeDistributed(Dense softmax)."""
    enc_in = keras.Input(shape=(None, 4))
    dec_in = keras.Input(shape=(None, 3))
    _, fh, fc, bh, bc = L.Bidirectional(L.LSTM(3, return_state=True))(enc_in)
    h = L.Concatenate()([fh, bh])
    c = L.Concatenate()([fc, bc])
    y = L.LSTM(6, return_sequences=True)(dec_in, initial_state=[h, c])
    return keras.Model([enc_in, dec_in], L.TimeDistributed(L.Dense(3, activation="softmax"))(y)), [floats(rng, 2, 6, 4), floats(rng, 2, 3, 3)]


@case("seq2seq_inference_decoder")
def _(rng):
    """keras.io lstm_seq2seq's inference decoder: states as model inputs, LSTM(initial_state=inputs, return_state),
    outputs [softmax, h, c]."""
    dec_in = keras.Input(shape=(None, 5))
    h_in = keras.Input(shape=(6,))
    c_in = keras.Input(shape=(6,))
    y, h, c = L.LSTM(6, return_sequences=True, return_state=True)(dec_in, initial_state=[h_in, c_in])
    out = L.Dense(5, activation="softmax")(y)
    return keras.Model([dec_in, h_in, c_in], [out, h, c]), [floats(rng, 2, 3, 5), floats(rng, 2, 6), floats(rng, 2, 6)]


@case("gru_v1_functional_states")
def _(rng):
    """GRU(reset_after=False) (Keras 2 / CuDNN-free GRU) in a functional encoder–decoder: return_state → initial_state,
    masked embedding on the encoder."""
    enc_in = keras.Input(shape=(None,), dtype="int32")
    dec_in = keras.Input(shape=(None, 3))
    e = L.Embedding(20, 4, mask_zero=True)(enc_in)
    _, h = L.GRU(5, reset_after=False, return_state=True)(e)
    y = L.GRU(5, reset_after=False, return_sequences=True)(dec_in, initial_state=h)
    return keras.Model([enc_in, dec_in], L.Dense(2)(y)), [tokens(rng, 3, 6, 20), floats(rng, 3, 4, 3)]


@case("toxic_bigru_pooling")
def _(rng):
    """Kaggle toxic-comment classifier (functional): Embedding → SpatialDropout1D → Bidirectional GRU(seq) →
    Conv1D → concatenate(GlobalAveragePooling1D, GlobalMaxPooling1D) → Dense sigmoid (6 labels)."""
    inp = keras.Input(shape=(10,), dtype="int32")
    x = L.Embedding(30, 6)(inp)
    x = L.SpatialDropout1D(0.2)(x)
    x = L.Bidirectional(L.GRU(4, return_sequences=True))(x)
    x = L.Conv1D(5, 2, activation="relu")(x)
    x = L.concatenate([L.GlobalAveragePooling1D()(x), L.GlobalMaxPooling1D()(x)])
    return keras.Model(inp, L.Dense(6, activation="sigmoid")(x)), [tokens(rng, 3, 10, 30, pad_rows=False)]


@case("ctc_speech_deepspeech2")
def _(rng):
    """keras.io CTC ASR (DeepSpeech2-like): spectrogram → Reshape(-1, fft, 1) → Conv2D (strides 2, no bias) → BN →
    ReLU → Conv2D → BN → ReLU → Reshape(-1, f·c) → Bidirectional GRU(seq) → Dropout → Dense → ReLU → Dense softmax."""
    inp = keras.Input(shape=(None, 8))
    x = L.Reshape((-1, 8, 1))(inp)
    x = L.Conv2D(3, (3, 5), strides=(2, 2), padding="same", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.ReLU()(x)
    x = L.Conv2D(2, (3, 3), strides=(1, 2), padding="same", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.ReLU()(x)
    x = L.Reshape((-1, x.shape[-2] * x.shape[-1]))(x)
    x = L.Bidirectional(L.GRU(4, return_sequences=True, reset_after=True))(x)
    x = L.Dropout(0.5)(x)
    x = L.Dense(6)(x)
    x = L.ReLU()(x)
    return keras.Model(inp, L.Dense(5, activation="softmax")(x)), [floats(rng, 2, 10, 8)]


@case("ocr_crnn")
def _(rng):
    """keras.io handwriting / captcha OCR (inference part): image → Conv2D → MaxPooling2D → Conv2D → MaxPooling2D →
    Reshape → Dense → Dropout → Bidirectional LSTM(seq) ×2 → Dense softmax."""
    inp = keras.Input(shape=(16, 8, 1))
    x = L.Conv2D(4, 3, activation="relu", padding="same")(inp)
    x = L.MaxPooling2D(2)(x)
    x = L.Conv2D(4, 3, activation="relu", padding="same")(x)
    x = L.MaxPooling2D(2)(x)
    x = L.Reshape((4, 2 * 4))(x)
    x = L.Dense(6, activation="relu")(x)
    x = L.Dropout(0.2)(x)
    x = L.Bidirectional(L.LSTM(4, return_sequences=True, dropout=0.25))(x)
    x = L.Bidirectional(L.LSTM(3, return_sequences=True, dropout=0.25))(x)
    return keras.Model(inp, L.Dense(5, activation="softmax")(x)), [floats(rng, 2, 16, 8, 1)]


@case("multistep_lstm_reshape")
def _(rng):
    """TF time-series tutorial multi_lstm_model: LSTM(return_sequences=False) → Dense(OUT·features) → Reshape([OUT,
    features]); a Lambda-free version of its last-step slicing."""
    m = keras.Sequential([keras.Input(shape=(8, 3)), L.LSTM(6), L.Dense(4 * 3, kernel_initializer="zeros"), L.Reshape([4, 3])])
    return m, [floats(rng, 2, 8, 3)]


@case("univariate_reshape_lstm")
def _(rng):
    """Stack Overflow forecaster: flat window Input(T) → Reshape((T, 1)) → LSTM(seq) → Dropout → LSTM → Dense."""
    m = keras.Sequential([keras.Input(shape=(9,)), L.Reshape((9, 1)), L.LSTM(5, return_sequences=True), L.Dropout(0.2), L.LSTM(4), L.Dense(1)])
    return m, [floats(rng, 3, 9)]


@case("nmt_cross_attention")
def _(rng):
    """TF NMT-with-attention tutorial: Bidirectional GRU encoder (merge sum, masked) → GRU decoder (masked) →
    Attention over the encoder with masks (query, value) → Add → LayerNormalization → Dense logits."""
    src = keras.Input(shape=(None,), dtype="int32")
    tgt = keras.Input(shape=(None,), dtype="int32")
    e = L.Embedding(20, 6, mask_zero=True)(src)
    enc = L.Bidirectional(L.GRU(6, return_sequences=True), merge_mode="sum")(e)
    d = L.Embedding(18, 6, mask_zero=True)(tgt)
    dec = L.GRU(6, return_sequences=True)(d)
    ctx = L.MultiHeadAttention(num_heads=1, key_dim=6)(query=dec, value=enc)
    x = L.LayerNormalization()(L.Add()([dec, ctx]))
    return keras.Model([src, tgt], L.Dense(18)(x)), [tokens(rng, 3, 7, 20), tokens(rng, 3, 5, 18)]


@case("stacked_sequential_dropouts_bn")
def _(rng):
    """DLwP Jena weather: GRU(dropout, recurrent_dropout, seq) → GRU → Dense, with BatchNormalization after Dense and
    a Dense(activation=None) head; plus Activation('swish') and LayerNormalization(rms_scaling)."""
    m = keras.Sequential([
        keras.Input(shape=(10, 4)),
        L.GRU(6, dropout=0.1, recurrent_dropout=0.5, return_sequences=True),
        L.LayerNormalization(rms_scaling=True),
        L.GRU(5, dropout=0.1, recurrent_dropout=0.5),
        L.Dense(4),
        L.BatchNormalization(),
        L.Activation("swish"),
        L.Dense(1),
    ])
    return m, [floats(rng, 2, 10, 4)]


@case("last_step_slice")
def _(rng):
    """PyTorch-style last-step readout written in Keras: BiGRU(seq) → h[:, -1, :] and h[:, 0, :] (GetItem nodes),
    joined with ops.concatenate, plus a 1 - sigmoid gate (a number before the tensor) → Dense."""
    inp = keras.Input(shape=(6, 3))
    h = L.Bidirectional(L.GRU(4, return_sequences=True))(inp)
    last = h[:, -1, :]
    first = h[:, 0]
    gate = 1.0 - keras.ops.sigmoid(L.Dense(8)(last))
    x = keras.ops.concatenate([last * gate, first], axis=-1)
    return keras.Model(inp, L.Dense(2)(x)), [floats(rng, 2, 6, 3)]

# ------------------------------------------------------------------------------------------- round 3
# Session 7's probe of more keras.io / guide / DLwP patterns: a mask given as a model input, TimeDistributed around
# a model and around a recurrent layer, Bidirectional merge_mode=None and a custom backward_layer.


@case("video_cnn_rnn_mask_input")
def _(rng):
    """keras.io video classification CNN-RNN: frame features + a boolean mask Input passed as mask= to a GRU."""
    f = keras.Input((6, 5))
    m = keras.Input((6,), dtype="bool")
    x = L.GRU(4, return_sequences=True)(f, mask=m)
    x = L.GRU(3)(x)
    x = L.Dropout(0.4)(x)
    x = L.Dense(3, activation="relu")(x)
    y = L.Dense(2, activation="softmax")(x)
    mask = np.ones((3, 6), bool); mask[1, 4:] = False; mask[2, 2:] = False
    return keras.Model([f, m], y), [floats(rng, 3, 6, 5), mask]

@case("han_timedistributed_model")
def _(rng):
    """Hierarchical document model (HAN without the custom attention layer): a sentence-encoder Model (Embedding →
    BiGRU) applied to every sentence by TimeDistributed, then a document GRU → Dense."""
    s_in = keras.Input((5,), dtype="int32")
    s = L.Embedding(20, 4)(s_in)
    s = L.Bidirectional(L.GRU(3))(s)
    enc = keras.Model(s_in, s)
    d_in = keras.Input((4, 5), dtype="int32")
    x = L.TimeDistributed(enc)(d_in)
    x = L.GRU(4)(x)
    return keras.Model(d_in, L.Dense(2)(x)), [rng.integers(1, 20, (2, 4, 5)).astype(np.int32)]

@case("bidir_merge_none")
def _(rng):
    """Bidirectional(merge_mode=None): forward and backward sequences as two outputs, added and concatenated."""
    inp = keras.Input((5, 3))
    f, b = L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode=None)(inp)
    x = L.Add()([f, b])
    return keras.Model(inp, [L.Dense(2)(x), L.Concatenate()([f, b])]), [floats(rng, 2, 5, 3)]

@case("bidir_backward_layer")
def _(rng):
    """Keras RNN guide: Bidirectional with a different backward_layer (relu GRU with go_backwards)."""
    inp = keras.Input((5, 3))
    x = L.Bidirectional(L.LSTM(4, return_sequences=True), backward_layer=L.LSTM(4, activation="relu", return_sequences=True, go_backwards=True))(inp)
    return keras.Model(inp, L.Dense(2)(L.LSTM(3)(x))), [floats(rng, 2, 5, 3)]

@case("jena_recurrent_dropout")
def _(rng):
    """DLwP ch. 10 Jena: LSTM(recurrent_dropout) → Dropout → Dense; GRU stack with dropout."""
    m = keras.Sequential([keras.Input((8, 4)), L.GRU(5, recurrent_dropout=0.5, return_sequences=True), L.GRU(5, recurrent_dropout=0.5), L.Dropout(0.5), L.Dense(1)])
    return m, [floats(rng, 2, 8, 4)]

@case("td_bidir_sequence")
def _(rng):
    """TimeDistributed around a Bidirectional LSTM (per-sentence encoding on a [doc, sentence, word, feat] tensor)."""
    inp = keras.Input((3, 5, 2))
    x = L.TimeDistributed(L.Bidirectional(L.LSTM(3)))(inp)
    x = L.LSTM(4)(x)
    return keras.Model(inp, L.Dense(1)(x)), [floats(rng, 2, 3, 5, 2)]

@case("embedding_conv_lstm_sentiment")
def _(rng):
    """Keras examples imdb_cnn_lstm: Embedding → Dropout → Conv1D(valid) → MaxPooling1D(4) → LSTM → Dense sigmoid."""
    m = keras.Sequential([keras.Input((20,), dtype="int32"), L.Embedding(30, 6), L.Dropout(0.25), L.Conv1D(4, 5, padding="valid", activation="relu", strides=1), L.MaxPooling1D(pool_size=4), L.LSTM(5), L.Dense(1), L.Activation("sigmoid")])
    return m, [tokens(rng, 2, 20, 30, pad_rows=False)]

@case("gru_attention_dot_softmax")
def _(rng):
    """Luong attention written with layers (keras.io/SO seq2seq): Dot(axes=[2, 2]) scores → Activation softmax →
    Dot(axes=[2, 1]) context → Concatenate → TimeDistributed(Dense tanh)."""
    inp = keras.Input((6, 3)); q_in = keras.Input((4, 2))
    enc = L.GRU(4, return_sequences=True)(inp)
    dec = L.GRU(4, return_sequences=True)(q_in)
    s = L.Dot(axes=[2, 2])([dec, enc])
    a = L.Activation("softmax")(s)
    c = L.Dot(axes=[2, 1])([a, enc])
    x = L.Concatenate()([c, dec])
    return keras.Model([inp, q_in], L.TimeDistributed(L.Dense(3, activation="tanh"))(x)), [floats(rng, 2, 6, 3), floats(rng, 2, 4, 2)]

@case("simple_rnn_relu_clip")
def _(rng):
    """IRNN-style SimpleRNN(relu) stack with a clipped, leaky ReLU(max_value, negative_slope, threshold) between."""
    m = keras.Sequential([keras.Input((7, 2)), L.SimpleRNN(5, activation="relu", return_sequences=True), L.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.05), L.SimpleRNN(3, activation="relu"), L.Dense(2)])
    return m, [floats(rng, 2, 7, 2)]


@case("dict_outputs")
def _(rng):
    """Named outputs as a dict (multi-task heads): Keras flattens them in sorted key order."""
    inp = keras.Input((5, 3), name="series")
    h = L.LSTM(4, return_sequences=True)(inp)
    return keras.Model(inp, {"next": L.Dense(1, name="next")(L.LSTM(3)(h)), "tags": L.Dense(2, name="tags")(h)}), [floats(rng, 2, 5, 3)]

@case("dict_inputs")
def _(rng):
    """Inputs given as a dict {"a": series, "b": side features}: input_layers is a dict in the config."""
    a = keras.Input((5, 3), name="a"); b = keras.Input((2,), name="b")
    h = L.GRU(4)(a)
    return keras.Model({"a": a, "b": b}, L.Dense(1)(L.Concatenate()([h, b]))), [floats(rng, 2, 5, 3), floats(rng, 2, 2)]

@case("td_sequential")
def _(rng):
    """TimeDistributed around a Sequential (Conv1D → LSTM) clip encoder, then a GRU over the clips."""
    enc = keras.Sequential([keras.Input((6, 2)), L.Conv1D(3, 3, activation="relu"), L.LSTM(4)])
    inp = keras.Input((3, 6, 2))
    x = L.TimeDistributed(enc)(inp)
    return keras.Model(inp, L.Dense(1)(L.GRU(3)(x))), [floats(rng, 2, 3, 6, 2)]

@case("bidir_rnn_cell")
def _(rng):
    """Bidirectional around the generic RNN layer with an LSTMCell, then RNN(GRUCell, go_backwards)."""
    inp = keras.Input((5, 3))
    x = L.Bidirectional(L.RNN(L.LSTMCell(4), return_sequences=True))(inp)
    return keras.Model(inp, L.Dense(1)(L.RNN(L.GRUCell(3), go_backwards=True)(x))), [floats(rng, 2, 5, 3)]

@case("concat_time_residual")
def _(rng):
    """Two sequences joined along time (Concatenate(axis=1)), residual LSTM blocks (Add layer and `+`), LayerNormalization."""
    a = keras.Input((4, 3)); b = keras.Input((3, 3))
    x = L.Concatenate(axis=1)([a, b])
    h = L.LSTM(3, return_sequences=True)(x)
    h = L.Add()([h, x])
    h = L.LayerNormalization()(h)
    h2 = L.LSTM(3, return_sequences=True)(h) + h
    return keras.Model([a, b], L.Dense(1)(L.GlobalAveragePooling1D()(h2))), [floats(rng, 2, 4, 3), floats(rng, 2, 3, 3)]

@case("convlstm_state")
def _(rng):
    """ConvLSTM2D with return_state: the last output frame and the cell state both as model outputs."""
    inp = keras.Input((4, 5, 5, 1))
    y, h, c = L.ConvLSTM2D(2, 3, padding="same", return_state=True)(inp)
    return keras.Model(inp, [L.Flatten()(y), L.Flatten()(c)]), [floats(rng, 2, 4, 5, 5, 1)]

@case("embedding_lstm_go_backwards_unroll")
def _(rng):
    """Masked Embedding → LSTM(go_backwards, unroll, return_sequences) → GRU(go_backwards) → softmax."""
    m = keras.Sequential([keras.Input((7,), dtype="int32"), L.Embedding(15, 4, mask_zero=True), L.LSTM(4, go_backwards=True, unroll=True, return_sequences=True), L.GRU(3, go_backwards=True), L.Dense(2, activation="softmax")])
    return m, [tokens(rng, 3, 7, 15)]


@case("two_token_inputs_concat")
def _(rng):
    """Two categorical features per step (item id, category id): two Embeddings concatenated → LSTM (session-based recommenders)."""
    a = keras.Input((6,), dtype="int32", name="item"); b = keras.Input((6,), dtype="int32", name="cat")
    x = L.Concatenate()([L.Embedding(30, 4)(a), L.Embedding(8, 2)(b)])
    return keras.Model([a, b], L.Dense(30, activation="softmax")(L.LSTM(5)(x))), [tokens(rng, 2, 6, 30, pad_rows=False), tokens(rng, 2, 6, 8, pad_rows=False)]

@case("embedding_3d_reshape")
def _(rng):
    """Several ids per step: Embedding on [batch, steps, k] → Reshape(steps, k·dim) → GRU."""
    inp = keras.Input((5, 3), dtype="int32")
    x = L.Embedding(20, 2)(inp)
    x = L.Reshape((5, 6))(x)
    return keras.Model(inp, L.Dense(1)(L.GRU(4)(x))), [rng.integers(0, 20, (2, 5, 3)).astype(np.int32)]

@case("classic_attention_repeat_permute")
def _(rng):
    """Keras-2-era attention: Dense(1, tanh) scores → Flatten → Activation softmax → RepeatVector(units) →
    Permute([2, 1]) → Multiply with the LSTM sequence → sum over time (keras.ops.sum instead of the Lambda)."""
    inp = keras.Input((7, 3))
    h = L.LSTM(4, return_sequences=True)(inp)
    a = L.Dense(1, activation="tanh")(h)
    a = L.Flatten()(a)
    a = L.Activation("softmax")(a)
    a = L.RepeatVector(4)(a)
    a = L.Permute([2, 1])(a)
    x = L.Multiply()([h, a])
    x = keras.ops.sum(x, axis=1)
    return keras.Model(inp, L.Dense(2, activation="softmax")(x)), [floats(rng, 2, 7, 3)]

@case("bidir_ave_masked_state")
def _(rng):
    """Masked Bidirectional GRU(merge_mode='ave', return_state) whose states feed a Dense, beside the output."""
    inp = keras.Input((6,), dtype="int32")
    e = L.Embedding(15, 3, mask_zero=True)(inp)
    y, fh, bh = L.Bidirectional(L.GRU(4, return_state=True), merge_mode="ave")(e)
    x = L.Concatenate()([y, fh, bh])
    return keras.Model(inp, L.Dense(2)(x)), [tokens(rng, 3, 6, 15)]

@case("lstm_hard_sigmoid_relu")
def _(rng):
    """LSTM(activation='relu', recurrent_activation='hard_sigmoid', unit_forget_bias=False) and GRU(activation='elu')."""
    m = keras.Sequential([keras.Input((6, 3)), L.LSTM(4, activation="relu", recurrent_activation="hard_sigmoid", unit_forget_bias=False, return_sequences=True), L.GRU(3, activation="elu", recurrent_activation="sigmoid"), L.Dense(1)])
    return m, [floats(rng, 2, 6, 3)]


def randomize(model, rng, scale=0.6):
    ws = []
    # Normalization keeps its adapted statistics: it computes from a copy made at adapt() (finalize_state), which
    # set_weights does not refresh, so randomized statistics would be saved but not used by this model's predict.
    adapted = {id(v) for layer in model._flatten_layers() if isinstance(layer, L.Normalization) for v in layer.weights}
    for w in model.weights:
        v = np.asarray(w)
        if id(w) in adapted:
            ws.append(v)
        elif "moving_variance" in w.path or "variance" in w.name:
            ws.append(rng.uniform(0.5, 1.5, v.shape).astype(np.float32))
        else:
            ws.append(rng.uniform(-scale, scale, v.shape).astype(np.float32))
    model.set_weights(ws)


def _outputs(y):
    # Dict outputs (and nested state lists) in Keras's own flattening order: sorted keys, depth first.
    return [np.asarray(v) for v in keras.tree.flatten(y)]


def _set_sequences(cfg, cls):
    cfg = json.loads(json.dumps(cfg))
    if cls == "Bidirectional":
        for key in ("layer", "backward_layer"):
            if cfg.get(key):
                cfg[key]["config"]["return_sequences"] = True
                cfg[key]["config"]["return_state"] = True
    else:
        cfg["return_sequences"] = True
        cfg["return_state"] = True
    return cfg


def _reset_stateful(model_or_layer):
    layers = model_or_layer.layers if isinstance(model_or_layer, keras.Model) else [model_or_layer]
    for layer in layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()


def layer_sequences(model, inputs):
    """Each recurrent layer's first call re-run by Keras with return_sequences/return_state on its own inputs."""
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            continue  # nested models' layers are checked through the model's output
        cls = layer.__class__.__name__
        if cls not in RECURRENT:
            continue
        node = layer._inbound_nodes[0]
        x_t = node.arguments.args[0]
        kw = node.arguments.kwargs
        mask_t = kw.get("mask")
        if mask_t is None:
            mask_t = getattr(x_t, "_keras_mask", None)  # a Sequential's calls carry their masks on the tensors
        init_t = kw.get("initial_state")
        init_t = [] if init_t is None else (list(init_t) if isinstance(init_t, (list, tuple)) else [init_t])
        tensors = [x_t] + ([mask_t] if mask_t is not None else []) + init_t
        _reset_stateful(model)  # a stateful layer starts from zeros, as in the one predict the reference makes
        vals = _outputs(keras.Model(model.inputs, tensors)(inputs if len(inputs) > 1 else inputs[0], training=False))
        clone = layer.__class__.from_config(_set_sequences(layer.get_config(), cls))
        x = vals[0]
        m = vals[1] if mask_t is not None else None
        init = vals[2 if mask_t is not None else 1 :]
        kwargs = {}
        if m is not None:
            kwargs["mask"] = m.astype(bool)
        if init:
            kwargs["initial_state"] = list(init)
        clone(x, **kwargs)
        clone.set_weights(layer.get_weights())
        _reset_stateful(clone)
        got = _outputs(clone(x, **kwargs))
        out.append({"name": layer.name, "class_name": cls, "sequence": ce.tensor(got[0], "float64"), "states": [ce.tensor(s, "float64") for s in got[1:]]})
    return out


def build(fn, seed, dtype):
    keras.backend.clear_session()  # same layer names in both builds
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    model, inputs = fn(rng)
    randomize(model, np.random.default_rng(seed + 1))
    return model, inputs


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("out_dir")
    p.add_argument("--only")
    p.add_argument("--list", action="store_true")
    a = p.parse_args(argv)
    if a.list:
        print("\n".join(CASES))
        return 0
    names = a.only.split(",") if a.only else list(CASES)
    os.makedirs(a.out_dir, exist_ok=True)
    index_path = os.path.join(a.out_dir, "index.json")
    index = []
    if a.only and os.path.exists(index_path):
        with open(index_path) as f:
            index = [c for c in json.load(f)["cases"] if c["name"] not in names]
    for k, name in enumerate(names):
        fn = CASES[name]
        seed = 1000 + list(CASES).index(name)
        m32, inputs = build(fn, seed, "float32")
        m64, _ = build(fn, seed, "float64")
        m64.set_weights([np.asarray(w, dtype=np.float64) for w in m32.get_weights()])
        feed32 = inputs if len(inputs) > 1 else inputs[0]
        y32 = _outputs(m32.predict(feed32, verbose=0))
        feed64 = [x.astype(np.float64) if x.dtype == np.float32 else x for x in inputs]
        y64 = _outputs(m64.predict(feed64 if len(feed64) > 1 else feed64[0], verbose=0))
        dtypes = sorted({str(v.dtype) for v in y64})
        seqs = layer_sequences(m64, feed64)
        keras.config.set_floatx("float32")
        keras.config.set_dtype_policy("float32")
        d = os.path.join(a.out_dir, name)
        os.makedirs(d, exist_ok=True)
        ce.export(m32, os.path.join(d, "model.cellscope.json"))
        m32.save(os.path.join(d, "model.keras"))
        m32.save(os.path.join(d, "model.h5"))
        ref = {
            "name": name,
            "description": fn.__doc__,
            "inputs": [ce.tensor(x) for x in inputs],
            "outputs_float32": [ce.tensor(y) for y in y32],
            "outputs_float64": [ce.tensor(y, "float64") for y in y64],
            "float64_dtypes": dtypes,
            "layers": seqs,
        }
        with open(os.path.join(d, "reference.json"), "w") as f:
            json.dump(ref, f, separators=(",", ":"))
        index.append({"name": name, "description": fn.__doc__, "float64": dtypes == ["float64"]})
        print(f"{name}: {len(y32)} output(s), float64 outputs {dtypes}, {len(seqs)} recurrent layer(s)", flush=True)
    index.sort(key=lambda c: list(CASES).index(c["name"]))
    with open(index_path, "w") as f:
        json.dump({"keras_version": keras.__version__, "cases": index}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
