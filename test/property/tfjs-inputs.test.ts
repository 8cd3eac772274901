// Properties: mutated TF.js model.json + shards; mutated input arrays (and checked against their model); mutated
// recordings (as recordings and as expected outputs). Each ends in a LoadError or a correct load (harness.ts).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { runModel, type Tensor } from '../../src/engine/index';
import { checkModelInput, loadArrayBytes, loadExpectedBytes, loadModelBytes, loadRecordingBytes, type LoadedModel, type Recording } from '../../src/formats/index';
import { checkLoadedModel, checkLoadError, checkProperty, guardedLoad, newTally, saveTally, tallyText } from './harness';
import { byteMutationArb, jsonMutationArb, mutateBytes, mutateJson, mutateText, textMutationArb } from './mutate';
import { INPUTS, RECORDINGS, TFJS_DIR, TFJS_MODELS, bytesOf, jsonOf } from './sources';

const OUTSIDE = ['../group1-shard1of1.bin', '/etc/passwd', 'sub/../../x.bin', 'C:\\x.bin', 'file:///etc/passwd', 'https://example.com/x.bin', '..\\x.bin', ''];

type ShardMutation = { kind: 'bytes'; shard: number; bytes: { kind: 'truncate' | 'flip' | 'fill' | 'flipHead'; at: number; len: number; value: number }[] } | { kind: 'extend'; shard: number; extra: number } | { kind: 'outside'; group: number; path: number; to: number } | { kind: 'missing'; shard: number };

const shardMutationArb: fc.Arbitrary<ShardMutation> = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), shard: fc.nat(), bytes: fc.array(byteMutationArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('extend' as const), shard: fc.nat(), extra: fc.integer({ min: 1, max: 4096 }) }),
  fc.record({ kind: fc.constant('outside' as const), group: fc.nat(), path: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('missing' as const), shard: fc.nat() }),
);

test('TF.js: mutated model.json and shards load correctly or fail with a LoadError', async (t) => {
  assert.ok(TFJS_MODELS.length > 0);
  const tally = newTally('TF.js model.json + shards');
  await checkProperty(
    fc.asyncProperty(
      fc.nat(),
      fc.array(jsonMutationArb, { maxLength: 3 }),
      fc.array(shardMutationArb, { maxLength: 2 }),
      textMutationArb,
      async (pick, jsonMutations, shardMutations, textMutation) => {
        const name = TFJS_MODELS[pick % TFJS_MODELS.length]!;
        const dir = join(TFJS_DIR, name);
        const files = new Map<string, Uint8Array>();
        for (const f of readdirSync(dir)) if (f.endsWith('.bin')) files.set(f, bytesOf(join(dir, f)));
        const doc = structuredClone(jsonOf(join(dir, 'model.json'))) as { weightsManifest: { paths: string[] }[] };
        const descs: string[] = [];
        const shardNames = [...files.keys()].sort();
        for (const m of shardMutations) {
          const shard = shardNames[('shard' in m ? m.shard : 0) % shardNames.length]!;
          if (m.kind === 'bytes') {
            const r = mutateBytes(files.get(shard) ?? new Uint8Array(), m.bytes);
            files.set(shard, r.bytes);
            descs.push(`${shard}: ${r.desc}`);
          } else if (m.kind === 'extend') {
            const old = files.get(shard) ?? new Uint8Array();
            const grown = new Uint8Array(old.length + m.extra);
            grown.set(old);
            files.set(shard, grown);
            descs.push(`${shard}: ${m.extra} bytes appended`);
          } else if (m.kind === 'missing') {
            files.delete(shard);
            descs.push(`${shard} missing`);
          } else {
            const group = doc.weightsManifest[m.group % doc.weightsManifest.length];
            if (group?.paths.length) {
              const i = m.path % group.paths.length;
              group.paths[i] = OUTSIDE[m.to % OUTSIDE.length]!;
              descs.push(`manifest path ${i} set to ${JSON.stringify(group.paths[i])}`);
            }
          }
        }
        const json = mutateJson(doc, jsonMutations);
        const text = mutateText(json.text, textMutation);
        const desc = `tfjs/${name}: ${[json.desc, text.desc, ...descs].filter(Boolean).join('; ')}`;
        const asked: string[] = [];
        const readSibling = async (rel: string) => {
          asked.push(rel);
          const f = files.get(rel);
          if (f) return f;
          throw Object.assign(new Error(`ENOENT: no such file or directory, open '${rel}'`), { code: 'ENOENT' });
        };
        const loaded = await guardedLoad(tally, desc, () => loadModelBytes(new TextEncoder().encode(text.text), `tfjs/${name}/model.json`, readSibling));
        // Nothing outside the folder is ever asked for.
        for (const rel of asked) assert.ok(!OUTSIDE.includes(rel) || rel === '', `read ${JSON.stringify(rel)} for ${desc}`);
        if (loaded) checkLoadedModel(tally, loaded.model, desc);
      },
    ),
  );
  saveTally(tally);
  t.diagnostic(tallyText(tally));
});

function checkTensor(t: Tensor, what: string, desc: string): void {
  assert.ok(t.shape.every((d) => Number.isInteger(d) && d >= 0), `${what}: shape ${JSON.stringify(t.shape)} for ${desc}`);
  assert.equal(t.data.length, t.shape.reduce((a, d) => a * d, 1), `${what}: ${t.data.length} values for shape ${JSON.stringify(t.shape)} for ${desc}`);
}

const exampleModels = new Map<string, Promise<LoadedModel>>();
function exampleModel(inputPath: string): Promise<LoadedModel> {
  const path = join(inputPath, '..', 'model.cellscope.json');
  if (!exampleModels.has(path)) exampleModels.set(path, loadModelBytes(bytesOf(path), path));
  return exampleModels.get(path)!;
}

test('inputs: mutated input arrays load correctly or fail with a LoadError, and fit their model or say why', async (t) => {
  const tally = newTally('input arrays');
  await checkProperty(
    fc.asyncProperty(fc.nat(), fc.array(jsonMutationArb, { minLength: 1, maxLength: 3 }), textMutationArb, async (pick, mutations, textMutation) => {
      const source = INPUTS[pick % INPUTS.length]!;
      const json = mutateJson(jsonOf(source.path), mutations);
      const text = mutateText(json.text, textMutation);
      const desc = `${source.name}: ${json.desc}${text.desc ? `; ${text.desc}` : ''}`;
      const input = await guardedLoad(tally, desc, () => loadArrayBytes(new TextEncoder().encode(text.text), source.name));
      if (!input) return;
      checkTensor(input, 'input', desc);
      const { model } = await exampleModel(source.path);
      try {
        checkModelInput(input, model, { file: source.name, path: [] });
      } catch (e) {
        checkLoadError(e, `${desc} (checked against its model)`);
        return;
      }
      if (input.data.length > 200_000) return;
      tally.ran++;
      const out = runModel(model, input, { record: false }).output;
      if (input.data.every((v) => Number.isFinite(v) && Math.abs(v) < 1e3)) {
        assert.ok(!out.data.some((v) => Number.isNaN(v)), `NaN output for a finite input for ${desc}`);
      }
    }),
  );
  saveTally(tally);
  t.diagnostic(tallyText(tally));
});

function checkRecording(r: Recording, desc: string): void {
  checkTensor(r.output, 'output', desc);
  if (r.input) checkTensor(r.input, 'input', desc);
  for (const o of r.outputs ?? []) checkTensor(o, 'outputs[]', desc);
  for (const l of r.layers) {
    checkTensor(l.output, `layer ${l.name}`, desc);
    assert.equal(l.output.shape.length, 3, `layer ${l.name} output rank for ${desc}`);
    for (const s of l.states ?? []) checkTensor(s, `layer ${l.name} state`, desc);
  }
  assert.ok(Number.isInteger(r.predictCalls) && r.predictCalls >= 1, `predictCalls ${r.predictCalls} for ${desc}`);
}

for (const [label, load] of [
  ['recordings', loadRecordingBytes],
  ['expected outputs (recordings read as expected output)', loadExpectedBytes],
] as const) {
  test(`${label}: mutated recordings load correctly or fail with a LoadError`, async (t) => {
    const tally = newTally(label);
    await checkProperty(
      fc.asyncProperty(fc.nat(), fc.array(jsonMutationArb, { minLength: 1, maxLength: 3 }), textMutationArb, async (pick, mutations, textMutation) => {
        const source = RECORDINGS[pick % RECORDINGS.length]!;
        const json = mutateJson(jsonOf(source.path), mutations);
        const text = mutateText(json.text, textMutation);
        const desc = `${source.name}: ${json.desc}${text.desc ? `; ${text.desc}` : ''}`;
        const r = await guardedLoad(tally, desc, () => load(new TextEncoder().encode(text.text), source.name));
        if (r) checkRecording(r, desc);
      }),
    );
    saveTally(tally);
    t.diagnostic(tallyText(tally));
  });
}
