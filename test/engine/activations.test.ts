// Every activation against real Keras 3's own definitions (keras.activations, JAX backend with float64 enabled).
// XLA's tanh is a float32-grade approximation even in float64 (tanh(-8.25) comes out as exactly -1), so tanh and
// mish (which uses it) are held to float32's bar; everything else must agree to 1e-12 + 1e-10·|y|.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { activation, ACTIVATION_NAMES } from '../../src/engine/activations';
// @ts-expect-error plain ES module without types
import { ensurePythonEnv, kerasEnv } from '../../scripts/python-env.mjs';

const GRID = Array.from({ length: 81 }, (_, i) => -10 + i * 0.25).concat([-30, -1e-3, 1e-3, 30]);

const KERAS_SCRIPT = `
import json, sys
import numpy as np
import keras
keras.config.set_floatx("float64")
names, grid = json.load(sys.stdin)
x = keras.ops.convert_to_tensor(np.array(grid, dtype="float64"))
out = {}
for n in names:
    f = keras.activations.get(n)
    out[n] = np.asarray(f(x), dtype="float64").tolist()
# Softmax acts on the whole vector, so it gets vectors of its own.
out["softmax"] = np.asarray(keras.activations.softmax(keras.ops.reshape(x, (5, 17)), axis=-1), dtype="float64").ravel().tolist()
out["log_softmax"] = np.asarray(keras.activations.log_softmax(keras.ops.reshape(x, (5, 17)), axis=-1), dtype="float64").ravel().tolist()
json.dump(out, sys.stdout)
`;

test('activations match real Keras 3 on a grid', { timeout: 600_000 }, () => {
  const python = ensurePythonEnv();
  const elementwise = ACTIVATION_NAMES.filter((n) => n !== 'softmax' && n !== 'log_softmax');
  const r = spawnSync(python, ['-c', KERAS_SCRIPT], {
    input: JSON.stringify([elementwise, GRID]),
    env: kerasEnv({ JAX_ENABLE_X64: '1' }),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  assert.equal(r.status, 0, r.stderr);
  const keras = JSON.parse(r.stdout) as Record<string, number[]>;
  for (const name of ACTIVATION_NAMES) {
    const v = Float64Array.from(GRID);
    const f = activation(name, 'keras3');
    if (name === 'softmax' || name === 'log_softmax') for (let row = 0; row < 5; row++) f(v, row * 17, 17);
    else f(v, 0, v.length);
    const expected = keras[name];
    assert.ok(expected, `Keras computed no ${name}`);
    const [atol, rtol] = name === 'tanh' || name === 'mish' ? [1e-7, 2e-7] : [1e-12, 1e-10];
    v.forEach((got, k) => {
      const want = expected[k]!;
      assert.ok(Math.abs(got - want) <= atol + rtol * Math.abs(want), `${name}(${GRID[k]}) = ${got}; Keras says ${want}`);
    });
  }
});

test('hard_sigmoid follows the Keras version: Keras 2 clip(0.2x+0.5), Keras 3 clip(x/6+0.5)', () => {
  const v2 = Float64Array.from([-3, -1, 0, 1, 2.5, 3]);
  const v3 = v2.slice();
  activation('hard_sigmoid', 'keras2')(v2, 0, v2.length);
  activation('hard_sigmoid', 'keras3')(v3, 0, v3.length);
  assert.deepEqual(Array.from(v2), [0, 0.3, 0.5, 0.7, 1, 1]);
  assert.deepEqual(Array.from(v3).map((x) => +x.toFixed(12)), [0, 0.333333333333, 0.5, 0.666666666667, 0.916666666667, 1]);
});
