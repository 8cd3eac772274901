// Property: mutated PyTorch .pt archives (whole-file bytes, the pickle's bytes, a storage's bytes, dropped members,
// declared sizes) and .safetensors files (bytes, header JSON) end in a LoadError or a correct model (harness.ts).
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { loadModelBytes } from '../../src/formats/index';
import { FIXTURES } from '../fixtures-path';
import { checkLoadedModel, checkProperty, guardedLoad, newTally, saveTally, tallyText } from './harness';
import { byteMutationArb, jsonMutationArb, mutateBytes, mutateJson, patchDeclaredSize, type ByteMutation, type JsonMutation } from './mutate';

const DIR = join(FIXTURES, 'torch');
const SOURCES = ['lstm_proj_l2_bi_float64', 'gru_l2_bi_float64', 'rnn_tanh_l1_float32', 'lstm_strided', 'gru_bfloat16', 'net_lstm', 'lstmcell_float64'];
const CHOICES: Record<string, { module?: string }> = { net_lstm: { module: 'lstm' } };
const SIZES = [0, 1, 100, 2 ** 20, 2 ** 29 + 1, 2 ** 31, 2 ** 32 - 1];
const bytesCache = new Map<string, Uint8Array>();
// A plain Uint8Array copy: a Buffer's slice() is a view, and mutateBytes would then change the cached file.
const bytesOf = (file: string): Uint8Array => bytesCache.get(file) ?? bytesCache.set(file, new Uint8Array(readFileSync(join(DIR, file)))).get(file)!;

type TorchMutation =
  | { kind: 'bytes' | 'pickle' | 'storage'; bytes: ByteMutation[]; member: number }
  | { kind: 'drop'; member: number }
  | { kind: 'declaredSize'; member: number; size: number; central: boolean; local: boolean };

const torchMutationArb: fc.Arbitrary<TorchMutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('bytes' as const, 'pickle' as const, 'storage' as const), bytes: fc.array(byteMutationArb, { minLength: 1, maxLength: 4 }), member: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), member: fc.nat() }),
  fc.record({ kind: fc.constant('declaredSize' as const), member: fc.nat(), size: fc.nat(), central: fc.boolean(), local: fc.boolean() }),
);

function mutateTorch(zip: Uint8Array, mutations: readonly TorchMutation[]): { bytes: Uint8Array; desc: string } {
  const members: Record<string, Uint8Array> = unzipSync(zip);
  const descs: string[] = [];
  const post: ((z: Uint8Array) => Uint8Array)[] = [];
  for (const m of mutations) {
    const names = Object.keys(members);
    if (!names.length) break;
    const storages = names.filter((n) => /\/data\/\d+$/.test(n));
    switch (m.kind) {
      case 'bytes':
        post.push((z) => {
          const r = mutateBytes(z, m.bytes);
          descs.push(`archive ${r.desc}`);
          return r.bytes;
        });
        break;
      case 'pickle':
      case 'storage': {
        const pool = m.kind === 'pickle' ? names.filter((n) => n.endsWith('/data.pkl')) : storages;
        if (!pool.length) break;
        const name = pool[m.member % pool.length]!;
        const r = mutateBytes(members[name]!, m.bytes);
        members[name] = r.bytes;
        descs.push(`${name}: ${r.desc}`);
        break;
      }
      case 'drop': {
        const name = names[m.member % names.length]!;
        delete members[name];
        descs.push(`member ${name} dropped`);
        break;
      }
      case 'declaredSize': {
        const name = names[m.member % names.length]!;
        const size = SIZES[m.size % SIZES.length]!;
        post.push((z) => patchDeclaredSize(z, name, size, m.central, m.local));
        descs.push(`member ${name} declares ${size} bytes`);
        break;
      }
    }
  }
  let bytes: Uint8Array = zipSync(members as Zippable, { level: 0 });
  for (const p of post) bytes = p(bytes);
  return { bytes, desc: descs.join('; ') };
}

test('.pt: mutated state-dict archives load correctly or fail with a LoadError', async (t) => {
  const tally = newTally('.pt (PyTorch state dict)');
  await checkProperty(
    fc.asyncProperty(fc.nat(), fc.array(torchMutationArb, { minLength: 1, maxLength: 3 }), async (pick, mutations) => {
      const name = SOURCES[pick % SOURCES.length]!;
      const r = mutateTorch(bytesOf(`${name}.pt`), mutations);
      const desc = `${name}.pt: ${r.desc}`;
      const loaded = await guardedLoad(tally, desc, () => loadModelBytes(r.bytes, `${name}.pt`, undefined, undefined, CHOICES[name]));
      if (loaded) checkLoadedModel(tally, loaded.model, desc);
    }),
  );
  saveTally(tally);
  t.diagnostic(tallyText(tally));
});

type SafetensorsMutation = { kind: 'bytes'; bytes: ByteMutation[] } | { kind: 'header'; json: JsonMutation[] };
const safetensorsMutationArb: fc.Arbitrary<SafetensorsMutation> = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.array(byteMutationArb, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('header' as const), json: fc.array(jsonMutationArb, { minLength: 1, maxLength: 3 }) }),
);

function mutateSafetensors(file: Uint8Array, m: SafetensorsMutation): { bytes: Uint8Array; desc: string } {
  if (m.kind === 'bytes') return mutateBytes(file, m.bytes);
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const r = mutateJson(JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))), m.json);
  const header = strToU8(r.text);
  const out = new Uint8Array(8 + header.length + file.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  out.set(file.subarray(8 + n), 8 + header.length);
  return { bytes: out, desc: `header: ${r.desc}` };
}

test('.safetensors: mutated files load correctly or fail with a LoadError', async (t) => {
  const tally = newTally('.safetensors');
  await checkProperty(
    fc.asyncProperty(fc.nat(), safetensorsMutationArb, async (pick, mutation) => {
      const name = SOURCES[pick % SOURCES.length]!;
      const r = mutateSafetensors(bytesOf(`${name}.safetensors`), mutation);
      const desc = `${name}.safetensors: ${r.desc}`;
      const loaded = await guardedLoad(tally, desc, () => loadModelBytes(r.bytes, `${name}.safetensors`, undefined, undefined, CHOICES[name]));
      if (loaded) checkLoadedModel(tally, loaded.model, desc);
    }),
  );
  saveTally(tally);
  t.diagnostic(tallyText(tally));
});
