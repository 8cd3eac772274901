/**
 * CELL_KINDS: every fact about a built-in cell kind, once. The engine's cells, the WebAssembly generator
 * (scripts/build-wasm.mjs reads this file), the trace, the protocol, the diagnosis, the panel and the PyTorch / ONNX
 * readers take gate counts, gate names, block orders, recorded quantities, states and diagrams from here.
 *
 * Plain data with no imports, so the WAT generator can load it on its own (esbuild strips the types). A new kind
 * (ConvLSTM: LSTM's gates over convolutions) is one more entry; a custom cell describes itself (its definition's
 * states and quantities) and has no fused gate blocks.
 */

export type BuiltinCellKind = 'simple_rnn' | 'lstm' | 'gru' | 'conv_lstm';
/** The frameworks whose fused weight layouts the readers translate: the engine runs Keras's. */
export type WeightFramework = 'keras' | 'pytorch' | 'onnx';

export type QuantityRole = 'gate' | 'candidate' | 'state' | 'pre_activation';

export interface QuantityInfo {
  /** Stable ASCII key used in traces, CSV columns and messages: `i`, `c_tilde`, `pre_f`. */
  key: string;
  /** What every view prints for it (charts, diagram, tables): `i`, `c̃`, `pre f`. */
  label: string;
  role: QuantityRole;
  description: string;
}

/** One block of the fused kernel's columns. */
export interface GateInfo {
  /** Keras's name of the block (weight views, hypotheses): `i`, `f`, `c`, `o` / `z`, `r`, `h`. */
  key: string;
  /** The recorded quantity its activation is: `i`, `c_tilde`, `h_tilde`, `h`. */
  quantity: string;
  /** Which of the layer's activations it takes: `recurrent_activation` (the gates) or `activation` (candidates). */
  activation: 'recurrent' | 'activation';
  /** What each framework calls the block: PyTorch's LSTM `g`, GRU `n`; ONNX's LSTM `c`, GRU `h`. */
  names: Record<WeightFramework, string>;
}

export interface DiagramNode {
  /** A quantity key (its value is shown), `x`, `<state>_prev`, or an operator's own key. */
  key: string;
  x: number;
  y: number;
  kind: 'io' | 'gate' | 'op' | 'state';
  /** Operators and inputs only: quantities are labelled with their quantity's label (states with a subscript t). */
  label?: string;
}

export interface DiagramShape {
  nodes: readonly DiagramNode[];
  edges: readonly (readonly [string, string])[];
}

export interface CellKindInfo {
  kind: BuiltinCellKind;
  /** The Keras class: `LSTM`, `SimpleRNN`. */
  title: string;
  /** The layer / module / op class in each framework: Keras `SimpleRNN`, PyTorch `nn.RNN`, ONNX `RNN`; null where it has none. */
  classes: Record<WeightFramework, string | null>;
  /** The fused kernel's column blocks, in Keras's order. */
  gates: readonly GateInfo[];
  /** Each framework's block order of the fused weights, by Keras gate key: PyTorch's GRU stores r, z, h (n). */
  layout: Record<WeightFramework, readonly string[]>;
  /** The carried states in Keras's order (initial_state, return_state): h, then c. */
  states: readonly string[];
  /** What the trace records per step, in row order (the cells and the WebAssembly kernels write these rows). */
  quantities: readonly QuantityInfo[];
  /** The quantity that is the layer's output. */
  output: string;
  /** Rows the WebAssembly kernels write after the quantities, as scratch (LSTM: act(c)). */
  kernelScratch: readonly string[];
  /** The step diagram: node positions on a 480 × 280 canvas and the arrows. */
  diagram: DiagramShape;
}

const q = (key: string, label: string, role: QuantityRole, description: string): QuantityInfo => ({ key, label, role, description });
/** Pre-activation companion of a gate, recorded so users can see saturation. */
export const preActivation = (g: QuantityInfo): QuantityInfo => q(`pre_${g.key}`, `pre ${g.label}`, 'pre_activation', `${g.label} before its activation`);
const gate = (key: string, quantity: string, activation: GateInfo['activation'], names: Partial<Record<WeightFramework, string>> = {}): GateInfo => ({
  key,
  quantity,
  activation,
  names: { keras: key, pytorch: names.pytorch ?? key, onnx: names.onnx ?? key },
});
const withPre = (qs: QuantityInfo[], gated: QuantityInfo[]) => [...qs, ...gated.map(preActivation)];

const H = q('h', 'h', 'state', 'hidden state (the output)');

const LSTM_I = q('i', 'i', 'gate', 'input gate: how much of c̃ is written');
const LSTM_F = q('f', 'f', 'gate', 'forget gate: how much of c is kept');
const LSTM_G = q('c_tilde', 'c̃', 'candidate', 'candidate cell value');
const LSTM_O = q('o', 'o', 'gate', 'output gate: how much of act(c) is shown');
const LSTM_C = q('c', 'c', 'state', 'cell state (memory)');

const GRU_Z = q('z', 'z', 'gate', 'update gate: how much of the old h is kept');
const GRU_R = q('r', 'r', 'gate', 'reset gate: how much of the old h feeds the candidate');
const GRU_HT = q('h_tilde', 'h̃', 'candidate', 'candidate hidden state');

const LSTM: CellKindInfo = {
  kind: 'lstm',
  title: 'LSTM',
  classes: { keras: 'LSTM', pytorch: 'LSTM', onnx: 'LSTM' },
  gates: [gate('i', 'i', 'recurrent'), gate('f', 'f', 'recurrent'), gate('c', 'c_tilde', 'activation', { pytorch: 'g' }), gate('o', 'o', 'recurrent')],
  layout: { keras: ['i', 'f', 'c', 'o'], pytorch: ['i', 'f', 'c', 'o'], onnx: ['i', 'o', 'f', 'c'] },
  states: ['h', 'c'],
  quantities: withPre([LSTM_I, LSTM_F, LSTM_G, LSTM_O, LSTM_C, H], [LSTM_I, LSTM_F, LSTM_G, LSTM_O]),
  output: 'h',
  kernelScratch: ['act_c'],
  diagram: {
    nodes: [
      { key: 'c_prev', x: 40, y: 40, kind: 'state' },
      { key: 'mul_f', label: '×', x: 150, y: 40, kind: 'op' },
      { key: 'add', label: '+', x: 300, y: 40, kind: 'op' },
      { key: 'c', x: 440, y: 40, kind: 'state' },
      { key: 'f', x: 150, y: 120, kind: 'gate' },
      { key: 'i', x: 230, y: 120, kind: 'gate' },
      { key: 'c_tilde', x: 300, y: 120, kind: 'gate' },
      { key: 'mul_i', label: '×', x: 265, y: 80, kind: 'op' },
      { key: 'o', x: 370, y: 120, kind: 'gate' },
      { key: 'act_c', label: 'tanh(c)', x: 440, y: 110, kind: 'op' },
      { key: 'mul_o', label: '×', x: 400, y: 170, kind: 'op' },
      { key: 'h', x: 440, y: 220, kind: 'state' },
      { key: 'h_prev', x: 40, y: 190, kind: 'state' },
      { key: 'x', label: 'xₜ', x: 40, y: 250, kind: 'io' },
    ],
    edges: [
      ['c_prev', 'mul_f'], ['f', 'mul_f'], ['mul_f', 'add'], ['i', 'mul_i'], ['c_tilde', 'mul_i'], ['mul_i', 'add'], ['add', 'c'],
      ['c', 'act_c'], ['act_c', 'mul_o'], ['o', 'mul_o'], ['mul_o', 'h'],
      ['h_prev', 'f'], ['h_prev', 'i'], ['h_prev', 'c_tilde'], ['h_prev', 'o'], ['x', 'f'], ['x', 'i'], ['x', 'c_tilde'], ['x', 'o'],
    ],
  },
};

export const CELL_KINDS: Record<BuiltinCellKind, CellKindInfo> = {
  simple_rnn: {
    kind: 'simple_rnn',
    title: 'SimpleRNN',
    classes: { keras: 'SimpleRNN', pytorch: 'RNN', onnx: 'RNN' },
    gates: [gate('h', 'h', 'activation')],
    layout: { keras: ['h'], pytorch: ['h'], onnx: ['h'] },
    states: ['h'],
    quantities: withPre([H], [H]),
    output: 'h',
    kernelScratch: [],
    diagram: {
      nodes: [
        { key: 'h_prev', x: 60, y: 60, kind: 'state' },
        { key: 'x', label: 'xₜ', x: 60, y: 200, kind: 'io' },
        { key: 'pre_h', label: 'Wx+Uh+b', x: 230, y: 130, kind: 'op' },
        { key: 'h', x: 420, y: 130, kind: 'state' },
      ],
      edges: [['h_prev', 'pre_h'], ['x', 'pre_h'], ['pre_h', 'h']],
    },
  },
  lstm: LSTM,
  gru: {
    kind: 'gru',
    title: 'GRU',
    classes: { keras: 'GRU', pytorch: 'GRU', onnx: 'GRU' },
    gates: [gate('z', 'z', 'recurrent'), gate('r', 'r', 'recurrent'), gate('h', 'h_tilde', 'activation', { pytorch: 'n' })],
    layout: { keras: ['z', 'r', 'h'], pytorch: ['r', 'z', 'h'], onnx: ['z', 'r', 'h'] },
    states: ['h'],
    quantities: withPre([GRU_Z, GRU_R, GRU_HT, H], [GRU_Z, GRU_R, GRU_HT]),
    output: 'h',
    kernelScratch: [],
    diagram: {
      nodes: [
        { key: 'h_prev', x: 40, y: 50, kind: 'state' },
        { key: 'mul_z', label: '×', x: 230, y: 50, kind: 'op' },
        { key: 'add', label: '+', x: 360, y: 50, kind: 'op' },
        { key: 'h', x: 440, y: 50, kind: 'state' },
        { key: 'z', x: 230, y: 130, kind: 'gate' },
        { key: 'r', x: 140, y: 170, kind: 'gate' },
        { key: 'h_tilde', x: 300, y: 190, kind: 'gate' },
        { key: 'mul_1z', label: '×(1−z)', x: 360, y: 130, kind: 'op' },
        { key: 'x', label: 'xₜ', x: 40, y: 240, kind: 'io' },
      ],
      edges: [
        ['h_prev', 'mul_z'], ['z', 'mul_z'], ['mul_z', 'add'], ['h_tilde', 'mul_1z'], ['z', 'mul_1z'], ['mul_1z', 'add'], ['add', 'h'],
        ['h_prev', 'z'], ['h_prev', 'r'], ['r', 'h_tilde'], ['x', 'z'], ['x', 'r'], ['x', 'h_tilde'],
      ],
    },
  },
  /**
   * ConvLSTM (Keras ConvLSTM1D/2D/3D): the LSTM's gates, states and step with every product a convolution, so each
   * quantity is one value per output position × filter (the trace's units). Only Keras has it: no PyTorch or ONNX class,
   * and the same block order everywhere (the kernel's last axis: i, f, c, o).
   */
  conv_lstm: {
    ...LSTM,
    kind: 'conv_lstm',
    title: 'ConvLSTM',
    classes: { keras: 'ConvLSTM', pytorch: null, onnx: null },
    layout: { keras: ['i', 'f', 'c', 'o'], pytorch: ['i', 'f', 'c', 'o'], onnx: ['i', 'f', 'c', 'o'] },
    diagram: {
      nodes: LSTM.diagram.nodes.map((n) => (n.key === 'x' ? { ...n, label: 'xₜ ∗' } : n.key === 'h_prev' ? { ...n, label: 'h₍ₜ₋₁₎ ∗' } : n)),
      edges: LSTM.diagram.edges,
    },
  },
};

/** A user-defined cell's diagram: its gates are its own, so only the input, the carried h and the new h are drawn. */
export const CUSTOM_DIAGRAM: DiagramShape = {
  nodes: [
    { key: 'h_prev', x: 60, y: 60, kind: 'state' },
    { key: 'x', label: 'xₜ', x: 60, y: 200, kind: 'io' },
    { key: 'cell', label: 'custom', x: 230, y: 130, kind: 'op' },
    { key: 'h', x: 420, y: 130, kind: 'state' },
  ],
  edges: [['h_prev', 'cell'], ['x', 'cell'], ['cell', 'h']],
};

export const BUILTIN_CELL_KINDS = Object.keys(CELL_KINDS) as BuiltinCellKind[];

export function isBuiltinCellKind(kind: string): kind is BuiltinCellKind {
  return Object.prototype.hasOwnProperty.call(CELL_KINDS, kind);
}

/** The kind a framework's class names (`cellKindOfClass('onnx', 'RNN')` = simple_rnn), or undefined. */
export function cellKindOfClass(fw: WeightFramework, name: string): BuiltinCellKind | undefined {
  return BUILTIN_CELL_KINDS.find((k) => CELL_KINDS[k].classes[fw] === name);
}

/**
 * The kind's diagram with every node labelled: quantities by their own label (states at t: `cₜ`, before the step:
 * `c₍ₜ₋₁₎`), operators and inputs by theirs. `custom`: the custom cell's outline.
 */
export function diagramOf(kind: BuiltinCellKind | 'custom'): { nodes: (DiagramNode & { label: string })[]; edges: DiagramShape['edges'] } {
  const shape = kind === 'custom' ? CUSTOM_DIAGRAM : CELL_KINDS[kind].diagram;
  const quantities = kind === 'custom' ? [H] : CELL_KINDS[kind].quantities;
  const labelOf = (key: string) => quantities.find((x) => x.key === key)?.label ?? key;
  const label = (n: DiagramNode) => {
    if (n.label !== undefined) return n.label;
    if (n.key.endsWith('_prev')) return `${labelOf(n.key.slice(0, -5))}₍ₜ₋₁₎`;
    return n.kind === 'state' ? `${labelOf(n.key)}ₜ` : labelOf(n.key);
  };
  return { nodes: shape.nodes.map((n) => ({ ...n, label: label(n) })), edges: shape.edges };
}

/** Row of quantity `key` in the kind's trace (and in the WebAssembly kernels' rows); throws for a key it lacks. */
export function quantityRow(kind: BuiltinCellKind, key: string): number {
  const info = CELL_KINDS[kind];
  const r = info.quantities.findIndex((x) => x.key === key);
  const s = info.kernelScratch.indexOf(key);
  if (r >= 0) return r;
  if (s >= 0) return info.quantities.length + s;
  throw new Error(`${info.title} records no quantity "${key}"`);
}

/** Rows the WebAssembly kernels write per step: the quantities, then the scratch rows. */
export function kernelRows(kind: BuiltinCellKind): number {
  return CELL_KINDS[kind].quantities.length + CELL_KINDS[kind].kernelScratch.length;
}

/**
 * For each block of framework `to`'s layout, the block of framework `from`'s layout that holds the same gate:
 * `blockOrder('gru', 'pytorch', 'keras')` = [1, 0, 2] (Keras's z is PyTorch's block 1).
 */
export function blockOrder(kind: BuiltinCellKind, from: WeightFramework, to: WeightFramework): number[] {
  const { layout } = CELL_KINDS[kind];
  return layout[to].map((g) => layout[from].indexOf(g));
}

/** The gate keys in framework `fw`'s block order, in that framework's names: PyTorch GRU `r, z, n`. */
export function storedGateNames(kind: BuiltinCellKind, fw: WeightFramework): string[] {
  const { gates, layout } = CELL_KINDS[kind];
  return layout[fw].map((k) => gates.find((g) => g.key === k)!.names[fw]);
}

/** The gate whose activation is quantity `key` (`c_tilde` → LSTM's gate c), or undefined for states. */
export function gateOfQuantity(kind: BuiltinCellKind, key: string): GateInfo | undefined {
  return CELL_KINDS[kind].gates.find((g) => g.quantity === key);
}
