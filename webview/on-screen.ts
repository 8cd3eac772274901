/**
 * Canvas drawing that waits for its canvas to come near the viewport (#16). A step redraws a dozen canvases (cursor
 * overlays, step bars, attribution, trajectory) and most of them are scrolled out of sight: their pixels are drawn
 * when they come within MARGIN of the viewport, with the step shown then. Only pixels wait: every text readout, aria
 * label and value stays current on every step (screen readers read them wherever the panel is scrolled).
 */

/** Drawn this far ahead of the viewport's edges: a chart scrolled into view usually has its step already. */
const MARGIN = '200px';

interface Watched {
  near: boolean;
  pending: (() => void) | null;
}

const watched = new WeakMap<Element, Watched>();
let observer: IntersectionObserver | null = null;

function watch(): IntersectionObserver {
  return (observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const w = watched.get(e.target);
        if (!w) continue;
        w.near = e.isIntersecting;
        if (!w.near || !w.pending) continue;
        const draw = w.pending;
        w.pending = null;
        draw();
      }
    },
    { rootMargin: MARGIN },
  ));
}

export interface OnScreen {
  /** Runs `draw` now when the element is near the viewport (or before the browser first said where it is), else keeps it (the last one) for when it comes near. */
  draw(draw: () => void): void;
  /** Stops watching (the element leaves the page for good). */
  dispose(): void;
}

export function onScreen(el: Element): OnScreen {
  const w: Watched = { near: true, pending: null };
  watched.set(el, w);
  watch().observe(el);
  return {
    draw(draw) {
      if (w.near) {
        w.pending = null;
        draw();
      } else w.pending = draw;
    },
    dispose() {
      w.pending = null;
      observer?.unobserve(el);
      watched.delete(el);
    },
  };
}
