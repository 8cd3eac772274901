/**
 * Keras ConvLSTM (1-D, 2-D, 3-D): the LSTM with convolutions for products, kernel blocks i, f, c, o on the last axis:
 *   z = (conv(x, K; strides, padding, dilation) + b) + conv(h, U; stride 1, padding same)
 *   i, f, o = rec(z_i, z_f, z_o);  c̃ = act(z_c);  c = f·c + i·c̃;  h = o·act(c)
 * every quantity one value per output position × filter. The two convolutions are im2col rows times the kernels
 * (src/engine/conv-patches.ts); the element-wise step after them is the LSTM's own (`lstmCell().stepWith`), fed the
 * convolutions laid out as its gate blocks, with the bias already in the input part as Keras adds it (Keras's
 * `input_conv` adds b, then the cell adds the recurrent convolution).
 */
import { convolveFrame, patchPlan } from '../conv-patches';
import { RunError } from '../errors';
import type { RecurrentLayer } from '../model';
import { roundTo as sharedRoundTo } from './context';
import type { CellStepper } from './cell';
import { bindWeights, type CellContext, type RowProduct } from './context';
import { CELL_KINDS } from './kinds';
import { lstmCell } from './lstm';

const roundTo = sharedRoundTo;
const GATES = CELL_KINDS.conv_lstm.gates.length;
const noRowProduct: RowProduct = () => {
  throw new Error('ConvLSTM takes no mid-step recurrent product');
};

export function convLstmCell(layer: RecurrentLayer, ctx: CellContext): CellStepper {
  const spec = layer.conv;
  if (!spec || spec.spatial.some((d) => d === null)) throw new RunError(`ConvLSTM layer "${layer.name}" was run before its input's sizes were known`);
  const spatial = spec.spatial as number[];
  const F = spec.filters;
  const cols = GATES * F;
  const input = patchPlan({ spatial, channels: spec.channels, kernel: spec.kernelSize, strides: spec.strides, dilation: spec.dilation, padding: spec.padding, channelsFirst: spec.channelsFirst });
  const ones = spec.kernelSize.map(() => 1);
  const recurrent = patchPlan({ spatial: input.out, channels: F, kernel: spec.kernelSize, strides: ones, dilation: ones, padding: 'same', channelsFirst: spec.channelsFirst });
  const P = input.positions;
  const units = P * F;
  const w = bindWeights(layer, ctx);
  const { kernel, recurrentKernel, bias, f32 } = w;
  const lstm = lstmCell({ ...w, units, features: spatial.reduce((a, b) => a * b, 1) * spec.channels, bias: null });
  const rowIn = w.buffer(input.taps * spec.channels);
  const rowRec = w.buffer(recurrent.taps * F);
  const convX = w.buffer(P * cols);
  const convH = w.buffer(P * cols);
  const xk = w.buffer(GATES * units);
  const hu = w.buffer(GATES * units);
  // Unit of (position p, filter f) in the state's layout: channels_last [positions, F], channels_first [F, positions].
  const [perPosition, perFilter] = spec.channelsFirst ? [1, P] : [F, 1];

  return {
    units,
    features: lstm.features,
    quantities: CELL_KINDS.conv_lstm.quantities,
    stateNames: CELL_KINDS.conv_lstm.states,
    outputQuantity: lstm.outputQuantity,
    step(x, xOff, states, sOff, out, oOff) {
      convolveFrame(input, x, xOff, kernel, cols, rowIn, convX);
      convolveFrame(recurrent, states[0]!, sOff, recurrentKernel, cols, rowRec, convH);
      // Position-major convolution rows [p][g·F + f] → the LSTM's gate blocks [g][unit(p, f)].
      for (let p = 0; p < P; p++) {
        for (let g = 0; g < GATES; g++) {
          const src = p * cols + g * F;
          const dst = g * units + p * perPosition;
          for (let f = 0; f < F; f++) {
            const v = convX[src + f]!;
            xk[dst + f * perFilter] = bias ? roundTo(f32, v + bias[g * F + f]!) : v;
            hu[dst + f * perFilter] = convH[src + f]!;
          }
        }
      }
      lstm.stepWith(xk, 0, hu, 0, states, sOff, out, oOff, noRowProduct);
    },
  };
}
