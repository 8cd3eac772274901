/**
 * Runs a load or a check of a user file in a fresh worker (dist/host.js as the load worker) with a heap limit and a deadline:
 * a file that asks for gigabytes or hours ends that worker with a clear LoadError ("stopped after 20 s", "needed
 * more than 1024 MB"), and the extension host carries on. Cancelling (a newer edit of the same document)
 * terminates the worker at once. No `vscode` import: node tests drive this directly.
 */
import { Worker } from 'node:worker_threads';
import { LoadError, type Recording } from '../formats/index';
import type { OpenedModel } from '../formats/loaded-model';
import type { Tensor } from '../engine/tensor';
import type { ClonedProblem, LoadReply, LoadRequest } from './load-protocol';
import { workerOptions } from '../worker-roles';

/** A worker's heap (V8 old generation); typed arrays count as external memory, bounded by the load budgets. */
export const LOAD_HEAP_MB = 512;
/** How long a load or check may take before the worker is stopped. */
export const LOAD_DEADLINE_MS = 20_000;

export class LoadCancelledError extends Error {
  constructor() {
    super('superseded by a newer request');
    this.name = 'LoadCancelledError';
  }
}

export interface IsolatedOptions {
  workerPath: string;
  deadlineMs?: number;
  heapMb?: number;
}

export interface Isolated<T> {
  readonly promise: Promise<T>;
  cancel(): void;
}

/**
 * One worker started ahead, per bundle, at the default heap: a worker takes ~1 s to start and parse its bundle on a
 * busy machine, so each request takes the spare and a new spare is started for the next. Every worker serves one
 * request and is terminated (a fresh heap per file); idle spares are unref'd so they never keep a process alive.
 */
const spares = new Map<string, Worker>();

function newWorker(path: string, heap: number): Worker {
  return new Worker(path, { ...workerOptions('load'), resourceLimits: { maxOldGenerationSizeMb: heap, maxYoungGenerationSizeMb: 64 } });
}

function takeWorker(path: string, heap: number): Worker {
  let w = heap === LOAD_HEAP_MB ? spares.get(path) : undefined;
  spares.delete(path);
  w ??= newWorker(path, heap);
  w.ref();
  setImmediate(() => {
    if (spares.has(path)) return;
    try {
      const spare = newWorker(path, LOAD_HEAP_MB);
      spare.unref();
      spare.on('error', () => spares.get(path) === spare && spares.delete(path));
      spare.on('exit', () => spares.get(path) === spare && spares.delete(path));
      spares.set(path, spare);
    } catch {
      // No spare: the next request starts its own worker.
    }
  });
  return w;
}

/** Starts the spare worker early (on activation), so the first file opened does not wait for it. */
export function warmLoadWorker(path: string): void {
  if (spares.has(path)) return;
  void takeWorker(path, LOAD_HEAP_MB).terminate();
}

function start(req: LoadRequest, o: IsolatedOptions): Isolated<LoadReply> {
  const deadline = o.deadlineMs ?? LOAD_DEADLINE_MS;
  const heap = o.heapMb ?? LOAD_HEAP_MB;
  let worker: Worker | undefined;
  let settle: ((r: LoadReply | Error) => void) | undefined;
  const promise = new Promise<LoadReply>((resolve, reject) => {
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    settle = (r) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      void worker?.terminate();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const stopped = (found: string, hint: string) =>
      new LoadError({ file: req.fileName, path: [], expected: 'a file Cellscope can check within its time and memory limits', found, hint });
    try {
      worker = takeWorker(o.workerPath, heap);
    } catch (e) {
      settle(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    timer = setTimeout(
      () => settle!(stopped(`a file whose ${req.type === 'check' ? 'check' : 'load'} was stopped after ${deadline / 1000} s`, 'the file asks for far more work than a recurrent model needs; if it is what you meant, raise the cellscope.limits settings and open it from the CLI')),
      deadline,
    );
    worker.on('message', (r: LoadReply) => settle!(r));
    worker.on('error', (e: Error & { code?: string }) =>
      settle!(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? stopped(`a file whose ${req.type === 'check' ? 'check' : 'load'} needed more than ${heap} MB of memory and was stopped`, 'the file asks for far more memory than a recurrent model needs (lower sizes, or check the cellscope.limits settings)')
          : e,
      ),
    );
    worker.on('exit', (code) => settle!(stopped(`a file whose ${req.type} stopped the reader (exit code ${code})`, 'the file is probably damaged')));
    worker.postMessage(req);
  });
  return { promise, cancel: () => settle?.(new LoadCancelledError()) };
}

function unwrap(r: LoadReply): never {
  if (r.type === 'load-error') throw new LoadError(r.details);
  if (r.type === 'failed') throw Object.assign(new Error(r.message), { name: r.name });
  throw new Error(`unexpected reply ${r.type}`);
}

/** The Problems check of a text, isolated: null when the text loads, else its problem (with a LoadError). */
export function checkIsolated(req: Extract<LoadRequest, { type: 'check' }>, o: IsolatedOptions): Isolated<(ClonedProblem & { error: LoadError }) | null> {
  const run = start(req, o);
  return {
    cancel: run.cancel,
    promise: run.promise.then((r) => {
      if (r.type !== 'checked') unwrap(r);
      return r.problem ? { ...r.problem, error: new LoadError(r.problem.details) } : null;
    }),
  };
}

/** A model loaded in a worker; its LoadError rethrown here as a LoadError. */
export function loadIsolated(req: Extract<LoadRequest, { type: 'load' }>, o: IsolatedOptions): Isolated<OpenedModel> {
  const run = start(req, o);
  return {
    cancel: run.cancel,
    promise: run.promise.then((r) => {
      if (r.type !== 'loaded') unwrap(r);
      return r.loaded;
    }),
  };
}

/** An input array read in a worker (the panel's input.json): a 512 MB JSON text is parsed there, not on the host. */
export function readArrayIsolated(req: Extract<LoadRequest, { type: 'array' }>, o: IsolatedOptions): Isolated<Tensor> {
  const run = start(req, o);
  return {
    cancel: run.cancel,
    promise: run.promise.then((r) => {
      if (r.type !== 'array') unwrap(r);
      return r.tensor;
    }),
  };
}

/** Expected outputs (a recording, a fixture's, a bare array) read in a worker. */
export function readExpectedIsolated(req: Extract<LoadRequest, { type: 'expected' }>, o: IsolatedOptions): Isolated<Recording> {
  const run = start(req, o);
  return {
    cancel: run.cancel,
    promise: run.promise.then((r) => {
      if (r.type !== 'expected') unwrap(r);
      return r.recording;
    }),
  };
}
