// `npm start`: a real VS Code (code-server) in the browser with Cellscope loaded in development mode and the
// repo's examples/ as the workspace. Installs code-server on first use (test/vscode/setup.mjs), builds, serves
// until Ctrl-C.
//
//   npm start                      free port on 127.0.0.1
//   npm start -- --port 8080       fixed port
//   npm start -- --host 0.0.0.0    listen on all interfaces (no authentication: only on a trusted network)
//   npm start -- --workspace DIR   another folder instead of examples/
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureVSCode } from '../test/vscode/setup.mjs';
import { REPO_ROOT, startServer } from '../test/vscode/server.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    workspace: { type: 'string' },
    theme: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('usage: npm start -- [--port N] [--host 127.0.0.1] [--workspace DIR] [--theme "Default Light Modern"]');
  process.exit(0);
}
const port = args.port === undefined ? undefined : Number(args.port);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error(`--port must be a port number, got ${JSON.stringify(args.port)}`);
  process.exit(2);
}

const step = (m) => console.log(`cellscope: ${m}`);

try {
  // Root (CI, containers) may apt-get chromium/libkrb5-dev itself; others get the command to run.
  await ensureVSCode({ systemDeps: process.getuid?.() === 0 });
} catch (e) {
  console.error(`cellscope: cannot set up VS Code: ${e.message}`);
  process.exit(1);
}

step('building…');
const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('cellscope: build failed');
  process.exit(build.status ?? 1);
}

const workspace = resolve(args.workspace ?? join(REPO_ROOT, 'examples'));
if (!existsSync(workspace)) mkdirSync(workspace, { recursive: true });

let server;
try {
  server = await startServer({
    workspace,
    host: args.host,
    ...(port !== undefined ? { port } : {}),
    ...(args.theme ? { colorTheme: args.theme } : {}),
  });
} catch (e) {
  console.error(`cellscope: code-server did not start: ${e.message}`);
  process.exit(1);
}

const bar = '─'.repeat(72);
console.log(`
${bar}
  Cellscope is running in VS Code (code-server) — open this URL in a browser:

  ${server.workbenchUrl}

  workspace: ${workspace}
  Then F1 → "Cellscope: Open Visualizer".
  Development mode shows no pop-up toasts (code-server's smoke-test driver, which
  development mode needs, turns them off): messages land in the bell, bottom right.
  After \`npm run build\` (or \`npm run build -- --watch\`), F1 → "Developer: Reload Window".
  Ctrl-C stops the server.
${bar}
`);

let stopping = false;
const shutdown = async (signal) => {
  if (stopping) return;
  stopping = true;
  step(`${signal}: stopping code-server…`);
  await server.stop();
  step('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));

const { code, signal } = await server.exited;
if (!stopping) {
  let tail = '';
  try {
    tail = readFileSync(server.serverLog, 'utf8').split('\n').slice(-20).join('\n');
  } catch {}
  console.error(`cellscope: code-server exited on its own (${code ?? signal}):\n${tail}`);
  await server.stop();
  process.exit(1);
}
