// What the tests take from the seed documents (the notebooks and articles Cellscope grew from): the parameters of their
// hand-written cells and the numbers they printed, kept as data in test/fixtures/seeds/seeds.json with the document and
// cell each value comes from (test/fixtures/seeds/README.md), so tests take both from the documents rather than from
// anyone's memory, and need nothing beside the repository.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './fixtures-path';

/** Non-finite numbers are stored as the strings "Infinity" / "-Infinity" (strict JSON). */
type Stored = number | 'Infinity' | '-Infinity';
const num = (v: Stored): number => (typeof v === 'number' ? v : Number(v));

interface StoredRun {
  inputs: number[];
  printed: Stored[];
}
interface SeedData {
  '000': { relu_neuron: { printed: number[] }; lstm_neurone: StoredRun; gru_neurone: StoredRun };
  '001': { forget_gate_weights_line: string };
  '002': Record<'identity_lstm' | 'count_lstm' | 'sum_lstm' | 'mean_lstm', StoredRun & { call: string }>;
  '003': { recurrent_neuron_class: string };
}

export const SEED_DATA: SeedData = JSON.parse(readFileSync(join(FIXTURES, 'seeds', 'seeds.json'), 'utf8'));

/** Every number in `s` (integers, decimals, `math.inf`, `-math.inf`). */
export const seedNumbers = (s: string) =>
  (s.match(/-?(?:math\.inf|\d+(?:\.\d+)?)/g) ?? []).map((t) => (t.includes('inf') ? (t.startsWith('-') ? -Infinity : Infinity) : Number(t)));

/** A seed cell run over a sequence: its inputs and the numbers the document printed. */
export interface SeedRun {
  inputs: number[];
  printed: number[];
}

/** Seed 000's `nLSTM = LSTM_Neurone()` or `nGRU = GRU_Neurone()` session: the compute() inputs and printed floats. */
export function seed000Run(cell: 'lstm_neurone' | 'gru_neurone'): SeedRun {
  const r = SEED_DATA['000'][cell];
  return { inputs: r.inputs, printed: r.printed.map(num) };
}

/** One of seed 002's `name = LSTM(...)` cells: the constructor's text, the inputs it runs on, and what it printed. */
export interface Seed002Case extends SeedRun {
  /** The `LSTM(...)` call, up to the run: eight np.array arguments and the activations. */
  args: string;
}

/** `identity_lstm`, `count_lstm` or `sum_lstm`: the printed array is the run's output. */
export function seed002Case(name: 'identity_lstm' | 'count_lstm' | 'sum_lstm'): Seed002Case {
  const c = SEED_DATA['002'][name];
  return { args: c.call, inputs: c.inputs, printed: c.printed.map(num) };
}

/** `mean_lstm`: the printed array is the running mean, result[:, 0] / result[:, 1]. */
export function seed002MeanCase(): Seed002Case {
  const c = SEED_DATA['002'].mean_lstm;
  return { args: c.call, inputs: c.inputs, printed: c.printed.map(num) };
}
