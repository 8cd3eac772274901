/**
 * The ONLY module that touches `@vscode/webview-ui-toolkit` (deprecated upstream, archived Jan 2025). Everything else
 * builds controls through these small factories, so swapping to `@vscode-elements/elements` means rewriting this file.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField());
}

export interface ButtonOptions {
  label: string;
  ariaLabel?: string;
  title?: string;
  appearance?: 'primary' | 'secondary' | 'icon';
  onClick: () => void;
}

export function button(o: ButtonOptions): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = o.label;
  b.setAttribute('appearance', o.appearance ?? 'secondary');
  if (o.ariaLabel) b.setAttribute('aria-label', o.ariaLabel);
  if (o.title) b.title = o.title;
  b.addEventListener('click', () => o.onClick());
  return b;
}

export function setButtonLabel(b: HTMLElement, label: string, ariaLabel?: string): void {
  b.textContent = label;
  if (ariaLabel) b.setAttribute('aria-label', ariaLabel);
}

export interface Choice {
  value: string;
  label: string;
}

export interface Dropdown {
  element: HTMLElement;
  setChoices(choices: Choice[], value: string): void;
  setValue(value: string): void;
  readonly value: string;
}

export function dropdown(ariaLabel: string, onChange: (value: string) => void): Dropdown {
  const d = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  d.setAttribute('aria-label', ariaLabel);
  d.addEventListener('change', () => onChange(d.value));
  const api: Dropdown = {
    element: d,
    setChoices(choices, value) {
      d.replaceChildren(
        ...choices.map((c) => {
          const o = document.createElement('vscode-option') as HTMLElement & { value: string };
          o.setAttribute('value', c.value);
          o.textContent = c.label;
          if (c.value === value) o.setAttribute('selected', '');
          return o;
        }),
      );
      d.value = value;
    },
    setValue(value) {
      if (d.value !== value) d.value = value;
    },
    get value() {
      return d.value;
    },
  };
  return api;
}

export interface Checkbox {
  element: HTMLElement;
  setChecked(v: boolean): void;
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): Checkbox {
  const c = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  c.textContent = label;
  if (checked) c.setAttribute('checked', '');
  c.addEventListener('change', () => onChange(c.checked));
  return {
    element: c,
    setChecked(v) {
      if (c.checked !== v) c.checked = v;
    },
  };
}

export interface TextField {
  element: HTMLElement;
  setValue(v: string): void;
}

/** Calls onCommit when the user presses Enter or leaves the field with a changed value. */
export function textField(label: string, value: string, onCommit: (value: string) => void, size = 10, ariaLabel?: string): TextField {
  const t = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  t.setAttribute('size', String(size));
  t.setAttribute('value', value);
  if (label) t.textContent = label;
  // The toolkit names a field without text content "Text field" when it connects: keep the name given here.
  const name = ariaLabel ?? label;
  const keepName = () => t.getAttribute('aria-label') !== name && t.setAttribute('aria-label', name);
  keepName();
  new MutationObserver(keepName).observe(t, { attributes: true, attributeFilter: ['aria-label'] });
  // Enter and the change event that follows it commit once; a value the panel put back (setValue) is not a commit.
  let committed = value;
  const commit = () => {
    if (t.value === committed) return;
    committed = t.value;
    onCommit(t.value);
  };
  t.addEventListener('change', commit);
  t.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') commit();
  });
  return {
    element: t,
    setValue(v) {
      committed = v;
      if (t.value !== v) t.value = v;
    },
  };
}

/** True when keyboard focus is inside a control that uses arrow keys / space itself. */
export function isEditingControl(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName.toLowerCase();
  return ['vscode-text-field', 'vscode-dropdown', 'vscode-checkbox', 'input', 'select', 'textarea'].includes(tag) && !(target instanceof HTMLInputElement && target.type === 'range');
}
