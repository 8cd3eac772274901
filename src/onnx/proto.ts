/**
 * Bytes → the ONNX messages as plain TypeScript types. protobufjs (light build, no .proto parser) decodes with the
 * descriptor in schema.ts; int64 fields arrive as `Long` objects or numbers and are turned into numbers here
 * (exact up to 2^53, far beyond any size Cellscope accepts; larger values stay large and fail the limits).
 */
import protobuf from 'protobufjs/light';
import { ONNX_DESCRIPTOR } from './schema';

export interface OpsetProto {
  domain: string;
  version: number;
}

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  doubleData: number[];
  uint64Data: number[];
  rawData: Uint8Array | null;
  stringCount: number;
  dataLocation: number;
  externalData: { key: string; value: string }[];
}

export interface AttributeProto {
  name: string;
  type: number;
  f: number;
  i: number;
  s: Uint8Array | null;
  t: TensorProto | null;
  hasGraph: boolean;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  tensors: TensorProto[];
}

export interface NodeProto {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

/** A graph input or output: its element type and dims (a number, a symbolic name, or unknown). */
export interface ValueInfo {
  name: string;
  elemType: number | null;
  dims: (number | string | null)[] | null;
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  sparseInitializerCount: number;
  input: ValueInfo[];
  output: ValueInfo[];
}

export interface ModelProto {
  irVersion: number;
  opsetImport: OpsetProto[];
  producerName: string;
  producerVersion: string;
  graph: GraphProto | null;
}

let modelType: protobuf.Type | undefined;

function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_DESCRIPTOR).lookupType('onnx.ModelProto');
  return modelType;
}

/** int64 / uint64 as a number: protobufjs gives a Long (with `long` installed) or a number. */
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return 0;
}

type Msg = Record<string, any>;

const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const bytes = (v: unknown): Uint8Array | null => (v instanceof Uint8Array && v.length ? v : null);

function tensorOf(m: Msg): TensorProto {
  return {
    name: str(m.name),
    dims: arr(m.dims).map(num),
    dataType: num(m.dataType),
    floatData: arr(m.floatData),
    int32Data: arr(m.int32Data),
    int64Data: arr(m.int64Data).map(num),
    doubleData: arr(m.doubleData),
    uint64Data: arr(m.uint64Data).map(num),
    rawData: bytes(m.rawData),
    stringCount: arr(m.stringData).length,
    dataLocation: num(m.dataLocation),
    externalData: arr(m.externalData).map((e: Msg) => ({ key: str(e.key), value: str(e.value) })),
  };
}

function attributeOf(m: Msg): AttributeProto {
  return {
    name: str(m.name),
    type: num(m.type),
    f: typeof m.f === 'number' ? m.f : 0,
    i: num(m.i),
    s: m.s instanceof Uint8Array ? m.s : null,
    t: m.t ? tensorOf(m.t) : null,
    hasGraph: bytes(m.g) !== null,
    floats: arr(m.floats),
    ints: arr(m.ints).map(num),
    strings: arr(m.strings),
    tensors: arr(m.tensors).map(tensorOf),
  };
}

const has = (m: Msg, key: string): boolean => Object.prototype.hasOwnProperty.call(m, key);

/** A dimension is a value, a symbolic name ("batch"), or neither (unknown). Absent fields are not own properties. */
function dimOf(d: Msg): number | string | null {
  if (has(d, 'dimValue')) return num(d.dimValue);
  if (has(d, 'dimParam') && d.dimParam) return str(d.dimParam);
  return null;
}

function valueInfoOf(m: Msg): ValueInfo {
  const t = m.type?.tensorType;
  return {
    name: str(m.name),
    elemType: t && has(t, 'elemType') ? num(t.elemType) : null,
    dims: t?.shape ? arr(t.shape.dim).map(dimOf) : null,
  };
}

function graphOf(m: Msg): GraphProto {
  return {
    name: str(m.name),
    node: arr(m.node).map((n: Msg) => ({
      name: str(n.name),
      opType: str(n.opType),
      domain: str(n.domain),
      input: arr(n.input).map(str),
      output: arr(n.output).map(str),
      attribute: arr(n.attribute).map(attributeOf),
    })),
    initializer: arr(m.initializer).map(tensorOf),
    sparseInitializerCount: arr(m.sparseInitializer).length,
    input: arr(m.input).map(valueInfoOf),
    output: arr(m.output).map(valueInfoOf),
  };
}

/**
 * Decodes a ModelProto. Throws protobufjs's own errors on malformed input (the loader turns them into a LoadError
 * with the file name). In Node the bytes are wrapped in a Buffer view, so protobufjs hands out `bytes` fields
 * (raw_data) as views of the file instead of copies.
 */
export function decodeModelProto(data: Uint8Array): ModelProto {
  const view = typeof Buffer !== 'undefined' ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : data;
  const m = modelProtoType().decode(view) as unknown as Msg;
  return {
    irVersion: num(m.irVersion),
    opsetImport: arr(m.opsetImport).map((o: Msg) => ({ domain: str(o.domain), version: num(o.version) })),
    producerName: str(m.producerName),
    producerVersion: str(m.producerVersion),
    graph: m.graph ? graphOf(m.graph) : null,
  };
}
