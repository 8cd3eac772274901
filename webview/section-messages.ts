/**
 * The host's messages that feed a section's data rather than the run's (main.ts spreads them into its handlers):
 * the Explain views' answers, and the "Compare with another model…" answer (B's overlay and the port view).
 */
import type { ToWebview } from '../src/protocol';
import { explainHandlers } from './explain-messages';
import type { Scheduler, Store } from './store';

export function sectionHandlers(store: Store, scheduler: Scheduler): ReturnType<typeof explainHandlers> & { portCheck: (m: Extract<ToWebview, { type: 'portCheck' }>) => void } {
  return {
    ...explainHandlers(store, scheduler),
    portCheck: (m) => ((store.port = m), scheduler.mark('data')),
  };
}
