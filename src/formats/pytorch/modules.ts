/**
 * The recurrent modules inside a PyTorch state dict, found by their parameter names:
 *   nn.RNN / nn.LSTM / nn.GRU: `<prefix>weight_ih_l<k>[_reverse]`, `weight_hh_…`, `bias_ih_…`, `bias_hh_…`,
 *   `weight_hr_…` (LSTM proj_size);
 *   nn.RNNCell / LSTMCell / GRUCell: `<prefix>weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` (no layer suffix).
 * The kind comes from the shapes: weight_hh is [gates·H, H] (or [4H, P] with weight_hr [P, H]); 1, 3, 4 gates
 * are RNN, GRU, LSTM.
 */
import { CELL_KINDS } from '../../engine/cells/kinds';
import type { Tensor } from '../../engine/tensor';
import { LoadError } from '../load-error';

export type TorchKind = 'RNN' | 'LSTM' | 'GRU';

/** One direction of one layer (or a cell): PyTorch's own tensors, PyTorch's gate order. */
export interface TorchDirection {
  /** The key suffix, e.g. `_l1_reverse`, or `` for a cell. */
  suffix: string;
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
  weightHr: Tensor | null;
}

export interface TorchModule {
  /** Key prefix without its trailing dot: `lstm`, `encoder.rnn`, or `` for a bare module. */
  prefix: string;
  kind: TorchKind;
  /** nn.LSTMCell etc.: one step at a time (the loader runs it over the sequence). */
  isCell: boolean;
  inputSize: number;
  hiddenSize: number;
  /** LSTM proj_size (0: none). */
  projSize: number;
  bidirectional: boolean;
  /** layers[k] = [forward] or [forward, reverse]. */
  layers: TorchDirection[][];
  bias: boolean;
}

const PARAM = /^(.*?)(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(_l(\d+)(_reverse)?)?$/;
/** Gate blocks → module kind (CELL_KINDS: RNN 1, GRU 3, LSTM 4; kinds PyTorch has no module for, e.g. ConvLSTM's 4, left out). */
const KINDS: Record<number, TorchKind> = Object.fromEntries(Object.values(CELL_KINDS).flatMap((k) => (k.classes.pytorch ? [[k.gates.length, k.classes.pytorch as TorchKind]] : [])));

export function moduleLabel(prefix: string): string {
  return prefix === '' ? '(the top level)' : prefix;
}

function shapeOf(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/** Keys a recurrent module's parameters may have (the loaders decode only these). */
export function isRecurrentKey(key: string): boolean {
  const m = PARAM.exec(key);
  return !!m && (m[1] === '' || m[1]!.endsWith('.'));
}

export function findRecurrentModules(dict: Map<string, Tensor | null>, file: string): TorchModule[] {
  // prefix → suffix → name → tensor, keeping first-seen order of prefixes.
  const groups = new Map<string, Map<string, Map<string, Tensor>>>();
  for (const [key, t] of dict) {
    const m = PARAM.exec(key);
    if (!m || !t) continue;
    const prefix = m[1]!;
    if (prefix !== '' && !prefix.endsWith('.')) continue;
    const suffix = m[3] ?? '';
    const byPrefix = groups.get(prefix) ?? new Map<string, Map<string, Tensor>>();
    groups.set(prefix, byPrefix);
    const bySuffix = byPrefix.get(suffix) ?? new Map<string, Tensor>();
    byPrefix.set(suffix, bySuffix);
    bySuffix.set(m[2]!, t);
  }
  const out: TorchModule[] = [];
  for (const [prefixDot, bySuffix] of groups) {
    const prefix = prefixDot.replace(/\.$/, '');
    const fail = (key: string, expected: string, found: string, hint?: string): never => {
      throw new LoadError({ file, path: [key], subject: `module ${moduleLabel(prefix)}`, expected, found, ...(hint ? { hint } : {}) });
    };
    const isCell = bySuffix.has('');
    if (isCell && bySuffix.size > 1) fail(`${prefixDot}weight_ih`, 'either a cell (weight_ih) or layers (weight_ih_l0, …), not both', [...bySuffix.keys()].map((s) => s || '(none)').join(', '));
    const layerCount = isCell ? 1 : Math.max(...[...bySuffix.keys()].map((s) => Number(/_l(\d+)/.exec(s)![1]) + 1));
    const bidirectional = [...bySuffix.keys()].some((s) => s.endsWith('_reverse'));
    const layers: TorchDirection[][] = [];
    for (let k = 0; k < layerCount; k++) {
      const dirs: TorchDirection[] = [];
      for (const suffix of isCell ? [''] : bidirectional ? [`_l${k}`, `_l${k}_reverse`] : [`_l${k}`]) {
        const p = bySuffix.get(suffix);
        const get = (name: string, required: boolean): Tensor | null => {
          const t = p?.get(name);
          if (!t && required) fail(`${prefixDot}${name}${suffix}`, `the parameter ${prefixDot}${name}${suffix} (layer ${k} of a ${layerCount}-layer${bidirectional ? ' bidirectional' : ''} module)`, 'no such key', 'the state dict is incomplete; save model.state_dict() again');
          return t ?? null;
        };
        dirs.push({ suffix, weightIh: get('weight_ih', true)!, weightHh: get('weight_hh', true)!, biasIh: get('bias_ih', false), biasHh: get('bias_hh', false), weightHr: get('weight_hr', false) });
      }
      layers.push(dirs);
    }
    const first = layers[0]![0]!;
    const hh = first.weightHh;
    if (hh.shape.length !== 2) fail(`${prefixDot}weight_hh${first.suffix}`, 'a 2-D weight_hh', shapeOf(hh));
    const projSize = first.weightHr ? first.weightHr.shape[0]! : 0;
    const hiddenSize = first.weightHr ? first.weightHr.shape[1]! : hh.shape[1]!;
    const gates = hh.shape[0]! / hiddenSize;
    const kind = KINDS[gates];
    if (!kind || !Number.isInteger(gates) || hiddenSize === 0) {
      fail(`${prefixDot}weight_hh${first.suffix}`, 'weight_hh of shape [H, H] (RNN), [3H, H] (GRU) or [4H, H] (LSTM)', shapeOf(hh));
    }
    if (projSize && kind !== 'LSTM') fail(`${prefixDot}weight_hr${first.suffix}`, 'weight_hr only with an LSTM', `a ${kind}`);
    const bias = first.biasIh !== null;
    const hOut = projSize || hiddenSize;
    const G = gates * hiddenSize;
    const dirsCount = bidirectional ? 2 : 1;
    const inputSize = first.weightIh.shape[1]!;
    layers.forEach((dirs, k) => {
      const inSize = k === 0 ? inputSize : dirsCount * hOut;
      for (const d of dirs) {
        const expect = (name: string, t: Tensor | null, shape: number[] | null, why: string) => {
          const key = `${prefixDot}${name}${d.suffix}`;
          if (shape === null) {
            if (t) fail(key, `no ${name} (${why})`, `one of shape ${shapeOf(t)}`);
            return;
          }
          if (!t) return fail(key, `${name} of shape [${shape.join(', ')}] (${why})`, 'no such key');
          if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) fail(key, `shape [${shape.join(', ')}] (${why})`, shapeOf(t));
        };
        const what = `${kind}, hidden_size ${hiddenSize}${projSize ? `, proj_size ${projSize}` : ''}`;
        expect('weight_ih', d.weightIh, [G, inSize], `${what}, ${k === 0 ? `input_size ${inSize}` : `the ${inSize} outputs of layer ${k - 1}`}`);
        expect('weight_hh', d.weightHh, [G, hOut], what);
        expect('bias_ih', d.biasIh, bias ? [G] : null, bias ? what : 'bias=False: the first layer has no bias');
        expect('bias_hh', d.biasHh, bias ? [G] : null, bias ? what : 'bias=False: the first layer has no bias');
        expect('weight_hr', d.weightHr, projSize ? [projSize, hiddenSize] : null, projSize ? what : 'no projection in the first layer');
      }
    });
    out.push({ prefix, kind: kind!, isCell, inputSize, hiddenSize, projSize, bidirectional, layers, bias });
  }
  return out;
}

export function describeModule(m: TorchModule): string {
  if (m.isCell) return `${moduleLabel(m.prefix)}: nn.${m.kind}Cell(${m.inputSize}, ${m.hiddenSize}${m.bias ? '' : ', bias=False'})`;
  const opts = [
    m.layers.length > 1 ? `num_layers=${m.layers.length}` : '',
    m.bidirectional ? 'bidirectional=True' : '',
    m.bias ? '' : 'bias=False',
    m.projSize ? `proj_size=${m.projSize}` : '',
  ].filter(Boolean);
  return `${moduleLabel(m.prefix)}: nn.${m.kind}(${[m.inputSize, m.hiddenSize, ...opts].join(', ')})`;
}
