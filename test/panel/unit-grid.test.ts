// A ConvLSTM's unit ↔ (position, filter) in both data formats, checked against numpy's reshape of Keras's output frame
// as written out by hand for a 2 × 3 frame of 2 filters (channels_last [2, 3, 2], channels_first [2, 2, 3]).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellOf, mapSize, unitOf } from '../../src/panel/unit-grid';

test('channels_last: the filter varies fastest; channels_first: the position does', () => {
  const last = { out: [2, 3], filters: 2, channelsFirst: false };
  // np.arange(12).reshape(2, 3, 2)[1, 2, 1] = 11, [0, 1, 0] = 2
  assert.equal(unitOf(last, 1 * 3 + 2, 1), 11);
  assert.equal(unitOf(last, 1, 0), 2);
  assert.deepEqual(cellOf(last, 11), { position: 5, coords: [1, 2], filter: 1 });
  const first = { out: [2, 3], filters: 2, channelsFirst: true };
  // np.arange(12).reshape(2, 2, 3)[1, 1, 2] = 11, [0, 0, 1] = 1
  assert.equal(unitOf(first, 5, 1), 11);
  assert.deepEqual(cellOf(first, 1), { position: 1, coords: [0, 1], filter: 0 });
  assert.deepEqual(cellOf(first, 11), { position: 5, coords: [1, 2], filter: 1 });
  for (const g of [last, first]) for (let j = 0; j < 12; j++) assert.equal(unitOf(g, cellOf(g, j).position, cellOf(g, j).filter), j);
});

test('a filter map: 1-D one row, 2-D rows × cols, 3-D slices stacked', () => {
  assert.deepEqual(mapSize({ out: [7], filters: 3, channelsFirst: false }), { rows: 1, cols: 7 });
  assert.deepEqual(mapSize({ out: [4, 5], filters: 3, channelsFirst: false }), { rows: 4, cols: 5 });
  assert.deepEqual(mapSize({ out: [2, 4, 5], filters: 3, channelsFirst: false }), { rows: 8, cols: 5 });
});
