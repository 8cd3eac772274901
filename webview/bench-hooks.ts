/**
 * Step-to-render timing and the open timeline, for the benchmark (bench/panel.mjs) and the tests. Recorded only
 * after a `perf` start message: from each key press (its event time) to the next animation frame after the step it
 * caused was drawn with its values. Figures go to `data-cellscope-perf` on <html>.
 */
import type { PerfMessage } from '../src/protocol';

export interface BenchHooks {
  /** Wall-clock time (ms since 1970, the benchmark's clock) of a moment: init, trace, first reply of each kind, charts, heat. */
  mark(name: string, once?: boolean): void;
  /** Whether a mark was taken since init. */
  has(name: string): boolean;
  /** The page is about to say `ready` to the host. */
  ready(): void;
  /** A new run (init): the marks start again from the page's own. */
  restart(): void;
  /** The current step was drawn with its values. */
  drawn(): void;
  onPerf(m: PerfMessage): void;
}

export function benchHooks(traceBytes: () => number): BenchHooks {
  const perf = { on: false, key: 0, samples: [] as number[], marks: {} as Record<string, number> };
  /** When this page started loading and when it said `ready`: the webview's own share of a panel's opening. */
  const bootMarks: Record<string, number> = { page: performance.timeOrigin };
  const report = () => {
    const mem = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
    document.documentElement.dataset.cellscopePerf = JSON.stringify({ samples: perf.samples, marks: perf.marks, heapBytes: mem?.usedJSHeapSize ?? null, traceBytes: traceBytes() });
  };
  const mark = (name: string, once = false) => {
    if (once && perf.marks[name] !== undefined) return;
    perf.marks[name] = performance.timeOrigin + performance.now();
    report();
  };
  document.addEventListener('keydown', (e) => {
    if (perf.on) perf.key = e.timeStamp;
  }, true);
  return {
    mark,
    has: (name) => perf.marks[name] !== undefined,
    ready() {
      bootMarks.ready = performance.timeOrigin + performance.now();
    },
    restart() {
      perf.marks = { ...bootMarks };
    },
    drawn() {
      if (!perf.on || !perf.key) return;
      const key = perf.key;
      perf.key = 0;
      requestAnimationFrame(() => {
        perf.samples.push(performance.now() - key);
        report();
      });
    },
    onPerf(m) {
      perf.on = m.action === 'start';
      perf.key = 0;
      if (perf.on) perf.samples = [];
      report();
    },
  };
}
