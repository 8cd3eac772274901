/**
 * What the browser bundle (dist/web/extension.js, VS Code for the Web's worker extension host) gets in place of
 * node:fs, node:path and node:worker_threads (scripts/build.mjs, webTarget). The host asks for the engine and load
 * workers through these only: no worker bundle "exists" here, so loads, checks, runs and explanations take their
 * in-process paths, which use nothing from Node. A web extension served from a server cannot start nested workers.
 */
export const existsSync = (_path: string): boolean => false;

export const join = (...parts: string[]): string => parts.join('/');

export class Worker {
  constructor() {
    throw new Error('Cellscope: no worker threads in VS Code for the Web (the engine runs in the extension host worker)');
  }
}
