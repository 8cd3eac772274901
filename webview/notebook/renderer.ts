/**
 * Cellscope's notebook output renderer (`contributes.notebookRenderer`, MIME application/vnd.cellscope+json, written by
 * `cellscope.show(model, x)` in python/cellscope). It holds no engine: each output asks the extension host, through
 * VS Code's renderer messaging, to run its model (src/extension/notebook.ts) and draws the answer. Without the
 * extension host (e.g. a notebook viewer that only renders), it says so; other front ends show the text/plain part.
 */
import type { ActivationFunction } from 'vscode-notebook-renderer';
import { isToRenderer, type ToHost, type ToRenderer } from '../../src/notebook/messages';
import { fromWire } from '../../src/transport';
import { addStyle } from './style';
import { NotebookView } from './view';
import * as l10n from '../l10n';

export const activate: ActivationFunction = (ctx) => {
  addStyle(document);
  const views = new Map<string, NotebookView>();
  const waiting = new Map<number, (m: ToRenderer) => void>();
  let nextRequest = 1;
  ctx.onDidReceiveMessage?.((raw) => {
    const m = fromWire(raw);
    if (!isToRenderer(m)) return;
    waiting.get(m.requestId)?.(m);
    waiting.delete(m.requestId);
  });
  const post = (m: ToHost) => ctx.postMessage?.(m);

  return {
    renderOutputItem(item, element) {
      views.get(item.id)?.dispose();
      let data: unknown;
      try {
        data = item.json();
      } catch {
        element.textContent = 'Cellscope: this output is not valid JSON.';
        return;
      }
      const name = typeof (data as { name?: unknown })?.name === 'string' ? (data as { name: string }).name : 'model';
      const view = new NotebookView(name, ctx.postMessage ? () => post({ type: 'openPanel', data }) : null);
      views.set(item.id, view);
      element.replaceChildren(view.root);
      if (!ctx.postMessage) {
        view.message('The Cellscope extension runs this model: open the notebook in VS Code with Cellscope installed.');
        return;
      }
      view.message('Running the model…');
      const requestId = nextRequest++;
      // The host's answer carries the display language and its bundle (the renderer has no other way to know them).
      waiting.set(requestId, (m) => (m.type === 'result' ? (l10n.setL10n(m.l10n.language, m.l10n.bundle), view.show(m.result)) : view.message(m.message)));
      post({ type: 'run', requestId, data });
    },
    disposeOutputItem(id) {
      if (id === undefined) {
        views.forEach((v) => v.dispose());
        views.clear();
      } else {
        views.get(id)?.dispose();
        views.delete(id);
      }
    },
  };
};
