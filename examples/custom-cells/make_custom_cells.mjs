// Writes the custom-cell examples: each seed's hand-written cell as a `CustomCell` layer in a keras-model-fixture/v1
// file. Expected outputs come from a plain-JavaScript transcription of the seed's own Python (float64, independent
// of Cellscope's engine), and that transcription is checked against the numbers the seed printed before anything is
// written.   node examples/custom-cells/make_custom_cells.mjs   (reads the seeds' values from test/fixtures/seeds/seeds.json)
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** What the seed documents wrote and printed, extracted with the document and cell each value comes from. */
const SEEDS = JSON.parse(readFileSync(resolve(HERE, '../../test/fixtures/seeds/seeds.json'), 'utf8'));
const seedName = (n) => SEEDS[n].document.replace(/\.txt$/, '');
const stored = (v) => (typeof v === 'number' ? v : Number(v)); // "Infinity" / "-Infinity" are kept as strings

const relu = (v) => Math.max(0, v);
const sigmoid = (v) => 1.0 / (Math.exp(-v) + 1.0);
const dot = (w, v) => w.reduce((s, wk, k) => s + wk * v[k], 0);
/** Within 1e-12 of what the seed printed (numpy's tanh/exp and V8's differ in the last bit). */
const close = (ours, printed) => {
  assert.equal(ours.length, printed.length);
  ours.forEach((v, i) => assert.ok(Math.abs(v - printed[i]) <= 1e-12, `${i}: ${v} vs the seed's ${printed[i]}`));
};
const w = (name, shape, data) => ({ name, shape, dtype: 'float64', data });
const arr = (shape, data) => ({ shape, dtype: 'float64', data });

function write(file, { id, source, layer, input, expected }) {
  const doc = {
    format: 'keras-model-fixture/v1',
    id: `examples/custom-cells/${id}`,
    source,
    layers: [layer],
    input: arr([1, input.length / layer.config.input_shape[1], layer.config.input_shape[1]], input),
    expected_output: arr([1, input.length / layer.config.input_shape[1], layer.config.units], expected),
  };
  // ±inf as 1e999 / -1e999: strict JSON (VS Code's checker accepts it) that every JSON reader turns into ±Infinity
  // (JSON.stringify would write null).
  const text = JSON.stringify(doc, (k, v) => (v === Infinity ? '__INF__' : v === -Infinity ? '__-INF__' : v), 1)
    .replace(/"__INF__"/g, '1e999')
    .replace(/"__-INF__"/g, '-1e999');
  writeFileSync(join(HERE, file), `${text}\n`);
  console.log(`wrote ${file}`);
}

// ---- seed 000: RecurenceNeurone, LSTM_Neurone, GRU_Neurone ----
{
  const printed = SEEDS['000'].relu_neuron.printed;
  const xs = new Array(17).fill(1);
  let h = 0;
  const ours = xs.map((x) => (h = relu(1 * x + 1 * h)));
  assert.deepEqual(ours, printed);
  write('relu-counter.json', {
    id: 'relu-counter',
    source: { seed: seedName('000'), cell: 'RecurenceNeurone: h = relu(theta·x + w·h), output relu(h) = h', printed },
    layer: {
      class_name: 'CustomCell',
      config: { name: 'relu_neuron', units: 1, input_shape: [null, 1], return_sequences: true, states: ['h'], gates: [], updates: { h: 'relu(theta * x + w * h)' }, output: 'h' },
      weights: [w('theta', [1], [1]), w('w', [1], [1])],
    },
    input: xs,
    expected: printed,
  });

  const printedAfter = (cell) => ({ inputs: SEEDS['000'][cell].inputs, out: SEEDS['000'][cell].printed.map(stored) });
  const lstmSeen = printedAfter('lstm_neurone');
  const gruSeen = printedAfter('gru_neurone');
  assert.equal(lstmSeen.out.length, 6);
  assert.equal(gruSeen.out.length, 6);
  const ones = [1, 1];
  const b = 0.5;
  {
    let hh = 0;
    let c = 0;
    const ours = lstmSeen.inputs.map((x) => {
      const v = [hh, x];
      const i = relu(dot(ones, v) + b);
      const f = relu(dot(ones, v) + b);
      const ct = Math.tanh(dot(ones, v) + b);
      const o = sigmoid(dot(ones, v) + b);
      c = f * c + i * ct;
      hh = o * Math.tanh(c);
      return o;
    });
    close(ours, lstmSeen.out);
  }
  {
    let hh = 0;
    let c = 0;
    const ours = gruSeen.inputs.map((x) => {
      const v = [hh, x];
      const f = relu(dot(ones, v) + b);
      const ct = Math.tanh(dot(ones, v) + b);
      const o = sigmoid(dot(ones, v) + b);
      c = f * c + (1 - f) * ct;
      hh = o * Math.tanh(c);
      return o;
    });
    close(ours, gruSeen.out);
  }
  const gateWeights = (names) => [...names.map((g) => w(`w_${g}`, [1, 2], [1, 1])), ...names.map((g) => w(`b_${g}`, [1], [0.5]))];
  write('relu-gated-lstm.json', {
    id: 'relu-gated-lstm',
    source: { seed: seedName('000'), cell: 'LSTM_Neurone: ReLU input and forget gates, returns its output gate o', printed: lstmSeen.out },
    layer: {
      class_name: 'CustomCell',
      config: {
        name: 'relu_gated_lstm',
        units: 1,
        input_shape: [null, 1],
        return_sequences: true,
        states: ['h', 'c'],
        gates: [
          { name: 'i', expr: 'relu(w_i @ [h, x] + b_i)', description: 'input gate (ReLU in the seed): how much of c̃ is written' },
          { name: 'f', expr: 'relu(w_f @ [h, x] + b_f)', description: 'forget gate (ReLU in the seed): how much of c is kept' },
          { name: 'c_tilde', label: 'c̃', role: 'candidate', expr: 'tanh(w_c @ [h, x] + b_c)', description: 'candidate cell value' },
          { name: 'o', expr: 'sigmoid(w_o @ [h, x] + b_o)', description: 'output gate: what compute() returns' },
        ],
        updates: { c: 'f * c + i * c_tilde', h: 'o * tanh(c)' },
        output: 'o',
      },
      weights: gateWeights(['i', 'f', 'c', 'o']),
    },
    input: lstmSeen.inputs,
    expected: lstmSeen.out,
  });
  write('coupled-gate-gru.json', {
    id: 'coupled-gate-gru',
    source: { seed: seedName('000'), cell: 'GRU_Neurone: coupled forget gate c = f·c + (1 − f)·c̃, returns its output gate o', printed: gruSeen.out },
    layer: {
      class_name: 'CustomCell',
      config: {
        name: 'coupled_gate_gru',
        units: 1,
        input_shape: [null, 1],
        return_sequences: true,
        states: ['h', 'c'],
        gates: [
          { name: 'f', expr: 'relu(w_f @ [h, x] + b_f)', description: 'forget gate (ReLU in the seed); 1 − f writes the candidate' },
          { name: 'c_tilde', label: 'c̃', role: 'candidate', expr: 'tanh(w_c @ [h, x] + b_c)', description: 'candidate cell value' },
          { name: 'o', expr: 'sigmoid(w_o @ [h, x] + b_o)', description: 'output gate: what compute() returns' },
        ],
        updates: { c: 'f * c + (1 - f) * c_tilde', h: 'o * tanh(c)' },
        output: 'o',
      },
      weights: gateWeights(['f', 'c', 'o']),
    },
    input: gruSeen.inputs,
    expected: gruSeen.out,
  });
}

// ---- seed 002: class LSTM(forget W, b, input W, b, candidate W, b, output W, b, activation, recurrent_activation) ----
{
  const parseArrays = (args) => [...args.matchAll(/np\.array\((\[[^()]*\])\)/g)].map((m) => JSON.parse(m[1].replace(/-math\.inf/g, '"-inf"').replace(/math\.inf/g, '"inf"'), (k, v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v)));
  const identity = (v) => v;
  for (const name of ['identity', 'count', 'sum', 'mean']) {
    const seen = SEEDS['002'][`${name}_lstm`];
    const [fW, fb, iW, ib, cW, cb, oW, ob] = parseArrays(seen.call);
    assert.ok(/activation=identity, recurrent_activation=identity/.test(seen.call));
    const units = fb.length;
    const xs = seen.inputs;
    // The seed's forward(): extended = [features, last_output]; gates are sigmoids.
    let h = new Array(units).fill(0);
    let c = new Array(units).fill(0);
    const mv = (W, v, bias) => W.map((row, j) => dot(row, v) + bias[j]);
    const outputs = xs.map((x) => {
      const ext = [x, ...h];
      const f = mv(fW, ext, fb).map(sigmoid);
      const i = mv(iW, ext, ib).map(sigmoid);
      const o = mv(oW, ext, ob).map(sigmoid);
      const cand = mv(cW, ext, cb).map(identity);
      c = c.map((cj, j) => cj * f[j] + cand[j] * i[j]);
      h = c.map((cj, j) => identity(cj) * o[j]);
      return h;
    });
    const printed = seen.printed.map(stored);
    if (name === 'mean') assert.deepEqual(outputs.map((o) => o[0] / o[1]), printed);
    else assert.deepEqual(outputs.flat(), printed);
    write(`seed002-${name}-lstm.json`, {
      id: `seed002-${name}-lstm`,
      source: {
        seed: seedName('002'),
        cell: `${name}_lstm = LSTM(..., activation=identity, recurrent_activation=identity): sigmoid gates over [x, h]; recurrent_activation acts on the candidate, activation on the output`,
        printed,
        ...(name === 'mean' ? { note: 'the seed printed result[:, 0] / result[:, 1]; the expected output is [sum, count] per step' } : {}),
      },
      layer: {
        class_name: 'CustomCell',
        config: {
          name: `${name}_lstm`,
          units,
          input_shape: [null, 1],
          return_sequences: true,
          activations: { activation: 'identity', recurrent_activation: 'identity' },
          states: ['h', 'c'],
          gates: [
            { name: 'forget_gate', label: 'f', expr: 'sigmoid(forget_weights @ [x, h] + forget_bias)' },
            { name: 'input_gate', label: 'i', expr: 'sigmoid(input_weights @ [x, h] + input_bias)' },
            { name: 'output_gate', label: 'o', expr: 'sigmoid(output_weights @ [x, h] + output_bias)' },
            { name: 'candidate', label: 'c̃', role: 'candidate', expr: 'recurrent_activation(candidate_weights @ [x, h] + candidate_bias)' },
          ],
          updates: { c: 'c * forget_gate + candidate * input_gate', h: 'activation(c) * output_gate' },
          output: 'h',
        },
        weights: [
          w('forget_weights', [units, 1 + units], fW.flat()),
          w('forget_bias', [units], fb),
          w('input_weights', [units, 1 + units], iW.flat()),
          w('input_bias', [units], ib),
          w('candidate_weights', [units, 1 + units], cW.flat()),
          w('candidate_bias', [units], cb),
          w('output_weights', [units, 1 + units], oW.flat()),
          w('output_bias', [units], ob),
        ],
      },
      input: xs,
      expected: outputs.flat(),
    });
  }
}

// ---- seed 001: an LSTM with one weight matrix per gate over the concatenated [h, x] (the notebook's formulas) ----
{
  // Small fixed weights (the seed draws them with np.random.randn); 2 units, 2 features.
  const units = 2;
  const features = 2;
  const gen = (k) => Array.from({ length: units * (units + features) }, (_, j) => Math.round(Math.sin(7 * k + 3 * j + 1) * 100) / 100);
  const bias = (k) => Array.from({ length: units }, (_, j) => Math.round(Math.cos(5 * k + j) * 50) / 100);
  const W = { f: gen(1), i: gen(2), c: gen(3), o: gen(4) };
  const B = { f: bias(1), i: bias(2), c: bias(3), o: bias(4) };
  const xs = [0.5, -1, 1, 0.25, 0, 2, -0.5, 0.75];
  let h = [0, 0];
  let c = [0, 0];
  const mv = (flat, v, b) => b.map((bj, j) => dot(flat.slice(j * v.length, (j + 1) * v.length), v) + bj);
  const outputs = [];
  for (let t = 0; t < xs.length / features; t++) {
    const v = [...h, ...xs.slice(t * features, (t + 1) * features)];
    const f = mv(W.f, v, B.f).map(sigmoid);
    const i = mv(W.i, v, B.i).map(sigmoid);
    const o = mv(W.o, v, B.o).map(sigmoid);
    const ct = mv(W.c, v, B.c).map(Math.tanh);
    c = c.map((cj, j) => f[j] * cj + i[j] * ct[j]);
    h = c.map((cj, j) => o[j] * Math.tanh(cj));
    outputs.push(...h);
  }
  write('hx-matrix-lstm.json', {
    id: 'hx-matrix-lstm',
    source: {
      seed: seedName('001'),
      cell: 'LSTM with one weight matrix per gate over X_t = [h_{t-1}, x_t]: f, i, o = σ(W·X + b), c̃ = tanh(W_c·X + b_c), c = f∘c + i∘c̃, h = o∘tanh(c)',
      note: 'the seed prints no numbers (its weights are random); expected output from a float64 transcription of its formulas with these fixed weights',
    },
    layer: {
      class_name: 'CustomCell',
      config: {
        name: 'lstm',
        units,
        input_shape: [null, features],
        return_sequences: true,
        states: ['h', 'c'],
        gates: [
          { name: 'f', expr: 'sigmoid(Wf @ [h, x] + bf)' },
          { name: 'i', expr: 'sigmoid(Wi @ [h, x] + bi)' },
          { name: 'o', expr: 'sigmoid(Wo @ [h, x] + bo)' },
          { name: 'c_bar', label: 'C̄', role: 'candidate', expr: 'tanh(Wc @ [h, x] + bc)' },
        ],
        updates: { c: 'f * c + i * c_bar', h: 'o * tanh(c)' },
        output: 'h',
      },
      weights: ['f', 'i', 'o', 'c'].flatMap((g) => [w(`W${g}`, [units, units + features], W[g]), w(`b${g}`, [units], B[g])]),
    },
    input: xs,
    expected: outputs,
  });
}
