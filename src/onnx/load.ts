/** Bytes of a .onnx file → an OnnxModel ready to run, or a LoadError saying where and why not. */
import type { LoadedModel } from '../formats/loaded-model';
import { LoadError } from '../formats/load-error';
import { checkFileBytes, resolveLimits, type LoadLimits } from '../formats/limits';
import { readExternalData, type ReadSibling } from './external';
import { buildGraph } from './graph';
import { OnnxModel } from './model';
import { decodeModelProto, type ModelProto } from './proto';

function decode(bytes: Uint8Array, fileName: string): ModelProto {
  try {
    return decodeModelProto(bytes);
  } catch (e) {
    throw new LoadError({
      file: fileName,
      path: [],
      expected: 'an ONNX model (a protobuf ModelProto)',
      found: `bytes the protobuf decoder rejects (${e instanceof Error ? e.message : String(e)})`,
      hint: 'the file is truncated or not an ONNX model; write it again with torch.onnx.export or onnx.save',
    });
  }
}

/** A single-file model (external data is refused, with the way to write one file). */
export function loadOnnx(bytes: Uint8Array, fileName: string, given?: Partial<LoadLimits>): OnnxModel {
  const limits = resolveLimits(given);
  checkFileBytes(bytes.length, { file: fileName, path: [] }, limits);
  return build(decode(bytes, fileName), fileName, limits);
}

/** A model whose tensors may live in data files beside it (read through `readSibling`, inside the model's folder). */
export async function loadOnnxWithSiblings(bytes: Uint8Array, fileName: string, readSibling: ReadSibling | undefined, given?: Partial<LoadLimits>): Promise<OnnxModel> {
  const limits = resolveLimits(given);
  checkFileBytes(bytes.length, { file: fileName, path: [] }, limits);
  const proto = decode(bytes, fileName);
  if (readSibling) await readExternalData(proto, fileName, readSibling, limits);
  return build(proto, fileName, limits);
}

function build(proto: ModelProto, fileName: string, limits: LoadLimits): OnnxModel {
  try {
    return new OnnxModel(buildGraph(proto, fileName, limits));
  } catch (e) {
    if (e instanceof LoadError) throw e;
    // A bug here, or a file shaped in a way no check foresaw: still the file's error, never a stack trace.
    throw new LoadError({
      file: fileName,
      path: [],
      expected: 'an ONNX graph Cellscope can read',
      found: `a graph that made the reader fail (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`,
      hint: 'if onnxruntime runs this file, please report it as a Cellscope bug',
    });
  }
}

/**
 * For the loader table, whose models are Keras layer chains: the graph is read and checked in full (its errors are
 * the ones a user needs), but a graph is not a layer chain, so it is then refused with the way to run it.
 */
export async function loadOnnxAsLayerChain(bytes: Uint8Array, fileName: string, readSibling: ReadSibling | undefined, limits: LoadLimits): Promise<LoadedModel> {
  const model = await loadOnnxWithSiblings(bytes, fileName, readSibling, limits);
  throw new LoadError({
    file: fileName,
    path: [],
    expected: 'a Keras, TF.js or PyTorch model for this view',
    found: `an ONNX graph (${model.describe()})`,
    hint: `run it whole from the command line: cellscope run|compare|trace ${fileName} --input IN (every recurrent gate is traced)`,
  });
}
