/**
 * The binary model formats' names and signatures, apart from their readers: picking a loader must not load the zip
 * or HDF5 library (a JSON model never needs them, and loading them was a noticeable part of the CLI's start-up).
 */

export const KERAS_ARCHIVE_FORMAT = 'keras-archive';
export const KERAS_H5_FORMAT = 'keras-h5';

/** Local file header `PK\3\4`, or an empty archive's end record `PK\5\6`. */
export function isZip(bytes: Uint8Array | undefined): boolean {
  return !!bytes && bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06));
}

/** HDF5's own signature, at offset 0 (user blocks, which move it, are not written by Keras). */
export function isHdf5(bytes: Uint8Array | undefined): boolean {
  return !!bytes && bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46 && bytes[4] === 0x0d && bytes[5] === 0x0a && bytes[6] === 0x1a && bytes[7] === 0x0a;
}
