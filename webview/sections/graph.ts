/**
 * Model graph: every layer call as a box (columns by distance from the inputs, src/panel/graph-view.ts), an arrow per
 * tensor it reads; `mask=` arrows dashed, `initial_state=` arrows in the state colour. Recurrent layers are
 * highlighted and the one the panel shows is marked; clicking (or Enter on) a recurrent box selects that layer.
 * Hovering a box names its class, and what it reads from where.
 */
import type { InitMessage } from '../../src/protocol';
import { h, section } from '../dom';
import * as l10n from '../l10n';
import type { Panel } from '../panel';
import type { View } from '../store';

const SVG = 'http://www.w3.org/2000/svg';
const BOX_W = 150;
const BOX_H = 40;
const GAP_X = 48;
const GAP_Y = 14;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, cls = ''): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (cls) e.setAttribute('class', cls);
  return e;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function mountGraph(p: Panel, init: InitMessage, parent: ParentNode): View {
  const g = init.graph;
  // A chain of one recurrent layer says nothing a graph would add; ONNX graphs have none.
  if (!g || g.nodes.length <= 2) return { render: () => undefined };
  const { store, nav } = p;
  const card = section(l10n.t('Model graph'), 'model-graph');
  const legend = h('span', 'muted', l10n.t('blue: recurrent layers (click to show one; glowing: shown); dashed: mask; orange: initial state; bold: model output'));
  card.head.append(legend);
  const width = g.columns * (BOX_W + GAP_X) - GAP_X + 16;
  const height = g.rows * (BOX_H + GAP_Y) - GAP_Y + 16;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-label': l10n.t('Model graph') }, 'graph-view');
  const defs = svg('defs', {});
  const marker = svg('marker', { id: 'graph-arrow', viewBox: '0 0 8 8', refX: 8, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto' });
  marker.append(svg('path', { d: 'M0,0 L8,4 L0,8 z' }, 'arrowhead'));
  defs.append(marker);
  root.append(defs);
  const x = (c: number) => 8 + c * (BOX_W + GAP_X);
  const y = (r: number) => 8 + r * (BOX_H + GAP_Y);
  for (const e of g.edges) {
    const a = g.nodes[e.from]!;
    const b = g.nodes[e.to]!;
    const [x1, y1, x2, y2] = [x(a.column) + BOX_W, y(a.row) + BOX_H / 2, x(b.column), y(b.row) + BOX_H / 2];
    // Across several columns: straight along the source's row (free of boxes there when the rows are laid out as
    // graph-view.ts does), then one bend in the last gap.
    const x0 = Math.max(x1, x2 - GAP_X);
    const mid = (x0 + x2) / 2;
    root.append(svg('path', { d: `M${x1},${y1} L${x0},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, 'marker-end': 'url(#graph-arrow)' }, `edge ${e.kind}`));
  }
  /** Per graph box: the trace entry (InitMessage.layers id) a click selects, or -1. */
  const traced = g.nodes.map((n) => init.layers.findIndex((l) => l.layerIndex === n.layer));
  const boxes = g.nodes.map((n, i) => {
    const box = svg('g', { transform: `translate(${x(n.column)},${y(n.row)})` }, `node${n.recurrent ? ' recurrent' : ''}${n.output ? ' output' : ''}`);
    const reads = g.edges.filter((e) => e.to === i).map((e) => e.kind === 'data' ? l10n.t('reads {0}', g.nodes[e.from]!.label) : e.kind === 'mask' ? l10n.t('mask from {0}', g.nodes[e.from]!.label) : l10n.t('initial state from {0}', g.nodes[e.from]!.label));
    const title = svg('title', {});
    title.textContent = [`${n.label} (${n.className})`, ...reads, n.output ? l10n.t('a model output') : ''].filter(Boolean).join('\n');
    box.append(title, svg('rect', { width: BOX_W, height: BOX_H, rx: 5 }));
    const name = svg('text', { x: 8, y: 16 }, 'label');
    name.textContent = clip(n.label, 20);
    const cls = svg('text', { x: 8, y: 32 }, 'value');
    cls.textContent = clip(n.className, 22);
    box.append(name, cls);
    if (traced[i]! >= 0) {
      box.setAttribute('tabindex', '0');
      box.setAttribute('role', 'button');
      box.setAttribute('aria-label', l10n.t('Show layer {0}', n.label));
      const pick = () => nav.selectLayer(traced[i]!);
      box.addEventListener('click', pick);
      box.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          pick();
        }
      });
    }
    root.append(box);
    return box;
  });
  const scroll = h('div', 'graph-scroll');
  scroll.append(root);
  card.body.append(scroll);
  parent.append(card.root);
  let shown = -1;
  return {
    render() {
      const layer = init.layers[store.state.layer]?.layerIndex ?? -1;
      if (layer === shown) return;
      shown = layer;
      boxes.forEach((b, i) => b.classList.toggle('selected', g.nodes[i]!.layer === layer && layer >= 0));
    },
  };
}
