/** The webview's end of the channel to the host (VS Code's webview API): messages, and the saved panel state. */
import { isToWebview, type FromWebview, type PanelState, type ToWebview } from '../src/protocol';
import { channel } from '../src/transport';

interface VsCodeApi {
  postMessage(m: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface Bridge {
  post(m: FromWebview): void;
  /** Calls `on` with every well-formed message from the host (malformed ones are logged to the console and the host). */
  listen(on: (m: ToWebview) => void): void;
  saved(): unknown;
  save(s: PanelState): void;
}

export function bridge(): Bridge {
  const api = acquireVsCodeApi();
  const ch = channel<ToWebview, FromWebview>({
    post: (w) => api.postMessage(w),
    accepts: isToWebview,
    log: (text) => {
      console.warn(`cellscope: ${text}`);
      ch.send({ type: 'log', level: 'warn', message: text });
    },
  });
  return {
    post: ch.send,
    listen(on) {
      window.addEventListener('message', (e: MessageEvent) => {
        const m = ch.receive(e.data);
        if (m) on(m);
      });
    },
    saved: () => api.getState(),
    save: (s) => api.setState(s),
  };
}
