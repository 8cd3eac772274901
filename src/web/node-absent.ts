/**
 * What dist/host.js gets in VS Code for the Web's worker extension host in place of the Node modules it requires
 * (src/extension/web-host.ts evaluates it with these). The host asks for the engine and load workers through these
 * only: no worker bundle "exists" here, so loads, checks, runs and explanations take their in-process paths, which
 * use nothing from Node. A web extension served from a server cannot start nested workers.
 */
export const existsSync = (_path: string): boolean => false;

export const join = (...parts: string[]): string => parts.join('/');

export class Worker {
  constructor() {
    throw new Error('Cellscope: no worker threads in VS Code for the Web (the engine runs in the extension host worker)');
  }
}

/**
 * Every module dist/host.js requires but `vscode` (its esbuild externals: test/repository/web-bundle.test.mjs keeps
 * the two lists equal), with what each gives here. null: not there (asked for inside a try).
 */
export const NODE_MODULES: Record<string, object | null> = {
  'node:fs': { existsSync },
  'node:path': { join },
  // The extension host's own thread: host-bundle.ts starts the host, not a worker role.
  'node:worker_threads': { Worker, isMainThread: true, workerData: null, parentPort: null },
  // One thread: the explanation's helper threads are never asked for.
  'node:os': { availableParallelism: () => 1 },
  // Only the load worker reads files by path.
  'node:fs/promises': {},
  // fflate asks `createRequire('/')('worker_threads')` inside a try, for its asynchronous API (unused here).
  module: {
    createRequire: () => (id: string): never => {
      throw new Error(`Cellscope: no ${id} in VS Code for the Web`);
    },
  },
  // protobufjs looks for `fs` inside a try and goes without it.
  fs: null,
};
