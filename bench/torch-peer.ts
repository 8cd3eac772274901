/**
 * The W1 LSTM as a PyTorch state dict: real PyTorch (the venv's, when it is ready) writes it with torch.save and
 * times its own forward pass (1 thread, float32), the peer; Cellscope reads the .pt (src/formats/pytorch) and runs
 * it. Without the venv the rows are skipped with a note.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runModel } from '../src/engine';
import { loadModelBytes } from '../src/formats/index';
// @ts-expect-error: a plain .mjs script without types
import { pythonPathIfReady } from '../scripts/python-env.mjs';
import type { Workload, WorkloadData } from './workloads';

type Timer = (fn: () => unknown | Promise<unknown>, budgetMs?: number) => Promise<unknown>;
type Add = (w: Workload, engine: string, precision: string, trace: string, t: any, note?: string) => void;

/** Builds nn.LSTM from the raw float32 weights (Keras layout), saves its state dict, times forward, writes its output. */
const SCRIPT = `
import json, sys, time
import numpy as np, torch
d, F, H, T = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(1)
k = np.fromfile(d + "/kernel", dtype=np.float32).reshape(F, 4 * H)
u = np.fromfile(d + "/recurrent", dtype=np.float32).reshape(H, 4 * H)
b = np.fromfile(d + "/bias", dtype=np.float32)
x = torch.from_numpy(np.fromfile(d + "/input", dtype=np.float32).reshape(1, T, F))
m = torch.nn.LSTM(F, H, batch_first=True).eval()
m.load_state_dict({"weight_ih_l0": torch.from_numpy(k.T.copy()), "weight_hh_l0": torch.from_numpy(u.T.copy()),
                   "bias_ih_l0": torch.from_numpy(b), "bias_hh_l0": torch.zeros(4 * H)})
torch.save(m.state_dict(), d + "/w1.pt")
ts = []
with torch.no_grad():
    y = m(x)[0]
    for _ in range(9):
        t0 = time.perf_counter(); m(x); ts.append((time.perf_counter() - t0) * 1000)
y.numpy().astype(np.float32).tofile(d + "/output")
print(json.dumps({"median": sorted(ts)[4], "min": min(ts), "max": max(ts), "runs": len(ts), "torch": torch.__version__}))
`;

export async function torchRows(w: Workload, d: WorkloadData, time: Timer, add: Add): Promise<void> {
  const python = pythonPathIfReady() as string | null;
  if (!python) {
    console.error('  the Python venv is not ready (node scripts/python-env.mjs): no PyTorch W1 rows');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-bench-torch-'));
  try {
    const raw = (name: string, data: ArrayLike<number>) => writeFileSync(join(dir, name), Float32Array.from(data));
    raw('kernel', d.layer.weights.kernel.data);
    raw('recurrent', d.layer.weights.recurrentKernel.data);
    raw('bias', d.layer.weights.bias!.data);
    raw('input', d.input.data);
    const r = spawnSync(python, ['-c', SCRIPT, dir, String(w.features), String(w.units), String(w.steps)], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(`  PyTorch W1 failed: ${r.stderr.slice(-400)}`);
      return;
    }
    const peer = JSON.parse(r.stdout.trim().split('\n').pop()!) as { median: number; min: number; max: number; runs: number; torch: string };
    const bytes = new Uint8Array(readFileSync(join(dir, 'w1.pt')));
    add(w, 'pt load', 'float32', 'n/a', await time(() => loadModelBytes(bytes, 'w1.pt')), `reading the ${(bytes.length / 1024 ** 2).toFixed(1)} MB state dict (zip + restricted unpickler)`);
    const { model } = await loadModelBytes(bytes, 'w1.pt');
    for (const record of [true, false]) add(w, 'pt', 'float32', record ? 'on' : 'off', await time(() => runModel(model, d.input, { precision: 'float32', record })));
    const theirs = new Float32Array(readFileSync(join(dir, 'output')).buffer.slice(0));
    const ours = runModel(model, d.input, { precision: 'float32' }).output.data;
    let maxDiff = 0;
    for (let i = 0; i < theirs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(theirs[i]! - ours[i]!));
    add(w, 'pytorch', 'float32', 'n/a', { ...peer, cpu: null }, `PyTorch ${peer.torch} CPU, 1 thread, timed in Python; max |Δ| vs Cellscope ${maxDiff.toExponential(1)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
