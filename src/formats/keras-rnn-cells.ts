/**
 * The cells inside Keras's generic `RNN` layer, read from its config: a leaf that the RNN layer's converter
 * (keras-rnn-layer.ts) and Bidirectional (keras-recurrent.ts, for `Bidirectional(RNN(LSTMCell))`) both use.
 */
import { CELL_KINDS } from '../engine/cells/kinds';
import { child, fail, isObject, readArray } from './json-read';
import { describeValue } from './load-error';
import { readLayerHeader, type LayerHeader } from './keras-layer-json';

/**
 * Keras's cell classes → the layer class they make (CELL_KINDS' titles: LSTMCell → LSTM). Keras's ConvLSTMCell is
 * internal to ConvLSTM1D/2D/3D (no RNN layer wraps it in a saved model), so it is left out.
 */
export const CELL_CLASSES: Record<string, string> = Object.fromEntries(Object.values(CELL_KINDS).filter((k) => k.kind !== 'conv_lstm').map((k) => [`${k.title}Cell`, k.title]));
/** The RNN layer's own keys, which its cells take over. */
export const LAYER_KEYS = ['return_sequences', 'return_state', 'go_backwards', 'stateful', 'time_major'];

/** The cells of an RNN layer: one, or StackedRNNCells' list. */
export function cellHeaders(h: LayerHeader): LayerHeader[] {
  const at = child(h.configAt, 'cell');
  const cell = h.config.cell;
  if (!isObject(cell)) fail(at, `the cell of RNN layer "${h.name}": {"class_name": "LSTMCell", "config": {...}}`, describeValue(cell), { subject: `layer "${h.name}"` });
  const top = readLayerHeader(cell, at, `${h.name}_cell`);
  if (top.className !== 'StackedRNNCells') return [top];
  const cellsAt = child(top.configAt, 'cells');
  return readArray(top.config.cells, cellsAt, 'the list of stacked cells').map((c, i) => readLayerHeader(c, child(cellsAt, i), `cell_${i}`));
}

/** `RNN(LSTMCell(...))` read as the LSTM layer it is (for Bidirectional); undefined for anything else. */
export function rnnAsLayer(h: LayerHeader): LayerHeader | undefined {
  if (h.className !== 'RNN') return undefined;
  const cells = cellHeaders(h);
  const className = cells.length === 1 ? CELL_CLASSES[cells[0]!.className] : undefined;
  if (!className) return undefined;
  const config: Record<string, unknown> = { ...cells[0]!.config, name: h.name };
  for (const key of LAYER_KEYS) if (h.config[key] !== undefined) config[key] = h.config[key];
  return { ...cells[0]!, className, config, name: h.name };
}
