/**
 * Kernels stored the other way round: transposed (PyTorch keeps [gates·u, in], Keras [in, gates·u]) or the input
 * and recurrent kernels swapped. A transposed matrix only loads when it is square, so these are tried only where
 * the shapes allow; otherwise the loader would already have refused the file, and the note says so.
 */
import { GATE_COUNT, type RecurrentLayer } from '../engine/model';
import { shapeText } from '../engine/tensor';
import { layerHypothesis, withWeights, type LayerHypothesis } from './layers';
import { transpose, transposeBlocks } from './weights';
import { phrase } from '../phrase';

const isSquare = (shape: readonly number[]) => shape.length === 2 && shape[0] === shape[1];
const gates = (layer: RecurrentLayer) => GATE_COUNT[layer.cell];

export const kernelLayoutHypotheses: LayerHypothesis[] = [
  layerHypothesis({
    id: 'kernel-transposed',
    title: phrase('input kernel stored transposed'),
    concept: 'kernel-layout',
    noteWhenInapplicable: true,
    layerApplies: (l) => (isSquare(l.weights.kernel.shape) ? true : phrase('kernel {0} is not square, so a transposed one would not load', shapeText(l.weights.kernel.shape))),
    applyLayer: (l) => withWeights(l, { kernel: transpose(l.weights.kernel) }),
  }),
  layerHypothesis({
    id: 'recurrent-kernel-transposed',
    title: phrase('recurrent kernel stored transposed'),
    concept: 'kernel-layout',
    noteWhenInapplicable: true,
    layerApplies: (l) =>
      isSquare(l.weights.recurrentKernel.shape)
        ? true
        : phrase("recurrent kernel {0} is not square; each gate's [{1}, {1}] block is tried instead", shapeText(l.weights.recurrentKernel.shape), l.config.units),
    applyLayer: (l) => withWeights(l, { recurrentKernel: transpose(l.weights.recurrentKernel) }),
  }),
  layerHypothesis({
    id: 'recurrent-kernel-gates-transposed',
    title: phrase("each gate's block of the recurrent kernel stored transposed"),
    concept: 'kernel-layout',
    layerApplies: (l) => (gates(l) > 1 ? true : 'one gate: the same as the whole recurrent kernel transposed'),
    applyLayer: (l) => withWeights(l, { recurrentKernel: transposeBlocks(l.weights.recurrentKernel, gates(l)) }),
  }),
  layerHypothesis({
    id: 'kernel-gates-transposed',
    title: phrase("each gate's block of the input kernel stored transposed"),
    concept: 'kernel-layout',
    layerApplies: (l) =>
      gates(l) > 1 && l.weights.kernel.shape[0] === l.config.units ? true : 'gate blocks of the kernel are not square',
    applyLayer: (l) => withWeights(l, { kernel: transposeBlocks(l.weights.kernel, gates(l)) }),
  }),
  layerHypothesis({
    id: 'kernels-swapped',
    title: phrase('input kernel and recurrent kernel swapped'),
    concept: 'kernel-layout',
    noteWhenInapplicable: true,
    layerApplies: (l) =>
      l.weights.kernel.shape[0] === l.config.units
        ? true
        : phrase('kernel {0} and recurrent kernel {1} differ in shape', shapeText(l.weights.kernel.shape), shapeText(l.weights.recurrentKernel.shape)),
    applyLayer: (l) => withWeights(l, { kernel: l.weights.recurrentKernel, recurrentKernel: l.weights.kernel }),
  }),
];
