/**
 * The generic `RNN` layer: `RNN(LSTMCell(...))` is an LSTM layer; `RNN(StackedRNNCells([c0, c1, …]))` runs the cells
 * one above the other at every step, which computes exactly what separate layers c0 … cn (all but the last with
 * return_sequences=True, each reading the one below) compute: every cell becomes its own recurrent layer, traced on
 * its own, named `<rnn>/<cell name>`.
 */
import type { Layer, RecurrentLayer } from '../engine/model';
import { child, fail } from './json-read';
import type { LayerEnv, LayerHeader } from './keras-layer-json';
import { convertRecurrent, type Converted, type Flow } from './keras-recurrent';
import { CELL_CLASSES, LAYER_KEYS, cellHeaders } from './keras-rnn-cells';
import type { WeightCursor } from './weights';

export function convertRnnLayer(h: LayerHeader, flow: Flow, weights: WeightCursor, env: LayerEnv): Converted<Layer> & { stack: Layer[] } {
  const cells = cellHeaders(h);
  if (!cells.length) fail(child(h.configAt, 'cell'), `at least one cell in RNN layer "${h.name}"`, 'none', { subject: `layer "${h.name}"` });
  const stacked = cells.length > 1;
  if (stacked && h.config.return_state === true) {
    fail(child(h.configAt, 'return_state'), `return_state false for an RNN of StackedRNNCells ("${h.name}")`, 'true', { subject: `layer "${h.name}"`, hint: 'the nested per-cell states are not supported; use one RNN or LSTM layer per cell' });
  }
  const layers: RecurrentLayer[] = [];
  let current = flow;
  let last: Converted<RecurrentLayer> | undefined;
  cells.forEach((cell, i) => {
    const className = CELL_CLASSES[cell.className];
    if (!className) {
      fail(child(cell.at, 'class_name'), 'SimpleRNNCell, LSTMCell, GRUCell or StackedRNNCells of them', `${cell.className} "${cell.name}" in RNN layer "${h.name}"`, {
        subject: `layer "${h.name}"`,
        hint: 'a custom cell class is Python code; write it as a CustomCell fixture (docs) or record the layer with python/cellscope_export.py',
      });
    }
    const top = i === cells.length - 1;
    const config: Record<string, unknown> = { ...cell.config };
    for (const key of LAYER_KEYS) if (h.config[key] !== undefined) config[key] = h.config[key];
    // Lower cells hand their whole sequence up, in processing order: only the first reads the input backwards.
    if (!top) config.return_sequences = true;
    if (i > 0) config.go_backwards = false;
    const name = stacked ? `${h.name}/${cell.name}` : h.name;
    const converted = convertRecurrent({ ...cell, className, config, name }, current, weights, env);
    layers.push(converted.layer);
    current = converted.out;
    last = converted;
  });
  const top = last!;
  return { layer: top.layer, stack: layers.slice(0, -1), out: top.out, consumed: flow.dims ?? top.consumed };
}
