// Builds small TensorFlow.js layers models with seeded random weights, saves each as TF.js does (model.json +
// binary shards, through a tf.io.withSaveHandler) and records TF.js's own model.predict output beside it.
//
//     node test/formats/data/make_tfjs.mjs [OUT_DIR]      (default: test/formats/data/tfjs)
//
// TF.js is an independent implementation of Keras 2 semantics (hard_sigmoid = clip(0.2x + 0.5, 0, 1), GRU
// reset_after=false only), so its predictions check Cellscope's TF.js loader and engine from outside.
// Quantised variants rewrite the manifest the way tensorflowjs_converter --quantize_* does (uint8/uint16 affine
// with scale and min, float16), and record what TF.js predicts after de-quantising those weights itself.
// TF.js's own default recurrent_activation is hard_sigmoid (Keras 2's default), so most cases exercise it.
// Deterministic: same seeds, same files.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { rng } from '../../random.mjs';
import { fileURLToPath } from 'node:url';

const OUT = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'tfjs'));

/** Uniform in [0, 1): test/random.mjs's mulberry32 (which gives [-1, 1)) mapped back, bit for bit. */
function mulberry32(seed) {
  const next = rng(seed);
  return () => (next() + 1) / 2;
}

/** Every weight uniform in [-0.8, 0.8): non-zero biases so bias bugs show. */
function randomize(model, rand) {
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => (rand() * 2 - 1) * 0.8), w.shape, w.dtype)));
}

const L = tf.layers;
const CASES = {
  lstm_dense: {
    description: 'LSTM(6, recurrent_activation sigmoid) -> Dense(3, softmax)',
    build: () => tf.sequential({ layers: [L.lstm({ units: 6, recurrentActivation: 'sigmoid', inputShape: [5, 3] }), L.dense({ units: 3, activation: 'softmax' })] }),
    input: [2, 5, 3],
  },
  gru_seq_td: {
    description: 'GRU(5, return_sequences, reset_after=false) -> TimeDistributed(Dense(2, tanh))',
    build: () => tf.sequential({ layers: [L.gru({ units: 5, returnSequences: true, inputShape: [6, 3] }), L.timeDistributed({ layer: L.dense({ units: 2, activation: 'tanh' }) })] }),
    input: [2, 6, 3],
  },
  simple_rnn_stack: {
    description: 'SimpleRNN(4, relu, return_sequences) -> SimpleRNN(3, go_backwards) -> Dense(1)',
    build: () =>
      tf.sequential({
        layers: [L.simpleRNN({ units: 4, activation: 'relu', returnSequences: true, inputShape: [7, 2] }), L.simpleRNN({ units: 3, goBackwards: true }), L.dense({ units: 1 })],
      }),
    input: [3, 7, 2],
  },
  bidirectional: {
    description: 'Bidirectional(LSTM(4, return_sequences), concat) -> Bidirectional(GRU(3), sum) -> Dense(2); two shards split inside a tensor',
    build: () =>
      tf.sequential({
        layers: [
          L.bidirectional({ layer: L.lstm({ units: 4, returnSequences: true }), mergeMode: 'concat', inputShape: [5, 3] }),
          L.bidirectional({ layer: L.gru({ units: 3 }), mergeMode: 'sum' }),
          L.dense({ units: 2 }),
        ],
      }),
    input: [2, 5, 3],
    shards: 2,
  },
  hard_sigmoid: {
    description: 'LSTM(4, return_sequences) -> GRU(3), recurrent_activation hard_sigmoid -> Dense(2, hard_sigmoid); inputs scaled ×3 so the clip is reached',
    build: () =>
      tf.sequential({
        layers: [
          L.lstm({ units: 4, recurrentActivation: 'hardSigmoid', returnSequences: true, inputShape: [6, 2] }),
          L.gru({ units: 3, recurrentActivation: 'hardSigmoid' }),
          L.dense({ units: 2, activation: 'hardSigmoid' }),
        ],
      }),
    input: [2, 6, 2],
    scale: 3,
  },
  embedding_gru: {
    description: 'Embedding(10, 4) -> GRU(5) -> Dense(10, softmax); integer tokens',
    build: () => tf.sequential({ layers: [L.embedding({ inputDim: 10, outputDim: 4, inputLength: 7 }), L.gru({ units: 5 }), L.dense({ units: 10, activation: 'softmax' })] }),
    input: [3, 7],
    tokens: 10,
  },
};

/** Quantised copies of a saved case: the manifest and shard rewritten as tensorflowjs_converter writes them. */
const QUANTISED = {
  lstm_dense_uint8: { from: 'lstm_dense', dtype: 'uint8' },
  bidirectional_uint16: { from: 'bidirectional', dtype: 'uint16' },
  gru_seq_td_float16: { from: 'gru_seq_td', dtype: 'float16' },
};

function float16Bits(value) {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant = (mant | 0x800000) >> (1 - exp);
    return sign | ((mant + 0x1000) >> 13);
  }
  if (exp >= 31) return sign | 0x7c00;
  const rounded = (exp << 10) | (mant >> 13);
  return sign | (rounded + ((mant & 0x1000) ? 1 : 0));
}

function quantise(specs, data, dtype) {
  const f32 = new Float32Array(data);
  const outSpecs = [];
  const chunks = [];
  let at = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, d) => a * d, 1);
    const values = f32.subarray(at, at + n);
    at += n;
    if (dtype === 'float16') {
      chunks.push(new Uint8Array(Uint16Array.from(values, float16Bits).buffer));
      outSpecs.push({ ...spec, quantization: { dtype: 'float16' } });
      continue;
    }
    const levels = dtype === 'uint8' ? 255 : 65535;
    let min = Math.min(...values);
    let max = Math.max(...values);
    if (min === max) max = min + 1;
    const scale = (max - min) / levels;
    const q = (dtype === 'uint8' ? Uint8Array : Uint16Array).from(values, (v) => Math.round((v - min) / scale));
    chunks.push(new Uint8Array(q.buffer));
    outSpecs.push({ ...spec, quantization: { dtype, scale, min } });
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return { specs: outSpecs, data: out.buffer };
}

async function save(model) {
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } })));
  return artifacts;
}

function writeCase(name, description, artifacts, specs, data, shards, x, y, extra = {}) {
  const dir = join(OUT, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const bytes = new Uint8Array(data);
  const paths = [];
  // TF.js splits shards at byte boundaries regardless of tensors; so does this.
  const size = Math.ceil(bytes.length / shards);
  for (let i = 0; i < shards; i++) {
    const path = `group1-shard${i + 1}of${shards}.bin`;
    writeFileSync(join(dir, path), bytes.subarray(i * size, Math.min(bytes.length, (i + 1) * size)));
    paths.push(path);
  }
  const modelJson = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths, weights: specs }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson, null, 1) + '\n');
  const tensorJson = (t) => ({ shape: t.shape, data: Array.from(t.dataSync()) });
  writeFileSync(
    join(dir, 'expected.json'),
    JSON.stringify({ description, generated_by: `@tensorflow/tfjs ${tf.version.tfjs} (cpu backend) model.predict`, ...extra, input: tensorJson(x), output: tensorJson(y) }) + '\n',
  );
  console.log(`${name}: ${description}`);
}

async function main() {
  await tf.setBackend('cpu');
  mkdirSync(OUT, { recursive: true });
  const saved = {};
  let seed = 4000;
  for (const [name, c] of Object.entries(CASES)) {
    const rand = mulberry32(++seed);
    const model = c.build();
    randomize(model, rand);
    const x = c.tokens
      ? tf.tensor(Float32Array.from({ length: c.input.reduce((a, d) => a * d, 1) }, () => Math.floor(rand() * c.tokens)), c.input)
      : tf.tensor(Float32Array.from({ length: c.input.reduce((a, d) => a * d, 1) }, () => (rand() * 2 - 1) * (c.scale ?? 1)), c.input);
    const y = model.predict(x);
    const artifacts = await save(model);
    saved[name] = { artifacts, x, description: c.description };
    writeCase(name, c.description, artifacts, artifacts.weightSpecs, artifacts.weightData, c.shards ?? 1, x, y, { seed });
  }
  for (const [name, q] of Object.entries(QUANTISED)) {
    const { artifacts, x, description } = saved[q.from];
    const { specs, data } = quantise(artifacts.weightSpecs, artifacts.weightData, q.dtype);
    // TF.js de-quantises the weights itself when loading them: its prediction is the reference.
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: specs, weightData: data }));
    const y = model.predict(x);
    writeCase(name, `${description}; weights quantised to ${q.dtype}`, artifacts, specs, data, 1, x, y, { quantised_from: q.from, quantisation: q.dtype });
  }
}

await main();
