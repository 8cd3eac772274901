/**
 * A panel run on a thread that must stay responsive: VS Code for the Web's extension host worker, which cannot start
 * the engine worker (a web extension served from a server has no nested workers). The batch is run a block of
 * items at a time, yielding to the event loop between blocks, so the host can show progress, take a Cancel and
 * answer the page while a long run goes on. Batch items are independent in the engine (states, masks and stateful
 * carry-over are per item), so the blocks' results, put back together along the batch axis, are the whole run's
 * numbers bit for bit (test/panel/run-in-blocks.test.ts). Within a block the engine also yields between chunks of
 * time steps (runModelSteps with `chunkWork`: the recurrent states carried from chunk to chunk, the same numbers bit
 * for bit, test/engine/time-chunks.test.ts), so one long sequence (a batch of one, 20 000 steps) pauses as often;
 * its progress is then counted in time steps. An ONNX graph (its batch axis is not always the first) runs in one go.
 */
import { runModelSteps, type PredictOptions, type RunProgress, type RunResult } from '../engine/index';
import type { Model } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import type { LayerTrace } from '../engine/trace';
import { inputList, isGraphModel, runPanelModel, type PanelInput, type PanelModel } from './run-panel-model';

/** What a run's progress counts: batch items (blocks of them), or the time steps of a one-item run's recurrent layers. */
export type ProgressUnit = 'items' | 'steps';

export interface BlockRunOptions {
  /** After each block: batch items done, of total; in a one-item run, after each chunk: time steps done, of total. */
  onProgress?: (done: number, total: number, unit: ProgressUnit) => void;
  /** Asked before each block: true stops the run (the promise rejects with what `cancelled` gives). */
  isCancelled?: () => boolean;
  /** About how long one block should take (ms); the first block is one item, later ones are sized from it. */
  blockMs?: number;
  /** How a pause between blocks is taken (default: a macrotask, so messages and timers get their turn). */
  pause?: () => Promise<void>;
  /** Multiply-adds per time chunk (default CHUNK_WORK); small values cut a short run into many chunks (tests). */
  chunkWork?: number;
}

/** About a millisecond of a recurrent layer's products: the pauses come at most this late after `blockMs`. */
const CHUNK_WORK = 1 << 20;

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
  const blockMs = o.blockMs ?? 50;
  const check = () => {
    if (o.isCancelled?.()) throw new BlockRunCancelled();
  };
  check();
  if (isGraphModel(model)) {
    const r = runPanelModel(model, input, options);
    o.onProgress?.(total, total, 'items');
    return r;
  }
  const engine: Model = model;
  /** One run of the engine, paused whenever `blockMs` of its work went by; `ms`: its work time, pauses left out. */
  const drive = async (x: PanelInput, onChunk?: (p: RunProgress) => void): Promise<{ result: RunResult; ms: number }> => {
    const steps = runModelSteps(engine, x, { ...options, chunkWork: o.chunkWork ?? CHUNK_WORK });
    let ms = 0;
    let t0 = performance.now();
    for (;;) {
      const r = steps.next();
      if (r.done) return { result: r.value, ms: ms + performance.now() - t0 };
      onChunk?.(r.value);
      if (performance.now() - t0 >= blockMs) {
        ms += performance.now() - t0;
        await pause();
        check();
        t0 = performance.now();
      }
    }
  };
  if (total <= 1 || first.shape.length < 2) {
    const { result } = await drive(input, (p) => o.onProgress?.(p.done, p.total, 'steps'));
    o.onProgress?.(total, total, 'items');
    return result;
  }
  const parts: RunResult[] = [];
  let done = 0;
  let perItemMs = 0;
  while (done < total) {
    const size = done === 0 ? 1 : Math.max(1, Math.min(total - done, Math.floor(blockMs / Math.max(perItemMs, 1e-3))));
    let part: { result: RunResult; ms: number };
    try {
      // Every input of a multi-input model shares the batch axis: each is cut the same way.
      const block = given.map((t) => sliceBatch(t, done, done + size));
      part = await drive(Array.isArray(input) ? block : block[0]!);
    } catch (e) {
      // A model that only takes its whole batch (a fixed batch size) says so on the first block: run it whole,
      // which gives its own answer or error.
      if (done === 0 && !(e instanceof BlockRunCancelled)) return (await drive(input)).result;
      throw e;
    }
    perItemMs = part.ms / size;
    parts.push(part.result);
    done += size;
    o.onProgress?.(done, total, 'items');
    if (done < total) {
      await pause();
      check();
    }
  }
  return joinResults(parts);
}
