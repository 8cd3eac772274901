/**
 * A PyTorch recurrent module → the engine's Model: one RecurrentLayer (or Bidirectional, merge concat) per PyTorch
 * layer, every layer returning its whole sequence, so the model's output is the module's `output`
 * [batch, time, directions·H_out] (batch first).
 *
 * Gate blocks: PyTorch LSTM i, f, g, o = Keras i, f, c, o; PyTorch GRU r, z, n → Keras z, r, h with reset_after
 * (PyTorch's n = tanh(W_in x + b_in + r·(W_hn h + b_hn)) is Keras's reset_after=True candidate, and the two bias
 * vectors are exactly Keras's [input row, recurrent row]). Kernels are transposed ([gates·H, in] → [in, gates·H]).
 * LSTM / RNN biases: b_ih + b_hh (one bias, as Keras has; summed in double, then rounded once to the run's
 * precision — PyTorch adds them separately, a difference of at most an ulp of the pre-activation).
 * proj_size: the projection lives in the LSTM cell (h in the first P of H state slots), and a selection Dense
 * after the layer keeps the P real values of each direction (exact: ×1 and +0).
 */
import { blockOrder, cellKindOfClass, type BuiltinCellKind } from '../../engine/cells/kinds';
import type { BidirectionalLayer, DenseLayer, Layer, Model, RecurrentLayer } from '../../engine/model';
import type { Tensor } from '../../engine/tensor';
import { moduleLabel, type TorchDirection, type TorchModule } from './modules';
import { phrase } from '../../phrase';

export type Nonlinearity = 'tanh' | 'relu';

/** The engine's cell kind of a PyTorch module (CELL_KINDS' PyTorch class names). */
export const cellOfModule = (kind: TorchModule['kind']): BuiltinCellKind => cellKindOfClass('pytorch', kind)!;

/** [gates·H, cols] rows in PyTorch blocks → [rows, gates·H] columns in Keras blocks, `rows` ≥ cols (zero rows after). */
function kerasKernel(w: Tensor, perm: number[], H: number, rows: number): Tensor {
  const cols = w.shape[1]!;
  const width = perm.length * H;
  const data = new Float64Array(rows * width);
  perm.forEach((src, g) => {
    for (let j = 0; j < H; j++) for (let i = 0; i < cols; i++) data[i * width + g * H + j] = w.data[(src * H + j) * cols + i]!;
  });
  return { shape: [rows, width], data };
}

function permuted(b: Tensor, perm: number[], H: number): Float64Array {
  const out = new Float64Array(perm.length * H);
  perm.forEach((src, g) => out.set(b.data.subarray(src * H, (src + 1) * H), g * H));
  return out;
}

function kerasBias(d: TorchDirection, kind: TorchModule['kind'], perm: number[], H: number): Tensor | null {
  if (!d.biasIh || !d.biasHh) return null;
  const bi = permuted(d.biasIh, perm, H);
  const bh = permuted(d.biasHh, perm, H);
  if (kind === 'GRU') {
    const data = new Float64Array(2 * bi.length);
    data.set(bi);
    data.set(bh, bi.length);
    return { shape: [2, bi.length], data };
  }
  return { shape: [bi.length], data: bi.map((v, i) => v + bh[i]!) };
}

function transposed(w: Tensor): Tensor {
  const [r, c] = [w.shape[0]!, w.shape[1]!];
  const data = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = w.data[i * c + j]!;
  return { shape: [c, r], data };
}

export function layerName(m: TorchModule, suffix: string): string {
  return `${m.prefix === '' ? m.kind.toLowerCase() : m.prefix}${suffix}`;
}

function recurrent(m: TorchModule, d: TorchDirection, nonlinearity: Nonlinearity, goBackwards: boolean): RecurrentLayer {
  // For each Keras gate block, the PyTorch block it comes from.
  const perm = blockOrder(cellOfModule(m.kind), 'pytorch', 'keras');
  const H = m.hiddenSize;
  return {
    kind: 'recurrent',
    name: layerName(m, d.suffix),
    cell: cellOfModule(m.kind),
    config: {
      units: H,
      activation: m.kind === 'RNN' ? nonlinearity : 'tanh',
      recurrentActivation: 'sigmoid',
      useBias: m.bias,
      returnSequences: true,
      returnState: false,
      goBackwards,
      stateful: false,
      resetAfter: m.kind === 'GRU',
    },
    weights: {
      kernel: kerasKernel(d.weightIh, perm, H, d.weightIh.shape[1]!),
      recurrentKernel: kerasKernel(d.weightHh, perm, H, H),
      bias: kerasBias(d, m.kind, perm, H),
      ...(d.weightHr ? { projection: transposed(d.weightHr) } : {}),
    },
  };
}

/** Keeps the first P of every H values (one block per direction). */
function projectionSelect(name: string, dirs: number, H: number, P: number): DenseLayer {
  const data = new Float64Array(dirs * H * dirs * P);
  for (let d = 0; d < dirs; d++) for (let j = 0; j < P; j++) data[(d * H + j) * dirs * P + d * P + j] = 1;
  return { kind: 'dense', name, units: dirs * P, activation: 'linear', kernel: { shape: [dirs * H, dirs * P], data }, bias: null, timeDistributed: true };
}

export function torchModuleToModel(m: TorchModule, nonlinearity: Nonlinearity, source: { file: string; format: string }): Model {
  const layers: Layer[] = [];
  m.layers.forEach((dirs, k) => {
    const forward = recurrent(m, dirs[0]!, nonlinearity, false);
    if (dirs.length === 2) {
      const bi: BidirectionalLayer = { kind: 'bidirectional', name: layerName(m, m.isCell ? '' : `_l${k}`), mergeMode: 'concat', forward, backward: recurrent(m, dirs[1]!, nonlinearity, true) };
      layers.push(bi);
    } else layers.push(forward);
    if (m.projSize) layers.push(projectionSelect(`${layerName(m, `_l${k}`)}_proj`, dirs.length, m.hiddenSize, m.projSize));
  });
  return {
    name: moduleLabel(m.prefix),
    layers,
    inputShape: [null, m.inputSize],
    inputIsTokens: false,
    semantics: { kerasMajor: 3, hardSigmoid: 'keras3', decidedBy: phrase('a PyTorch module (PyTorch recurrent modules use sigmoid and tanh only)') },
    source,
  };
}
