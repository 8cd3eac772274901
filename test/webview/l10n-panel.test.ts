// The panel in French, as a French VS Code shows it: the host's bundle written into the page (panelHtml), real
// engine runs of the shipped examples, every fold-out opened. No English sentence may be left in what the user reads
// (text, tooltips, accessible names, placeholders): a panel string added without l10n.t fails here even when the
// key-complete test (test/repository/l10n-bundles.test.ts) cannot see it. Names are not sentences: the model's own
// names, file names and Keras's argument names are allowed. The core's own sentences (the loader's Keras semantics
// line, the diagnosis of a mismatch and its hypotheses' titles: src/phrase.ts) are French too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Layer } from '../../src/engine/model';
import type { LoadedModel } from '../../src/formats/index';
import { fromGateOrder } from '../../src/diagnose/gate-order';
import { ROOT, applyTheme, exampleSession, launch, nextFrames, openPanelPage, serve, SHOTS, type Served } from './harness';
import type { PanelSession } from '../../src/extension/panel/session';

/** Words a French sentence does not contain but an English one almost always does. */
const ENGLISH = new Set('the of and with from is are over per this each every click show shows step steps unit units value values wheel drag item layer not no by in to at run runs output gate gates'.split(' '));

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

/** The French panel of `session`, every fold-out open: the texts left in English, and what the page shows. */
async function englishLeft(session: PanelSession, shot: string): Promise<{ english: string[]; texts: string[]; diagnosis: string[] }> {
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
    const diagnosis: string[] = await p.page.evaluate(() => [...document.querySelectorAll('.diagnosis:not([hidden]) p')].map((e) => e.textContent ?? ''));
    await p.page.screenshot({ path: join(SHOTS, shot), fullPage: true });
    // Words as the language has them (ASCII \b would split "unités" into "unit" + "és").
    const english = [...new Set(texts)].filter((t) => t.split(/[^\p{L}\p{N}_'’-]+/u).some((w) => !names.has(w) && ENGLISH.has(w.toLowerCase())));
    assert.ok(texts.length > 100, `only ${texts.length} texts read: is the panel drawn?`);
    assert.deepEqual(p.pageErrors, []);
    return { english, texts, diagnosis };
  } finally {
    await p.page.context().close();
  }
}

for (const example of ['sine-wave', 'char-rnn']) {
  test(`examples/${example} in French: no English sentence left in the panel`, async () => {
    const { english, texts } = await englishLeft(await exampleSession(example), `panel-fr-${example}.png`);
    assert.deepEqual(english, [], 'English left in the French panel');
    // The loader's semantics line, in French (it was English, shared with the CLI).
    assert.ok(texts.some((t) => /^sémantique de Keras 3 \(hard_sigmoid clip\(x\/6\+0\.5\)\), keras_version « 3\.15\.1 » dans /.test(t)), texts.filter((t) => /Keras/.test(t)).join('\n'));
  });
}

/** The LSTM's gate blocks written in ONNX's order (i, o, f, c) where Keras reads i, f, c, o: a classic port mistake. */
function onnxOrdered(loaded: LoadedModel): LoadedModel {
  const model = loaded.model;
  const layers = model.layers.map((l): Layer => (l.kind === 'recurrent' ? fromGateOrder(l, ['i', 'o', 'f', 'c']) : l));
  return { ...loaded, model: { ...model, layers } };
}

test('a gate-order mistake in French: the diagnosis, its hypothesis and its notes are French too', async () => {
  const session = await exampleSession('sine-lstm', onnxOrdered);
  const c = session.comparisonMessage()!;
  assert.equal(c.pass, false, 'the scrambled model must disagree with the Keras recording');
  const { english, diagnosis } = await englishLeft(session, 'panel-fr-diagnosis.png');
  assert.deepEqual(english, [], 'English left in the French panel');
  // The answer names the gate order as French words around the model's own letters, with the error before → after.
  assert.match(diagnosis[0] ?? '', /^blocs de portes du LSTM rangés dans l'ordre [icfo,]+(?: \(.*\))?, et non dans celui de Keras, i,f,c,o — max \|Δ\| : \d,\d\de[-+]\d+ → \d,\d\de[-+]\d+$/, diagnosis.join('\n'));
});
