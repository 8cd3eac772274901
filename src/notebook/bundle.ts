/**
 * A notebook output of `cellscope.show(model, x)` (python/cellscope/notebook.py): the model as Keras export JSON, its
 * input and what the framework recorded, in the MIME type `application/vnd.cellscope+json`. `runBundle` loads it with
 * the ordinary loaders, runs the engine and packs what the notebook renderer draws. Pure: no vscode, no DOM; the
 * extension host calls it when the renderer asks (the renderer holds no engine).
 */
import { compareTensors } from '../compare/compare';
import { CELL_KINDS } from '../engine/cells/kinds';
import { runModel, type LayerTrace, type Tensor } from '../engine';
import { loadArrayBytes, loadModelText, loadRecordingBytes, LoadError, type LoadedModel, type Recording } from '../formats';
import { describeValue } from '../formats/load-error';

export const NOTEBOOK_MIME = 'application/vnd.cellscope+json';
export const NOTEBOOK_FORMAT = 'cellscope-notebook/v1';

/** The data `cellscope.show` puts in the notebook. */
export interface NotebookBundle {
  format: typeof NOTEBOOK_FORMAT;
  name: string;
  framework: string;
  /** Keras export JSON (what model.cellscope.json holds). */
  model: unknown;
  /** `{shape, dtype, data}`. */
  input: unknown;
  /** cellscope-recording/v1, when the framework's run was recorded. */
  recording?: unknown;
}

/** One recurrent layer (and direction) of the run, as plain arrays: renderer messages are JSON. */
export interface NotebookLayer {
  name: string;
  direction: 'forward' | 'backward';
  cell: string;
  batch: number;
  steps: number;
  units: number;
  /** Gates, candidates and states (pre-activations stay out: the full panel shows those). */
  quantities: { key: string; label: string; role: string }[];
  /** values[q][(b·steps + s)·units + j], steps in input order. */
  values: number[][];
  /** masked[b·steps + t] = 1 where padding made the layer skip input step t. */
  masked: number[] | null;
}

export interface NotebookResult {
  name: string;
  /** e.g. `LSTM(4) → Dense(1)`. */
  layersText: string;
  inputShape: number[];
  layers: NotebookLayer[];
  /** The engine's output against the framework's recording, when the bundle carries one. */
  comparison: { pass: boolean; maxAbs: number; text: string } | null;
  framework: string;
}

/** Values a notebook output may send to its renderer (2^22 ≈ 4 M numbers, ~40 MB of JSON); the panel takes the rest. */
export const MAX_RESULT_VALUES = 1 << 22;

const encoder = new TextEncoder();
const bytesOf = (v: unknown) => encoder.encode(JSON.stringify(v));

function bundleError(file: string, path: (string | number)[], expected: string, found: unknown): never {
  throw new LoadError({ file, path, expected, found: describeValue(found), hint: 'display the model again with cellscope.show(model, x)' });
}

/** Checks the bundle's envelope; the loaders check the rest, each naming its part of the bundle. */
export function readBundle(doc: unknown, file: string): NotebookBundle {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) bundleError(file, [], `a ${NOTEBOOK_FORMAT} object`, doc);
  const b = doc as Record<string, unknown>;
  if (b.format !== NOTEBOOK_FORMAT) bundleError(file, ['format'], `"${NOTEBOOK_FORMAT}"`, b.format);
  if (b.model === undefined) bundleError(file, ['model'], 'the model (Keras export JSON)', b.model);
  if (b.input === undefined) bundleError(file, ['input'], 'the input ({shape, data})', b.input);
  return {
    format: NOTEBOOK_FORMAT,
    name: typeof b.name === 'string' ? b.name : 'model',
    framework: typeof b.framework === 'string' ? b.framework : 'keras',
    model: b.model,
    input: b.input,
    ...(b.recording !== undefined ? { recording: b.recording } : {}),
  };
}

/** The bundle's parts as the files `Open in Cellscope panel` writes: model.cellscope.json, input.json, recording.json. */
export function bundleFiles(b: NotebookBundle): { name: string; text: string }[] {
  return [
    { name: 'model.cellscope.json', text: JSON.stringify(b.model) },
    { name: 'input.json', text: JSON.stringify(b.input) },
    ...(b.recording !== undefined ? [{ name: 'recording.json', text: JSON.stringify(b.recording) }] : []),
  ];
}

export interface LoadedBundle {
  bundle: NotebookBundle;
  loaded: LoadedModel;
  input: Tensor;
  recording: Recording | null;
}

export function loadBundle(doc: unknown, file: string): LoadedBundle {
  const bundle = readBundle(doc, file);
  const loaded = loadModelText(JSON.stringify(bundle.model), `${file} (model)`);
  const input = loadArrayBytes(bytesOf(bundle.input), `${file} (input)`);
  const recording = bundle.recording === undefined ? null : loadRecordingBytes(bytesOf(bundle.recording), `${file} (recording)`);
  return { bundle, loaded, input, recording };
}

function layerText(l: LoadedModel['model']['layers'][number]): string {
  switch (l.kind) {
    case 'recurrent':
      return `${l.cell === 'custom' ? 'CustomCell' : CELL_KINDS[l.cell].title}(${l.config.units})`;
    case 'bidirectional':
      return `Bidirectional(${layerText(l.forward)})`;
    case 'dense':
      return `Dense(${l.units})`;
    case 'embedding':
      return `Embedding(${l.inputDim}→${l.outputDim})`;
    case 'pass_through':
      return '';
    default:
      return l.kind;
  }
}

/** Input-ordered plain arrays of the quantities a notebook shows. */
function layerOf(lt: LayerTrace): NotebookLayer {
  const shown = lt.quantities.map((q, i) => ({ q, i })).filter(({ q }) => q.role !== 'pre_activation');
  const values = shown.map(({ i }) => {
    const src = lt.values[i]!;
    const out = new Array<number>(src.length);
    for (let b = 0; b < lt.batch; b++) {
      for (let t = 0; t < lt.steps; t++) {
        const from = (b * lt.steps + lt.stepOfInputTime[t]!) * lt.units;
        const to = (b * lt.steps + t) * lt.units;
        for (let j = 0; j < lt.units; j++) out[to + j] = src[from + j]!;
      }
    }
    return out;
  });
  let masked: number[] | null = null;
  if (lt.masked) {
    masked = new Array<number>(lt.masked.length);
    for (let b = 0; b < lt.batch; b++) for (let t = 0; t < lt.steps; t++) masked[b * lt.steps + t] = lt.masked[b * lt.steps + lt.stepOfInputTime[t]!]!;
  }
  return {
    name: lt.layerName,
    direction: lt.direction,
    cell: lt.cell,
    batch: lt.batch,
    steps: lt.steps,
    units: lt.units,
    quantities: shown.map(({ q }) => ({ key: q.key, label: q.label, role: q.role })),
    values,
    masked,
  };
}

/** Loads the bundle, runs the engine (float32, as the framework ran) and compares with the recording. */
export function runBundle(doc: unknown, file = 'notebook output'): NotebookResult {
  const { bundle, loaded, input, recording } = loadBundle(doc, file);
  const run = runModel(loaded.model, input, { precision: 'float32', predictCalls: recording?.predictCalls ?? loaded.predictCalls });
  const traces = run.trace?.layers ?? [];
  const total = traces.reduce((n, lt) => n + lt.batch * lt.steps * lt.units * lt.quantities.length, 0);
  if (total > MAX_RESULT_VALUES) {
    throw new LoadError({
      file,
      path: ['input'],
      expected: `a run of at most ${MAX_RESULT_VALUES} recorded values for a notebook output`,
      found: `${total}`,
      hint: 'open it in the Cellscope panel (the button above), which keeps long traces on the host, or show fewer batch items or steps',
    });
  }
  const c = recording ? compareTensors(run.output, recording.output, { atol: 1e-5, rtol: 0 }) : null;
  return {
    name: bundle.name,
    framework: bundle.framework,
    layersText: loaded.model.layers.map(layerText).filter(Boolean).join(' → '),
    inputShape: Array.from(input.shape),
    layers: traces.map(layerOf),
    comparison: c
      ? {
          pass: c.pass,
          maxAbs: c.maxAbs,
          text: c.shapeMismatch
            ? `shapes differ: ${c.shapeMismatch}`
            : c.pass
              ? `matches ${bundle.framework === 'torch' ? 'PyTorch' : 'Keras'}: max |Δ| ${c.maxAbs.toExponential(2)} (≤ 1e-5)`
              : `differs from ${bundle.framework === 'torch' ? 'PyTorch' : 'Keras'}: max |Δ| ${c.maxAbs.toExponential(2)}; first at ${c.firstDivergence?.text ?? '?'}`,
        }
      : null,
  };
}
