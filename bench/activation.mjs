/**
 * Extension activation as VS Code itself reports it, and the size of the packaged VSIX. Not a test: timings on a
 * shared machine flake, so nothing here asserts a figure.
 *
 *   node bench/activation.mjs [--runs N]                 prints both (builds nothing: run `npm run build` first)
 *   import { benchActivation } from './activation.mjs'   returns { activation, vsix } and prints them
 *
 * Activation: each run starts a fresh code-server (the test/vscode harness) on a workspace holding a plain JSON file
 * and a model; an in-host probe (test/vscode/suite-activation) opens the plain file (onLanguage:json; it is not a
 * model, so the rest of the extension stays unloaded), then the model. Medians over cold extension hosts of:
 *   - VS Code's own figure, from "Developer: Show Running Extensions": its "Load Code" + "Call Activate". Load Code
 *     runs from when VS Code starts loading the batch of extensions one event activates to the end of our require().
 *     code-server opens the user settings.json (JSONC) at startup, so Cellscope activates then, in a batch with
 *     json-language-features and others loaded before it: most of this figure is theirs ("of which ... loading the
 *     extensions just before it": those VS Code's perf marks show loading back to back up to ours).
 *   - Cellscope's own share: the require() of dist/extension.js as VS Code's perf marks bracket it
 *     (code/extHost/willLoadExtensionCode … didLoadExtensionCode) plus the activate() call.
 *   - the first use's cost: loading dist/host.js (require + registrations) when the model file opens.
 *
 * VSIX: every bundle built for production into a temporary folder, zipped with the files .vscodeignore lets in.
 * That is what `vsce package` ships; its manifest and content-types entries add about 1 KB (checked against
 * @vscode/vsce 3.x on the same build: 758 352 bytes packaged, 756 628 estimated).
 */
import * as esbuild from 'esbuild';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { allTargets } from '../scripts/build.mjs';
import { runCommand, runInHostSuite } from '../test/vscode/browser.mjs';
import { REPO_ROOT, startServer } from '../test/vscode/server.mjs';
import { ensureVSCode } from '../test/vscode/setup.mjs';

const PROBE = join(REPO_ROOT, 'test', 'vscode', 'suite-activation', 'index.js');
const PROBE_TAG = '[cellscope-activation]';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * One cold start: a fresh code-server whose in-host probe (test/vscode/suite-activation) opens plain.json and logs
 * the extension's own share (require of dist/extension.js + activate()), while the workbench's Running Extensions
 * view gives VS Code's figure and the activation event. Returns { vscodeMs, event, requireMs, activateMs,
 * loadedJustBefore, hostLoadMs, ... } (see the probe).
 */
async function activationOnce(extensionPath) {
  const workspace = mkdtempSync(join(tmpdir(), 'cellscope-bench-ws-'));
  writeFileSync(join(workspace, 'plain.json'), '{ "name": "not a model", "version": 1 }\n');
  copyFileSync(join(REPO_ROOT, 'examples', 'sine-lstm', 'model.cellscope.json'), join(workspace, 'model.cellscope.json'));
  const server = await startServer({ workspace, extensionDevelopmentPath: extensionPath, extensionTestsPath: PROBE });
  try {
    const { code, consoleLines, during } = await runInHostSuite(server, {
      timeout: 150_000,
      whileRunning: async (page) => {
        try {
          return await runningExtensionsFigure(page);
        } finally {
          writeFileSync(join(workspace, '.bench-done'), '');
        }
      },
    });
    const line = consoleLines.find((l) => l.includes(PROBE_TAG));
    if (code !== 0 || !line) throw new Error(`activation probe failed (exit ${code}):\n${consoleLines.slice(-20).join('\n')}`);
    return { vscodeMs: during.ms, event: during.event, ...JSON.parse(line.slice(line.indexOf(PROBE_TAG) + PROBE_TAG.length)) };
  } finally {
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** VS Code's activation time of Cellscope as "Developer: Show Running Extensions" shows it (polled until there). */
async function runningExtensionsFigure(page) {
  await page.waitForSelector('.statusbar-item', { timeout: 60_000 });
  const row = page.locator('.runtime-extensions-editor .monaco-list-row', { has: page.locator('.name', { hasText: /cellscope/i }) }).first();
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!(await page.locator('.runtime-extensions-editor').isVisible().catch(() => false))) await runCommand(page, 'Developer: Show Running Extensions');
    const text = await row.innerText({ timeout: 2000 }).catch(() => '');
    const m = /Activation: (\d+)ms/.exec(text);
    if (m) {
      // Its hover names the activation event ("Activated by onLanguage:json event").
      // The list re-renders as extensions change state: a hover that misses only loses the event's name.
      await row.locator('.activation-time').hover({ force: true, timeout: 3000 }).catch(() => {});
      const hover = await page.locator('.monaco-hover, .workbench-hover').first().innerText({ timeout: 3000 }).catch(() => '');
      return { ms: Number(m[1]), event: hover.replace(/\s+/g, " ").trim() };
    }
    if (Date.now() > deadline) throw new Error(`no activation time for Cellscope in Running Extensions; row: ${JSON.stringify(text)}`);
    await page.waitForTimeout(250);
  }
}

/**
 * Medians over `runs` cold starts: VS Code's figure, and the extension's own share of it.
 * @param {{ runs?: number, extensionPath?: string, log?: (m: string) => void }} [o] extensionPath: a folder with the
 *   extension's package.json and built dist/ (default: this repository)
 */
export async function measureActivation({ runs = 5, extensionPath = REPO_ROOT, log = () => {} } = {}) {
  await ensureVSCode();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const s = await activationOnce(extensionPath);
    samples.push(s);
    log(`activation run ${i + 1}/${runs}: ${JSON.stringify(s)}`);
  }
  const of = (k) => median(samples.map((s) => s[k]).filter((v) => typeof v === 'number'));
  for (const s of samples) s.othersMs = s.loadedJustBefore.reduce((t, e) => t + e.ms, 0);
  return {
    vscodeMs: of('vscodeMs'),
    othersMs: of('othersMs'),
    ownMs: of('requireMs') + of('activateMs'),
    requireMs: of('requireMs'),
    activateMs: of('activateMs'),
    hostLoadMs: of('hostLoadMs'),
    samples,
  };
}

/** `.vscodeignore` glob → RegExp over forward-slash paths (`**` any depth, `*` within a segment). */
function globRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether .vscodeignore keeps `path` in the package: ignored by a pattern, let back in by a `!` one (vsce applies those last). */
function packagedTest() {
  const lines = readFileSync(join(REPO_ROOT, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const ignore = lines.filter((l) => !l.startsWith('!')).map(globRegExp);
  const keep = lines.filter((l) => l.startsWith('!')).map((l) => globRegExp(l.slice(1)));
  return (path) => keep.some((r) => r.test(path)) || !ignore.some((r) => r.test(path));
}

function filesUnder(dir, skip) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip.has(e.name)) out.push(...filesUnder(p, skip));
    } else out.push(p);
  }
  return out;
}

/** Size in bytes of the VSIX the repository packages into (see the header for how it is built). */
export async function measureVsix() {
  const out = mkdtempSync(join(tmpdir(), 'cellscope-bench-vsix-'));
  try {
    await Promise.all(allTargets(join(out, 'dist'), true).map((t) => esbuild.build({ ...t, absWorkingDir: REPO_ROOT })));
    const packaged = packagedTest();
    const files = filesUnder(REPO_ROOT, new Set(['.git', 'node_modules', 'dist']))
      .map((f) => ({ name: relative(REPO_ROOT, f).split('\\').join('/'), path: f }))
      .filter((f) => packaged(f.name))
      .concat(filesUnder(join(out, 'dist'), new Set()).map((f) => ({ name: `dist/${relative(join(out, 'dist'), f)}`, path: f })).filter((f) => packaged(f.name)));
    // A zip as vsce writes it (zlib deflate): per file a local header (30 bytes) and a central directory entry (46),
    // each with the name, then the end record (22).
    let bytes = 22;
    for (const f of files) bytes += 30 + 46 + 2 * Buffer.byteLength(`extension/${f.name}`) + deflateRawSync(readFileSync(f.path)).length;
    return { bytes, files: files.length };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Both figures, printed; what `npm run bench` shows. */
export async function benchActivation({ runs = 5, log = (m) => console.log(`  ${m}`) } = {}) {
  const activation = await measureActivation({ runs, log });
  const vsix = await measureVsix();
  const a = activation;
  console.log(
    `Extension activation, median of ${runs} cold starts: ${a.vscodeMs} ms as VS Code reports it (Running Extensions), ` +
      `of which ${a.othersMs} ms loading the extensions activated with it just before it; ` +
      `Cellscope's own share ${a.ownMs.toFixed(1)} ms (require ${a.requireMs} ms + activate() ${a.activateMs} ms). ` +
      `First model file: ${a.hostLoadMs} ms to load the rest (dist/host.js).`,
  );
  console.log(`VSIX: ${(vsix.bytes / 1024).toFixed(0)} KB (${vsix.files} files, production build)`);
  return { activation, vsix };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--runs');
  await benchActivation(i > 0 ? { runs: Number(process.argv[i + 1]) } : {});
}
