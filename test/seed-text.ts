// Reading the seed documents (../shared/seeds): their code's parameters and the numbers they printed, so tests
// take both from the documents rather than from anyone's memory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEEDS } from './fixtures-path';

/** The text of the seed whose file name starts with `n` (e.g. '002'). */
export const seedText = (n: string) => readFileSync(join(SEEDS, readdirSync(SEEDS).find((f) => f.startsWith(n))!), 'utf8');

/** Every number in `s` (integers, decimals, `math.inf`, `-math.inf`). */
export const seedNumbers = (s: string) =>
  (s.match(/-?(?:math\.inf|\d+(?:\.\d+)?)/g) ?? []).map((t) => (t.includes('inf') ? (t.startsWith('-') ? -Infinity : Infinity) : Number(t)));

/** One of seed 002's `name = LSTM(...)` cells: the constructor's text, the inputs it runs on, and what it printed. */
export interface Seed002Case {
  /** The `LSTM(...)` call, up to the run: eight np.array arguments and the activations. */
  args: string;
  inputs: number[];
  printed: number[];
}

/** `identity_lstm`, `count_lstm` or `sum_lstm`: the printed array is the run's output. */
export function seed002Case(name: string): Seed002Case {
  const text = seedText('002');
  const start = text.indexOf(`${name} = LSTM(`);
  const call = text.indexOf(`${name}.run(`, start);
  const printedStart = text.indexOf('\narray(', call);
  return {
    args: text.slice(start, call),
    inputs: seedNumbers(text.slice(call, text.indexOf('np.array([0])', call))),
    printed: seedNumbers(text.slice(printedStart, text.indexOf('])', printedStart))),
  };
}

/** `mean_lstm`: the printed array is the running mean, result[:, 0] / result[:, 1]. */
export function seed002MeanCase(): Seed002Case {
  const text = seedText('002');
  const start = text.indexOf('mean_lstm = LSTM(');
  const call = text.indexOf('result = mean_lstm.run(', start);
  const printedStart = text.indexOf('array(', text.indexOf('result[:, 0] / result[:, 1]'));
  return {
    args: text.slice(start, call),
    inputs: seedNumbers(text.slice(call, text.indexOf('np.array([0, 0])', call))),
    printed: seedNumbers(text.slice(printedStart, text.indexOf('])', printedStart))),
  };
}
