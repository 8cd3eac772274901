// Step commands reach the webview only when its page listens: VS Code drops messages to a hidden webview, and one
// shown again reloads its page (the in-host suite's "Step Forward did not move" under load came from that gap).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepAction } from '../../src/protocol';
import { StepDelivery } from '../../src/extension/panel/step-delivery';

test('a step before the page is ready waits for ready; a hidden panel keeps the last one; a shown, ready page gets it at once', () => {
  const sent: StepAction[] = [];
  const d = new StepDelivery((a) => sent.push(a));
  d.step('forward', true); // visible, but the page has not said ready yet (right after reveal)
  assert.deepEqual(sent, []);
  d.ready();
  assert.deepEqual(sent, ['forward']);
  d.step('back', true);
  assert.deepEqual(sent, ['forward', 'back']);
  d.hidden();
  d.step('forward', true); // shown again before its page reloaded
  d.step('back', false);
  assert.deepEqual(sent, ['forward', 'back'], 'nothing is posted to a page that is not listening');
  d.ready();
  assert.deepEqual(sent, ['forward', 'back', 'back'], 'the last command is sent once the page is ready');
  d.ready();
  assert.equal(sent.length, 3, 'and only once');
});
