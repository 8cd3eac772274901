// Host and page speak the user's language: every string the code passes to `vscode.l10n.t` (src/extension), to the
// page's `l10n.t` (webview/) or words as a `phrase` for the page (src/, src/phrase.ts) is a literal (so this scan sees them all) and a key of every l10n/bundle.l10n.<lang>.json;
// no bundle keeps a key the code no longer uses; every translation keeps the message's placeholders, code spans and
// keyboard names, and is translated (no English left behind by accident).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../fixtures-path';

const LANGUAGES = ['fr', 'pt-br', 'pl', 'ja'];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** A JS string literal's value ('…', "…" or a template without `${`). */
const unquote = (lit: string): string => (lit.startsWith('`') ? lit.slice(1, -1).replace(/\\`/g, '`').replace(/\\\\/g, '\\') : (JSON.parse(lit[0] === "'" ? `"${lit.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"` : lit) as string));

/** Every l10n.t( call in the host and page sources: its literal message, or where a non-literal one is. */
function calls(): { keys: Map<string, string>; nonLiteral: string[] } {
  const keys = new Map<string, string>();
  const nonLiteral: string[] = [];
  for (const file of [...sources(join(REPO, 'src', 'extension')), ...sources(join(REPO, 'webview'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bl10n\.t\(\s*/g)) {
      const rest = text.slice(m.index + m[0].length);
      const lit = /^('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$]|\\.)*`)\s*[,)]/.exec(rest);
      const where = `${relative(REPO, file)}:${text.slice(0, m.index).split('\n').length}`;
      if (!lit) nonLiteral.push(where);
      else keys.set(unquote(lit[1]!), where);
    }
  }
  // The engine's quantity descriptions (its cell kinds' tables), shown by the page through l10n.known/describe.
  for (const file of sources(join(REPO, 'src', 'engine', 'cells'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:quantity|q)\(\s*'[^']*',\s*'[^']*',\s*'[^']*',\s*('(?:[^'\\\n]|\\.)*')\s*\)/g)) keys.set(unquote(m[1]!), `${relative(REPO, file)} (quantity description)`);
    // A pre-activation's description is made from its gate's label; the page rebuilds it (l10n.describe).
    if (text.includes('`${g.label} before its activation`')) keys.set('{0} before its activation', `${relative(REPO, file)} (pre-activation description)`);
  }
  // Sentences the core words for the panel (src/phrase.ts): every `phrase('…'` in src/ is a message the page looks up.
  for (const file of sources(join(REPO, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bphrase\(\s*/g)) {
      if (text.slice(0, m.index).endsWith('function ')) continue;
      const rest = text.slice(m.index + m[0].length);
      const lit = /^('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$]|\\.)*`)\s*[,)]/.exec(rest);
      const where = `${relative(REPO, file)}:${text.slice(0, m.index).split('\n').length}`;
      if (!lit) nonLiteral.push(where);
      else keys.set(unquote(lit[1]!), `${where} (phrase)`);
    }
  }
  return { keys, nonLiteral };
}

const read = (lang: string): Record<string, string> => JSON.parse(readFileSync(join(REPO, 'l10n', `bundle.l10n.${lang}.json`), 'utf8'));

/** What a translation must carry over: {0}-style placeholders, `code` spans, key names in parentheses, …/→ marks. */
const invariants = (s: string) => [...(s.match(/\{\d+\}|`[^`]+`|\((?:Space|Home|End|←|→|↑|↓|Esc)\)|[←→↑↓]/g) ?? [])].sort();

test('every l10n.t message in src/extension and webview, and every phrase in src, is a literal', () => {
  const { keys, nonLiteral } = calls();
  assert.deepEqual(nonLiteral, [], 'l10n.t or phrase called with something other than a string literal');
  assert.ok(keys.size >= 20, `only ${keys.size} messages found: is the scan broken?`);
});

test('package.json points VS Code at the bundles', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  assert.equal(pkg.l10n, './l10n');
});

for (const lang of LANGUAGES) {
  test(`l10n/bundle.l10n.${lang}.json: every message, no stale key, placeholders kept, translated`, () => {
    const { keys } = calls();
    const bundle = read(lang);
    const missing = [...keys].filter(([k]) => !(k in bundle)).map(([k, where]) => `${where}: ${k}`);
    assert.deepEqual(missing, [], `${lang}: messages without a translation`);
    assert.deepEqual(Object.keys(bundle).filter((k) => !keys.has(k)), [], `${lang}: keys no code uses`);
    for (const [k, v] of Object.entries(bundle)) {
      assert.equal(typeof v, 'string', `${lang} ${k}`);
      assert.ok(v.trim().length > 0, `${lang} ${k} is empty`);
      assert.deepEqual(invariants(v), invariants(k), `${lang} ${JSON.stringify(k)} → ${JSON.stringify(v)}: placeholders, code spans and keys kept`);
    }
    // Short labels may coincide with English ("Cellscope", "t"); sentences may not.
    const untranslated = Object.entries(bundle).filter(([k, v]) => k.length > 20 && v === k).map(([k]) => k);
    assert.deepEqual(untranslated, [], `${lang}: left in English`);
  });
}
