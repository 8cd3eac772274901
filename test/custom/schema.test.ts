// The CustomCell part of schemas/cellscope-model.schema.json: the examples validate; what it rejects the loader rejects.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv';
import { loadModelText } from '../../src/formats';
import { REPO } from '../fixtures-path';

const schema = JSON.parse(readFileSync(join(REPO, 'schemas', 'cellscope-model.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const DIR = join(REPO, 'examples', 'custom-cells');
// JSON Schema sees plain JSON: Python's ±Infinity become large numbers here.
const readDoc = (file: string) => JSON.parse(readFileSync(join(DIR, file), 'utf8').replace(/(-?)Infinity/g, '$11e308'));

test('every examples/custom-cells file validates against the schema', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json'))) assert.ok(validate(readDoc(file)), `${file}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
});

test('CustomCell without updates, or with a weight without a name, fails the schema and the loader', () => {
  const good = readDoc('relu-counter.json');
  const noUpdates = structuredClone(good);
  delete noUpdates.layers[0].config.updates;
  assert.equal(validate(noUpdates), false);
  assert.throws(() => loadModelText(JSON.stringify(noUpdates), 'x.json'), /updates/);
  const unnamed = structuredClone(good);
  delete unnamed.layers[0].weights[0].name;
  assert.equal(validate(unnamed), false);
  assert.throws(() => loadModelText(JSON.stringify(unnamed), 'x.json'), /a "name" for each weight/);
});
