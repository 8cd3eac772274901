/**
 * PyTorch weights as a model: a `.pt`/`.pth` state dict (torch.save zip format) or a `.safetensors` file → the
 * recurrent module in it (picked with `--module` when there are several) → an engine Model.
 */
import type { Tensor } from '../../engine/tensor';
import { LoadError } from '../load-error';
import type { LoadLimits } from '../limits';
import type { LoadedModel } from '../loaded-model';
import { readSafetensors } from '../safetensors';
import { readTorchStateDict } from './archive';
import { describeModule, findRecurrentModules, isRecurrentKey, moduleLabel, type TorchModule } from './modules';
import { SAFETENSORS_FORMAT, TORCH_FORMAT } from './signature';
import { torchModuleToModel, type Nonlinearity } from './to-model';

export interface TorchChoices {
  /** Key prefix of the recurrent module to open (`lstm`, `encoder.rnn`); needed when the file holds several. */
  module?: string;
  /** nn.RNN / RNNCell nonlinearity (not stored in state dicts): tanh by default. */
  nonlinearity?: Nonlinearity;
  /**
   * With several modules and none named: open the first instead of refusing (the panel, which then offers the
   * others in a picker; the CLI asks for --module).
   */
  firstWhenSeveral?: boolean;
}

/** The module `wanted` among those `found` in the state dict, or the only one; a LoadError listing them otherwise. */
export function pickModule(found: TorchModule[], dict: Map<string, Tensor | null>, file: string, wanted: string | undefined, firstWhenSeveral: boolean): TorchModule {
  const list = found.map(describeModule).join('; ');
  if (!found.length) {
    const keys = [...dict.keys()];
    throw new LoadError({
      file,
      path: [],
      expected: 'a state dict with a recurrent module (keys like lstm.weight_ih_l0, weight_hh_l0, or a cell\'s weight_ih / weight_hh)',
      found: keys.length ? `keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ` (+${keys.length - 8} more)` : ''}` : 'an empty state dict',
      hint: 'save the state dict of a model holding nn.RNN, nn.LSTM, nn.GRU or their cells',
    });
  }
  if (wanted !== undefined) {
    const m = found.find((f) => f.prefix === wanted.replace(/\.$/, ''));
    if (!m) throw new LoadError({ file, path: [], expected: `a recurrent module "${wanted}" (--module)`, found: `the recurrent modules ${list}`, hint: `pass --module with one of: ${found.map((f) => moduleLabel(f.prefix)).join(', ')}` });
    return m;
  }
  if (found.length > 1 && !firstWhenSeveral) {
    throw new LoadError({ file, path: [], expected: 'one recurrent module, or --module PREFIX to pick one', found: `${found.length} recurrent modules: ${list}`, hint: `pass --module ${found[0]!.prefix || "''"} (or another of them)` });
  }
  return found[0]!;
}

function toLoaded(dict: Map<string, Tensor | null>, file: string, format: string, choices: TorchChoices): LoadedModel {
  const found = findRecurrentModules(dict, file);
  const m = pickModule(found, dict, file, choices.module, choices.firstWhenSeveral ?? false);
  const nonlinearity = choices.nonlinearity ?? 'tanh';
  return {
    model: torchModuleToModel(m, nonlinearity, { file, format }),
    predictCalls: 1,
    choices: { modules: found.map((f) => ({ prefix: f.prefix, label: describeModule(f) })), module: m.prefix, nonlinearity: m.kind === 'RNN' ? nonlinearity : null },
  };
}

export function loadTorchStateDict(bytes: Uint8Array, file: string, limits: LoadLimits, choices: TorchChoices = {}): LoadedModel {
  return toLoaded(readTorchStateDict(bytes, file, limits, isRecurrentKey), file, TORCH_FORMAT, choices);
}

export function loadSafetensorsModel(bytes: Uint8Array, file: string, limits: LoadLimits, choices: TorchChoices = {}): LoadedModel {
  return toLoaded(readSafetensors(bytes, file, limits, isRecurrentKey), file, SAFETENSORS_FORMAT, choices);
}
