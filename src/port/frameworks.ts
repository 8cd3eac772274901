/**
 * Which framework a model came from, and what that framework calls each gate. Every model runs as the engine's
 * Keras-layout layers, so traces carry Keras's quantity keys (i, f, c_tilde, o / z, r, h_tilde); the port checker
 * prints them under each side's own names (PyTorch i, f, g, o and r, z, n; ONNX i, o, f, c and z, r, h).
 */
import { gateOfQuantity, storedGateNames, type WeightFramework } from '../engine/cells/kinds';
import type { CellKind, Model, SourceInfo } from '../engine/model';

export type Framework = 'keras' | 'pytorch' | 'onnx' | 'tfjs' | 'custom';

export function frameworkOf(source: SourceInfo, model: Model | null): Framework {
  const f = source.format;
  if (f === 'pytorch-state-dict' || f === 'safetensors') return 'pytorch';
  if (f.startsWith('onnx')) return 'onnx';
  if (f.startsWith('tfjs')) return 'tfjs';
  if (model?.layers.some((l) => l.kind === 'recurrent' && l.cell === 'custom')) return 'custom';
  return 'keras';
}

export const FRAMEWORK_LABEL: Record<Framework, string> = { keras: 'Keras', pytorch: 'PyTorch', onnx: 'ONNX', tfjs: 'TF.js', custom: 'custom cell' };

export function gateName(framework: Framework, cell: CellKind, key: string): string {
  const pre = key.startsWith('pre_');
  const base = pre ? key.slice(4) : key;
  // CELL_KINDS' name of the gate whose activation the quantity is (PyTorch's `g` for c_tilde), when it differs.
  const fw = framework === 'pytorch' || framework === 'onnx' ? framework : null;
  const gate = cell !== 'custom' && fw ? gateOfQuantity(cell, base) : undefined;
  const mapped = gate && fw && gate.names[fw] !== gate.quantity ? gate.names[fw] : undefined;
  // ONNX's LSTM "c" and GRU "h" gates would read as the states c and h: say they are gates.
  const name = mapped === undefined ? base : framework === 'onnx' ? `${mapped} (gate)` : mapped;
  return pre ? `pre ${name}` : name;
}

/** `g (PyTorch) = c̃ (Keras)`, or just the name when both frameworks say the same. */
export function gatePair(a: Framework, b: Framework, cell: CellKind, key: string): string {
  const na = gateName(a, cell, key);
  const nb = gateName(b, cell, key);
  return na === nb ? na : `${na} (${FRAMEWORK_LABEL[a]}) = ${nb} (${FRAMEWORK_LABEL[b]})`;
}

/** Gate order as each framework stores the fused blocks, for messages and mapping code: PyTorch GRU `r, z, n`. */
export const STORED_ORDER = Object.fromEntries(
  (['keras', 'pytorch', 'onnx'] as const).map((fw) => [fw, { lstm: storedGateNames('lstm', fw).join(', '), gru: storedGateNames('gru', fw).join(', ') }]),
) as Record<WeightFramework, Record<'lstm' | 'gru', string>>;

/**
 * A recorded quantity as the panel shows it for a model from `framework`: the framework's own gate name as the label
 * (PyTorch `g`, `n`; ONNX `c gate`, `h gate`, which would otherwise read as the states c and h), and the Keras
 * equivalent at the head of the description ("Keras c̃ · candidate cell value"); unchanged where both say the same.
 */
export function frameworkQuantity<Q extends { key: string; label: string; description: string }>(framework: Framework, cell: CellKind, q: Q): Q {
  const pre = q.key.startsWith('pre_');
  const base = pre ? q.key.slice(4) : q.key;
  const fw = framework === 'pytorch' || framework === 'onnx' ? framework : null;
  const gate = cell !== 'custom' && fw ? gateOfQuantity(cell, base) : undefined;
  if (!gate || !fw || gate.names[fw] === gate.quantity) return q;
  const own = framework === 'onnx' ? `${gate.names[fw]} gate` : gate.names[fw];
  return { ...q, label: pre ? `pre ${own}` : own, description: `Keras ${q.label} · ${q.description}` };
}
