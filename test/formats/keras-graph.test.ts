// The functional graph reader: every inbound_nodes spelling gives Keras's numbers, and a damaged graph (cycle,
// dangling reference, missing node or tensor, an operation Cellscope cannot run) is a LoadError at that node.
// References are real Keras 3.15.1 outputs from test/fixtures/architectures (test/python/make_architectures.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { runModel, type Tensor } from '../../src/engine/index';
import { loadModelText } from '../../src/formats/index';

const DIR = process.env.ARCH_DIR ?? join(__dirname, '..', 'fixtures', 'architectures');

type Json = Record<string, any>;
const read = (name: string, file: string): Json => JSON.parse(readFileSync(join(DIR, name, file), 'utf8'));
const toTensor = (t: { shape: number[]; data: number[] }): Tensor => ({ shape: t.shape, data: Float64Array.from(t.data) });

function worst(a: Tensor, b: Tensor): number {
  assert.deepEqual([...a.shape], [...b.shape]);
  let w = 0;
  for (let i = 0; i < a.data.length; i++) w = Math.max(w, Math.abs(a.data[i]! - b.data[i]!));
  return w;
}

function kerasTensorRef(v: any): [string, number, number] | null {
  return v && v.class_name === '__keras_tensor__' ? v.config.keras_history : null;
}

function flatRefs(v: any, out: [string, number, number][]): void {
  const r = kerasTensorRef(v);
  if (r) out.push(r);
  else if (Array.isArray(v)) v.forEach((x) => flatRefs(x, out));
}

/**
 * A Keras 3 functional config written the Keras 2 / TF.js way: `[[name, node, tensor, {}], ...]` per node, the
 * initial_state tensors after the input (as Keras 2's RNN.__call__ records them), no mask nodes (Keras 2 propagates
 * masks itself), no Keras 3 keys.
 */
function asKeras2(model: Json): Json {
  const layers = model.config.layers.filter((l: Json) => l.module !== 'keras.src.ops.numpy' && l.module !== 'keras.src.ops.core');
  const keras2 = layers.map((l: Json) => {
    const nodes = (l.inbound_nodes ?? []).map((n: Json) => {
      const refs: [string, number, number][] = [];
      flatRefs(n.args, refs);
      flatRefs(n.kwargs?.initial_state ?? [], refs);
      return refs.map((r) => [r[0], r[1], r[2], {}]);
    });
    return { class_name: l.class_name, name: l.name, config: l.config, inbound_nodes: nodes };
  });
  const list = (v: any) => (typeof v[0] === 'string' ? [v] : v);
  return { class_name: 'Functional', config: { name: model.config.name, layers: keras2, input_layers: list(model.config.input_layers), output_layers: list(model.config.output_layers) } };
}

for (const name of ['encoder_decoder_initial_state', 'two_branch_concat', 'multi_input_multi_output', 'imdb_bilstm_functional', 'masked_global_pooling', 'masking_layer', 'lstm_attention']) {
  test(`${name}: the Keras 2 / TF.js list spelling of its graph gives Keras's outputs`, () => {
    const doc = read(name, 'model.cellscope.json');
    const ref = read(name, 'reference.json');
    const text = JSON.stringify({ ...doc, model: asKeras2(doc.model) });
    const { model } = loadModelText(text, `${name}.keras2.json`);
    assert.equal(model.graph?.nodes.some((n) => model.layers[n.layer]!.kind === 'mask_op'), false, 'no mask nodes: masks propagate as Keras 2 does');
    const inputs = ref.inputs.map(toTensor);
    const r = runModel(model, inputs.length === 1 ? inputs[0]! : inputs);
    ref.outputs_float64.forEach((e: any, k: number) => assert.ok(worst(r.outputs[k]!, toTensor(e)) <= 1e-5, `output ${k}`));
  });
}

/** Loads `doc` with its graph edited by `edit`; returns the error message. */
function refusal(edit: (layers: Json[]) => void): string {
  const doc = read('two_branch_concat', 'model.cellscope.json');
  edit(doc.model.config.layers);
  try {
    loadModelText(JSON.stringify(doc), 'edited.json');
  } catch (e) {
    assert.ok(!(e instanceof TypeError), `a TypeError leaked: ${(e as Error).stack}`);
    return (e as Error).message;
  }
  return assert.fail('the edited graph loaded');
}

const byName = (layers: Json[], cls: string) => layers.findIndex((l) => l.class_name === cls);
const historyOf = (layers: Json[], i: number, arg = 0) => (Array.isArray(layers[i]!.inbound_nodes[0].args[0]) ? layers[i]!.inbound_nodes[0].args[0][arg] : layers[i]!.inbound_nodes[0].args[arg]).config.keras_history;

test('a cycle is refused at the node that closes it', () => {
  const msg = refusal((layers) => {
    const lstm = byName(layers, 'LSTM');
    const dense = byName(layers, 'Dense');
    historyOf(layers, lstm)[0] = layers[dense]!.name;
  });
  assert.match(msg, /edited\.json/);
  assert.match(msg, /inbound_nodes/);
  assert.match(msg, /a cycle: node 0 of layer "(lstm|dense|concatenate)\w*" depends on its own output/);
});

test('a reference to a missing layer, call or output names the node and the reference', () => {
  let msg = refusal((layers) => {
    historyOf(layers, byName(layers, 'Concatenate'), 1)[0] = 'ghost';
  });
  assert.match(msg, /`model\.config\.layers\[\d\]\.inbound_nodes\[0\]\.args\[1\]`/);
  assert.match(msg, /a reference to unknown layer "ghost"/);
  msg = refusal((layers) => {
    historyOf(layers, byName(layers, 'Concatenate'), 0)[1] = 3;
  });
  assert.match(msg, /a call of layer "lstm\w*" \(it has 1 inbound node\)/);
  assert.match(msg, /node index 3/);
  msg = refusal((layers) => {
    historyOf(layers, byName(layers, 'Dense'), 0)[2] = 2;
  });
  assert.match(msg, /an output of layer "concatenate\w*" \(its call returns 1 tensor\)/);
  assert.match(msg, /tensor index 2/);
});

test('an operation node Cellscope cannot run is refused with its class, name, path and a way out', () => {
  const msg = refusal((layers) => {
    const c = byName(layers, 'Concatenate');
    layers[c] = { ...layers[c], module: 'keras.src.ops.numpy', class_name: 'Einsum', registered_name: 'Einsum', config: { name: layers[c]!.name } };
  });
  assert.match(msg, /`model\.config\.layers\[\d\]\.class_name`/);
  assert.match(msg, /operation Einsum "concatenate\w*"/);
  assert.match(msg, /Hint: keras\.ops\.einsum has no implementation in Cellscope; wrap the computation in a layer/);
});

test('a keras.ops node that reaches across the batch axis is refused with its config key and a way out', () => {
  const doc = read('ops_attention_pooling', 'model.cellscope.json');
  doc.model.config.layers.find((l: Json) => l.class_name === 'Sum').config.axis = 0;
  assert.throws(
    () => loadModelText(JSON.stringify(doc), 'edited.json'),
    (e: Error) =>
      /`model\.config\.layers\[\d+\]\.config\.axis`/.test(e.message) &&
      /Sum with axis 0, which reaches across the batch axis/.test(e.message) &&
      /Hint: Cellscope runs each sample of the batch on its own/.test(e.message),
  );
});

test('keras.ops nodes in a legacy .h5 config (no module) are told from the merge layers by their config', () => {
  // Keras 3's .h5 writes `{"class_name": "Multiply", "config": {"name": ...}}` for ops.multiply: no trainable, no dtype.
  const doc = read('ops_attention_pooling', 'model.cellscope.json');
  for (const l of doc.model.config.layers) delete l.module;
  const ops = loadModelText(JSON.stringify(doc), 'no-module.json').model;
  const multiply = ops.layers.find((l) => l.name === 'multiply')!;
  assert.equal(multiply.kind, 'tensor_op');
  const ref = read('ops_attention_pooling', 'reference.json');
  const r = runModel(ops, toTensor(ref.inputs[0]));
  assert.ok(worst(r.outputs[0]!, toTensor(ref.outputs_float64[0])) <= 1e-5);
});

test('string and category preprocessing layers are refused with the class, layer, path and the model after them as the way out', () => {
  for (const cls of ['StringLookup', 'TextVectorization', 'CategoryEncoding']) {
    const msg = refusal((layers) => {
      const lstm = byName(layers, 'LSTM');
      layers[lstm] = { ...layers[lstm], class_name: cls };
    });
    assert.match(msg, /`model\.config\.layers\[\d\]\.class_name`/);
    assert.match(msg, new RegExp(`found ${cls} layer "lstm\\w*"`));
    assert.match(msg, new RegExp(`Hint: ${cls} prepares raw inputs .* open the model from the layer after it`));
  }
});

test('a layer with no call in a functional model is refused', () => {
  const msg = refusal((layers) => {
    layers[byName(layers, 'Dense')]!.inbound_nodes = [];
  });
  assert.match(msg, /the calls of layer "dense\w*"/);
  assert.match(msg, /no inbound nodes/);
});

test('TimeDistributed around a model: fold, the model inlined, unfold — and a wrapped model with two outputs is refused', () => {
  const doc = read('han_timedistributed_model', 'model.cellscope.json');
  const { model } = loadModelText(JSON.stringify(doc), 'han.json');
  const names = model.layers.map((l) => l.name);
  // The sentence encoder's layers sit between the two halves, in run order; the unfold carries the wrapper's name.
  assert.deepEqual(names.slice(names.indexOf('time_distributed_fold'), names.indexOf('time_distributed') + 1), ['time_distributed_fold', 'embedding', 'bidirectional', 'time_distributed']);
  const ref = read('han_timedistributed_model', 'reference.json');
  const r = runModel(model, toTensor(ref.inputs[0]));
  assert.deepEqual([...r.outputs[0]!.shape], ref.outputs_float64[0].shape);
  assert.ok(worst(r.outputs[0]!, toTensor(ref.outputs_float64[0])) <= 1e-5);
  // The Bidirectional inside runs once per sentence: 2 documents × 4 sentences = 8 sequences.
  assert.equal(r.trace!.layers.find((lt) => lt.layerName.startsWith('forward'))?.batch, 8);

  const td = doc.model.config.layers.find((l: Json) => l.class_name === 'TimeDistributed');
  const inner = td.config.layer.config;
  inner.output_layers = [inner.output_layers, inner.output_layers]; // Keras 3 writes one output unwrapped: ["bidirectional", 0, 0]
  try {
    loadModelText(JSON.stringify(doc), 'two-outputs.json');
    assert.fail('a wrapped model with two outputs loaded');
  } catch (e) {
    assert.match((e as Error).message, /`model\.config\.layers\[1\]\.config\.layer`/);
    assert.match((e as Error).message, /a model with one output inside TimeDistributed layer "time_distributed"; found 2 outputs/);
  }
});
