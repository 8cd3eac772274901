/**
 * Hands out weight arrays in Keras `get_weights()` order and checks each one's shape where it is taken, so a
 * mismatch names the array, the layer and the arithmetic behind the expected shape.
 */
import { shapeText, type Tensor } from '../engine/tensor';
import { LoadError, formatJsonPath, type JsonPath } from './load-error';

export interface WeightEntry {
  tensor: Tensor;
  /** Where the array sits in the file, e.g. ['weights', 3] or ['layers', 0, 'weights', 1]. */
  path: JsonPath;
  /** The file's own name for it (fixtures: `forward/kernel`), checked against the role when it names one. */
  name?: string;
}

/** What the next array is for and the shape it must have; `null` dims accept any size (the loader learns them). */
export interface WeightRequest {
  /** kernel, recurrent_kernel, bias, embeddings; gamma, beta, moving_mean, moving_variance, alpha, … for the layers around the cells. */
  role: string;
  layer: string;
  /** `forward` / `backward` inside a Bidirectional. */
  direction?: 'forward' | 'backward';
  shape: (number | null)[];
  /** Why that shape, e.g. `[100 units, 4 gates × 100 units]`. */
  because: string;
  hint?: string;
}

const ROLES = new Set(['kernel', 'recurrent_kernel', 'bias', 'embeddings']);

export class WeightCursor {
  private next = 0;
  private lastUse = '';

  constructor(
    private readonly entries: readonly WeightEntry[],
    private readonly file: string,
    /** The list itself, for "ran out" errors. */
    private readonly listPath: JsonPath,
    /** Who owns the list, for messages: `the model` or `layer "lstm"`. */
    private readonly owner = 'the model',
  ) {}

  take(req: WeightRequest): Tensor {
    const subject = `${req.direction ? `${req.direction} ` : ''}${req.role} of layer "${req.layer}"`;
    const entry = this.entries[this.next];
    if (!entry) {
      throw new LoadError({
        file: this.file,
        path: this.listPath,
        subject,
        expected: `weight array #${this.next} for the ${subject} (shape ${shapeText(req.shape)} = ${req.because})`,
        found: `only ${this.entries.length} weight array${this.entries.length === 1 ? '' : 's'}: the weights ran out at layer "${req.layer}"`,
        hint: 'weights must be listed in Keras get_weights() order: per layer kernel, recurrent_kernel, bias; Bidirectional forward then backward',
      });
    }
    const index = this.next++;
    const roleInName = entry.name ? entry.name.replace(/:\d+$/, '').split('/').pop() : undefined;
    if (roleInName && ROLES.has(roleInName) && roleInName !== req.role) {
      throw new LoadError({
        file: this.file,
        path: entry.path,
        subject,
        expected: `the ${req.role} here (weight array #${index} in get_weights() order)`,
        found: `an array named ${JSON.stringify(entry.name)}`,
        hint: 'weights must be listed in Keras get_weights() order: per layer kernel, recurrent_kernel, bias',
      });
    }
    const got = entry.tensor.shape;
    const fits = got.length === req.shape.length && req.shape.every((d, i) => d === null || d === got[i]);
    if (!fits) {
      throw new LoadError({
        file: this.file,
        path: entry.path,
        subject,
        expected: `shape ${shapeText(req.shape)} = ${req.because}`,
        found: `shape ${shapeText(got)}`,
        ...(req.hint ? { hint: req.hint } : {}),
      });
    }
    this.lastUse = subject;
    return entry.tensor;
  }

  /** Every array not taken yet, in order, now marked used (custom cells pick their weights by name). */
  takeRest(): readonly WeightEntry[] {
    const rest = this.entries.slice(this.next);
    this.next = this.entries.length;
    return rest;
  }

  /** Every array must have been used: extra arrays mean the config and weights disagree. */
  finish(): void {
    if (this.next >= this.entries.length) return;
    const extra = this.entries[this.next]!;
    throw new LoadError({
      file: this.file,
      path: extra.path,
      expected: `no more weight arrays: ${this.owner} uses ${this.next}${this.lastUse ? ` (the last is the ${this.lastUse})` : ''}`,
      found: `${this.entries.length} weight arrays, ${this.entries.length - this.next} too many`,
      hint: `the arrays from \`${formatJsonPath(extra.path)}\` on belong to no layer; check the weights were saved from the same model as the config`,
    });
  }
}
