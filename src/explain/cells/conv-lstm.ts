/**
 * ConvLSTM backwards (src/engine/cells/conv-lstm.ts): the LSTM's element-wise step backwards (lstm.ts's lstmGates,
 * on units = output positions × filters), then its two products, which are convolutions, transposed
 * (conv-transpose.ts) with dz laid out as the forward's convolution columns g·F + f: dx through the input kernel,
 * dh₋ through the recurrent one.
 */
import { patchPlan } from '../../engine/conv-patches';
import { RunError } from '../../engine/errors';
import type { RecurrentLayer } from '../../engine/model';
import { addPatchTranspose } from '../conv-transpose';
import { weightIn } from '../linalg';
import type { BackwardContext, CellBackward } from './cell';
import { lstmGates } from './lstm';

export function convLstmBackward(layer: RecurrentLayer, ctx: BackwardContext): CellBackward {
  const spec = layer.conv;
  if (!spec || spec.spatial.some((d) => d === null)) throw new RunError(`ConvLSTM layer "${layer.name}" was differentiated before its input's sizes were known`);
  const spatial = spec.spatial as number[];
  const F = spec.filters;
  const cols = 4 * F;
  const input = patchPlan({ spatial, channels: spec.channels, kernel: spec.kernelSize, strides: spec.strides, dilation: spec.dilation, padding: spec.padding, channelsFirst: spec.channelsFirst });
  const ones = spec.kernelSize.map(() => 1);
  const recurrent = patchPlan({ spatial: input.out, channels: F, kernel: spec.kernelSize, strides: ones, dilation: ones, padding: 'same', channelsFirst: spec.channelsFirst });
  const P = input.positions;
  const u = P * F;
  const K = weightIn(layer.weights.kernel, ctx.precision);
  const U = weightIn(layer.weights.recurrentKernel, ctx.precision);
  const gates = lstmGates(layer, ctx);
  const [perPosition, perFilter] = spec.channelsFirst ? [1, P] : [F, 1];
  const dz = new Float64Array(4 * u);
  // dz in the forward's convolution layout: position-major rows [p][g·F + f].
  const rows = new Float64Array(P * cols);
  const toRows = () => {
    for (let p = 0; p < P; p++) for (let g = 0; g < 4; g++) for (let f = 0; f < F; f++) rows[p * cols + g * F + f] = dz[g * u + p * perPosition + f * perFilter]!;
  };

  return {
    units: u,
    features: spatial.reduce((a, b) => a * b, 1) * spec.channels,
    stateNames: ['h', 'c'],
    outputState: 0,
    step(v, dStates, _dOut, dx, dxOff) {
      gates(v, dStates, dz, 0);
      toRows();
      addPatchTranspose(recurrent, U, cols, rows, 0, dStates[0]!, 0);
      addPatchTranspose(input, K, cols, rows, 0, dx, dxOff);
    },
  };
}
