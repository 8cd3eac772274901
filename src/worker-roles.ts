/**
 * dist/host.js is one bundle with three roles (src/extension/host-bundle.ts): the extension's host, the engine worker
 * and the load worker. A worker started from it says which one in its workerData; `workerOptions` is that, for the
 * code that starts them (src/worker: client.ts, job.ts, load-client.ts; src/explain/threads.ts).
 */
export type WorkerRole = 'engine' | 'load';

export interface RoleData {
  cellscopeWorker: WorkerRole;
}

export function workerOptions(role: WorkerRole): { workerData: RoleData } {
  return { workerData: { cellscopeWorker: role } };
}

/** The role a worker's workerData names, or undefined (the main thread, or a worker started some other way). */
export function roleOf(workerData: unknown): WorkerRole | undefined {
  const r = (workerData as Partial<RoleData> | null | undefined)?.cellscopeWorker;
  return r === 'engine' || r === 'load' ? r : undefined;
}
