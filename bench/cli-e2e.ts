/**
 * The whole process, as a user runs it: `cellscope run` of W1 from a Keras export JSON (process start, load, parse,
 * run, write the output JSON) against TF.js doing the same in its own process (bench/tfjs-e2e.ts: read the JSON, build
 * the model, setWeights, predict, write). The target: Cellscope at least 10× faster.
 *
 * Both sides are plain `node` processes: the TF.js script is bundled to JavaScript first, because running it through
 * tsx would add tsx's own start-up (≈ 0.2 s) to the peer's time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { WORKLOADS, buildWorkload, type Workload } from './workloads';

const REPO = resolve(__dirname, '..');
const TARGET_RATIO = 10;

type Time<T> = (fn: () => unknown, budgetMs: number, childProcess: boolean) => Promise<T>;
type Add<T> = (w: Workload, engine: string, precision: string, trace: string, t: T, note?: string) => void;

/** W1 as a Keras export JSON ({"model": to_json(), "weights": get_weights() as nested lists}) and its input JSON. */
export function writeW1Files(dir: string): { modelFile: string; inputFile: string } {
  const w = WORKLOADS[0]!;
  const d = buildWorkload(w);
  const { kernel, recurrentKernel, bias } = d.layer.weights;
  const nested = (t: { shape: readonly number[]; data: ArrayLike<number> }) => {
    const [r, c] = t.shape.length === 2 ? (t.shape as [number, number]) : [0, t.shape[0]!];
    if (!r) return Array.from(t.data);
    return Array.from({ length: r }, (_, i) => Array.from(t.data).slice(i * c, (i + 1) * c));
  };
  const model = {
    class_name: 'Sequential',
    config: {
      name: 'w1',
      layers: [
        { class_name: 'InputLayer', config: { batch_shape: [null, w.steps, w.features], name: 'input' } },
        {
          class_name: 'LSTM',
          config: { name: 'lstm', units: w.units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: true },
        },
      ],
    },
  };
  const modelFile = join(dir, 'w1.json');
  writeFileSync(modelFile, JSON.stringify({ model, weights: [nested(kernel), nested(recurrentKernel), nested(bias!)], keras_version: '3.15.1' }));
  const inputFile = join(dir, 'input.json');
  writeFileSync(inputFile, JSON.stringify({ shape: d.input.shape, data: Array.from(d.input.data) }));
  return { modelFile, inputFile };
}

/**
 * Times both processes with the caller's timer, adds their rows, and prints the ratio per precision. The TF.js side
 * is float32 (all its CPU backend has), so the float32 ratio is the like-for-like one.
 */
export async function endToEnd<T extends { median: number }>(time: Time<T>, add: Add<T>): Promise<void> {
  const w = { ...WORKLOADS[0]!, id: 'W1 CLI' };
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-bench-'));
  try {
    const { modelFile, inputFile } = writeW1Files(dir);
    const outFile = join(dir, 'out.json');
    const ours = new Map<string, number>();
    for (const precision of ['float32', 'float64']) {
      const args = [join(REPO, 'bin/cellscope.js'), 'run', modelFile, '--input', inputFile, '--precision', precision, '--out', outFile, '--force'];
      const t = await time(() => execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] }), 3000, true);
      add(w, 'cellscope', precision, 'off', t, 'node bin/cellscope.js run (process start, load, run, write JSON)');
      ours.set(precision, t.median);
    }
    const peerScript = join(dir, 'tfjs-e2e.cjs');
    buildSync({ entryPoints: [join(REPO, 'bench/tfjs-e2e.ts')], outfile: peerScript, bundle: true, platform: 'node', format: 'cjs', external: ['@tensorflow/tfjs'], logLevel: 'warning' });
    const peerEnv = { ...process.env, NODE_PATH: join(REPO, 'node_modules') };
    const peer = await time(() => {
      execFileSync(process.execPath, [peerScript, modelFile, inputFile, join(dir, 'tfjs-out.json')], { stdio: ['ignore', 'ignore', 'inherit'], env: peerEnv });
    }, 3000, true);
    add(w, 'tfjs-cpu', 'float32', 'n/a', peer, 'node: read JSON, build tf.sequential, setWeights, predict, write JSON');
    for (const [precision, ms] of ours) {
      const ratio = peer.median / ms;
      console.error(
        `cellscope run W1 (${precision}): ${ms.toFixed(0)} ms vs TF.js ${peer.median.toFixed(0)} ms = ${ratio.toFixed(1)}× faster (target ≥ ${TARGET_RATIO}×)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
