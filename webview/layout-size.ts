/**
 * An element's laid-out size for drawing during a step without forcing a layout. Reading clientWidth after another
 * section wrote to the page (a readout, a table) makes the browser lay the whole panel out there and then; with a
 * dozen sections each drawing a cursor, that was most of a step's time (issue #16). The size is measured once when
 * first asked (before ResizeObserver's first report, e.g. to size the first heatmap request) and from then on kept
 * from ResizeObserver's reports, which come after the browser's own layout; `onResize` redraws at the new size.
 */
export interface LayoutSize {
  /** CSS pixels, as clientWidth / clientHeight (0 while hidden). */
  readonly w: number;
  readonly h: number;
}

export function trackSize(el: HTMLElement, onResize: () => void): () => LayoutSize {
  let size: LayoutSize | null = null;
  new ResizeObserver(() => {
    // Inside the observer's callback the layout is fresh: reading it costs nothing.
    size = { w: el.clientWidth, h: el.clientHeight };
    onResize();
  }).observe(el);
  return () => (size ??= { w: el.clientWidth, h: el.clientHeight });
}
