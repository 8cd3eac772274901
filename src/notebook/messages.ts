/**
 * What the notebook renderer (webview/notebook/) and the extension host say to each other through VS Code's renderer
 * messaging. Both ends check what arrives: a notebook output is data from a file, and messages cross as JSON
 * (src/transport.ts keeps NaN and ±Infinity).
 */
import type { NotebookResult } from './bundle';

/** The renderer's id in package.json (`contributes.notebookRenderer`), also its messaging channel. */
export const NOTEBOOK_RENDERER_ID = 'cellscope.notebook';

/** Renderer → host. `data` is the output's bundle, checked by the host's loaders. */
export type ToHost = { type: 'run'; requestId: number; data: unknown } | { type: 'openPanel'; data: unknown };

/** Host → renderer: the answer to `run` with the same requestId. */
export type ToRenderer = { type: 'result'; requestId: number; result: NotebookResult; l10n: RendererL10n } | { type: 'error'; requestId: number; message: string };

/** VS Code's display language and its bundle (vscode.l10n.bundle), for the renderer's words and numbers (webview/l10n.ts). */
export interface RendererL10n {
  language: string;
  bundle: Record<string, string>;
}

const isRecord = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null && !Array.isArray(m);

export function isToHost(m: unknown): m is ToHost {
  if (!isRecord(m)) return false;
  if (m.type === 'run') return Number.isInteger(m.requestId) && 'data' in m;
  return m.type === 'openPanel' && 'data' in m;
}

export function isToRenderer(m: unknown): m is ToRenderer {
  if (!isRecord(m) || !Number.isInteger(m.requestId)) return false;
  if (m.type === 'error') return typeof m.message === 'string';
  if (m.type !== 'result' || !isRecord(m.result) || !isRecord(m.l10n) || typeof m.l10n.language !== 'string' || !isRecord(m.l10n.bundle)) return false;
  const r = m.result;
  return typeof r.name === 'string' && Array.isArray(r.layers) && Array.isArray(r.inputShape) && typeof r.layersText === 'string';
}
