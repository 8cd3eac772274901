// The panel's value scales (src/panel/value-scale.ts): which scale a quantity gets, viridis against its published
// colours, WCAG contrast against the standard's known ratios, and legible unit colours on real theme backgrounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colourTable, contrast, legibleOn, niceCeil, position, scaleFor, viridis, type Rgb } from '../../src/panel/value-scale';

const hex = (s: string): Rgb => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16)) as Rgb;

test('scales per quantity: gates 0..1 sequential, states symmetric around 0 with a round bound', () => {
  assert.deepEqual(scaleFor('gate', 0.01, 0.99), { kind: 'sequential', lo: 0, hi: 1 });
  assert.deepEqual(scaleFor('state', -0.3, 0.8), { kind: 'diverging', lo: -1, hi: 1 });
  assert.deepEqual(scaleFor('state', -13.2, 4), { kind: 'diverging', lo: -15, hi: 15 });
  assert.deepEqual(scaleFor('candidate', -1, 1), { kind: 'diverging', lo: -1, hi: 1 });
  // Pre-activations are unbounded: their own round range even inside ±1.
  assert.deepEqual(scaleFor('pre_activation', -0.34, 0.2), { kind: 'diverging', lo: -0.4, hi: 0.4 });
  assert.deepEqual(scaleFor('pre_activation', -0.3, 0.2), { kind: 'diverging', lo: -0.3, hi: 0.3 });
  // A custom cell's "gate" written with tanh is signed: drawn as such.
  assert.equal(scaleFor('gate', -0.5, 0.9).kind, 'diverging');
  assert.deepEqual([niceCeil(1.77), niceCeil(14.9), niceCeil(0.34), niceCeil(3)], [2, 15, 0.4, 3]);
  assert.deepEqual([position({ kind: 'diverging', lo: -2, hi: 2 }, 0), position({ kind: 'diverging', lo: -2, hi: 2 }, 9), position({ kind: 'sequential', lo: 0, hi: 1 }, -1)], [0.5, 1, 0]);
  assert.ok(Number.isNaN(position({ kind: 'sequential', lo: 0, hi: 1 }, NaN)));
});

test('viridis matches its published colours (matplotlib: #440154, #3b528b, #21918c, #5ec962, #fde725)', () => {
  const published = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'].map(hex);
  [0, 0.25, 0.5, 0.75, 1].forEach((t, k) => {
    const c = viridis(t);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(c[i]! - published[k]![i]!) <= 3, `viridis(${t}) = ${c} vs ${published[k]}`);
  });
  // The diverging table: its ends are the given colours, its middle the background.
  const t = colourTable('diverging', [0, 0, 255], [30, 30, 30], [255, 0, 0]);
  assert.deepEqual([...t.slice(0, 3)], [0, 0, 255]);
  assert.deepEqual([...t.slice(255 * 4, 255 * 4 + 3)], [255, 0, 0]);
  assert.ok(Math.abs(t[128 * 4]! - 30) < 3);
});

test('contrast: WCAG ratios (21:1 black on white, #767676 on white 4.54:1); theme colours made legible', () => {
  assert.equal(Number(contrast([0, 0, 0], [255, 255, 255]).toFixed(2)), 21);
  assert.equal(Number(contrast(hex('#767676'), [255, 255, 255]).toFixed(2)), 4.54);
  // A dark brown line on VS Code's dark editor, a pale peach one on Solarized Light: lifted to 3:1, hue kept.
  for (const [c, bg] of [['#5c3a0a', '#1e1e1e'], ['#f4c7a1', '#fdf6e3'], ['#d18616', '#ffffff'], ['#3794ff', '#000000']] as const) {
    const out = legibleOn(hex(c), hex(bg));
    assert.ok(contrast(out, hex(bg)) >= 3, `${c} on ${bg} → ${out}: ${contrast(out, hex(bg))}`);
    if (contrast(hex(c), hex(bg)) >= 3) assert.deepEqual(out, hex(c), 'a legible colour is left alone');
    else assert.ok(out[0] >= out[2] === hex(c)[0] >= hex(c)[2], 'still warm (or cool) as it was');
  }
});
