// Cellscope in French in a real VS Code (code-server started with `--locale fr`, see languagePack in
// test/vscode/server.mjs): the command palette lists the manifest's French titles (package.nls.fr.json), the
// quick pick and the panel speak French (l10n/bundle.l10n.fr.json through vscode.l10n and the page), and the panel
// writes numbers with a decimal comma.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCommand, screenshot, webviewFrame } from '../vscode/browser.mjs';
import { REPO_ROOT } from '../vscode/server.mjs';
import { installAndBuild, withWorkbench } from '../vscode/workbench.mjs';

let workspace;
before(async () => {
  await installAndBuild();
  workspace = mkdtempSync(join(tmpdir(), 'cellscope-e2e-fr-'));
  cpSync(join(REPO_ROOT, 'examples', 'sine-lstm'), join(workspace, 'sine-lstm'), { recursive: true });
});
after(() => workspace && rmSync(workspace, { recursive: true, force: true }));

test('display language French: the palette, the quick pick and the panel in French, numbers with a decimal comma', async () => {
  await withWorkbench('l10n-fr', { workspace, locale: 'fr', colorTheme: 'Default Dark Modern' }, async (page) => {
    // The palette: every Cellscope command under its French title, none left in English.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    let titles = [];
    // Contributed commands appear once the extension host is up; the palette lists them only when reopened.
    for (let attempt = 0; attempt < 60 && !titles.some((r) => r.includes('Ouvrir le visualiseur')); attempt++) {
      if (attempt) await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await input.fill('>Cellscope');
      await page.waitForTimeout(1500);
      titles = await rows.allInnerTexts();
    }
    // A row's first line is the title in the display language; VS Code adds the English one below it as an alias.
    const shown = titles.map((r) => r.split('\n')[0]).sort();
    assert.deepEqual(shown, [
      'Cellscope: Charger les sorties enregistrées',
      "Cellscope: Charger une séquence d'entrée",
      'Cellscope: Comparer avec un autre modèle…',
      'Cellscope: Exporter la trace',
      'Cellscope: Lecture/Pause',
      'Cellscope: Ouvrir le visualiseur',
      'Cellscope: Ouvrir un exemple',
      'Cellscope: Pas précédent',
      'Cellscope: Pas suivant',
    ]);
    await screenshot(page, 'l10n-fr-palette');
    await page.keyboard.press('Escape');

    // The quick pick (vscode.l10n on the host), then the panel (the page's bundle).
    await runCommand(page, 'Cellscope: Ouvrir le visualiseur');
    await page.locator('.quick-input-widget .quick-input-box input[placeholder^="Choisissez un fichier de modèle"]').waitFor({ timeout: 30_000 });
    await input.fill('model.cellscope.json');
    await rows.filter({ hasText: 'sine-lstm' }).first().click();
    const frame = webviewFrame(page);
    await frame.locator('.readout').filter({ hasText: /^t = \d+ \// }).first().waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('.toolbar').first().getAttribute('aria-label'), 'Parcourir le temps pas à pas');
    assert.match(await frame.locator('.toolbar').first().innerText(), /Lecture/);
    assert.equal(await frame.locator('html').getAttribute('lang'), 'fr');
    // The header, the gate charts (the engine's descriptions, in the field's words) and the comparison.
    assert.match(await frame.locator('header').first().innerText(), /199 paramètres · float64 · exécution du moteur \d+,\d ms/);
    await frame.locator('.gate-grid figure').first().waitFor({ timeout: 30_000 });
    const gates = await frame.locator('.gate-grid').first().innerText();
    assert.match(gates, /f — porte d'oubli : quelle part de c est conservée/);
    await frame.locator('.compare-text .max-error').waitFor({ timeout: 60_000 });
    const cmp = await frame.locator('.compare-text').innerText();
    assert.match(cmp, /^concorde\s+max \|Δ\| = \d,\d+e-\d+ sur 395 × 1 valeurs/, cmp);
    await screenshot(page, 'l10n-fr-panel');
    await frame.locator('.compare-text').scrollIntoViewIfNeeded();
    await screenshot(page, 'l10n-fr-panel-compare');
  });
});
