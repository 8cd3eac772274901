/**
 * Runs each replayable recurrent layer (src/formats/layer-replay.ts) on the input Keras fed it and compares its whole
 * sequence and final states with what Keras recorded there. Nothing before the layer is computed here: a match says
 * the layer is reproduced, not that the layers around it are.
 */
import { runModel, type RunResult } from '../engine';
import type { Precision } from '../engine/tensor';
import type { ReplayCase } from '../formats/layer-replay';
import { compareTensors, type Comparison, type Tolerance } from './compare';

export interface ReplayPart {
  /** `sequence`, `state h`, `state c`, `forward state h`, … */
  what: string;
  comparison: Comparison;
}

export interface ReplayResult {
  name: string;
  className: string;
  pass: boolean;
  parts: ReplayPart[];
  skipped?: string;
  /** The run, with its trace when asked for. */
  run?: RunResult;
}

function stateNames(c: ReplayCase, n: number): string[] {
  const per = c.className === 'Bidirectional' ? n / 2 : n;
  const one = per === 2 ? ['h', 'c'] : Array.from({ length: per }, (_, k) => (per === 1 ? 'h' : `${k}`));
  if (c.className !== 'Bidirectional') return one.map((s) => `state ${s}`);
  return [...one.map((s) => `forward state ${s}`), ...one.map((s) => `backward state ${s}`)];
}

export function runReplay(c: ReplayCase, tolerance: Tolerance, precision: Precision | undefined, record = false): ReplayResult {
  if (c.skipped) return { name: c.name, className: c.className, pass: true, parts: [], skipped: c.skipped };
  const run = runModel(c.model, c.inputs, { precision, record });
  const names = ['sequence', ...stateNames(c, c.expected.length - 1)];
  const parts = c.expected.map((exp, k) => ({ what: names[k]!, comparison: compareTensors(run.outputs[k]!, exp, tolerance) }));
  return { name: c.name, className: c.className, pass: parts.every((p) => p.comparison.pass), parts, run };
}
