/**
 * The valibot building blocks every panel message schema is made of (src/protocol.ts and the schemas it gathers
 * from beside it): integers, ids, numbers that may be NaN, typed arrays, checks across fields.
 */
import * as v from 'valibot';
import type { Phrase, PhraseArg } from './phrase';

export const int = (min = 0) => v.pipe(v.number(), v.integer(), v.minValue(min));
/** A request's id (the webview numbers its requests from 1) … */
export const id = int(1);
/** … and the id of the request a reply answers; 0 for what the host sends unasked (the comparison after `ready`). */
export const re = int();
/** Any number, NaN and ±Infinity included (a weight block that is all +Infinity has mean NaN; transport.ts carries them). */
export const num = v.custom<number>((x) => typeof x === 'number', 'a number');
export const str = v.string();
/** The keys of a `satisfies Record<Union, 1>` list, typed as the union (a new member fails to compile where it is listed). */
export const keysOf = <K extends string>(o: Record<K, 1>) => Object.keys(o) as K[];
export const bool = v.boolean();
/** A typed array of class C (over any buffer: what the engine makes, what postMessage delivers). */
export const typed = <T>(C: abstract new (...a: never[]) => unknown) => v.custom<T>((x) => x instanceof C, `a ${C.name}`);
export const f32 = typed<Float32Array>(Float32Array);
export type FloatData = Float32Array | Float64Array;
export const floatData = v.custom<FloatData>((x) => x instanceof Float32Array || x instanceof Float64Array, 'a Float32Array or Float64Array');
export const dims = v.array(v.nullable(int()));
/** nn.RNN's nonlinearity, which a state dict does not store. */
export const nonlinearity = v.picklist(['tanh', 'relu']);
/** A sentence for the page to word in the display language (src/phrase.ts): an English message and its arguments. */
const phraseArg: v.GenericSchema<PhraseArg> = v.union([
  str,
  num,
  v.object({ error: num }),
  v.object({ list: v.array(v.lazy(() => phraseArg)), by: v.picklist(['; ', ', ']) }),
  v.lazy(() => phrase),
]);
export const phrase: v.GenericSchema<Phrase> = v.object({ message: str, args: v.array(phraseArg) });
/** A diagnosis, one line each (src/diagnose/text.ts: its kind and its words). */
export const lines = v.nullable(v.array(v.object({ kind: v.picklist(['diagnosis', 'layers', 'note']), text: phrase })));
export const indices = v.nullable(v.array(int()));
/** An object whose fields are checked together (array lengths against counts). */
export const checked = <S extends v.GenericSchema<unknown, Record<string, unknown>>>(s: S, ok: (m: v.InferOutput<S>) => boolean, what: string) => v.pipe(s, v.check(ok, what));
