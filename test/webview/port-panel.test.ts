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
    assert.match(await p.page.locator('.gates').innerText(), /c̃|f/);

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
    await p.page.screenshot({ path: join(SHOTS, 'onnx-lstm-light.png'), fullPage: true });
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []); // (the toolkit's own styles)
    await p.page.context().close();
  });
});
