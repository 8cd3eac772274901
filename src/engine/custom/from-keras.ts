/**
 * A built-in SimpleRNN / LSTM / GRU layer written as a custom cell: per-gate weights cut out of Keras's fused
 * kernels and transposed to [out, in], and Keras's formulas as expressions, in the order Keras sums them.
 * Running the result gives the built-in cell's numbers; it also shows users what the built-in cells compute.
 */
import { CELL_KINDS } from '../cells/kinds';
import type { RecurrentLayer } from '../model';
import type { Tensor } from '../tensor';
import type { CustomCellSpec } from './define';

/** Columns [g·u, (g+1)·u) of a row-major [rows, G·u] array, transposed to [u, rows]. */
function gateMatrix(t: Tensor, g: number, u: number): Tensor {
  const [rows, width] = t.shape as [number, number];
  const data = new Float64Array(u * rows);
  for (let j = 0; j < u; j++) for (let k = 0; k < rows; k++) data[j * rows + k] = t.data[k * width + g * u + j]!;
  return { shape: [u, rows], data };
}

function gateVector(t: Tensor, row: number, g: number, u: number): Tensor {
  const width = t.shape[t.shape.length - 1]!;
  return { shape: [u], data: Float64Array.from(t.data.subarray(row * width + g * u, row * width + (g + 1) * u)) };
}

export function customFromKeras(layer: RecurrentLayer): CustomCellSpec {
  const { units: u, activation: act, recurrentActivation: rec, resetAfter } = layer.config;
  const { kernel, recurrentKernel, bias } = layer.weights;
  const features = kernel.shape[0]!;
  const weights: Record<string, Tensor> = {};
  if (layer.cell === 'custom') throw new Error(`layer "${layer.name}" is already a custom cell`);
  // The expression language has matrix products, not convolutions.
  if (layer.cell === 'conv_lstm') throw new Error(`layer "${layer.name}" is a ConvLSTM, which custom cells cannot express`);
  const kind = CELL_KINDS[layer.cell];
  const label = (key: string) => kind.quantities.find((q) => q.key === key)!.label;
  kind.gates.forEach(({ key: g }, gi) => {
    weights[`W_${g}`] = gateMatrix(kernel, gi, u);
    weights[`U_${g}`] = gateMatrix(recurrentKernel, gi, u);
    if (bias && bias.shape.length === 2) {
      weights[`bx_${g}`] = gateVector(bias, 0, gi, u);
      weights[`bh_${g}`] = gateVector(bias, 1, gi, u);
    } else if (bias) weights[`b_${g}`] = gateVector(bias, 0, gi, u);
  });
  const b = (g: string) => (bias ? ` + b_${g}` : '');
  const base = { units: u, features, weights };
  switch (layer.cell) {
    case 'simple_rnn':
      return { ...base, states: [...kind.states], gates: [], updates: [{ state: 'h', expr: `${act}(W_h @ x${b('h')} + U_h @ h)` }], output: 'h' };
    case 'lstm': {
      const z = (g: string) => `W_${g} @ x + U_${g} @ h${b(g)}`;
      return {
        ...base,
        states: [...kind.states],
        gates: [
          { name: 'i', expr: `${rec}(${z('i')})` },
          { name: 'f', expr: `${rec}(${z('f')})` },
          { name: 'c_tilde', label: label('c_tilde'), role: 'candidate', expr: `${act}(${z('c')})` },
          { name: 'o', expr: `${rec}(${z('o')})` },
        ],
        updates: [
          { state: 'c', expr: 'f * c + i * c_tilde' },
          { state: 'h', expr: `o * ${act}(c)` },
        ],
        output: 'h',
      };
    }
    case 'gru': {
      const split = bias !== null && bias.shape.length === 2;
      const xPart = (g: string) => (split ? `(W_${g} @ x + bx_${g})` : `(W_${g} @ x${b(g)})`);
      const hPart = (g: string) => (split ? `(U_${g} @ h + bh_${g})` : `(U_${g} @ h)`);
      const candidate = resetAfter ? `${xPart('h')} + r * ${hPart('h')}` : `${xPart('h')} + U_h @ (r * h)`;
      return {
        ...base,
        states: [...kind.states],
        gates: [
          { name: 'z', expr: `${rec}(${xPart('z')} + ${hPart('z')})` },
          { name: 'r', expr: `${rec}(${xPart('r')} + ${hPart('r')})` },
          { name: 'h_tilde', label: label('h_tilde'), role: 'candidate', expr: `${act}(${candidate})` },
        ],
        updates: [{ state: 'h', expr: 'z * h + (1 - z) * h_tilde' }],
        output: 'h',
      };
    }
  }
}
