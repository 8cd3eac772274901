// The graph view's layout (src/panel/graph-view.ts) on real Keras 3 functional models (test/fixtures/architectures):
// one box per input and call (InputLayer calls are their input's box), edges by kind, the data path on the first
// rows and the mask computations below it, every box read after what it reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModelBytes } from '../../src/formats/index';
import { graphView, type GraphView } from '../../src/panel/graph-view';
import { FIXTURES } from '../fixtures-path';

async function view(name: string): Promise<GraphView> {
  const { model } = await loadModelBytes(readFileSync(join(FIXTURES, 'architectures', name, 'model.keras')), 'model.keras');
  return graphView(model);
}

const edgesText = (g: GraphView) => g.edges.map((e) => `${g.nodes[e.from]!.label} -${e.kind}-> ${g.nodes[e.to]!.label}`);

test('encoder–decoder: the decoder LSTM reads the encoder\'s states as an initial-state edge', async () => {
  const g = await view('encoder_decoder_initial_state');
  assert.deepEqual(g.nodes.map((n) => n.className), ['Input', 'Input', 'LSTM', 'LSTM', 'Dense']);
  assert.deepEqual(edgesText(g), ['input_layer -data-> lstm', 'input_layer_1 -data-> lstm_1', 'lstm -state-> lstm_1', 'lstm_1 -data-> dense']);
  assert.deepEqual(g.nodes.map((n) => n.output), [false, false, false, false, true]);
});

test('Masking model: the mask nodes sit below the data path and feed both recurrent layers as mask edges', async () => {
  const g = await view('masking_layer');
  const row = (label: string) => g.nodes.find((n) => n.label === label)!.row;
  for (const l of ['input_layer', 'masking', 'lstm', 'bidirectional', 'dense']) assert.equal(row(l), 0, l);
  for (const l of ['not_equal', 'any']) assert.equal(row(l), 1, l);
  assert.deepEqual(edgesText(g).filter((e) => e.includes('-mask->')), ['any -mask-> lstm', 'any -mask-> bidirectional']);
  assert.deepEqual(g.nodes.filter((n) => n.recurrent).map((n) => n.label), ['lstm', 'bidirectional']);
});

test('every architecture: each edge runs left to right, and no two boxes share a place', async () => {
  for (const name of ['lstm_multi_head_attention', 'merge_ops', 'shared_lstm_two_calls', 'nested_siamese', 'luong_dot_attention']) {
    const g = await view(name);
    for (const e of g.edges) assert.ok(g.nodes[e.from]!.column < g.nodes[e.to]!.column, `${name}: ${edgesText(g)[g.edges.indexOf(e)]}`);
    const places = new Set(g.nodes.map((n) => `${n.column},${n.row}`));
    assert.equal(places.size, g.nodes.length, `${name}: two boxes in one place`);
    assert.ok(g.nodes.every((n) => n.row < g.rows && n.column < g.columns));
  }
  const shared = await view('shared_lstm_two_calls');
  assert.ok(shared.nodes.some((n) => n.label.endsWith('(call 2)')), 'a shared layer\'s second call is its own box');
});
