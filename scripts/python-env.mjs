#!/usr/bin/env node
// Creates (once) the Python virtual environment that holds real Keras 3 for the round-trip tests and
// examples/make_examples.py, and tells callers where its interpreter is.
//
//   node scripts/python-env.mjs          ensure .venv/ exists and is complete; print the python path last on stdout
//   node scripts/python-env.mjs --path   print the python path without creating anything (exit 1 if not ready)
//
//   import { ensurePythonEnv, kerasEnv } from './scripts/python-env.mjs';
//   const python = ensurePythonEnv();                 // creates .venv/ if needed, returns the interpreter path
//   spawnSync(python, [...], { env: kerasEnv() });    // KERAS_BACKEND=jax JAX_PLATFORMS=cpu
//
// Packages come from pip's configured index (`pip config list`); nothing here names an index.
// A marker file (.venv/cellscope-env.json) records the installed versions, so a second call costs one
// stat and one small JSON read. Concurrent callers (parallel test files) are serialised with a lock directory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const VENV_DIR = join(REPO_ROOT, '.venv');
const MARKER = join(VENV_DIR, 'cellscope-env.json');
const LOCK = join(REPO_ROOT, '.venv.lock');

/** What the venv must hold, pinned where the project's numbers depend on it. */
export const REQUIREMENTS = {
  keras: '3.15.1',
  jax: '0.10.2',
  jaxlib: '0.10.2',
  h5py: null, // any version
  numpy: null,
  // PyTorch and ONNX references (issue 13): the CPU wheel, the exporter's onnx, and onnxruntime to run graphs.
  torch: '2.13.0+cpu',
  onnx: null,
  onnxruntime: null,
  // torch.onnx.export's default (dynamo) exporter needs it; its graphs keep weights in model.onnx.data.
  onnxscript: null,
  safetensors: null,
  // Notebooks (issue 17): execute a notebook headless to test `cellscope.show()`'s saved output.
  nbclient: null,
  nbformat: null,
  ipykernel: null,
};

function requirementArgs() {
  return Object.entries(REQUIREMENTS).map(([name, version]) => (version ? `${name}==${version}` : name));
}

/** Interpreter inside the venv (POSIX or Windows layout). */
export function venvPython(venvDir = VENV_DIR) {
  return process.platform === 'win32' ? join(venvDir, 'Scripts', 'python.exe') : join(venvDir, 'bin', 'python');
}

/** Environment for running Keras 3 on the JAX CPU backend, quietly. */
export function kerasEnv(extra = {}) {
  return {
    ...process.env,
    KERAS_BACKEND: 'jax',
    JAX_PLATFORMS: 'cpu',
    TF_CPP_MIN_LOG_LEVEL: '3',
    PYTHONHASHSEED: '0',
    PYTHONDONTWRITEBYTECODE: '1',
    ...extra,
  };
}

function readMarker() {
  try {
    return JSON.parse(readFileSync(MARKER, 'utf8'));
  } catch {
    return null;
  }
}

function markerSatisfies(marker) {
  if (!marker || !marker.packages) return false;
  for (const [name, version] of Object.entries(REQUIREMENTS)) {
    const have = marker.packages[name];
    if (!have || (version && have !== version)) return false;
  }
  return existsSync(venvPython());
}

/** Path of the venv's python if the venv is complete, else null. Never creates anything. */
export function pythonPathIfReady() {
  return markerSatisfies(readMarker()) ? venvPython() : null;
}

function run(cmd, args, log, opts = {}) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (r.error) throw new Error(`python-env: could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`python-env: ${cmd} ${args.join(' ')} failed (exit ${r.status})\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock(fn, log) {
  const deadline = Date.now() + 20 * 60 * 1000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock left by a process that died is stale: take it over.
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
      } catch {}
      let alive = true;
      if (Number.isInteger(holder) && holder > 0) {
        try {
          process.kill(holder, 0);
        } catch {
          alive = false;
        }
      } else {
        try {
          alive = Date.now() - statSync(LOCK).mtimeMs < 60_000;
        } catch {}
      }
      if (!alive) {
        log(`python-env: removing stale lock ${LOCK}`);
        rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`python-env: timed out waiting for ${LOCK}`);
      sleep(500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Make sure .venv/ holds the pinned Keras/JAX stack and return the path of its python.
 * Fast (no subprocess) when the marker file already lists the right versions.
 * @param {{log?: (msg: string) => void, basePython?: string}} [options]
 */
export function ensurePythonEnv(options = {}) {
  const log = options.log ?? ((msg) => process.stderr.write(msg + '\n'));
  if (markerSatisfies(readMarker())) {
    return venvPython();
  }
  return withLock(() => {
    if (markerSatisfies(readMarker())) return venvPython(); // another process finished while we waited
    const started = Date.now();
    const basePython = options.basePython ?? process.env.CELLSCOPE_PYTHON ?? (process.platform === 'win32' ? 'python' : 'python3');
    const python = venvPython();
    if (!existsSync(python)) {
      log(`python-env: creating virtual environment ${VENV_DIR} with ${basePython}`);
      rmSync(VENV_DIR, { recursive: true, force: true });
      run(basePython, ['-m', 'venv', VENV_DIR], log);
    } else {
      log(`python-env: reusing ${VENV_DIR} (marker missing or versions differ)`);
    }
    log(`python-env: installing ${requirementArgs().join(' ')} from pip's configured index`);
    const pipInstall = (extra) =>
      run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...extra, ...requirementArgs()], log, {
        env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      });
    try {
      // Offline machines list an unreachable index (pypi.org) before the local ones; pip's default 5 retries with
      // back-off cost ~7 s per package there, so try with 1 retry first and fall back to pip's defaults.
      pipInstall(['--retries', '1']);
    } catch (e) {
      log(`python-env: pip failed with --retries 1; trying again with pip's default retries`);
      pipInstall([]);
    }
    const probe =
      'import json, importlib.metadata as m, sys; ' +
      `print(json.dumps({"python": sys.version.split()[0], "packages": {n: m.version(n) for n in ${JSON.stringify(Object.keys(REQUIREMENTS))}}}))`;
    const installed = JSON.parse(run(python, ['-c', probe], log, { env: kerasEnv() }).trim().split('\n').pop());
    for (const [name, version] of Object.entries(REQUIREMENTS)) {
      if (version && installed.packages[name] !== version) {
        throw new Error(`python-env: wanted ${name}==${version}, pip installed ${installed.packages[name]}`);
      }
    }
    // Import check: keras must come up on the JAX backend.
    run(python, ['-c', 'import keras, jax, h5py, numpy; assert keras.backend.backend() == "jax"'], log, { env: kerasEnv() });
    writeFileSync(MARKER, JSON.stringify({ ...installed, created: new Date().toISOString() }, null, 2) + '\n');
    log(`python-env: ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${Object.entries(installed.packages).map(([n, v]) => `${n} ${v}`).join(', ')}`);
    return python;
  }, log);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--path')) {
    const p = pythonPathIfReady();
    if (!p) {
      process.stderr.write('python-env: .venv is not ready; run `node scripts/python-env.mjs`\n');
      process.exit(1);
    }
    process.stdout.write(p + '\n');
  } else {
    try {
      const p = ensurePythonEnv();
      if (p) process.stderr.write(`python-env: using ${p}\n`);
      process.stdout.write(p + '\n');
    } catch (e) {
      process.stderr.write(String(e.message ?? e) + '\n');
      process.exit(1);
    }
  }
}
