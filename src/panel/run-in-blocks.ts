/**
 * A panel run on a thread that must stay responsive: VS Code for the Web's extension host worker, which cannot start
 * the engine worker (a web extension served from a server has no nested workers). The batch is run a block of
 * items at a time, yielding to the event loop between blocks, so the host can show progress, take a Cancel and
 * answer the page while a long run goes on. Batch items are independent in the engine (states, masks and stateful
 * carry-over are per item), so the blocks' results, put back together along the batch axis, are the whole run's
 * numbers bit for bit (test/panel/run-in-blocks.test.ts). An ONNX graph (its batch axis is not always the first)
 * and a one-item batch run in one go.
 */
import type { PredictOptions, RunResult } from '../engine/index';
import type { Tensor } from '../engine/tensor';
import type { LayerTrace } from '../engine/trace';
import { inputList, isGraphModel, runPanelModel, type PanelInput, type PanelModel } from './run-panel-model';

export interface BlockRunOptions {
  /** After each block: batch items done, of total. */
  onProgress?: (done: number, total: number) => void;
  /** Asked before each block: true stops the run (the promise rejects with what `cancelled` gives). */
  isCancelled?: () => boolean;
  /** About how long one block should take (ms); the first block is one item, later ones are sized from it. */
  blockMs?: number;
  /** How a pause between blocks is taken (default: a macrotask, so messages and timers get their turn). */
  pause?: () => Promise<void>;
}

/** The rejection of a run stopped between blocks. */
export class BlockRunCancelled extends Error {
  constructor() {
    super('the run was cancelled');
    this.name = 'BlockRunCancelled';
  }
}

const macrotask = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Items [from, to) of a tensor whose first axis is the batch. */
function sliceBatch(t: Tensor, from: number, to: number): Tensor {
  const per = t.shape.slice(1).reduce((a, d) => a * d, 1);
  return { shape: [to - from, ...t.shape.slice(1)], data: t.data.slice(from * per, to * per) };
}

/** Tensors of the same kind, one per block, joined along their first (batch) axis. */
function joinBatch(parts: Tensor[]): Tensor {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const total = parts.reduce((n, p) => n + p.data.length, 0);
  const data = new (first.data.constructor as Float64ArrayConstructor)(total);
  let at = 0;
  for (const p of parts) data.set(p.data, at), (at += p.data.length);
  return { shape: [parts.reduce((n, p) => n + p.shape[0]!, 0), ...first.shape.slice(1)], data };
}

/** One layer-direction's trace over every block: values and masks are laid out [batch][step][unit]. */
function joinTrace(parts: LayerTrace[]): LayerTrace {
  const first = parts[0]!;
  const joinArrays = <A extends Float32Array | Float64Array | Uint8Array>(arrays: A[]): A => {
    const out = new (arrays[0]!.constructor as new (n: number) => A)(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) out.set(a, at), (at += a.length);
    return out;
  };
  return {
    ...first,
    batch: parts.reduce((n, p) => n + p.batch, 0),
    values: first.values.map((_, q) => joinArrays(parts.map((p) => p.values[q]!))),
    masked: first.masked ? joinArrays(parts.map((p) => p.masked!)) : null,
  };
}

function joinResults(parts: RunResult[]): RunResult {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const outputs = first.outputs.map((_, i) => joinBatch(parts.map((p) => p.outputs[i]!)));
  return {
    output: outputs[0] ?? joinBatch(parts.map((p) => p.output)),
    outputs,
    // A layer the outputs do not need has an empty output in every block.
    layerOutputs: first.layerOutputs.map((t, i) => (t.data.length ? joinBatch(parts.map((p) => p.layerOutputs[i]!)) : t)),
    trace: first.trace ? { precision: first.trace.precision, layers: first.trace.layers.map((_, l) => joinTrace(parts.map((p) => p.trace!.layers[l]!))) } : null,
  };
}

/** `runPanelModel(model, input, options)`, a block of batch items at a time with a pause between blocks. */
export async function runInBlocks(model: PanelModel, input: PanelInput, options: PredictOptions, o: BlockRunOptions = {}): Promise<RunResult> {
  const given = inputList(input);
  const first = given[0]!;
  const total = first.shape[0] ?? 1;
  const pause = o.pause ?? macrotask;
  const check = () => {
    if (o.isCancelled?.()) throw new BlockRunCancelled();
  };
  check();
  if (isGraphModel(model) || total <= 1 || first.shape.length < 2) {
    const r = runPanelModel(model, input, options);
    o.onProgress?.(total, total);
    return r;
  }
  const parts: RunResult[] = [];
  let done = 0;
  let perItemMs = 0;
  while (done < total) {
    const size = done === 0 ? 1 : Math.max(1, Math.min(total - done, Math.floor((o.blockMs ?? 50) / Math.max(perItemMs, 1e-3))));
    const t0 = performance.now();
    let part: RunResult;
    try {
      // Every input of a multi-input model shares the batch axis: each is cut the same way.
      const block = given.map((t) => sliceBatch(t, done, done + size));
      part = runPanelModel(model, Array.isArray(input) ? block : block[0]!, options);
    } catch (e) {
      // A model that only takes its whole batch (a fixed batch size) says so on the first block: run it whole,
      // which gives its own answer or error.
      if (done === 0) return runPanelModel(model, input, options);
      throw e;
    }
    perItemMs = (performance.now() - t0) / size;
    parts.push(part);
    done += size;
    o.onProgress?.(done, total);
    if (done < total) {
      await pause();
      check();
    }
  }
  return joinResults(parts);
}
