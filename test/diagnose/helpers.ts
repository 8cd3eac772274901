// Corrupting real Keras fixtures the way a wrong re-implementation would, written independently of src/diagnose.
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { main } from '../../src/cli/main';
import type { Layer, Model, RecurrentLayer } from '../../src/engine/model';
import type { Tensor } from '../../src/engine/tensor';
import { loadModelFile } from '../../src/formats/node-files';
import { rng } from '../random';
import { FIXTURES } from '../fixtures-path';

export interface Case {
  model: Model;
  input: Tensor;
  expected: Tensor;
  predictCalls: number;
}

export async function fixture(family: 'keras-recorded' | 'keras3-generated', name: string): Promise<Case> {
  const l = await loadModelFile(join(FIXTURES, family, `${name}.json`));
  return { model: l.model, input: l.input!, expected: l.expectedOutput!, predictCalls: l.predictCalls };
}

/** The model with every recurrent layer (both directions of a Bidirectional) changed by `f`. */
export function mapRecurrent(model: Model, f: (l: RecurrentLayer) => RecurrentLayer): Model {
  const layers = model.layers.map((l): Layer =>
    l.kind === 'recurrent' ? f(l) : l.kind === 'bidirectional' ? { ...l, forward: f(l.forward), backward: f(l.backward) } : l,
  );
  return { ...model, layers };
}

export const config = (l: RecurrentLayer, c: Partial<RecurrentLayer['config']>): RecurrentLayer => ({ ...l, config: { ...l.config, ...c } });
export const weights = (l: RecurrentLayer, w: Partial<RecurrentLayer['weights']>): RecurrentLayer => ({ ...l, weights: { ...l.weights, ...w } });

/** Keras gates in Keras order → the user's storage, block k holding gate `order[k]` (`keras` names Keras's order). */
export function storeInOrder(t: Tensor, keras: string[], order: string[]): Tensor {
  const rows = t.shape.length === 1 ? 1 : t.shape[0]!;
  const cols = t.shape.length === 1 ? t.shape[0]! : t.shape[1]!;
  const u = cols / keras.length;
  const data = new Float64Array(t.data.length);
  for (let r = 0; r < rows; r++) {
    order.forEach((gate, k) => {
      const src = keras.indexOf(gate);
      for (let j = 0; j < u; j++) data[r * cols + k * u + j] = t.data[r * cols + src * u + j]!;
    });
  }
  return { shape: [...t.shape], data };
}

export function transposed(t: Tensor): Tensor {
  const [r, c] = t.shape as [number, number];
  const data = new Float64Array(t.data.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = t.data[i * c + j]!;
  return { shape: [c, r], data };
}

/** Each [u, u] gate block of a [u, G·u] matrix transposed where it stands. */
export function blocksTransposed(t: Tensor): Tensor {
  const [u, cols] = t.shape as [number, number];
  const data = new Float64Array(t.data.length);
  for (let g = 0; g < cols / u; g++) {
    for (let i = 0; i < u; i++) for (let j = 0; j < u; j++) data[j * cols + g * u + i] = t.data[i * cols + g * u + j]!;
  }
  return { shape: [...t.shape], data };
}

export function reversedInTime(t: Tensor): Tensor {
  const [b, s, u] = t.shape as [number, number, number];
  const data = new Float64Array(t.data.length);
  for (let i = 0; i < b; i++) for (let k = 0; k < s; k++) for (let j = 0; j < u; j++) data[(i * s + s - 1 - k) * u + j] = t.data[(i * s + k) * u + j]!;
  return { shape: [...t.shape], data };
}

/** Deterministic values in [-1, 1). */
export function pseudoRandom(shape: number[], seed: number): Tensor {
  const next = rng(seed);
  return { shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next) };
}

/** Every corruption's before → after errors, printed at the end of each test file for the report. */
export const table: string[] = [];
export function record(t: TestContext, what: string, line: string): void {
  t.diagnostic(`${what}: ${line}`);
  table.push(`${what}: ${line}`);
}

/** The CLI run in-process: exit code and what it printed. */
export async function cellscope(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (t) => out.push(t), (t) => err.push(t));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export const diagnosisLine = (out: string): string => out.split('\n').find((l) => l.startsWith('diagnosis: ')) ?? '';
