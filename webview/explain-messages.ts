/** The host's answers to the Explain views' requests, fed to the store's ExplainSource (main.ts routes them here). */
import type { ToWebview } from '../src/protocol';
import type { Scheduler, Store } from './store';

type Handlers = { [K in 'output' | 'explainProgress' | 'explanation' | 'explainError']: (m: Extract<ToWebview, { type: K }>) => void };

export function explainHandlers(store: Store, scheduler: Scheduler): Handlers {
  const mark = (changed: boolean | undefined) => changed && scheduler.mark('explain');
  return {
    output: (m) => mark(store.explain?.onOutput(m)),
    explainProgress: (m) => mark(store.explain?.onProgress(m)),
    explanation: (m) => mark(store.explain?.onExplanation(m)),
    explainError: (m) => mark(store.explain?.onError(m)),
  };
}
