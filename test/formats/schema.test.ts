// schemas/cellscope-model.schema.json (draft-07) describes the fixture formats users also write by hand:
// every shared fixture must validate, and what the schema rejects the loader rejects too.
import assert from 'node:assert/strict';
import { basename, resolve } from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv';
import { loadModelText } from '../../src/formats/index';
import { fixtureFiles, readJson } from './helpers';

const schema = readJson(resolve(__dirname, '../../schemas/cellscope-model.schema.json'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const errorsText = () => JSON.stringify(validate.errors?.slice(0, 5), null, 1);

test('every shared fixture validates against schemas/cellscope-model.schema.json', () => {
  const files = [...fixtureFiles('keras-recorded'), ...fixtureFiles('keras3-generated')];
  assert.equal(files.length, 74);
  for (const file of files) assert.ok(validate(readJson(file)), `${basename(file)}: ${errorsText()}`);
});

test('a hand-written keras-model-fixture validates and loads; broken ones fail both', () => {
  const handWritten = {
    format: 'keras-model-fixture/v1',
    keras_version: '3.15.1',
    layers: [
      { class_name: 'InputLayer', config: { batch_shape: [null, 5, 2] } },
      {
        class_name: 'GRU',
        config: { units: 1, activation: 'tanh', recurrent_activation: 'sigmoid', reset_after: true },
        weights: [
          { name: 'kernel', shape: [2, 3], data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] },
          { name: 'recurrent_kernel', data: [[0.5, -0.5, 0.25]] },
          { name: 'bias', shape: [2, 3], data: [0, 0, 0, 0, 0, 0] },
        ],
      },
      { class_name: 'Dense', config: { units: 1, activation: 'sigmoid' }, weights: [{ name: 'kernel', data: [[2]] }, { name: 'bias', data: [0] }] },
    ],
    input: [[[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]]],
  };
  assert.ok(validate(handWritten), errorsText());
  const { model } = loadModelText(JSON.stringify(handWritten), 'hand.json');
  assert.deepEqual(model.inputShape, [5, 2]);
  assert.equal(model.layers.length, 3);

  const noUnits = structuredClone(handWritten);
  delete (noUnits.layers[1]!.config as Record<string, unknown>).units;
  assert.equal(validate(noUnits), false);
  assert.throws(() => loadModelText(JSON.stringify(noUnits), 'hand.json'), /`layers\[1\]\.config\.units`/);

  const conv = { ...handWritten, layers: [{ class_name: 'Conv3DTranspose', config: {} }] };
  assert.equal(validate(conv), false);
  assert.throws(() => loadModelText(JSON.stringify(conv), 'hand.json'), /found Conv3DTranspose layer/);

  assert.equal(validate({ format: 'keras-model-fixture/v1' }), false);
});
