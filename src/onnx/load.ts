/** Bytes of a .onnx file → an OnnxModel ready to run, or a LoadError saying where and why not. */
import { LoadError } from '../formats/load-error';
import { resolveLimits, type LoadLimits } from '../formats/limits';
import { checkFileBytes } from '../formats/limits';
import { buildGraph } from './graph';
import { OnnxModel } from './model';
import { decodeModelProto, type ModelProto } from './proto';

export function loadOnnx(bytes: Uint8Array, fileName: string, limits: LoadLimits = resolveLimits()): OnnxModel {
  checkFileBytes(bytes.length, { file: fileName, path: [] }, limits);
  let proto: ModelProto;
  try {
    proto = decodeModelProto(bytes);
  } catch (e) {
    throw new LoadError({
      file: fileName,
      path: [],
      expected: 'an ONNX model (a protobuf ModelProto)',
      found: `bytes the protobuf decoder rejects (${e instanceof Error ? e.message : String(e)})`,
      hint: 'the file is truncated or not an ONNX model; write it again with torch.onnx.export or onnx.save',
    });
  }
  return new OnnxModel(buildGraph(proto, fileName, limits));
}
