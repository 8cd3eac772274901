/** Small DOM builders every section uses. */

export const h = <K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text = ''): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
};

/** A card with a titled head (labelled for screen readers) and a body. */
export function section(title: string, cls: string): { root: HTMLElement; body: HTMLElement; head: HTMLElement } {
  const root = h('section', `card ${cls}`);
  const head = h('div', 'card-head');
  const id = `h-${cls}`;
  const h2 = h('h2', '', title);
  h2.id = id;
  root.setAttribute('aria-labelledby', id);
  head.append(h2);
  const body = h('div', 'card-body');
  root.append(head, body);
  return { root, body, head };
}

/** A control with its visible label. */
export function labelled(text: string, ...controls: HTMLElement[]): HTMLElement {
  const l = h('div', 'field');
  l.append(h('span', 'field-label', text), ...controls);
  return l;
}

export function badge(text: string, kind: string): HTMLElement {
  return h('span', `badge ${kind}`, text);
}

/** A table with a caption, column heads and rows whose first cell heads the row. */
export function fillTable(table: HTMLTableElement, caption: string, head: string[], rows: string[][]): void {
  table.replaceChildren();
  table.createCaption().textContent = caption;
  const hr = table.createTHead().insertRow();
  for (const c of head) {
    const th = h('th', '', c);
    th.scope = 'col';
    hr.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    r.forEach((c, i) => {
      if (i === 0) {
        const th = h('th', '', c);
        th.scope = 'row';
        tr.append(th);
      } else tr.insertCell().textContent = c;
    });
  }
}

/**
 * Sets an element's text, writing only when it changed and into its text node when it has one: a step rewrites dozens
 * of readouts, and `textContent =` replaces the node, a childList change that every chart.js chart's document-wide
 * MutationObserver (its attach/detach watch) then walks.
 */
export function setText(el: Element, text: string): void {
  const t = el.firstChild;
  if (t && t === el.lastChild && t.nodeType === Node.TEXT_NODE) {
    if ((t as Text).data !== text) (t as Text).data = text;
  } else if (el.textContent !== text) el.textContent = text;
}

/**
 * Shows or hides an element, writing only when that changes: `hidden =` writes the attribute even when it holds
 * already, a mutation every chart.js chart's observer walks and, on a toolkit button, its attribute callback — per step.
 */
export function setHidden(el: HTMLElement, hidden: boolean): void {
  if (el.hidden !== hidden) el.hidden = hidden;
}
