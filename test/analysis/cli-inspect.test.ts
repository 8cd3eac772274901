/** `cellscope inspect`: the spectral radius column and, with --input, gate saturation (in-process, no build needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { inspectCommand } from '../../src/cli/commands';
import type { CliOptions } from '../../src/cli/options';
import { REPO } from '../fixtures-path';

const MODEL = join(REPO, 'examples/sine-lstm/model.cellscope.json');

async function inspect(extra: Partial<CliOptions>): Promise<string> {
  const out: string[] = [];
  const o = { command: 'inspect', model: MODEL, precision: 'float64', atol: 1e-5, rtol: 0, force: false, json: false, diagnose: false, ...extra } as unknown as CliOptions;
  assert.equal(await inspectCommand(o, (t) => out.push(t)), 0);
  return out.join('\n');
}

test('inspect: ρ column on every recurrent_kernel gate row, "-" elsewhere; existing columns kept', async () => {
  const text = await inspect({});
  assert.match(text, /layer\s+weight\s+gate\s+shape\s+min\s+max\s+mean\s+std\s+NaN\s+Inf\s+ρ/);
  for (const g of ['i', 'f', 'c', 'o']) assert.match(text, new RegExp(`lstm\\s+recurrent_kernel\\s+${g}\\s+\\[6×6\\].*\\s(0\\.\\d{4})$`, 'm'));
  assert.match(text, /lstm\s+bias\s+f\s+\[6\].*\s-$/m);
  assert.doesNotMatch(text, /gate saturation/);
});

test('inspect --input: saturation per gate and dead units; --json carries radii and saturation', async () => {
  const input = join(REPO, 'examples/sine-lstm/input.json');
  assert.match(await inspect({ input }), /gate saturation[^\n]*\n\s+lstm gate i: left \d+%, right \d+%[\s\S]*lstm: (no dead units|\d+ dead unit)/);
  const json = JSON.parse(await inspect({ input, json: true }));
  assert.equal(json.spectralRadii.length, 4);
  assert.equal(json.saturation[0].gates.length, 3);
  assert.equal(json.saturation[0].gates[0].left.length, 6);
});
