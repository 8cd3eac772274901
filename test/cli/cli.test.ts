// The `cellscope` command as other tools call it: output format, exit codes, one-line errors, no clobbering.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { FIXTURES, REPO } from '../fixtures-path';

const LSTM_STATEFUL = join(FIXTURES, 'keras-recorded', 'kerasjs-LSTM-5.json');
const STACK = join(FIXTURES, 'keras3-generated', 'keras3-seed-1.json');
const tmp = mkdtempSync(join(tmpdir(), 'cellscope-cli-'));

function cellscope(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'cellscope.js'), ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function assertOneLineError(r: { err: string }, ...mentions: string[]) {
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, `one line, no stack trace:\n${r.err}`);
  assert.match(lines[0]!, /^cellscope: /);
  for (const m of mentions) assert.ok(lines[0]!.includes(m), `"${lines[0]}" should mention ${m}`);
}

before(() => {
  const b = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
});

test('run prints {"shape", "data"} that matches the recorded Keras output', () => {
  const r = cellscope('run', LSTM_STATEFUL);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { shape: number[]; data: number[] };
  const fixture = JSON.parse(readFileSync(LSTM_STATEFUL, 'utf8'));
  assert.deepEqual(out.shape, fixture.expected_output.shape);
  out.data.forEach((v, k) => assert.ok(Math.abs(v - fixture.expected_output.data[k]) < 1e-5));
});

test('run --precision float32 gives float32 numbers close to Keras, not the float64 ones', () => {
  const f64 = JSON.parse(cellscope('run', STACK).out).data as number[];
  const f32 = JSON.parse(cellscope('run', STACK, '--precision', 'float32').out).data as number[];
  assert.ok(f32.every((v) => Math.fround(v) === v), 'every float32 output is a float32 value');
  assert.ok(f32.some((v, k) => v !== f64[k]), 'float32 arithmetic differs from float64 somewhere');
  f32.forEach((v, k) => assert.ok(Math.abs(v - f64[k]!) < 1e-5));
});

test('run --input and --out: reads an input file, writes the output, refuses to overwrite without --force', () => {
  const fixture = JSON.parse(readFileSync(STACK, 'utf8'));
  const inputFile = join(tmp, 'input.json');
  writeFileSync(inputFile, JSON.stringify(fixture.input));
  const outFile = join(tmp, 'out.json');
  assert.equal(cellscope('run', STACK, '--input', inputFile, '--out', outFile).code, 0);
  assert.deepEqual(JSON.parse(readFileSync(outFile, 'utf8')).shape, fixture.expected_output.shape);
  writeFileSync(outFile, 'mine');
  const again = cellscope('run', STACK, '--input', inputFile, '--out', outFile);
  assert.equal(again.code, 2);
  assertOneLineError(again, 'out.json', '--force');
  assert.equal(readFileSync(outFile, 'utf8'), 'mine', 'the user file is untouched');
  assert.equal(cellscope('run', STACK, '--input', inputFile, '--out', outFile, '--force').code, 0);
});

test('compare exits 0 within tolerance and prints the max error and first divergence', () => {
  const r = cellscope('compare', LSTM_STATEFUL);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /max \|Δ\| = \d\.\d+e-\d+.* — matches/);
  assert.match(r.out, /first divergence: none/);
});

test('compare exits 1 when outputs differ (Keras 3 hard_sigmoid on a Keras 2 recording) and names the place', () => {
  const r = cellscope('compare', LSTM_STATEFUL, '--hard-sigmoid', 'keras3');
  assert.equal(r.code, 1);
  assert.match(r.out, /first divergence: batch 0, unit \d/);
  // A loose enough tolerance accepts the same difference.
  assert.equal(cellscope('compare', LSTM_STATEFUL, '--hard-sigmoid', 'keras3', '--atol', '1').code, 0);
});

test('compare --expected takes a separate recorded-output file', () => {
  const fixture = JSON.parse(readFileSync(STACK, 'utf8'));
  const [inputFile, expectedFile] = [join(tmp, 'in2.json'), join(tmp, 'expected.json')];
  writeFileSync(inputFile, JSON.stringify(fixture.input));
  writeFileSync(expectedFile, JSON.stringify({ shape: fixture.expected_output.shape, data: fixture.expected_output.data.map((v: number) => v + 0.01) }));
  const r = cellscope('compare', STACK, '--input', inputFile, '--expected', expectedFile);
  assert.equal(r.code, 1);
  assert.match(r.out, /max abs error 0\.01/);
});

test('bad input exits 2 with one line naming the file: missing file, invalid JSON, wrong input shape, bad option', () => {
  assertOneLineError(Object.assign(cellscope('run', 'missing.json'), {}), 'missing.json');
  assert.equal(cellscope('run', 'missing.json').code, 2);
  const broken = join(tmp, 'broken.json');
  writeFileSync(broken, '{"format": "keras-model-fixture/v1", "layers": [');
  const r = cellscope('run', broken);
  assert.equal(r.code, 2);
  assertOneLineError(r, 'broken.json');
  const flat = join(tmp, 'flat.json');
  writeFileSync(flat, JSON.stringify([[1, 2, 3, 4, 5]]));
  const shape = cellscope('run', STACK, '--input', flat);
  assert.equal(shape.code, 2);
  assertOneLineError(shape, 'time steps');
  const opt = cellscope('run', STACK, '--precision', 'float16');
  assert.equal(opt.code, 2);
  assertOneLineError(opt, 'float16');
});

test('run reads .keras and .h5 through the readers the bundle loads on demand, with the JSON export\'s output', () => {
  const dir = join(REPO, 'examples', 'char-rnn');
  const input = join(dir, 'input.json');
  const fromJson = cellscope('run', join(dir, 'model.cellscope.json'), '--input', input);
  assert.equal(fromJson.code, 0, fromJson.err);
  for (const file of ['model.keras', 'model.h5']) {
    const r = cellscope('run', join(dir, file), '--input', input);
    assert.equal(r.code, 0, `${file}: ${r.err}`);
    assert.deepEqual(JSON.parse(r.out), JSON.parse(fromJson.out), file);
  }
});

test('an error deep in a large Keras export still names the JSON path and line:column', () => {
  const doc = JSON.parse(readFileSync(join(REPO, 'examples', 'char-rnn', 'model.cellscope.json'), 'utf8'));
  doc.weights[1][3][5] = 'oops';
  const bad = join(tmp, 'bad-weight.json');
  const text = JSON.stringify(doc, null, 1);
  writeFileSync(bad, text);
  const r = cellscope('run', bad, '--input', join(REPO, 'examples', 'char-rnn', 'input.json'));
  assert.equal(r.code, 2);
  const offset = text.indexOf('"oops"');
  const line = text.slice(0, offset).split('\n').length;
  const column = offset - text.lastIndexOf('\n', offset - 1);
  assertOneLineError(r, `bad-weight.json:${line}:${column}:`, '`weights[1][3][5]`', 'expected a number', 'found the string "oops"');
});

test('inspect lists layers, parameter counts and per-gate weight statistics', () => {
  const r = cellscope('inspect', STACK);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Bidirectional\(GRU\)/);
  assert.match(r.out, /forward\/recurrent_kernel\s+z/);
  const json = JSON.parse(cellscope('inspect', STACK, '--json').out);
  const fixture = JSON.parse(readFileSync(STACK, 'utf8'));
  const weightCount = fixture.layers.flatMap((l: { weights: { data: number[] }[] }) => l.weights).reduce((n: number, w: { data: number[] }) => n + w.data.length, 0);
  assert.equal(json.summary.params, weightCount);
});

test('trace writes every quantity to CSV: one row per layer direction, step and unit', () => {
  const out = join(tmp, 'trace.csv');
  const r = cellscope('trace', LSTM_STATEFUL, '--out', out);
  assert.equal(r.code, 0, r.err);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'layer,direction,batch,step,input_time,unit,i,f,c_tilde,o,c,h,pre_i,pre_f,pre_c_tilde,pre_o');
  assert.equal(lines.length - 1, 1 * 3 * 4, 'batch 1 × 3 steps × 4 units');
  const json = join(tmp, 'trace.json');
  assert.equal(cellscope('trace', STACK, '--out', json).code, 0);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).layers.length, 4, 'two Bidirectional layers, two directions each');
  assert.ok(!existsSync(join(tmp, 'nothing.csv')));
  assert.equal(cellscope('trace', STACK).code, 2);
});

test('a reader that goes away (`| head -1`, `| true`) ends the command quietly: no EPIPE stack trace', () => {
  // `true` exits before node has started, so every write meets a closed pipe.
  const cmd = `"${process.execPath}" "${join(REPO, 'bin', 'cellscope.js')}" inspect "${STACK}" | true; "${process.execPath}" "${join(REPO, 'bin', 'cellscope.js')}" inspect "${STACK}" | head -1`;
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', cwd: tmp });
  assert.equal(r.stdout.split('\n').filter(Boolean).length, 1);
  assert.doesNotMatch(r.stderr, /EPIPE|Error/);
});
