/**
 * Statistics of every weight array, split per gate so a user sees e.g. that the forget gate's bias is large:
 * min, max, mean, std and the count of NaN/Inf values (which are loaded, and flagged here).
 */
import { GATE_COUNT, type Model, type RecurrentLayer } from './model';
import type { FloatArray, Tensor } from './tensor';

export const GATE_NAMES = { simple_rnn: ['h'], lstm: ['i', 'f', 'c', 'o'], gru: ['z', 'r', 'h'] } as const;

export interface BlockStats {
  layer: string;
  /** `kernel`, `recurrent_kernel`, `bias`, `input_bias`, `recurrent_bias`, `embeddings`; prefixed `forward/`, `backward/`. */
  weight: string;
  /** Gate the block belongs to, or `all` for arrays not cut into gates. */
  gate: string;
  shape: number[];
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  nan: number;
  inf: number;
}

/** Stats over the finite values of the columns [c0, c1) of a row-major [rows, cols] array. */
function statsOf(data: FloatArray, cols: number, c0: number, c1: number): Omit<BlockStats, 'layer' | 'weight' | 'gate' | 'shape'> {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  let nan = 0;
  let inf = 0;
  for (let r = 0; r < data.length / cols; r++) {
    for (let c = c0; c < c1; c++) {
      const v = data[r * cols + c]!;
      if (Number.isNaN(v)) nan++;
      else if (!Number.isFinite(v)) inf++;
      else {
        n++;
        sum += v;
        sumSq += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
  }
  const mean = n ? sum / n : NaN;
  return { count: n + nan + inf, min: n ? min : NaN, max: n ? max : NaN, mean, std: n ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : NaN, nan, inf };
}

function perGate(layer: string, weight: string, t: Tensor, gates: readonly string[]): BlockStats[] {
  const cols = t.shape[t.shape.length - 1]!;
  const width = cols / gates.length;
  return gates.map((gate, g) => ({ layer, weight, gate, shape: [...t.shape.slice(0, -1), width], ...statsOf(t.data, cols, g * width, (g + 1) * width) }));
}

function recurrentStats(l: RecurrentLayer, name: string, prefix: string): BlockStats[] {
  // A custom cell's weights are already one array per gate, by the names its expressions use.
  if (l.custom) return Object.entries(l.custom.weights).map(([w, t]) => perGate(name, `${prefix}${w}`, t.shape.length ? t : { shape: [1], data: t.data }, ['all'])[0]!);
  if (l.cell === 'custom') return [];
  const gates = GATE_NAMES[l.cell];
  const out = [...perGate(name, `${prefix}kernel`, l.weights.kernel, gates), ...perGate(name, `${prefix}recurrent_kernel`, l.weights.recurrentKernel, gates)];
  const bias = l.weights.bias;
  if (bias && bias.shape.length === 2) {
    // GRU reset_after: row 0 is the input bias, row 1 the recurrent bias.
    const gu = GATE_COUNT[l.cell] * l.config.units;
    const row = (r: number): Tensor => ({ shape: [gu], data: bias.data.subarray(r * gu, (r + 1) * gu) });
    out.push(...perGate(name, `${prefix}input_bias`, row(0), gates), ...perGate(name, `${prefix}recurrent_bias`, row(1), gates));
  } else if (bias) out.push(...perGate(name, `${prefix}bias`, bias, gates));
  // PyTorch proj_size: W_hrᵀ [units, proj], one block (not cut per gate).
  if (l.weights.projection) out.push(...perGate(name, `${prefix}projection`, l.weights.projection, ['all']));
  return out;
}

export function weightStats(model: Model): BlockStats[] {
  return model.layers.flatMap((layer): BlockStats[] => {
    switch (layer.kind) {
      case 'recurrent':
        return recurrentStats(layer, layer.name, '');
      case 'bidirectional':
        return [...recurrentStats(layer.forward, layer.name, 'forward/'), ...recurrentStats(layer.backward, layer.name, 'backward/')];
      case 'dense':
        return [...perGate(layer.name, 'kernel', layer.kernel, ['all']), ...(layer.bias ? perGate(layer.name, 'bias', layer.bias, ['all']) : [])];
      case 'embedding':
        return perGate(layer.name, 'embeddings', layer.embeddings, ['all']);
      default:
        return [];
    }
  });
}
