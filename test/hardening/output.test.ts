// The CLI's output pieces: the streamed trace is the same text as the whole-string export for finite traces, NaN
// and ±Infinity become Python's tokens (read back by Cellscope's JSON reader), control characters are escaped.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runModel } from '../../src/engine/index';
import { traceToCsv, traceToJson } from '../../src/engine/trace-export';
import { loadModelText, parseJsonText } from '../../src/formats/index';
import { numberToken, oneLine, terminalText, writeNumberArray, type NonFinite } from '../../src/cli/output';
import { writeTraceCsv, writeTraceJson } from '../../src/cli/trace-writer';
import { REPO } from '../fixtures-path';

test('the streamed trace CSV and JSON are the whole-string exports, piece by piece', () => {
  const file = join(REPO, 'examples', 'custom-cells', 'hx-matrix-lstm.json');
  const loaded = loadModelText(readFileSync(file, 'utf8'), file);
  const trace = runModel(loaded.model, loaded.input!, { record: true }).trace!;
  const csv: string[] = [];
  writeTraceCsv(trace, (t) => csv.push(t));
  assert.equal(csv.join(''), traceToCsv(trace));
  const json: string[] = [];
  const seen: NonFinite = { nan: 0, inf: 0 };
  writeTraceJson(trace, (t) => json.push(t), seen);
  assert.equal(json.join(''), JSON.stringify(traceToJson(trace)));
  assert.deepEqual(seen, { nan: 0, inf: 0 });
});

test('NaN and ±Infinity are written as the tokens Cellscope reads back, and counted', () => {
  const seen: NonFinite = { nan: 0, inf: 0 };
  const parts: string[] = [];
  writeNumberArray(new Float64Array([1, NaN, Infinity, -Infinity, -0.5]), (t) => parts.push(t), seen, 2);
  const text = parts.join('');
  assert.equal(text, '[1,NaN,Infinity,-Infinity,-0.5]');
  const back = parseJsonText(text, 'x') as number[];
  assert.ok(Number.isNaN(back[1]) && back[2] === Infinity && back[3] === -Infinity);
  assert.deepEqual(seen, { nan: 1, inf: 2 });
  assert.equal(numberToken(3, seen), '3');
});

test('finite numbers are written as the shortest text that reads back to the same value, in every chunk', () => {
  // float32 values (their double expansions have up to 9 significant digits), subnormals, extremes and -0.
  const data = new Float32Array([0.1, -1 / 3, 3.4028234663852886e38, 1.401298464324817e-45, -0, 1e-7, 123456.7890625, 2 ** -126]);
  for (const chunk of [1, 3, 65536]) {
    const parts: string[] = [];
    const seen: NonFinite = { nan: 0, inf: 0 };
    writeNumberArray(data, (t) => parts.push(t), seen, chunk);
    const back = JSON.parse(parts.join('')) as number[];
    assert.equal(back.length, data.length);
    back.forEach((v, i) => assert.ok(Object.is(v, data[i] === 0 ? 0 : data[i]), `value ${i} (chunk ${chunk}): ${v} vs ${data[i]}`));
    assert.ok(parts.join('').startsWith('[0.10000000149011612,-0.3333333432674408,'), 'a float32 value is written as its exact double');
    assert.deepEqual(seen, { nan: 0, inf: 0 });
  }
});

test('control characters are escaped: all of them on one line, all but newline and tab in multi-line text', () => {
  const name = '\u001b[31mred\u001b]0;owned\u0007\nsecond\u009b';
  assert.equal(oneLine(name), '\\u001b[31mred\\u001b]0;owned\\u0007\\nsecond\\u009b');
  assert.equal(terminalText(`a\tb\n${name}`), 'a\tb\n\\u001b[31mred\\u001b]0;owned\\u0007\nsecond\\u009b');
});
