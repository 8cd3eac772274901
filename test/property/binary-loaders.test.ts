// Property: mutated .keras archives (bytes, members, member names, declared sizes) and .h5 files (bytes) end in a
// LoadError or a correct model (harness.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import JSON5 from 'json5';
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { loadModelBytes } from '../../src/formats/index';
import { checkLoadedModel, checkProperty, guardedLoad, newTally, saveTally, tallyText } from './harness';
import { byteMutationArb, jsonMutationArb, mutateBytes, mutateJson, patchDeclaredSize, type ByteMutation, type JsonMutation } from './mutate';
import { H5_FILES, KERAS_ARCHIVES, bytesOf } from './sources';

const UNSAFE_NAMES = ['../config.json', '../../etc/passwd', '/config.json', 'a/../../model.weights.h5', 'C:\\model.weights.h5', '..\\x', 'config.json\u0000.txt', 'x/../config.json'];
const SIZES = [0, 1, 100, 2 ** 20, 2 ** 29 + 1, 2 ** 31, 2 ** 32 - 1];

type ArchiveMutation =
  | { kind: 'bytes'; bytes: ByteMutation[] }
  | { kind: 'config' | 'metadata'; json: JsonMutation[] }
  | { kind: 'weights'; bytes: ByteMutation[] }
  | { kind: 'rename'; member: number; to: number }
  | { kind: 'drop'; member: number }
  | { kind: 'declaredSize'; member: number; size: number; central: boolean; local: boolean }
  | { kind: 'level'; level: number };

const archiveMutationArb: fc.Arbitrary<ArchiveMutation> = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.array(byteMutationArb, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constantFrom('config' as const, 'metadata' as const), json: fc.array(jsonMutationArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('weights' as const), bytes: fc.array(byteMutationArb, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('rename' as const), member: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), member: fc.nat() }),
  fc.record({ kind: fc.constant('declaredSize' as const), member: fc.nat(), size: fc.nat(), central: fc.boolean(), local: fc.boolean() }),
  fc.record({ kind: fc.constant('level' as const), level: fc.constantFrom(0, 1, 9) }),
);

function mutateArchive(zip: Uint8Array, mutations: readonly ArchiveMutation[]): { bytes: Uint8Array; desc: string } {
  let members: Record<string, Uint8Array> = unzipSync(zip);
  let level = 0;
  const descs: string[] = [];
  const post: ((z: Uint8Array) => Uint8Array)[] = [];
  for (const m of mutations) {
    const names = Object.keys(members);
    switch (m.kind) {
      case 'bytes': {
        post.push((z) => {
          const r = mutateBytes(z, m.bytes);
          descs.push(`archive ${r.desc}`);
          return r.bytes;
        });
        break;
      }
      case 'config':
      case 'metadata': {
        const name = m.kind === 'config' ? 'config.json' : 'metadata.json';
        const data = members[name];
        if (!data) break;
        let r: { text: string; desc: string };
        try {
          r = mutateJson(JSON5.parse(new TextDecoder().decode(data)), m.json);
        } catch {
          break; // already mutated into invalid or too deeply nested JSON
        }
        members[name] = strToU8(r.text);
        descs.push(`${name}: ${r.desc}`);
        break;
      }
      case 'weights': {
        const data = members['model.weights.h5'];
        if (!data) break;
        const r = mutateBytes(data, m.bytes);
        members['model.weights.h5'] = r.bytes;
        descs.push(`model.weights.h5: ${r.desc}`);
        break;
      }
      case 'rename': {
        if (!names.length) break;
        const from = names[m.member % names.length]!;
        const to = UNSAFE_NAMES[m.to % UNSAFE_NAMES.length]!;
        const { [from]: data, ...rest } = members;
        members = { ...rest, [to]: data! };
        descs.push(`member ${from} renamed ${JSON.stringify(to)}`);
        break;
      }
      case 'drop': {
        if (!names.length) break;
        const name = names[m.member % names.length]!;
        delete members[name];
        descs.push(`member ${name} dropped`);
        break;
      }
      case 'declaredSize': {
        if (!names.length) break;
        const name = names[m.member % names.length]!;
        const size = SIZES[m.size % SIZES.length]!;
        post.push((z) => patchDeclaredSize(z, name, size, m.central, m.local));
        descs.push(`member ${name} declares ${size} bytes (${[m.central && 'central', m.local && 'local'].filter(Boolean).join('+') || 'nowhere'})`);
        break;
      }
      case 'level':
        level = m.level;
        descs.push(`deflate level ${level}`);
        break;
    }
  }
  let bytes: Uint8Array = zipSync(members as Zippable, { level: level as 0 | 1 | 9 });
  for (const p of post) bytes = p(bytes);
  return { bytes, desc: descs.join('; ') };
}

test('.keras: mutated archives load correctly or fail with a LoadError', async (t) => {
  const tally = newTally('.keras archive');
  await checkProperty(
    fc.asyncProperty(fc.nat(), fc.array(archiveMutationArb, { minLength: 1, maxLength: 3 }), async (pick, mutations) => {
      const source = KERAS_ARCHIVES[pick % KERAS_ARCHIVES.length]!;
      const r = mutateArchive(bytesOf(source.path), mutations);
      const desc = `${source.name}: ${r.desc}`;
      const loaded = await guardedLoad(tally, desc, () => loadModelBytes(r.bytes, source.name));
      if (loaded) checkLoadedModel(tally, loaded.model, desc);
    }),
  );
  saveTally(tally);
  t.diagnostic(tallyText(tally));
});

test('.h5: corrupted HDF5 files load correctly or fail with a LoadError', async (t) => {
  assert.ok(H5_FILES.length > 0);
  const tally = newTally('.h5 (legacy HDF5)');
  await checkProperty(
    fc.asyncProperty(fc.nat(), fc.array(byteMutationArb, { minLength: 1, maxLength: 6 }), async (pick, mutations) => {
      const source = H5_FILES[pick % H5_FILES.length]!;
      const r = mutateBytes(bytesOf(source.path), mutations);
      const desc = `${source.name}: ${r.desc}`;
      const loaded = await guardedLoad(tally, desc, () => loadModelBytes(r.bytes, source.name));
      if (loaded) checkLoadedModel(tally, loaded.model, desc);
    }),
  );
  saveTally(tally);
  t.diagnostic(tallyText(tally));
});
