/**
 * What every section is handed: the store, the scheduler, the channel to the host, the moves (step, layer, batch)
 * and the benchmark's hooks. Sections read the store and call these; none keeps state of its own that the user chose.
 */
import type { FromWebview } from '../src/protocol';
import type { BenchHooks } from './bench-hooks';
import type { Navigation } from './navigate';
import type { Playground } from './playground';
import type { Scheduler, Store } from './store';

export interface Panel {
  store: Store;
  scheduler: Scheduler;
  post(m: FromWebview): void;
  nav: Navigation;
  bench: BenchHooks;
  /** Play / pause (Space, the toolbar, the host's command). */
  togglePlay(force?: boolean): void;
  /** A line for screen readers (the panel's live region). */
  announce(text: string): void;
  /** The input playground: edits, precision, reset, save (kept across re-runs). */
  playground: Playground;
}
