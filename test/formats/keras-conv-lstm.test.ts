// ConvLSTM1D/2D/3D configs: what a damaged or mismatched file says (a LoadError naming the layer, the place in the
// file and what was expected), what a wrong input says (a RunError naming the layer and the shape), and the summary
// Keras users recognize. The numbers themselves are checked against real Keras 3.15.1 in
// test/python/architectures.test.mjs (cases next_frame_convlstm2d, convlstm*_, bidirectional_convlstm2d).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { RunError } from '../../src/engine/errors';
import { runModel } from '../../src/engine/index';
import { summarizeModel } from '../../src/engine/summary';
import { loadModelText } from '../../src/formats/index';
import { expectLoadError } from '../support/rejects';

const DIR = join(__dirname, '..', 'fixtures', 'architectures');
type Json = Record<string, any>;
const read = (name: string): Json => JSON.parse(readFileSync(join(DIR, name, 'model.cellscope.json'), 'utf8'));

function edited(name: string, edit: (doc: Json) => void): () => unknown {
  const doc = read(name);
  edit(doc);
  return () => loadModelText(JSON.stringify(doc), `${name}.json`);
}

test('a ConvLSTM kernel of the wrong shape names the layer, the array and the arithmetic', () => {
  // convlstm1d_stack: ConvLSTM1D(4, kernel 3) on 3 channels: kernel [3, 3, 16]; drop one input channel of it.
  const e = expectLoadError(
    edited('convlstm1d_stack', (d) => {
      d.weights[0] = d.weights[0].map((tap: number[][]) => tap.slice(0, 2));
    }),
    'kernel of layer "conv_lstm1d"',
    '[3, 3, 16]',
    '4 gates (i, f, c, o) × 4 filters',
  );
  assert.match(e.message, /\[3, 2, 16\]/);
});

test('a ConvLSTM2D after a layer without return_sequences is refused with the shape it got and the way out', () => {
  expectLoadError(
    edited('convlstm2d_variants', (d) => {
      const layers = d.model.config.layers;
      layers.find((l: Json) => l.class_name === 'ConvLSTM2D' && l.config.return_sequences).config.return_sequences = false;
    }),
    'layer "conv_lstm2d_1"',
    'a sequence of 2-D frames (time steps, rows, cols, channels)',
    'return_sequences=True',
  );
});

test('bad ConvLSTM settings: padding, data_format, kernel_size', () => {
  const layerOf = (d: Json) => d.model.config.layers.find((l: Json) => l.class_name === 'ConvLSTM1D').config;
  expectLoadError(edited('convlstm1d_stack', (d) => (layerOf(d).padding = 'causal')), 'padding', '"valid", "same"', 'conv_lstm1d');
  expectLoadError(edited('convlstm1d_stack', (d) => (layerOf(d).data_format = 'channels_middle')), 'data_format', 'channels_first');
  expectLoadError(edited('convlstm1d_stack', (d) => (layerOf(d).kernel_size = [3, 3])), 'kernel_size', 'a list of 1');
});

test('a frame with the wrong channels or the wrong rank is a RunError naming the layer', () => {
  const { model } = loadModelText(JSON.stringify(read('convlstm1d_stack')), 'm.json');
  const wrongChannels = { shape: [1, 5, 10, 2], data: new Float64Array(100) };
  assert.throws(() => runModel(model, wrongChannels), (e: unknown) => e instanceof RunError && /conv_lstm1d.*expects 3 channel/.test(e.message));
  const wrongRank = { shape: [1, 5, 30], data: new Float64Array(150) };
  assert.throws(() => runModel(model, wrongRank), (e: unknown) => e instanceof RunError && /4-D input \[batch, time steps, dim1, channels\]/.test(e.message));
});

test('the summary reads like Keras: ConvLSTM2D with its output frames, Conv3D, Bidirectional(ConvLSTM2D)', () => {
  const next = summarizeModel(loadModelText(JSON.stringify(read('next_frame_convlstm2d')), 'm.json').model);
  const first = next.layers.find((l) => l.className === 'ConvLSTM2D')!;
  assert.deepEqual(first.outputShape, [null, 8, 8, 4]);
  assert.match(first.details, /filters 4, kernel 5×5, same, relu \/ sigmoid, return_sequences/);
  assert.ok(next.layers.some((l) => l.className === 'Conv3D' && /kernel 3×3×3/.test(l.details)));
  const bi = summarizeModel(loadModelText(JSON.stringify(read('bidirectional_convlstm2d')), 'm.json').model);
  assert.deepEqual(bi.layers.filter((l) => l.className === 'Bidirectional(ConvLSTM2D)').map((l) => l.outputShape), [[3, 6, 6, 4], [4, 4, 2]]);
});
