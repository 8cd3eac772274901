// The panel in French, as a French VS Code shows it: the host's bundle written into the page (panelHtml), real
// engine runs of the shipped examples, every fold-out opened. No English sentence may be left in what the user reads
// (text, tooltips, accessible names, placeholders): a panel string added without l10n.t fails here even when the
// key-complete test (test/repository/l10n-bundles.test.ts) cannot see it. Names are not sentences: the model's own
// names, file names and Keras's argument names are allowed, and so is the loader's provenance line (see SHARED_WITH_CLI).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ROOT, applyTheme, exampleSession, launch, nextFrames, openPanelPage, serve, SHOTS, type Served } from './harness';

/** Words a French sentence does not contain but an English one almost always does. */
const ENGLISH = new Set('the of and with from is are over per this each every click show shows step steps unit units value values wheel drag item layer not no by in to at run runs output gate gates'.split(' '));

/**
 * Texts the core writes in English for the CLI too and the panel shows as they are: the loader's account of which
 * Keras semantics it chose (src/formats/keras-semantics.ts). Named here one by one so that anything else fails.
 */
const SHARED_WITH_CLI = [/^Keras \d semantics \(.*\), keras_version "[\d.]+" in the (file|model config)$/];

let browser: Browser;
let served: Served;
before(async () => {
  served = await serve({ language: 'fr', bundle: JSON.parse(readFileSync(join(ROOT, 'l10n', 'bundle.l10n.fr.json'), 'utf8')) });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await served?.close();
});

for (const example of ['sine-wave', 'char-rnn']) {
  test(`examples/${example} in French: no English sentence left in the panel`, async () => {
    const session = await exampleSession(example);
    const init = session.initMessage();
    // The model's own names (layers, classes, weights, files, quantities, tokens) are not for translating.
    const names = new Set<string>([
      ...init.summary.layers.flatMap((l) => [l.name, l.className]),
      ...init.layers.flatMap((l) => [l.layerName, ...l.quantities.map((q) => q.label)]),
      ...(init.input.vocabulary ?? []),
      'InputLayer', 'kernel', 'recurrent_kernel', 'bias', 'embeddings', 'all',
    ]);
    const p = await openPanelPage(browser, served, session, { width: 1400, height: 1000 });
    try {
      await applyTheme(p.page, 'light');
      await p.page.waitForFunction(() => document.body.dataset.renderMs !== undefined && document.querySelector('.gate-grid canvas') !== null, null, { timeout: 30000 });
      await p.page.evaluate(() => document.querySelectorAll('details').forEach((d) => ((d as HTMLDetailsElement).open = true)));
      // The weights and saturation views arrive with the analysis; the tables fill on the next frames.
      await p.page.waitForFunction(() => document.querySelector('.weight-table') !== null, null, { timeout: 30000 });
      await nextFrames(p.page, 4);
      assert.equal(await p.page.evaluate(() => document.documentElement.lang), 'fr');
      const texts: string[] = await p.page.evaluate(() => {
        const out: string[] = [];
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) if (n.parentElement?.closest('script,style') === null) out.push(n.textContent!.trim());
        for (const e of document.querySelectorAll('*')) for (const a of ['title', 'aria-label', 'placeholder', 'label']) out.push(e.getAttribute(a) ?? '');
        return out.filter(Boolean);
      });
      await p.page.screenshot({ path: join(SHOTS, `panel-fr-${example}.png`), fullPage: true });
      const english = [...new Set(texts)].filter((t) => {
        if (SHARED_WITH_CLI.some((re) => re.test(t))) return false;
        // Words as the language has them (ASCII \b would split "unités" into "unit" + "és").
        return t.split(/[^\p{L}\p{N}_'’-]+/u).some((w) => !names.has(w) && ENGLISH.has(w.toLowerCase()));
      });
      assert.deepEqual(english, [], 'English left in the French panel');
      assert.ok(texts.length > 100, `only ${texts.length} texts read: is the panel drawn?`);
      assert.deepEqual(p.pageErrors, []);
    } finally {
      await p.page.context().close();
    }
  });
}
