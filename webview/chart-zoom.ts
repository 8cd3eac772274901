/**
 * Zoom and pan on the time axis of the line charts, as on the heatmap: the wheel zooms around the pointer, a drag pans,
 * a double-click shows everything again, a click without a drag goes to that step. The range is the store's
 * (`xRange`), so the gate charts and the input chart always show the same steps. (chartjs-plugin-zoom would bring
 * hammerjs, unmaintained since 2016, for its pan gesture; this is the small part of it the panel needs.)
 */
import type { LineChart } from './charts';
import type { Store } from './store';

/** Fewest steps a zoomed chart shows. */
const MIN_SPAN = 2;

/** The store's range clipped to an axis of n steps (null: the whole axis, or a range that no longer fits). */
export function shownRange(store: Store, n: number): [number, number] | null {
  const r = store.xRange;
  if (!r || r[0] >= n - 1 || r[1] - r[0] >= n - 1) return null;
  return [Math.max(0, r[0]), Math.min(n - 1, r[1])];
}

export interface ZoomOptions {
  /** Steps on the axis (0 … n − 1). */
  steps(): number;
  /** The range changed: redraw every chart. */
  changed(): void;
  /** A click without a drag at step x. */
  click?(x: number): void;
  /** Another gesture takes this pointer press (the input chart's point drag): true when it did. */
  grab?(e: PointerEvent): boolean;
}

export function zoomable(chart: LineChart, store: Store, o: ZoomOptions): void {
  const box = chart.chartCanvas.parentElement!;
  box.classList.add('zoomable');
  const set = (r: [number, number] | null) => {
    store.xRange = r;
    o.changed();
  };
  /** Moves [lo, lo + w] inside the axis. */
  const fit = (lo: number, w: number): [number, number] | null => {
    const last = o.steps() - 1;
    if (w >= last) return null;
    const a = Math.max(0, Math.min(last - w, lo));
    return [a, a + w];
  };
  box.addEventListener(
    'wheel',
    (e) => {
      const at = chart.xAt(e.offsetX);
      const n = o.steps();
      if (!at || n < MIN_SPAN + 1) return;
      const [a, b] = shownRange(store, n) ?? [0, n - 1];
      const f = e.deltaY > 0 ? 1.25 : 0.8;
      if (f > 1 && a <= 0 && b >= n - 1) return; // everything is shown: the wheel scrolls the page
      e.preventDefault();
      const x = Math.max(a, Math.min(b, at.x));
      const w = Math.max(MIN_SPAN, (b - a) * f);
      set(fit(x - (x - a) * (w / (b - a)), w));
    },
    { passive: false },
  );
  let drag: { id: number; px: number; range: [number, number] | null; moved: boolean } | null = null;
  box.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || o.grab?.(e)) return;
    drag = { id: e.pointerId, px: e.offsetX, range: shownRange(store, o.steps()), moved: false };
    box.setPointerCapture(e.pointerId);
  });
  box.addEventListener('pointermove', (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    if (Math.abs(e.offsetX - drag.px) > 3) drag.moved = true;
    const at = chart.xAt(e.offsetX);
    if (!drag.moved || !drag.range || !at) return;
    box.classList.add('panning');
    const [a, b] = drag.range;
    const dx = ((e.offsetX - drag.px) / Math.max(1, at.right - at.left)) * (b - a);
    set(fit(a - dx, b - a));
  });
  const end = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const click = !drag.moved;
    drag = null;
    box.classList.remove('panning');
    const at = chart.xAt(e.offsetX);
    if (click && at && e.offsetX >= at.left && e.offsetX <= at.right) o.click?.(Math.round(at.x));
  };
  box.addEventListener('pointerup', end);
  box.addEventListener('pointercancel', () => {
    drag = null;
    box.classList.remove('panning');
  });
  box.addEventListener('dblclick', () => set(null));
}
