/**
 * Compare with another model: the panel's model (A) against a second model file of any format (B) that should
 * compute the same function — the port checker of `cellscope compare A --against B --diagnose`, run by the host's
 * engine worker on this panel's input. Shows the verdict, per layer pair the max |Δ| of every gate under both
 * frameworks' names, the first divergence (a button takes the charts there; B's gates are dashed on the gate charts),
 * the diagnosis with before → after and the corrected weight-mapping code.
 */
import type { PortResult } from '../../src/protocol';
import { Requests } from '../../src/panel/requests';
import { badge, h, section } from '../dom';
import * as l10n from '../l10n';
import type { Panel } from '../panel';
import { fmt, type View } from '../store';
import { button } from '../toolkit';

const err = (x: number) => (Number.isFinite(x) ? l10n.exp(x, 2) : String(x));

function pairTable(r: PortResult): HTMLTableElement {
  const table = h('table', 'port-pairs');
  table.createCaption().textContent = l10n.t('Max |Δ| per gate (beyond atol {0} in red)', l10n.plain(r.atol));
  const head = table.createTHead().insertRow();
  for (const c of [l10n.t('layer (A ↔ B)'), l10n.t('gate'), 'max |Δ|', '']) head.append(Object.assign(h('th', '', c), { scope: 'col' }));
  const body = table.createTBody();
  for (const p of r.pairs) {
    const gates = p.mismatch ? [] : p.gates.filter((g) => !g.key.startsWith('pre_'));
    const first = body.insertRow();
    const lead = first.insertCell();
    lead.textContent = `${p.layer + 1}: ${p.a} ↔ ${p.b}`;
    lead.rowSpan = Math.max(1, gates.length);
    if (p.mismatch) {
      first.insertCell().textContent = l10n.t('not comparable');
      first.insertCell().textContent = p.mismatch;
      first.insertCell();
      continue;
    }
    gates.forEach((g, i) => {
      const row = i === 0 ? first : body.insertRow();
      row.insertCell().textContent = g.name;
      const v = row.insertCell();
      v.textContent = err(g.maxAbs);
      v.className = g.maxAbs > r.atol || Number.isNaN(g.maxAbs) ? 'bad' : 'good';
      // Log scale: 1e-10 → empty, 1 → full; the colour says beyond atol or not.
      const bar = h('span', `port-bar ${v.className}`);
      bar.style.setProperty('--w', `${Math.min(100, Math.max(2, 10 * (10 + Math.log10(Math.max(g.maxAbs, 1e-10)))))}%`);
      row.insertCell().append(bar);
    });
  }
  return table;
}

export function mountPort(p: Panel, parent: ParentNode): View {
  const { store, nav, scheduler } = p;
  store.port = null;
  const card = section(l10n.t('Compare with another model'), 'port');
  const requests = new Requests(p.post);
  let asked = 0;
  const status = h('span', 'muted port-status');
  status.setAttribute('aria-live', 'polite');
  const ask = button({
    label: l10n.t('Compare with another model…'),
    appearance: 'primary',
    title: l10n.t('Pick a second model file (Keras, TF.js, PyTorch, ONNX, custom cell) that should compute the same function'),
    onClick: () => {
      asked = requests.ask(null, { type: 'requestPortCheck' });
      status.textContent = l10n.t('choosing a file, then comparing…');
    },
  });
  card.head.append(ask, status);
  const intro = h('p', 'muted', l10n.t('Both models run on this panel’s input; their recurrent layers are paired in order and every gate is compared under each framework’s names (PyTorch i, f, g, o / r, z, n; ONNX i, o, f, c / z, r, h). The first divergence is named and the conversion mistake diagnosed, with the corrected weight mapping.'));
  const out = h('div', 'port-result');
  card.body.append(intro, out);
  parent.append(card.root);
  let shown: unknown = null;

  const draw = () => {
    const m = store.port;
    if (m === shown) return;
    shown = m;
    if (!m) return out.replaceChildren();
    if (asked && m.re === asked) requests.settle(m.re);
    status.textContent = '';
    if (m.error) {
      const e = h('div', m.error.cancelled ? 'muted' : 'port-error', m.error.message);
      if (!m.error.cancelled) e.setAttribute('role', 'alert');
      return out.replaceChildren(e);
    }
    const r = m.result!;
    intro.hidden = true;
    const verdict = h('p', 'port-verdict');
    const agree = r.output.pass && r.pairs.every((x) => x.pass);
    verdict.append(badge(agree ? l10n.t('agree') : l10n.t('differ'), agree ? 'pass' : 'fail'), ' ' + l10n.t('A: {0} ({1}) ↔ B: {2} ({3}) · output max |Δ| {4}', r.a.file, r.a.framework, r.b.file, r.b.framework, err(r.output.maxAbs)));
    const parts: HTMLElement[] = [verdict, pairTable(r)];
    const bad = r.pairs.find((x) => !x.pass);
    if (bad?.first) {
      const d = bad.first;
      const line = h('p', 'port-first');
      const go = button({
        label: l10n.t('Show in the charts'),
        appearance: 'secondary',
        onClick: () => {
          nav.selectLayer(bad.layer);
          nav.selectBatch(d.batch);
          if (!store.state.units.includes(d.unit)) store.state.units = [...store.state.units, d.unit].sort((x, y) => x - y).slice(0, 64);
          store.state.focusUnit = d.unit;
          nav.setStep(d.step);
          scheduler.mark('data');
        },
      });
      line.append(h('strong', '', l10n.t('First divergence:') + ' '), l10n.t('layer {0} ({1} ↔ {2}), gate {3}, step {4}, unit {5}, batch item {6}: A {7} vs B {8}', bad.layer + 1, bad.a, bad.b, d.gate, d.step, d.unit, d.batch, fmt(d.a, 6), fmt(d.b, 6)) + ' ', go);
      parts.push(line);
    } else if (bad) parts.push(h('p', 'port-first', l10n.t('First divergence: layer {0} ({1} ↔ {2}): {3}', bad.layer + 1, bad.a, bad.b, bad.mismatch ?? '')));
    const diag = h('div', 'diagnosis port-diagnosis');
    const f = r.diagnosis.found;
    if (f) {
      diag.append(h('div', 'diagnosis-head', l10n.t('Diagnosis')), h('p', '', l10n.t('{0} — in {1} ({2})', l10n.phrase(f.title), f.faulty, f.file)), h('p', '', l10n.t('max |Δ| {0} → {1} once it is undone', err(f.before), err(f.after))));
    } else diag.append(h('div', 'diagnosis-head', l10n.t('Diagnosis')), ...r.diagnosis.lines.filter((l) => l.startsWith('diagnosis:')).map((l) => h('p', '', l.replace(/^diagnosis: /, ''))));
    for (const n of r.diagnosis.notes) diag.append(h('p', 'muted', n));
    if (r.diagnosis.code) {
      const code = h('pre', 'port-code');
      code.textContent = r.diagnosis.code.code;
      code.tabIndex = 0;
      diag.append(h('div', 'diagnosis-head', l10n.t('Correct mapping, {0}', r.diagnosis.code.title)), code);
    }
    if (!agree || f) parts.push(diag);
    const cli = h('details', 'port-cli');
    const pre = h('pre', '');
    pre.textContent = [...r.lines, ...r.diagnosis.lines].join('\n');
    cli.append(h('summary', '', l10n.t('As `cellscope compare --against --diagnose` prints it')), pre);
    parts.push(cli);
    out.replaceChildren(...parts);
  };

  return {
    render(dirty) {
      if (dirty.has('data')) draw();
    },
  };
}
