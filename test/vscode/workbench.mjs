// One real-VS-Code session for an e2e test: server + browser up, the test's steps, both always stopped. On failure
// it keeps a screenshot and adds the extension host's log tail and the browser console to the error.
import { spawnSync } from 'node:child_process';
import { openWorkbench, screenshot } from './browser.mjs';
import { REPO_ROOT, startServer } from './server.mjs';
import { ensureVSCode } from './setup.mjs';

/** Prints a `# timing:` line, which node's test runner shows as a diagnostic. */
export const timing = (name, t0) => console.log(`# timing: ${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);

/**
 * What an e2e file needs before its first workbench: code-server installed (as root, as on CI, chromium is
 * apt-installed when missing instead of the test skipping) and dist/ built from the current sources.
 */
export async function installAndBuild() {
  const t0 = Date.now();
  const r = await ensureVSCode({ systemDeps: process.getuid?.() === 0 });
  timing(`setup (installed: ${r.installed.join(', ') || 'nothing'})`, t0);
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed:\n${b.stdout}${b.stderr}`);
}

/** Runs `fn(page, server, t0)` in a fresh server + workbench started with `serverOptions` / `workbenchOptions`. */
export async function withWorkbench(name, serverOptions, fn, workbenchOptions = {}) {
  const t0 = Date.now();
  const server = await startServer(serverOptions);
  let wb;
  try {
    wb = await openWorkbench(server, workbenchOptions);
    timing(`${name}: server + workbench up`, t0);
    await fn(wb.page, server, t0);
  } catch (e) {
    if (wb) await screenshot(wb.page, `FAILED-${name}`).catch(() => {});
    const host = server.extensionHostLog().split('\n').filter((l) => /cellscope|error/i.test(l)).slice(-20).join('\n');
    e.message += `\n--- extension host log (filtered) ---\n${host}\n--- browser console (last 20) ---\n${(wb?.consoleLines ?? []).slice(-20).join('\n')}`;
    throw e;
  } finally {
    await wb?.close();
    await server.stop();
    timing(`${name}: total`, t0);
  }
}
