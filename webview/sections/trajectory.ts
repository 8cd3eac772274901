/**
 * State trajectory: a recurrent layer's h_t projected on its first two principal components (fitted on every item
 * and step of the run, src/explain/dynamics/trajectory.ts) and drawn as a path over time — the current batch item
 * bold, shading from start (faint) to end, the others thin — with the step cursor as a ring. Hovering names the
 * nearest step; a click moves the cursor there.
 */
import type { LayerDynamicsView } from '../../src/protocol';
import { h, labelled, section, setHidden, setText } from '../dom';
import { trackSize } from '../layout-size';
import type { Theme } from '../theme';
import { explainChoices } from '../explain-state';
import type { Panel } from '../panel';
import { fmt, type View } from '../store';
import { dropdown } from '../toolkit';
import * as l10n from '../l10n';
import { onScreen } from '../on-screen';

const PAD = 36;

export function mountTrajectory(p: Panel, parent: ParentNode): View {
  const { store, scheduler, nav } = p;
  const card = section(l10n.t('State trajectory'), 'trajectory');
  const layerPick = dropdown(l10n.t('Trajectory layer'), (v) => ((explainChoices(store).trajectoryLayer = Number(v)), scheduler.mark('explain')));
  const note = h('span', 'muted', '');
  card.head.append(labelled(l10n.t('Layer'), layerPick.element), note);
  const box = h('div', 'trajectory-box');
  const canvas = h('canvas');
  canvas.setAttribute('role', 'img');
  canvas.tabIndex = 0;
  const readout = h('div', 'muted trajectory-readout');
  box.append(canvas);
  card.body.append(box, readout);
  parent.append(card.root);
  let view: { d: LayerDynamicsView; lo: [number, number]; hi: [number, number] } | null = null;
  let layersKey = '';

  const current = (): LayerDynamicsView | null => {
    const r = store.explain?.result;
    if (!r?.dynamics.length) return null;
    const want = explainChoices(store).trajectoryLayer;
    return r.dynamics.find((d) => d.layer === want) ?? r.dynamics[0]!;
  };
  const pt = (d: LayerDynamicsView, b: number, t: number): [number, number] => {
    const o = (b * d.trajectory.steps + t) * d.trajectory.components;
    return [d.trajectory.points[o]!, d.trajectory.components > 1 ? d.trajectory.points[o + 1]! : 0];
  };
  const toPx = (x: number, y: number): [number, number] => {
    const { lo, hi } = view!;
    const w = size().w - 2 * PAD;
    const hh = size().h - 2 * PAD;
    return [PAD + ((x - lo[0]) / (hi[0] - lo[0] || 1)) * w, PAD + hh - ((y - lo[1]) / (hi[1] - lo[1] || 1)) * hh];
  };
  const nearest = (px: number, py: number): number => {
    const d = view!.d;
    let best = -1;
    let bestD = Infinity;
    for (let t = 0; t < d.trajectory.steps; t++) {
      const [x, y] = pt(d, store.state.batch, t);
      if (!Number.isFinite(x)) continue;
      const [qx, qy] = toPx(x, y);
      const dd = (qx - px) ** 2 + (qy - py) ** 2;
      if (dd < bestD) [best, bestD] = [t, dd];
    }
    return best;
  };
  /** The point at step t in words (of the layer shown, or of d: the readout is written before the picture is painted). */
  const describe = (t: number, d: LayerDynamicsView = view!.d) => {
    const [x, y] = pt(d, store.state.batch, t);
    return l10n.t('step {0}: PC1 {1}, PC2 {2}', t, fmt(x), fmt(y));
  };

  /** The paths (drawn once per layer, batch item, theme and size: a step moves only the ring) and the cursor's ring. */
  const draw = () => {
    const d = current();
    if (!d || !size().w) return;
    shown.draw(paintCanvas);
    const T = d.trajectory.steps;
    const t = store.state.step;
    setText(readout, t < T ? l10n.t('cursor {0} · ○ start, ● end; batch item {1} bold, the others thin', describe(t, d), store.state.batch) : '');
  };
  /** The cursor's ring on the kept picture, once the canvas is near the viewport (webview/on-screen.ts). */
  const paintCanvas = () => {
    const d = current();
    const { w: W, h: H } = size();
    if (!d || !W) return;
    const th = store.theme;
    const dpr = window.devicePixelRatio || 1;
    const key = [store.state.batch, W, H, dpr].join();
    if (!picture || picture.d !== d || picture.theme !== th || picture.key !== key) picture = { d, theme: th, key, image: paint(d, W, H, dpr) };
    if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(H * dpr)) {
      canvas.width = Math.round(W * dpr);
      canvas.height = Math.round(H * dpr);
    }
    const g = canvas.getContext('2d')!;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.drawImage(picture.image, 0, 0);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const T = d.trajectory.steps;
    const t = store.state.step;
    if (t < T) dot(g, d, t, 6, null, th.cursor);
  };

  const dot = (g: CanvasRenderingContext2D, d: LayerDynamicsView, t: number, r: number, fill: string | null, stroke: string | null) => {
    const [x, y] = pt(d, store.state.batch, t);
    if (!Number.isFinite(x)) return;
    const [qx, qy] = toPx(x, y);
    g.beginPath();
    g.arc(qx, qy, r, 0, Math.PI * 2);
    if (fill) ((g.fillStyle = fill), g.fill());
    if (stroke) ((g.strokeStyle = stroke), (g.lineWidth = 2), g.stroke());
  };

  /** Frame, axis names, every item's path and the start and end marks, on a canvas of W × H CSS pixels. */
  const paint = (d: LayerDynamicsView, W: number, H: number, dpr: number): HTMLCanvasElement => {
    const th = store.theme;
    const out = h('canvas');
    out.width = Math.round(W * dpr);
    out.height = Math.round(H * dpr);
    const g = out.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const lo: [number, number] = [Infinity, Infinity];
    const hi: [number, number] = [-Infinity, -Infinity];
    for (let b = 0; b < d.trajectory.batch; b++) for (let t = 0; t < d.trajectory.steps; t++) {
      const q = pt(d, b, t);
      for (let k = 0; k < 2; k++) if (Number.isFinite(q[k]!)) [lo[k], hi[k]] = [Math.min(lo[k]!, q[k]!), Math.max(hi[k]!, q[k]!)];
    }
    view = { d, lo, hi };
    g.strokeStyle = th.grid;
    g.strokeRect(PAD - 0.5, PAD - 0.5, W - 2 * PAD + 1, H - 2 * PAD + 1);
    g.fillStyle = th.muted;
    g.font = `11px ${th.font}`;
    const pct = (k: number) => `${((d.trajectory.explained[k] ?? 0) * 100).toFixed(0)} %`;
    g.textAlign = 'center';
    g.fillText(l10n.t('PC1 ({0} of the variance)', pct(0)), W / 2, H - 10);
    g.save();
    g.translate(12, H / 2);
    g.rotate(-Math.PI / 2);
    g.fillText(`PC2 (${pct(1)})`, 0, 0);
    g.restore();
    const path = (b: number, width: number, colour: (t: number) => string) => {
      let prev: [number, number] | null = null;
      for (let t = 0; t < d.trajectory.steps; t++) {
        const [x, y] = pt(d, b, t);
        if (!Number.isFinite(x)) continue;
        const q = toPx(x, y);
        if (prev) {
          g.strokeStyle = colour(t);
          g.lineWidth = width;
          g.beginPath();
          g.moveTo(prev[0], prev[1]);
          g.lineTo(q[0], q[1]);
          g.stroke();
        }
        prev = q;
      }
    };
    g.globalAlpha = 0.35;
    for (let b = 0; b < d.trajectory.batch; b++) if (b !== store.state.batch) path(b, 1, () => th.series[(b % (th.series.length - 1)) + 1]!);
    g.globalAlpha = 1;
    const T = d.trajectory.steps;
    path(store.state.batch, 2, (t) => mix(th.series[0]!, t / Math.max(1, T - 1)));
    dot(g, d, 0, 4, th.bg, th.series[0]!);
    dot(g, d, T - 1, 4, th.series[0]!, null);
    return out;
  };

  canvas.addEventListener('mousemove', (e) => {
    if (!view) return;
    const t = nearest(e.offsetX, e.offsetY);
    if (t >= 0) canvas.title = describe(t);
  });
  canvas.addEventListener('click', (e) => {
    if (!view) return;
    const t = nearest(e.offsetX, e.offsetY);
    if (t >= 0) nav.setStep(t);
  });
  const size = trackSize(canvas, () => draw());
  const shown = onScreen(canvas);
  let picture: { d: LayerDynamicsView; theme: Theme; key: string; image: HTMLCanvasElement } | null = null;

  return {
    dispose: () => shown.dispose(),
    render(dirty) {
      const r = store.explain?.result ?? null;
      setHidden(card.root, !store.init?.layers.length);
      setHidden(box, !r?.dynamics.length);
      if (!r) setText(note, l10n.t('Explain a target to project the states (PCA)'));
      if (r && (dirty.has('explain') || dirty.has('data'))) {
        const key = r.dynamics.map((d) => d.layer).join();
        const d = current()!;
        if (key !== layersKey) {
          layersKey = key;
          layerPick.setChoices(r.dynamics.map((x) => ({ value: String(x.layer), label: store.init!.layers[x.layer]!.layerName + (store.init!.layers[x.layer]!.direction === 'backward' ? ' (backward)' : '') })), String(d.layer));
        }
        layerPick.setValue(String(d.layer));
        note.textContent = l10n.t('{0}_t of {1} item(s) × {2} steps, PCA fitted on them all', d.trajectory.state, d.trajectory.batch, d.trajectory.steps);
      }
      draw();
    },
  };
}

/** The colour at share f of the way from faint to full (the path's direction in time). */
function mix(colour: string, f: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(colour.trim());
  const a = 0.25 + 0.75 * f;
  if (!m) return colour;
  const n = parseInt(m[1]!, 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${a.toFixed(3)})`;
}
