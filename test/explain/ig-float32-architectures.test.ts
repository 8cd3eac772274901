// Integrated gradients in float32 on every architecture of test/fixtures/architectures: the points' runs record only
// the trace rows the backward reads (SessionOptions.recordOnly), so a row some layer's backward needs but the list
// lacks would throw here ("left … out of the trace"). Each attribution is held at float32's precision to this
// engine's float64 IG (which architecture-grads.test.ts holds to JAX), and to JAX's own float64 IG where the
// fixture has one (make_architecture_grads.py).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Tensor } from '../../src/engine';
import { explainPrediction, type Explanation } from '../../src/explain';
import { loadModelFile } from '../../src/formats/node-files';
import { relError } from '../support/rel-error';

const ARCH = join(__dirname, '../fixtures/architectures');
const REFS = join(__dirname, '../fixtures/explain-architectures');

interface Ref {
  name: string;
  target: number[];
  output: number;
  inputs: { name: string }[];
  ig?: { steps: number; attributions: { data: number[] }[] };
}

const refs = readdirSync(REFS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(REFS, f), 'utf8')) as Ref);

function inputsOf(name: string): Tensor[] {
  const r = JSON.parse(readFileSync(join(ARCH, name, 'reference.json'), 'utf8')) as { inputs: { shape: number[]; data: number[] }[] };
  return r.inputs.map((t) => ({ shape: t.shape, data: Float64Array.from(t.data) }));
}

const flat = (e: Explanation) => (e.attributions ?? [{ space: e.space, attribution: e.attribution, vectors: e.vectors }]).map((a) => (a.space === 'embedding' ? a.vectors! : a.attribution).data);

test('float32 integrated gradients on every architecture: within float32 precision of float64 and of JAX', async () => {
  assert.ok(refs.length >= 30, `${refs.length} cases`);
  const seen: string[] = [];
  for (const ref of refs) {
    const { model } = await loadModelFile(join(ARCH, ref.name, ref.name === 'cnn_lstm' ? 'model.h5' : ref.name === 'dict_inputs' ? 'model.cellscope.json' : 'model.keras'));
    const ins = inputsOf(ref.name);
    const options = { method: 'integrated-gradients' as const, target: ref.target, output: ref.output, steps: ref.ig?.steps ?? 16, baseline: 'zeros' as const };
    const run = (precision: 'float32' | 'float64') => flat(explainPrediction(model, ins.length === 1 ? ins[0]! : ins, { ...options, precision }));
    let f64: Float64Array[];
    try {
      f64 = run('float64');
    } catch (e) {
      // A model integrated gradients cannot interpolate (a Reshape of the batch axis…): float32 says the same.
      assert.throws(() => run('float32'), { message: (e as Error).message });
      seen.push(`${ref.name}: ${(e as Error).message}`);
      continue;
    }
    const f32 = run('float32');
    ref.inputs.forEach((r, k) => {
      const vs64 = relError(f32[k]!, f64[k]!);
      const jax = ref.ig?.attributions[k];
      const vsJax = jax ? relError(f32[k]!, jax.data) : 0;
      seen.push(`${ref.name}/${r.name}: ${vs64.toExponential(1)}${jax ? ` (JAX ${vsJax.toExponential(1)})` : ''}`);
      assert.ok(vs64 <= 1e-3 && vsJax <= 1e-3, `${ref.name} input ${r.name}: float32 IG ${vs64} from float64, ${vsJax} from JAX`);
    });
  }
  process.stderr.write(`# ${seen.join(', ')}\n`);
});
