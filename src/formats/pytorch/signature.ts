/**
 * How a PyTorch or safetensors file is recognised, without loading the zip library (picking a loader must stay
 * cheap: see binary-formats.ts).
 */
import { isZip } from '../binary-formats';

export const TORCH_FORMAT = 'pytorch-state-dict';
export const SAFETENSORS_FORMAT = 'safetensors';

/** `<archive>/data.pkl` as the first member: what torch.save's zip format (PyTorch ≥ 1.6) always writes first. */
export function isTorchZip(bytes: Uint8Array | undefined): boolean {
  if (!bytes || !isZip(bytes) || bytes.length < 30) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint16(26, true);
  if (30 + n > bytes.length || n > 512) return false;
  const name = new TextDecoder().decode(bytes.subarray(30, 30 + n));
  return /^[^/]+\/data\.pkl$/.test(name);
}

/** A pickle that starts the legacy (pre-1.6) torch.save format: the magic number 0x1950a86a20f9469cfc6c as LONG1. */
export function isLegacyTorch(bytes: Uint8Array | undefined): boolean {
  return !!bytes && bytes.length > 4 && bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a && bytes[3] === 0x0a;
}

/** An 8-byte little-endian header length that fits the file, then a JSON object. */
export function isSafetensors(bytes: Uint8Array | undefined): boolean {
  if (!bytes || bytes.length < 10) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  return n >= 2 && n <= bytes.length - 8 && bytes[8] === 0x7b;
}
