// Starts a throwaway code-server (a real VS Code 1.139 served to a browser) with Cellscope loaded in development
// mode. Used by the e2e tests and by `npm start`. Requires `ensureVSCode()` from setup.mjs to have run.
//
//   const server = await startServer({ workspace: 'examples', colorTheme: 'Default Light Modern' });
//   server.workbenchUrl   // open this in a browser
//   await server.stop();  // kills the whole process group, deletes the throwaway folders
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_SERVER_ENTRY, NODE24, codeServerProblem } from './setup.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function freePort(host = '127.0.0.1') {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const live = new Set();
// A crashed test must not leave a server behind: kill every group we started when this process goes away.
process.on('exit', () => {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
});

/**
 * Makes `--locale <lang>` take effect without a language pack from the marketplace. The VS Code server picks the web
 * workbench's language (args.locale, then argv.json, the cookie, Accept-Language) and then resolves it against
 * `<user-data-dir>/languagepacks.json` (server-main.js, `getNLSConfiguration`): a language with no entry there falls
 * back to English everywhere, `vscode.env.language` included, which is why `--locale fr` alone shows English. An
 * entry needs a `hash` and `translations.vscode`, the path of an existing `{ contents: { <module>: { <key>: text } } }`
 * file: VS Code's own strings come from it (missing ones stay English), the server caches the merged messages in
 * `<user-data-dir>/clp/<hash>.<lang>/`, and the workbench, the extension host (`vscode.env.language`,
 * `vscode.l10n`) and the manifest's package.nls.<lang>.json all switch to the language. VS Code's own strings are
 * not ours to translate, so the file is empty: the workbench chrome stays English, Cellscope's strings are French.
 */
function languagePack(userData, locale) {
  const translations = join(userData, `cellscope-test-pack.${locale}.json`);
  writeFileSync(translations, JSON.stringify({ contents: {} }));
  const entry = {
    hash: `cellscope-test-${locale}`,
    // getInstalledLanguages (the language picker, asked at startup) reads the first extension's identifier.
    extensions: [{ extensionIdentifier: { id: `cellscope-test.language-pack-${locale}` }, version: '0.0.0' }],
    translations: { vscode: translations },
    label: locale,
  };
  writeFileSync(join(userData, 'languagepacks.json'), JSON.stringify({ [locale]: entry }));
}

export const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'window.commandCenter': false,
  'git.openRepositoryInParentFolders': 'never', // examples/ sits inside the repo: no prompt about it
  // The theme asked for stays: with auto-detection on, VS Code may swap a high-contrast theme for the light one when
  // the (headless) browser reports no forced colours, as seen once in CI.
  'window.autoDetectHighContrast': false,
};

/**
 * @param {object} o
 * @param {string} [o.workspace] folder to open (created if missing); default: a fresh empty folder
 * @param {string} [o.extensionDevelopmentPath] default: the repo root (the extension's package.json + dist/)
 * @param {string} [o.extensionTestsPath] a module exporting `async run()`, run inside the extension host
 * @param {string} [o.colorTheme] e.g. 'Default Dark Modern', 'Default Light Modern'
 * @param {object} [o.settings] more user settings
 * @param {number} [o.port] default: a free one
 * @param {string} [o.host] default 127.0.0.1
 * @param {string} [o.urlHost] host name browsers use; default: host (localhost for 0.0.0.0)
 * @param {boolean} [o.keep] keep the throwaway folders after stop (for debugging)
 * @param {string} [o.locale] VS Code's display language, e.g. 'fr' (see languagePack below)
 * @param {(m: string) => void} [o.log]
 */
export async function startServer(o = {}) {
  const problem = codeServerProblem();
  if (problem) throw new Error(`code-server is not installed (${problem}); run: node test/vscode/setup.mjs --system-deps`);
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? (await freePort(host));
  const root = mkdtempSync(join(tmpdir(), 'cellscope-vscode-'));
  const dirs = {
    root,
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    xdg: join(root, 'xdg'),
    home: join(root, 'home'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  const settings = { ...BASE_SETTINGS, ...(o.colorTheme ? { 'workbench.colorTheme': o.colorTheme } : {}), ...o.settings };
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const workspace = resolve(o.workspace ?? join(root, 'workspace'));
  mkdirSync(workspace, { recursive: true });
  const devPath = resolve(o.extensionDevelopmentPath ?? REPO_ROOT);
  if (!existsSync(join(devPath, 'package.json'))) throw new Error(`no extension at ${devPath}`);

  if (o.locale) languagePack(dirs.userData, o.locale);

  const serverLog = join(root, 'server.log');
  const logFd = openSync(serverLog, 'a');
  const child = spawn(
    NODE24,
    [
      CODE_SERVER_ENTRY,
      '--config', join(root, 'config.yaml'),
      '--auth', 'none',
      '--bind-addr', `${host}:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', dirs.userData,
      '--extensions-dir', dirs.extensions,
      ...(o.locale ? ['--locale', o.locale] : []),
      ...(o.smokeTestDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']), // lets the URL payload load a development extension
      workspace,
    ],
    {
      detached: true, // own process group: stop() kills code-server and every helper it started
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: dirs.xdg, XDG_DATA_HOME: dirs.xdg, XDG_CACHE_HOME: dirs.xdg },
    },
  );
  closeSync(logFd);
  live.add(child.pid);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));

  // The address a browser uses (for 0.0.0.0, e.g. a forwarded container port: localhost); the payload's
  // vscode-remote authority must match it.
  const urlHost = o.urlHost ?? (host === '0.0.0.0' ? 'localhost' : host);
  const url = `http://${urlHost}:${port}/`;
  const remote = (p) => `vscode-remote://${urlHost}:${port}${resolve(p)}`;
  const payload = [['extensionDevelopmentPath', remote(devPath)]];
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  const workbenchUrl = `${url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    const done = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 5000))]);
    if (!done) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      await exited;
    }
    live.delete(child.pid);
    if (!o.keep) rmSync(root, { recursive: true, force: true });
  };

  const t0 = Date.now();
  let dead = null;
  exited.then((e) => (dead = e));
  for (;;) {
    if (dead) {
      const tail = readFileSync(serverLog, 'utf8').split('\n').slice(-30).join('\n');
      await stop();
      throw new Error(`code-server exited (${dead.code ?? dead.signal}) before it was healthy:\n${tail}`);
    }
    try {
      if ((await fetch(url + 'healthz')).ok) break;
    } catch {}
    if (Date.now() - t0 > 60_000) {
      await stop();
      throw new Error(`code-server did not answer ${url}healthz within 60 s; log: ${serverLog}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  o.log?.(`code-server healthy on ${url} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  return {
    url,
    port,
    host,
    pid: child.pid,
    workspace,
    workbenchUrl,
    /** The theme asked for (settings id), or undefined. openWorkbench makes sure the workbench shows it. */
    colorTheme: o.colorTheme,
    dirs,
    serverLog,
    exited,
    remote,
    stop,
    /** Text of the extension host's logs (where console.log of the extension and the in-host suite end up). */
    extensionHostLog() {
      const out = [];
      const walk = (d) => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          const p = join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (/exthost/i.test(p) && e.name.endsWith('.log')) out.push(`== ${p}\n${readFileSync(p, 'utf8')}`);
        }
      };
      try {
        walk(join(dirs.userData, 'logs'));
      } catch {}
      return out.join('\n');
    },
  };
}
