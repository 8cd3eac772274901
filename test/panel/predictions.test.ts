/**
 * Token predictions and the playground's pure parts: the top-k of examples/char-rnn against real Keras (softmax head
 * as trained, and the same model with a linear head, whose logits the panel turns into probabilities), the text ↔ ids
 * mapping, the edited input, and the file "Save input as…" writes read back by the loader.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { runModel, type Model } from '../../src/engine/index';
import { loadArrayBytes, loadModelBytes } from '../../src/formats/index';
import { applyEdit, detokenize, inputFileText, tokenize, unknownText } from '../../src/panel/playground';
import { outputHead, topKPredictions, outputUnitToken } from '../../src/panel/predictions';
import { kerasCharOutputs } from '../support/keras-char';

const ROOT = process.cwd();
const CHAR = join(ROOT, 'examples', 'char-rnn');

/** Keras's top k of one step: ids by decreasing probability. */
const kerasTop = (p: number[], k: number) => p.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k);

describe('next-token predictions of examples/char-rnn against Keras 3', () => {
  let model: Model;
  let vocab: string[];
  const text = 'Capacitacao - LSTM Deep Learning';
  let ids: number[];
  before(async () => {
    model = (await loadModelBytes(readFileSync(join(CHAR, 'model.cellscope.json')), 'model.cellscope.json')).model;
    vocab = model.vocabulary!;
    ids = tokenize(text, vocab).ids;
  });

  test('softmax head: probabilities as they are, top 5 of every step equal to Keras', { timeout: 300_000 }, () => {
    const head = outputHead(model);
    assert.ok(!('reason' in head) && head.kind === 'probabilities' && head.activation === 'softmax', JSON.stringify(head));
    const out = runModel(model, { shape: [1, ids.length], data: Float64Array.from(ids) }).output;
    const top = topKPredictions(out, vocab.length, head.kind, 5)!;
    assert.equal(top.steps, ids.length);
    const keras = kerasCharOutputs(ROOT, [ids]).out[0]!;
    let worst = 0;
    for (let t = 0; t < ids.length; t++) {
      const want = kerasTop(keras[t]!, 5);
      for (let r = 0; r < 5; r++) {
        const got = top.probs[t * 5 + r]!;
        worst = Math.max(worst, Math.abs(got - want[r]![0]));
        // Ranks may swap only between near-equal probabilities.
        if (top.ids[t * 5 + r] !== want[r]![1]) assert.ok(Math.abs(want[r]![0] - keras[t]![top.ids[t * 5 + r]!]!) < 1e-6, `t=${t} rank ${r}: ${top.ids[t * 5 + r]} vs Keras ${want[r]![1]}`);
      }
    }
    assert.ok(worst < 1e-6, `largest |Δp| vs Keras ${worst}`);
  });

  test('linear head: the panel applies the softmax to the logits and says so; equal to Keras’s softmax', { timeout: 300_000 }, () => {
    const linear: Model = { ...model, layers: model.layers.map((l) => (l.kind === 'dense' ? { ...l, activation: 'linear' } : l)) };
    const head = outputHead(linear);
    assert.ok(!('reason' in head) && head.kind === 'logits', JSON.stringify(head));
    const out = runModel(linear, { shape: [1, ids.length], data: Float64Array.from(ids) }).output;
    const top = topKPredictions(out, vocab.length, head.kind, 3)!;
    const keras = kerasCharOutputs(ROOT, [ids], true);
    // The logits themselves agree with Keras's linear head (so the softmax is all the panel adds).
    assert.ok(Math.abs(out.data[7]! - keras.out[0]![0]![7]!) < 1e-4, `logit ${out.data[7]} vs ${keras.out[0]![0]![7]}`);
    let worst = 0;
    for (let t = 0; t < ids.length; t++) {
      const want = kerasTop(keras.softmax[0]![t]!, 3);
      for (let r = 0; r < 3; r++) {
        assert.equal(top.ids[t * 3 + r], want[r]![1], `t=${t} rank ${r}`);
        worst = Math.max(worst, Math.abs(top.probs[t * 3 + r]! - want[r]![0]));
      }
    }
    assert.ok(worst < 1e-6, `largest |Δp| vs Keras ${worst}`);
  });

  test('a head that gives no distribution is named, not shown as probabilities', () => {
    const sig: Model = { ...model, layers: model.layers.map((l) => (l.kind === 'dense' ? { ...l, activation: 'sigmoid' } : l)) };
    const head = outputHead(sig);
    assert.ok('reason' in head && /sigmoid/.test(head.reason), JSON.stringify(head));
  });

  test('output units are named by their token', () => {
    assert.equal(outputUnitToken(0, vocab, true), ' “↵”');
    assert.equal(outputUnitToken(17, vocab, true), ` “${vocab[17]}”`);
    assert.equal(outputUnitToken(3, vocab, false), '');
  });
});

describe('playground helpers', () => {
  const vocab = ['\n', ' ', 'a', 'b', 'ab', 'c'];
  test('text → ids by the longest vocabulary entry; unknown characters listed with their offsets', () => {
    const t = tokenize('abc xab\nz', vocab);
    assert.deepEqual(t.ids, [4, 5, 1, 4, 0]);
    assert.deepEqual(t.unknown, [{ text: 'x', at: 4 }, { text: 'z', at: 8 }]);
    assert.equal(detokenize(t.ids, vocab), 'abc ab\n');
    const msg = unknownText(t.unknown, vocab);
    assert.match(msg, /^2 characters are not in the model's vocabulary and were left out of the run: “x” \(at 4\), “z” \(at 8\)/);
    assert.equal(unknownText([], vocab), '');
    // A character outside the BMP is one unknown character, not two halves.
    assert.deepEqual(tokenize('a😀', vocab).unknown, [{ text: '😀', at: 1 }]);
  });

  test('an edit replaces one batch item; a new length only with batch 1', () => {
    const input = { shape: [2, 3, 2], data: Float64Array.from({ length: 12 }, (_, i) => i) };
    const e = applyEdit(input, { batch: 1, steps: 3, data: Float64Array.from([9, 9, 9, 9, 9, 9]) });
    assert.deepEqual([...e.data], [0, 1, 2, 3, 4, 5, 9, 9, 9, 9, 9, 9]);
    assert.deepEqual([...input.data.slice(6)], [6, 7, 8, 9, 10, 11], 'the input itself is not changed');
    assert.throws(() => applyEdit(input, { batch: 0, steps: 2, data: new Float64Array(4) }), /share one length \(3 steps\)/);
    assert.throws(() => applyEdit(input, { batch: 2, steps: 3, data: new Float64Array(6) }), /out of range/);
    const one = applyEdit({ shape: [1, 4], data: new Float64Array(4) }, { batch: 0, steps: 6, data: Float64Array.from([1, 2, 3, 4, 5, 6]) });
    assert.deepEqual(one.shape, [1, 6]);
  });

  test('the saved input is strict JSON the loader reads back exactly (±Infinity, NaN, float32)', () => {
    const data = Float32Array.from([0.1, -2.5e-7, Infinity, -Infinity, NaN, 3]);
    const text = inputFileText({ shape: [1, 3, 2], data }, false);
    assert.doesNotThrow(() => JSON.parse(text.replace('NaN', 'null')));
    const back = loadArrayBytes(new TextEncoder().encode(text), 'edited.json');
    assert.deepEqual(back.shape, [1, 3, 2]);
    back.data.forEach((x, i) => assert.ok(Object.is(Math.fround(x), data[i]) || (Number.isNaN(x) && Number.isNaN(data[i]!)), `${i}: ${x} vs ${data[i]}`));
    const tokens = loadArrayBytes(new TextEncoder().encode(inputFileText({ shape: [1, 3], data: Float64Array.from([5, 0, 24]) }, true)), 'ids.json');
    assert.deepEqual([...tokens.data], [5, 0, 24]);
  });
});
