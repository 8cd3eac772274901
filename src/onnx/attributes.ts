/** A node's attributes by name, read with the types and defaults the operator's ONNX spec gives them. */
import { LoadError } from '../formats/load-error';
import type { LoadLimits } from '../formats/limits';
import type { AttributeProto } from './proto';
import { ATTRIBUTE_TYPE } from './schema';
import { tensorFromProto, type OnnxTensor } from './tensor';

/** Where a node is, for errors: the file, `graph.node[i]`, and `node "name" (OpType)`. */
export interface NodeWhere {
  file: string;
  index: number;
  name: string;
  opType: string;
  limits: LoadLimits;
}

export function nodeSubject(w: { name: string; opType: string }): string {
  return `node "${w.name}" (${w.opType})`;
}

/** A LoadError about a node (or one of its attributes). */
export function nodeError(w: NodeWhere, expected: string, found?: string, hint?: string, attribute?: string): LoadError {
  return new LoadError({
    file: w.file,
    path: attribute ? ['graph', 'node', w.index, 'attribute', attribute] : ['graph', 'node', w.index],
    subject: nodeSubject(w),
    expected,
    ...(found !== undefined ? { found } : {}),
    ...(hint ? { hint } : {}),
  });
}

const TYPE_NAME: Record<number, string> = Object.fromEntries(Object.entries(ATTRIBUTE_TYPE).map(([k, v]) => [v, k]));

export class Attributes {
  private readonly byName = new Map<string, AttributeProto>();
  constructor(
    list: readonly AttributeProto[],
    readonly where: NodeWhere,
  ) {
    for (const a of list) this.byName.set(a.name, a);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private typed(name: string, type: number): AttributeProto | undefined {
    const a = this.byName.get(name);
    if (!a) return undefined;
    // Old exporters leave `type` unset (0); trust the field then.
    if (a.type !== ATTRIBUTE_TYPE.UNDEFINED && a.type !== type) {
      throw nodeError(this.where, `attribute ${name} of type ${TYPE_NAME[type]}`, `type ${TYPE_NAME[a.type] ?? a.type}`, undefined, name);
    }
    return a;
  }

  int(name: string, fallback: number): number {
    return this.typed(name, ATTRIBUTE_TYPE.INT)?.i ?? fallback;
  }
  float(name: string, fallback: number): number {
    return this.typed(name, ATTRIBUTE_TYPE.FLOAT)?.f ?? fallback;
  }
  string(name: string, fallback: string): string {
    const a = this.typed(name, ATTRIBUTE_TYPE.STRING);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }
  ints(name: string): number[] | undefined {
    return this.typed(name, ATTRIBUTE_TYPE.INTS)?.ints;
  }
  floats(name: string): number[] | undefined {
    return this.typed(name, ATTRIBUTE_TYPE.FLOATS)?.floats;
  }
  strings(name: string): string[] | undefined {
    return this.typed(name, ATTRIBUTE_TYPE.STRINGS)?.strings.map((s) => new TextDecoder().decode(s));
  }
  tensor(name: string): OnnxTensor | undefined {
    const a = this.typed(name, ATTRIBUTE_TYPE.TENSOR);
    if (!a?.t) return undefined;
    return tensorFromProto(a.t, { file: this.where.file, path: ['graph', 'node', this.where.index, 'attribute', name], subject: `attribute ${name} of ${nodeSubject(this.where)}` }, this.where.limits);
  }
  /** The names of every attribute the node carries. */
  names(): string[] {
    return [...this.byName.keys()];
  }
}
