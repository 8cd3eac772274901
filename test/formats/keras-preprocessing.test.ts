// Normalization and Rescaling configs that cannot be right are LoadErrors naming the file, the JSON path, what was
// expected and what was found (the numbers themselves are checked against real Keras in test/python/architectures).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { LoadError, loadModelText } from '../../src/formats/index';

const DIR = join(__dirname, '..', 'fixtures', 'architectures');

/** The architecture's export JSON with the config of its first layer of class `cls` edited; returns the error. */
function refusal(name: string, cls: string, edit: (config: Record<string, unknown>) => void): LoadError {
  const doc = JSON.parse(readFileSync(join(DIR, name, 'model.cellscope.json'), 'utf8'));
  const layer = doc.model.config.layers.find((l: { class_name: string }) => l.class_name === cls);
  edit(layer.config);
  try {
    loadModelText(JSON.stringify(doc), 'edited.json');
  } catch (e) {
    assert.ok(e instanceof LoadError, `not a LoadError: ${(e as Error).stack}`);
    return e;
  }
  return assert.fail('the edited model loaded');
}

test('Rescaling with one scale per channel of the wrong count names the path and the channel count', () => {
  const e = refusal('rescaling_lstm', 'Rescaling', (c) => {
    c.scale = [1, 2];
  });
  assert.match(e.message, /edited\.json/);
  assert.match(e.message, /`model\.config\.layers\[1\]\.config\.scale`/);
  assert.match(e.message, /one value or 3 \(one per channel/);
  assert.match(e.message, /2 values/);
});

test('Normalization: statistics of the wrong size in the config, a batch axis, a non-number are refused by path', () => {
  let e = refusal('normalization_given_stats_inverted', 'Normalization', (c) => {
    c.mean = [1, 2, 3];
  });
  assert.match(e.message, /`model\.config\.layers\[1\]\.config\.mean`/);
  assert.match(e.message, /1 or 10 values \(the kept axes \[5, 2\]\)/);
  e = refusal('normalization_lstm', 'Normalization', (c) => {
    c.axis = [0];
  });
  assert.match(e.message, /config\.axis`/);
  assert.match(e.message, /not the batch axis/);
  e = refusal('normalization_given_stats_inverted', 'Normalization', (c) => {
    c.variance = [[1, 2], 'x'];
  });
  assert.match(e.message, /config\.variance\[1\]`/);
  assert.match(e.message, /the string "x"/);
});

test('adapted Normalization statistics of the wrong shape name the weight, the layer and the kept axes', () => {
  const doc = JSON.parse(readFileSync(join(DIR, 'normalization_lstm', 'model.cellscope.json'), 'utf8'));
  doc.weights[0] = [1, 2, 3];
  assert.throws(() => loadModelText(JSON.stringify(doc), 'edited.json'), (e: Error) => {
    assert.ok(e instanceof LoadError);
    assert.match(e.message, /mean of layer "normalization"/);
    assert.match(e.message, /shape \[4\] = \[4: the kept axes 2\]/);
    assert.match(e.message, /found shape \[3\]/);
    return true;
  });
});
