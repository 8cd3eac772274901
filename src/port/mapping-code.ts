/**
 * The correct weight mapping between two frameworks, as numpy code the user can paste: printed by
 * `compare --against --diagnose` once the mistake is named, for the direction of the port.
 * One layer, one direction shown; other layers / directions use the suffixes _l<k> and _reverse (PyTorch) or the
 * num_directions axis (ONNX).
 */
import { CELL_KINDS } from '../engine/cells/kinds';
import type { CellKind } from '../engine/model';
import type { Framework } from './frameworks';

type Side = 'keras' | 'pytorch' | 'onnx';

const side = (f: Framework): Side | null => (f === 'keras' || f === 'tfjs' ? 'keras' : f === 'pytorch' ? 'pytorch' : f === 'onnx' ? 'onnx' : null);

const KERAS_TO_TORCH: Record<'lstm' | 'gru' | 'simple_rnn', string> = {
  lstm: `kernel, recurrent_kernel, bias = keras_lstm.get_weights()   # [in, 4H], [H, 4H], [4H]; gates i, f, c, o
sd = {"weight_ih_l0": kernel.T, "weight_hh_l0": recurrent_kernel.T,  # PyTorch i, f, g, o: same order, transposed
      "bias_ih_l0": bias, "bias_hh_l0": np.zeros_like(bias)}        # PyTorch adds b_ih + b_hh: put the bias in one only
torch_lstm.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()})`,
  gru: `kernel, recurrent_kernel, bias = keras_gru.get_weights()    # [in, 3H], [H, 3H], [2, 3H]; gates z, r, h; reset_after=True
def rzn(w):  # Keras z, r, h blocks (last axis) -> PyTorch r, z, n
    z, r, h = np.split(w, 3, axis=-1)
    return np.concatenate([r, z, h], axis=-1)
sd = {"weight_ih_l0": rzn(kernel).T, "weight_hh_l0": rzn(recurrent_kernel).T,
      "bias_ih_l0": rzn(bias[0]), "bias_hh_l0": rzn(bias[1])}      # input row -> bias_ih, recurrent row -> bias_hh
torch_gru.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()})
# A Keras GRU with reset_after=False has no PyTorch equivalent: rebuild it with reset_after=True and retrain.`,
  simple_rnn: `kernel, recurrent_kernel, bias = keras_rnn.get_weights()   # [in, H], [H, H], [H]
sd = {"weight_ih_l0": kernel.T, "weight_hh_l0": recurrent_kernel.T, "bias_ih_l0": bias, "bias_hh_l0": np.zeros_like(bias)}
torch_rnn.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()})`,
};

const TORCH_TO_KERAS: Record<'lstm' | 'gru' | 'simple_rnn', string> = {
  lstm: `sd = {k: v.detach().cpu().numpy() for k, v in torch_lstm.state_dict().items()}
keras_lstm.set_weights([sd["weight_ih_l0"].T, sd["weight_hh_l0"].T,   # [4H, in] -> [in, 4H]; PyTorch i, f, g, o = Keras i, f, c, o
                        sd["bias_ih_l0"] + sd["bias_hh_l0"]])          # Keras has one bias: the sum`,
  gru: `sd = {k: v.detach().cpu().numpy() for k, v in torch_gru.state_dict().items()}
def zrh(w):  # PyTorch r, z, n blocks (first axis) -> Keras z, r, h
    r, z, n = np.split(w, 3, axis=0)
    return np.concatenate([z, r, n], axis=0)
# keras.layers.GRU(H, reset_after=True, ...): PyTorch's GRU is reset-after
keras_gru.set_weights([zrh(sd["weight_ih_l0"]).T, zrh(sd["weight_hh_l0"]).T,
                       np.stack([zrh(sd["bias_ih_l0"]), zrh(sd["bias_hh_l0"])])])   # [2, 3H]: input row, recurrent row`,
  simple_rnn: `sd = {k: v.detach().cpu().numpy() for k, v in torch_rnn.state_dict().items()}
keras_rnn.set_weights([sd["weight_ih_l0"].T, sd["weight_hh_l0"].T, sd["bias_ih_l0"] + sd["bias_hh_l0"]])`,
};

const TORCH_TO_ONNX: Record<'lstm' | 'gru' | 'simple_rnn', string> = {
  lstm: `sd = {k: v.detach().cpu().numpy() for k, v in torch_lstm.state_dict().items()}
def iofc(w):  # PyTorch i, f, g, o blocks (first axis) -> ONNX i, o, f, c
    i, f, g, o = np.split(w, 4, axis=0)
    return np.concatenate([i, o, f, g], axis=0)
W = iofc(sd["weight_ih_l0"])[None]   # [num_directions, 4H, in] (not transposed: ONNX keeps PyTorch's layout)
R = iofc(sd["weight_hh_l0"])[None]   # [num_directions, 4H, H]
B = np.concatenate([iofc(sd["bias_ih_l0"]), iofc(sd["bias_hh_l0"])])[None]   # [num_directions, 8H]: Wb then Rb`,
  gru: `sd = {k: v.detach().cpu().numpy() for k, v in torch_gru.state_dict().items()}
def zrh(w):  # PyTorch r, z, n blocks (first axis) -> ONNX z, r, h
    r, z, n = np.split(w, 3, axis=0)
    return np.concatenate([z, r, n], axis=0)
W, R = zrh(sd["weight_ih_l0"])[None], zrh(sd["weight_hh_l0"])[None]
B = np.concatenate([zrh(sd["bias_ih_l0"]), zrh(sd["bias_hh_l0"])])[None]   # Wb then Rb
# the GRU node needs linear_before_reset=1 (PyTorch's formula)`,
  simple_rnn: `sd = {k: v.detach().cpu().numpy() for k, v in torch_rnn.state_dict().items()}
W, R = sd["weight_ih_l0"][None], sd["weight_hh_l0"][None]
B = np.concatenate([sd["bias_ih_l0"], sd["bias_hh_l0"]])[None]   # activations=["Tanh"] (or ["Relu"])`,
};

const KERAS_TO_ONNX: Record<'lstm' | 'gru' | 'simple_rnn', string> = {
  lstm: `kernel, recurrent_kernel, bias = keras_lstm.get_weights()   # gates i, f, c, o on the last axis
def iofc(w):  # Keras i, f, c, o -> ONNX i, o, f, c, then [4H, ...]
    i, f, c, o = np.split(w, 4, axis=-1)
    return np.concatenate([i, o, f, c], axis=-1).T
W, R = iofc(kernel)[None], iofc(recurrent_kernel)[None]                    # [1, 4H, in], [1, 4H, H]
B = np.concatenate([iofc(bias), np.zeros(bias.shape[-1])])[None]          # Wb = bias, Rb = 0 (ONNX adds both)`,
  gru: `kernel, recurrent_kernel, bias = keras_gru.get_weights()    # gates z, r, h: ONNX's order too
W, R = kernel.T[None], recurrent_kernel.T[None]
B = np.concatenate([bias[0], bias[1]])[None]   # reset_after=True: linear_before_reset=1
# reset_after=False: bias is [3H]; B = np.concatenate([bias, np.zeros_like(bias)])[None] with linear_before_reset=0`,
  simple_rnn: `kernel, recurrent_kernel, bias = keras_rnn.get_weights()
W, R = kernel.T[None], recurrent_kernel.T[None]
B = np.concatenate([bias, np.zeros_like(bias)])[None]`,
};

/** ONNX → PyTorch / Keras: the inverse of the above (W, R, B of one direction). */
const ONNX_TO_TORCH: Record<'lstm' | 'gru' | 'simple_rnn', string> = {
  lstm: `def ifgo(w):  # ONNX i, o, f, c blocks (first axis) -> PyTorch i, f, g, o
    i, o, f, c = np.split(w, 4, axis=0)
    return np.concatenate([i, f, c, o], axis=0)
Wb, Rb = np.split(B[0], 2)
sd = {"weight_ih_l0": ifgo(W[0]), "weight_hh_l0": ifgo(R[0]), "bias_ih_l0": ifgo(Wb), "bias_hh_l0": ifgo(Rb)}`,
  gru: `def rzn(w):  # ONNX z, r, h -> PyTorch r, z, n (needs linear_before_reset=1)
    z, r, h = np.split(w, 3, axis=0)
    return np.concatenate([r, z, h], axis=0)
Wb, Rb = np.split(B[0], 2)
sd = {"weight_ih_l0": rzn(W[0]), "weight_hh_l0": rzn(R[0]), "bias_ih_l0": rzn(Wb), "bias_hh_l0": rzn(Rb)}`,
  simple_rnn: `Wb, Rb = np.split(B[0], 2)
sd = {"weight_ih_l0": W[0], "weight_hh_l0": R[0], "bias_ih_l0": Wb, "bias_hh_l0": Rb}`,
};

const ONNX_TO_KERAS: Record<'lstm' | 'gru' | 'simple_rnn', string> = {
  lstm: `def ifco(w):  # ONNX i, o, f, c blocks (first axis) -> Keras i, f, c, o, then [.., 4H]
    i, o, f, c = np.split(w, 4, axis=0)
    return np.concatenate([i, f, c, o], axis=0).T
Wb, Rb = np.split(B[0], 2)
keras_lstm.set_weights([ifco(W[0]), ifco(R[0]), ifco((Wb + Rb)[:, None])[0]])`,
  gru: `Wb, Rb = np.split(B[0], 2)   # ONNX z, r, h is Keras's order
keras_gru.set_weights([W[0].T, R[0].T, np.stack([Wb, Rb])])   # linear_before_reset=1 -> reset_after=True
# linear_before_reset=0 -> reset_after=False and bias Wb + Rb`,
  simple_rnn: `Wb, Rb = np.split(B[0], 2)
keras_rnn.set_weights([W[0].T, R[0].T, Wb + Rb])`,
};

const TABLE: Partial<Record<`${Side}->${Side}`, Record<'lstm' | 'gru' | 'simple_rnn', string>>> = {
  'keras->pytorch': KERAS_TO_TORCH,
  'pytorch->keras': TORCH_TO_KERAS,
  'pytorch->onnx': TORCH_TO_ONNX,
  'keras->onnx': KERAS_TO_ONNX,
  'onnx->pytorch': ONNX_TO_TORCH,
  'onnx->keras': ONNX_TO_KERAS,
};

/** The numpy mapping from `from`'s weights to `to`'s, or null when there is none to show (same framework, custom). */
export function mappingCode(from: Framework, to: Framework, cell: CellKind): { title: string; code: string } | null {
  const a = side(from);
  const b = side(to);
  if (!a || !b || a === b || cell === 'custom' || cell === 'conv_lstm') return null;
  const code = TABLE[`${a}->${b}`]?.[cell];
  if (!code) return null;
  const name = { keras: 'Keras', pytorch: 'PyTorch', onnx: 'ONNX' };
  return { title: `the ${name[a]} → ${name[b]} weight mapping (${CELL_KINDS[cell].classes.pytorch}, one layer)`, code: `import numpy as np\n${code}` };
}
