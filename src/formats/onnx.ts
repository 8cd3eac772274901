/**
 * How the loader table recognises an ONNX model without decoding it: the .onnx extension, or a first protobuf field
 * that a ModelProto starts with (ir_version, field 1 varint: byte 0x08, then a small version) followed by another
 * ModelProto field. The graph itself is read by src/onnx (loaded on demand).
 */
export const ONNX_FORMAT = 'onnx';

export function isOnnx(bytes: Uint8Array | undefined, fileName: string): boolean {
  if (!bytes || bytes.length < 4) return /\.onnx$/i.test(fileName) && !!bytes;
  if (/\.onnx$/i.test(fileName)) return true;
  // torch.onnx, tf2onnx and onnx.save write ir_version first: 0x08, a version 3..15, then field 8 (opset_import,
  // 0x42), 2 (producer_name, 0x12) or 7 (graph, 0x3a).
  return bytes[0] === 0x08 && bytes[1]! >= 3 && bytes[1]! <= 15 && [0x42, 0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a].includes(bytes[2]!);
}
