/**
 * PyTorch and ONNX files in the panel (headless Chromium, real engine runs, messages built by the host's
 * PanelSession): a state dict with two recurrent modules shows the module picker; picking the other module and
 * switching nn.RNN to relu asks the host to re-run with them (the fake host loads the file again as the extension
 * does), the charts follow, the choice is saved with the panel, and the relu decoder's output is real PyTorch's.
 * An ONNX graph (torch.onnx.export) runs whole and its gates are charted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { loadArrayBytes, loadModelBytes, type ModelChoices } from '../../src/formats/index';
import { openModelBytes } from '../../src/formats/runnable';
import { portCheckForPanel } from '../../src/panel/port-view';
import { panelModelOf } from '../../src/panel/run-panel-model';
import { FIXTURES } from '../fixtures-path';
import { SHOTS, answer, applyTheme, launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from './harness';

const DIR = join(FIXTURES, 'torch', 'onnx-mistakes');
const PT = join(DIR, 'encdec.pt');

async function torchSession(choices: ModelChoices): Promise<PanelSession> {
  const loaded = await loadModelBytes(readFileSync(PT), 'encdec.pt', undefined, undefined, { ...choices, firstWhenSeveral: true });
  const features = loaded.model.inputShape[1] as number;
  const file = features === 4 ? 'encdec.decoder.input.json' : 'input.json';
  const input = loadArrayBytes(readFileSync(join(DIR, file)), file);
  const expected = features === 4 ? loadArrayBytes(readFileSync(join(DIR, 'encdec.decoder.expected.json')), 'expected.json') : undefined;
  return new PanelSession({ loaded, input, expected, files: { fileUri: `file://${PT}`, model: 'encdec.pt', input: file, recording: expected ? 'encdec.decoder.expected.json' : null } });
}

async function drawn(p: PanelPage): Promise<void> {
  await p.page.waitForFunction(() => document.body.dataset.charts !== undefined && document.body.dataset.renderMs !== undefined, null, { timeout: 30_000 });
  await nextFrames(p.page, 3);
}

const saved = (p: PanelPage) => p.page.evaluate(() => (window as unknown as { __state: { choices?: unknown } }).__state);

async function choose(p: PanelPage, label: string, value: string): Promise<void> {
  await p.page.evaluate(
    ([label, value]) => {
      const d = document.querySelector(`.choices vscode-dropdown[aria-label="${label}"]`) as HTMLElement & { value: string };
      d.value = value!;
      d.dispatchEvent(new Event('change'));
    },
    [label, value],
  );
}

describe('PyTorch and ONNX files in the panel', () => {
  let browser: Browser;
  let served: Served;
  before(async () => {
    served = await serve();
    browser = await launch();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser.close();
    await served.close();
  });

  test('a state dict with two recurrent modules: pick the decoder, switch it to relu; re-run each time, saved, real PyTorch numbers', async () => {
    let session = await torchSession({});
    const asked: ModelChoices[] = [];
    const p = await openPanelPage(browser, served, null, {
      width: 1400,
      host: async (m, send) => {
        if (m.type === 'setChoices') {
          // As CellscopePanel.rerun: load the file again with the choice and send a fresh init.
          asked.push({ module: m.module, nonlinearity: m.nonlinearity });
          session = await torchSession({ module: m.module, nonlinearity: m.nonlinearity });
          await send(session.initMessage());
          const c = session.comparisonMessage();
          if (c) await send(c);
          return;
        }
        await answer(session, m, send);
      },
    });
    await applyTheme(p.page, 'dark');
    await drawn(p);
    // The first module opens; the picker lists both; no nonlinearity switch for an LSTM.
    assert.match(await p.page.locator('.header h1').innerText(), /encoder/);
    assert.match(await p.page.locator('.header .files').innerText(), /encdec\.pt/);
    assert.equal(await p.page.locator('.choices vscode-dropdown[aria-label="Recurrent module"] vscode-option').count(), 2);
    assert.match(await p.page.locator('.choices').innerText(), /2 recurrent modules in this state dict/);
    assert.equal(await p.page.locator('.choices vscode-dropdown[aria-label="nn.RNN nonlinearity"]').count(), 0);
    assert.deepEqual((await saved(p)).choices, { module: 'encoder', nonlinearity: 'tanh' });
    // PyTorch's gate names, Keras's beside them: nn.LSTM's g is Keras's c̃.
    const titles = await p.page.locator('.gates .chart-title').allInnerTexts();
    assert.ok(titles.some((t) => t.startsWith('g — Keras c̃ · candidate cell value')), titles.join(' | '));
    assert.ok(!titles.some((t) => t.startsWith('c̃')), titles.join(' | '));
    // The cell diagram's gates under PyTorch's names too (it drew Keras's c̃ before).
    const gates = await p.page.locator('.card.cell svg .node.gate text.label').allTextContents();
    assert.deepEqual(gates.sort(), ['f', 'g', 'i', 'o']);

    await choose(p, 'Recurrent module', 'decoder');
    await p.page.waitForFunction(() => /SimpleRNN|RNN/.test(document.querySelector('.header table.layers')?.textContent ?? '') && document.querySelector('.choices vscode-dropdown[aria-label="nn.RNN nonlinearity"]') !== null, null, { timeout: 30_000 });
    await drawn(p);
    assert.deepEqual(asked, [{ module: 'decoder', nonlinearity: 'tanh' }]);
    // tanh is not what this decoder computes: the comparison with real PyTorch's output says so.
    await p.page.waitForFunction(() => document.querySelector('.compare-text .badge') !== null, null, { timeout: 30_000 });
    assert.match(await p.page.locator('.compare-text').innerText(), /50 of 50 differ/);

    await choose(p, 'nn.RNN nonlinearity', 'relu');
    await p.page.waitForFunction(() => /matches/.test(document.querySelector('.compare-text')?.textContent ?? ''), null, { timeout: 30_000 });
    await drawn(p);
    assert.deepEqual(asked.at(-1), { module: 'decoder', nonlinearity: 'relu' });
    assert.deepEqual((await saved(p)).choices, { module: 'decoder', nonlinearity: 'relu' });
    await p.page.screenshot({ path: join(SHOTS, 'torch-encdec-decoder-relu-dark.png'), fullPage: true });
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []); // (the toolkit's own styles)
    assert.deepEqual(p.malformedFromWebview, []);
    await p.page.context().close();
  });

  test('an ONNX graph runs whole: its LSTM gates are charted, the header shows the graph', async () => {
    const bytes = readFileSync(join(DIR, 'lstm_ok.onnx'));
    const opened = await openModelBytes(bytes, 'lstm_ok.onnx', () => Promise.reject(new Error('not an engine model')));
    const input = loadArrayBytes(readFileSync(join(DIR, 'input.json')), 'input.json');
    const session = new PanelSession({ loaded: opened, input, files: { fileUri: `file://${DIR}/lstm_ok.onnx`, model: 'lstm_ok.onnx', input: 'input.json', recording: null } });
    const init = session.initMessage();
    assert.equal(init.layers.length, 1);
    assert.equal(init.layers[0]!.cell, 'lstm');
    assert.equal(init.choices, null);
    const p = await openPanelPage(browser, served, session, { width: 1400 });
    await applyTheme(p.page, 'light');
    await drawn(p);
    const header = await p.page.locator('.header').innerText();
    assert.match(header, /ONNX opset 17/);
    assert.match(header, /LSTM/);
    assert.equal(await p.page.locator('.choices').count(), 0);
    // ONNX's LSTM gate c is not the state c: "c gate", Keras's c̃ beside it.
    const titles = await p.page.locator('.gates .chart-title').allInnerTexts();
    assert.ok(titles.some((t) => t.startsWith('c gate — Keras c̃')), titles.join(' | '));
    assert.deepEqual((await p.page.locator('.card.cell svg .node.gate text.label').allTextContents()).sort(), ['c gate', 'f', 'i', 'o']);
    // The comparison card names ONNX, not Keras, when a recording is missing.
    assert.match(await p.page.locator('.card.compare').innerText(), /No recorded ONNX output for this input/);
    await p.page.screenshot({ path: join(SHOTS, 'onnx-lstm-light.png'), fullPage: true });
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []); // (the toolkit's own styles)
    await p.page.context().close();
  });

  test('Compare with another model: B (an ONNX file with its gate blocks in Keras order) overlaid, per-gate |Δ|, first divergence, diagnosis and mapping code', async () => {
    const a = await loadModelBytes(readFileSync(join(DIR, 'lstm.pt')), 'lstm.pt');
    const input = loadArrayBytes(readFileSync(join(DIR, 'input.json')), 'input.json');
    const session = new PanelSession({ loaded: a, input, files: { fileUri: `file://${DIR}/lstm.pt`, model: 'lstm.pt', input: 'input.json', recording: null } });
    const bBytes = readFileSync(join(DIR, 'lstm_keras_order.onnx'));
    const b = await openModelBytes(bBytes, 'lstm_keras_order.onnx', () => Promise.reject(new Error('not an engine model')));
    const p = await openPanelPage(browser, served, session, {
      width: 1400,
      host: async (m, send) => {
        // As PortCompare.run, with the file the user would pick: the check runs on the panel's own input.
        if (m.type === 'requestPortCheck') await send({ type: 'portCheck', re: m.id, result: portCheckForPanel({ model: panelModelOf(a), file: 'lstm.pt' }, { model: panelModelOf(b), file: 'lstm_keras_order.onnx' }, input, { atol: 1e-5, rtol: 0 }), error: null });
      },
    });
    await applyTheme(p.page, 'dark');
    await drawn(p);
    await p.page.locator('.port vscode-button', { hasText: 'Compare with another model' }).click();
    await p.page.waitForFunction(() => document.querySelector('.port-verdict') !== null, null, { timeout: 30_000 });
    await drawn(p);
    assert.ok(p.received.some((m) => m.type === 'requestPortCheck' && m.id > 0));
    const text = await p.page.locator('.port').innerText();
    assert.match(text, /differ\s+A: lstm\.pt \(PyTorch\) ↔ B: lstm_keras_order\.onnx \(ONNX\)/);
    // The per-gate table names both frameworks' gates: PyTorch g is ONNX's c gate.
    assert.match(text, /g \(PyTorch\) = c \(gate\) \(ONNX\)\s+\d\.\d\de[+-]\d+/);
    assert.match(text, /First divergence:\s+layer 1 \(lstm_l0 ↔ \/rnn\/LSTM\), gate f, step 0, unit 0, batch item 0/);
    assert.match(text, /ONNX LSTM gate blocks \(W, R, B\) written in order i,f,c,o \(Keras and PyTorch order\), where ONNX reads i,o,f,c — in B \(lstm_keras_order\.onnx\)/);
    assert.match(text, /max \|Δ\| \S+ → \S+ once it is undone/);
    assert.match(await p.page.locator('.port-code').innerText(), /def iofc\(w\)/);
    // B's gates dashed on A's charts, said in the legend.
    assert.match(await p.page.locator('.gates .unit-legend').innerText(), /dashed: lstm_keras_order\.onnx \(ONNX\)/);
    await p.page.locator('.port vscode-button', { hasText: 'Show in the charts' }).click();
    await nextFrames(p.page, 3);
    const st = (await saved(p)) as unknown as { layer: number; step: number; focusUnit: number; batch: number };
    assert.deepEqual([st.layer, st.step, st.focusUnit, st.batch], [0, 0, 0, 0]);
    await p.page.screenshot({ path: join(SHOTS, 'port-compare-dark.png'), fullPage: true });
    await applyTheme(p.page, 'light');
    await nextFrames(p.page, 3);
    await p.page.locator('.port').screenshot({ path: join(SHOTS, 'port-compare-card-light.png') });
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []); // (the toolkit's own styles)
    assert.deepEqual(p.malformedFromWebview, []);
    await p.page.context().close();
  });
});
