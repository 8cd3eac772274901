// Broken and hostile ONNX files end in a LoadError that names the file, the place in it and the way out — before
// anything is allocated to a declared size, and before anything runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadModelBytes } from '../../src/formats/index';
import { LoadError } from '../../src/formats/load-error';
import { loadRunnableBytes } from '../../src/formats/runnable';
import { loadOnnx, loadOnnxWithSiblings } from '../../src/onnx/load';
import { DATA_TYPE } from '../../src/onnx/schema';
import { floatTensor, lstmModel } from './build';
import { readCase } from './cases';

function loadError(bytes: Uint8Array, limits?: Parameters<typeof loadOnnx>[2]): LoadError {
  try {
    loadOnnx(bytes, 'bad.onnx', limits);
  } catch (e) {
    assert.ok(e instanceof LoadError, `expected a LoadError, got ${(e as Error)?.stack}`);
    assert.equal(e.file, 'bad.onnx');
    return e;
  }
  assert.fail('the file loaded');
}

test('the hand-built model loads and runs (the hostile variants below differ from it in one thing)', () => {
  const m = loadOnnx(lstmModel(), 'ok.onnx');
  const r = m.run([{ shape: [3, 1, 2], data: Float64Array.from([1, 2, 3, 4, 5, 6]) }], { record: true });
  assert.deepEqual(r.output.shape, [3, 1, 1, 2]);
  assert.equal(r.trace!.layers.length, 1);
});

test('a truncated file is a LoadError from the protobuf decoder, at every cut', () => {
  const bytes = readCase('torch_lstm_1layer').bytes;
  for (const cut of [1, 2, 5, 17, 100, Math.floor(bytes.length / 2), bytes.length - 3]) {
    const e = loadError(bytes.subarray(0, cut));
    assert.match(e.message, /protobuf|graph|initializer|expected/);
  }
});

test('huge declared dims are refused by maxElements before the tensor is made', () => {
  const e = loadError(lstmModel({}, (m) => (m.graph.initializer[0] = { ...floatTensor('W', [1, 8, 2]), dims: [1, 2 ** 40, 2] })));
  assert.deepEqual(e.path, ['graph', 'initializer', 0]);
  assert.match(e.message, /initializer "W"/);
  assert.match(e.message, /cellscope\.limits\.maxElements/);
  // Within the limit but not matching the data: the count is named.
  const e2 = loadError(lstmModel({}, (m) => (m.graph.initializer[0].dims = [1, 8, 3])));
  assert.match(e2.message, /24 values for dims \[1, 8, 3\]; found 16/);
  // raw_data whose length disagrees with the dims.
  const e3 = loadError(lstmModel({}, (m) => (m.graph.initializer[0] = { name: 'W', dims: [1, 8, 2], dataType: DATA_TYPE.FLOAT, rawData: new Uint8Array(10) })));
  assert.match(e3.message, /raw_data of 64 bytes/);
  // A lower limit applies too.
  const e4 = loadError(lstmModel(), { maxElements: 10 });
  assert.match(e4.message, /at most 10 values/);
});

test('an unsupported operator names the op, the node and the way out, before anything runs', () => {
  const e = loadError(
    lstmModel({}, (m) => {
      m.graph.node.push({ opType: 'LayerNormalization', name: 'ln', input: ['Y'], output: ['Z'] });
      m.graph.output = [{ name: 'Z' }];
    }),
  );
  assert.deepEqual(e.path, ['graph', 'node', 1]);
  assert.match(e.message, /node "ln" \(LayerNormalization\)/);
  assert.match(e.message, /operator LayerNormalization/);
  assert.match(e.message, /Hint: re-export/);
  const custom = loadError(lstmModel({}, (m) => (m.graph.node[0].domain = 'com.microsoft')));
  assert.match(custom.message, /com\.microsoft::LSTM/);
});

test('a cyclic graph and a missing input are LoadErrors naming the node', () => {
  const cyclic = loadError(
    lstmModel({}, (m) => {
      m.graph.node = [
        { opType: 'Add', name: 'a', input: ['x', 'b_out'], output: ['a_out'] },
        { opType: 'Relu', name: 'b', input: ['a_out'], output: ['b_out'] },
      ];
      m.graph.output = [{ name: 'b_out', type: m.graph.input[0].type }];
    }),
  );
  assert.match(cyclic.message, /cycle/);
  const missing = loadError(lstmModel({}, (m) => (m.graph.node[0].input = ['x', 'W', 'R_missing'])));
  assert.match(missing.message, /input 2 "R_missing"/);
  assert.match(missing.message, /node "lstm" \(LSTM\)/);
  const twice = loadError(lstmModel({}, (m) => m.graph.node.push({ opType: 'Relu', name: 'again', input: ['x'], output: ['Y'] })));
  assert.match(twice.message, /produced once/);
  const noOutput = loadError(lstmModel({}, (m) => (m.graph.output = [{ name: 'nowhere', type: m.graph.input[0].type }])));
  assert.match(noOutput.message, /"nowhere", which nothing produces/);
});

test('external data is refused with the way to write a single file', () => {
  const e = loadError(
    lstmModel({}, (m) => {
      m.graph.initializer[0] = { name: 'W', dims: [1, 8, 2], dataType: DATA_TYPE.FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }] };
    }),
  );
  assert.match(e.message, /data_location EXTERNAL \(in "weights\.bin"\)/);
  assert.match(e.message, /save_as_external_data=False/);
});

test('external data is read beside the model only: plain relative locations, sizes checked before reading', async () => {
  const external = (location: string, extra: { key: string; value: string }[] = [], dims = [1, 8, 2]) =>
    lstmModel({}, (m) => {
      m.graph.initializer[0] = { name: 'W', dims, dataType: DATA_TYPE.FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: location }, ...extra] };
    });
  const data = new Uint8Array(new Float32Array(Array.from({ length: 20 }, (_, i) => i / 20)).buffer);
  const asked: string[] = [];
  const reader = async (rel: string) => {
    asked.push(rel);
    if (rel !== 'w.bin') throw Object.assign(new Error(`ENOENT: ${rel}`), { code: 'ENOENT' });
    return data;
  };
  const refused = async (bytes: Uint8Array, pattern: RegExp) =>
    assert.rejects(loadOnnxWithSiblings(bytes, 'ext.onnx', reader), (e: unknown) => e instanceof LoadError && pattern.test(e.message));
  // 16 floats at byte 8 of a 20-float file.
  const model = await loadOnnxWithSiblings(external('w.bin', [{ key: 'offset', value: '8' }, { key: 'length', value: '64' }]), 'ext.onnx', reader);
  assert.equal(model.graph.initializers.get('W')!.data[0], Math.fround(2 / 20));
  for (const bad of ['../w.bin', '/etc/passwd', 'a/../../w.bin', 'C:\\w.bin', '..\\w.bin']) await refused(external(bad), /no "\.\.", not absolute/);
  await refused(external('other.bin'), /external data file "other\.bin".*no such file/);
  await refused(external('w.bin', [{ key: 'offset', value: '70' }]), /bytes \[70, 80\) inside "w\.bin"|raw_data of 64 bytes/);
  await refused(external('w.bin', [{ key: 'offset', value: '8' }, { key: 'length', value: '80' }]), /bytes \[8, 88\) inside "w\.bin"; found a file of 80 bytes/);
  await refused(external('w.bin', [{ key: 'offset', value: '-1' }]), /"offset" as a whole number/);
  asked.length = 0;
  await refused(external('w.bin', [], [1, 2 ** 40, 2]), /cellscope\.limits\.maxElements/);
  assert.deepEqual(asked, [], 'nothing is read for a tensor whose dims exceed the limits');
});

test("torch's dynamo export (weights in NAME.onnx.data) runs from the CLI", async () => {
  const c = readCase('dynamo_lstm_gru_softmax');
  const model = await loadOnnxWithSiblings(c.bytes, 'dynamo_lstm_gru_softmax.onnx', c.readSibling);
  assert.deepEqual(model.outputNames, ['probs']);
  // Without a reader (bytes alone) the same file is refused with the way out.
  assert.throws(() => loadOnnx(c.bytes, 'x.onnx'), /data_location EXTERNAL \(in "dynamo_lstm_gru_softmax\.onnx\.data"\).*open the model from its folder/);
});

test('bad attributes, opsets and types are LoadErrors at load', () => {
  assert.match(loadError(lstmModel({}, (m) => m.graph.node[0].attribute.push({ name: 'direction', type: 3, s: new TextEncoder().encode('sideways') }))).message, /direction "forward", "reverse" or "bidirectional"/);
  assert.match(loadError(lstmModel({}, (m) => m.graph.node[0].attribute.push({ name: 'activations', type: 8, strings: ['Sigmoid', 'Gelu', 'Tanh'].map((s) => new TextEncoder().encode(s)) }))).message, /unknown activation "Gelu"/);
  assert.match(loadError(lstmModel({}, (m) => m.graph.node[0].attribute.push({ name: 'activations', type: 8, strings: ['Sigmoid', 'Affine', 'Tanh'].map((s) => new TextEncoder().encode(s)) }))).message, /Affine needs an alpha/);
  assert.match(loadError(lstmModel({}, (m) => (m.opsetImport = [{ domain: 'ai.onnx.ml', version: 3 }]))).message, /opset_import entry for the default domain/);
  assert.match(loadError(lstmModel({}, (m) => (m.graph.initializer[0].dataType = DATA_TYPE.FLOAT16))).message, /element type float16/);
  assert.match(loadError(lstmModel({}, (m) => delete m.graph)).message, /a ModelProto with a graph/);
});

test('the loader table takes .onnx files; its layer-chain path checks the graph and says how to run it', async () => {
  const bytes = readCase('torch_gru_1layer').bytes;
  await assert.rejects(loadModelBytes(bytes, 'model.onnx'), (e: unknown) => e instanceof LoadError && /an ONNX graph \(inputs: x float32/.test(e.message) && /cellscope run\|compare\|trace/.test(e.message));
  // Without the extension, by the ModelProto's first bytes.
  const runnable = await loadRunnableBytes(bytes, 'model.bin', () => Promise.reject(new Error('not an engine model')));
  assert.deepEqual(runnable.outputNames, ['y', 'h_n']);
  // Errors of the graph reach the table's callers too.
  await assert.rejects(loadModelBytes(bytes.subarray(0, 40), 'cut.onnx'), (e: unknown) => e instanceof LoadError && /protobuf/.test(e.message));
});

test('inputs that do not fit the graph are RunErrors naming the input', () => {
  const m = loadOnnx(lstmModel(), 'ok.onnx');
  assert.throws(() => m.run([{ shape: [3, 1, 5], data: new Float64Array(15) }], { record: false }), /input "x" has shape \[3, 1, 5\]; the graph declares \[3, 1, 2\]/);
  assert.throws(() => m.run([], { record: false }), /takes 1 input/);
  const tokens = loadOnnx(readCase('torch_embedding_lstm_classifier').bytes, 'c.onnx');
  assert.throws(() => tokens.run([{ shape: [1, 2], data: Float64Array.from([1, 99]) }], { record: false }), /index 99 .* outside axis 0 of size 20/);
  assert.throws(() => tokens.run([{ shape: [1, 2], data: Float64Array.from([1, 0.5]) }], { record: false }), /not a whole number/);
});
