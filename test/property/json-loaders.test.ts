// Property: every mutation of a real export JSON or fixture ends in a LoadError or a correct model (harness.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadModelBytes } from '../../src/formats/index';
import { checkLoadedModel, checkProperty, guardedLoad, newTally, saveTally, tallyText } from './harness';
import { jsonMutationArb, mutateJson, mutateText, textMutationArb } from './mutate';
import { EXPORT_JSON, MODEL_FIXTURES, RECORDED_FIXTURES, jsonOf, type Source } from './sources';

function jsonModelProperty(loader: string, sources: Source[]) {
  test(`${loader}: mutated files load correctly or fail with a LoadError`, async (t) => {
    assert.ok(sources.length > 0, `no ${loader} sources`);
    const tally = newTally(loader);
    await checkProperty(
      fc.asyncProperty(fc.nat(), fc.array(jsonMutationArb, { minLength: 1, maxLength: 3 }), textMutationArb, async (pick, mutations, textMutation) => {
        const source = sources[pick % sources.length]!;
        const json = mutateJson(jsonOf(source.path), mutations);
        const text = mutateText(json.text, textMutation);
        const desc = `${source.name}: ${json.desc}${text.desc ? `; ${text.desc}` : ''}`;
        const loaded = await guardedLoad(tally, desc, () => loadModelBytes(new TextEncoder().encode(text.text), source.name));
        if (loaded) checkLoadedModel(tally, loaded.model, desc);
      }),
    );
    saveTally(tally);
    t.diagnostic(tallyText(tally));
  });
}

jsonModelProperty('export JSON', EXPORT_JSON);
jsonModelProperty('keras-recorded-fixture/v1', RECORDED_FIXTURES);
jsonModelProperty('keras-model-fixture/v1', MODEL_FIXTURES);
