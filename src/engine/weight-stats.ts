/**
 * The model's weights as blocks: every weight array cut into one block per gate (`weightBlocks`), each a typed view
 * of its array's columns with the gate it belongs to, so the statistics, the panel's weight views and the spectral
 * radii read the same slices instead of naming blocks with strings and parsing them back. `weightStats` is their
 * statistics: min, max, mean, std and the count of NaN/Inf values (which are loaded, and flagged here), so a user
 * sees e.g. that the forget gate's bias is large.
 */
import { CELL_KINDS, type BuiltinCellKind } from './cells/kinds';
import { GATE_COUNT, type Model, type RecurrentLayer } from './model';
import type { FloatArray, Tensor } from './tensor';
import type { Direction } from './trace';

/** Which array of a layer a block is cut from; a custom cell's arrays go by the names its expressions use. */
export type WeightArrayName = 'kernel' | 'recurrent_kernel' | 'bias' | 'input_bias' | 'recurrent_bias' | 'embeddings' | (string & {});

/** One gate's columns [c0, c1) of a row-major [rows, cols] weight array. */
export interface WeightBlock {
  layer: string;
  /** A Bidirectional layer's half; null for every other layer. */
  direction: Direction | null;
  array: WeightArrayName;
  /** The gate (`i`, `f`, `c`, `o`, `z`, `r`, `h`), or `all` for arrays not cut into gates. */
  gate: string;
  /**
   * What the block feeds, named as the charts name it: a gate (`i`), the candidate (LSTM's `c` block is `c̃`, GRU's
   * `h` block `h̃`), or the whole array (SimpleRNN's one block, arrays not cut into gates: `label` is the array).
   */
  part: 'gate' | 'candidate' | 'whole';
  label: string;
  /** A recurrent kernel's gate block U_g: square [units, units], the one ρ is defined for. */
  recurrent: boolean;
  /** The whole array (not copied) and its layout. */
  data: FloatArray;
  rows: number;
  cols: number;
  c0: number;
  c1: number;
  /** The block's own shape: the array's leading dims and the gate's width. */
  shape: number[];
}

/** A block's display name: the array, prefixed `forward/` / `backward/` in a Bidirectional layer. */
export function blockWeightName(b: Pick<WeightBlock, 'array' | 'direction'>): string {
  return b.direction ? `${b.direction}/${b.array}` : b.array;
}

/** A built-in kind's gate blocks with the quantity each one's activation is (its label and role). */
function gateParts(cell: BuiltinCellKind): { gate: string; part: WeightBlock['part']; label: string }[] {
  const kind = CELL_KINDS[cell];
  return kind.gates.map((g) => {
    const q = kind.quantities.find((x) => x.key === g.quantity)!;
    return { gate: g.key, part: q.role === 'gate' ? 'gate' : q.role === 'candidate' ? 'candidate' : 'whole', label: q.label };
  });
}

const WHOLE = [{ gate: 'all', part: 'whole' as const, label: '' }];

function cut(layer: string, direction: Direction | null, array: WeightArrayName, t: Tensor, gates: readonly { gate: string; part: WeightBlock['part']; label: string }[], recurrent = false): WeightBlock[] {
  const shape = t.shape.length ? t.shape : [1];
  const cols = shape[shape.length - 1]!;
  const width = cols / gates.length;
  return gates.map(({ gate, part, label }, g) => ({
    layer, direction, array, gate, part, label: part === 'whole' ? array : label, data: t.data, rows: t.data.length / cols, cols, c0: g * width, c1: (g + 1) * width,
    shape: [...shape.slice(0, -1), width],
    recurrent: recurrent && gate !== 'all' && shape.length === 2 && shape[0] === width,
  }));
}

function recurrentBlocks(l: RecurrentLayer, name: string, direction: Direction | null): WeightBlock[] {
  // A custom cell's weights are already one array per gate, by the names its expressions use.
  if (l.custom) return Object.entries(l.custom.weights).flatMap(([w, t]) => cut(name, direction, w, t, WHOLE));
  if (l.cell === 'custom') return [];
  const gates = gateParts(l.cell);
  const out = [...cut(name, direction, 'kernel', l.weights.kernel, gates), ...cut(name, direction, 'recurrent_kernel', l.weights.recurrentKernel, gates, true)];
  const bias = l.weights.bias;
  if (bias && bias.shape.length === 2) {
    // GRU reset_after: row 0 is the input bias, row 1 the recurrent bias.
    const gu = GATE_COUNT[l.cell] * l.config.units;
    const row = (r: number): Tensor => ({ shape: [gu], data: bias.data.subarray(r * gu, (r + 1) * gu) });
    out.push(...cut(name, direction, 'input_bias', row(0), gates), ...cut(name, direction, 'recurrent_bias', row(1), gates));
  } else if (bias) out.push(...cut(name, direction, 'bias', bias, gates));
  // PyTorch proj_size: W_hrᵀ [units, proj], one block (not cut per gate).
  if (l.weights.projection) out.push(...cut(name, direction, 'projection', l.weights.projection, WHOLE));
  return out;
}

/** Every weight array of the model, one block per gate, in layer order (a layer's arrays as Keras lists them). */
export function weightBlocks(model: Model): WeightBlock[] {
  return model.layers.flatMap((layer): WeightBlock[] => {
    switch (layer.kind) {
      case 'recurrent':
        return recurrentBlocks(layer, layer.name, null);
      case 'bidirectional':
        return [...recurrentBlocks(layer.forward, layer.name, 'forward'), ...recurrentBlocks(layer.backward, layer.name, 'backward')];
      case 'dense':
        return [...cut(layer.name, null, 'kernel', layer.kernel, WHOLE), ...(layer.bias ? cut(layer.name, null, 'bias', layer.bias, WHOLE) : [])];
      case 'embedding':
        return cut(layer.name, null, 'embeddings', layer.embeddings, WHOLE);
      default:
        return [];
    }
  });
}

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

/** Stats over the finite values of a block's columns. */
export function blockStats(b: WeightBlock): BlockStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  let nan = 0;
  let inf = 0;
  for (let r = 0; r < b.rows; r++) {
    for (let c = b.c0; c < b.c1; c++) {
      const v = b.data[r * b.cols + c]!;
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
  return {
    layer: b.layer, weight: blockWeightName(b), gate: b.gate, shape: b.shape,
    count: n + nan + inf, min: n ? min : NaN, max: n ? max : NaN, mean, std: n ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : NaN, nan, inf,
  };
}

export function weightStats(model: Model): BlockStats[] {
  return weightBlocks(model).map(blockStats);
}
