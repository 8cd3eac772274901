// The manifest speaks the user's language: every command title and setting description in package.json is a
// %key% of package.nls.json, and each translation (French, Brazilian Portuguese, Polish, Japanese) has every key,
// keeps every placeholder and Markdown code span, and translates (no English left behind by accident).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../fixtures-path';

const LANGUAGES = ['fr', 'pt-br', 'pl', 'ja'];
const read = (f: string) => JSON.parse(readFileSync(join(REPO, f), 'utf8'));
const pkg = read('package.json');
const en: Record<string, string> = read('package.nls.json');

/** Every string a user reads in the manifest, with where it sits. */
function userStrings(): { where: string; value: string }[] {
  const out = [{ where: 'description', value: pkg.description }];
  for (const c of pkg.contributes.commands) out.push({ where: `command ${c.command}`, value: c.title });
  for (const [name, p] of Object.entries<Record<string, string>>(pkg.contributes.configuration.properties)) {
    out.push({ where: `setting ${name}`, value: p.markdownDescription ?? p.description ?? '' });
  }
  return out;
}

/** What a translation must carry over unchanged: {0}-style placeholders, `code` spans, numbers like 2^28. */
const invariants = (s: string) => [...(s.match(/\{\d+\}|`[^`]+`|\d+\^\d+/g) ?? [])].sort();

test('every user-facing manifest string is a %key% of package.nls.json', () => {
  const missing = userStrings().filter(({ value }) => !/^%[\w.-]+%$/.test(value) || !(value.slice(1, -1) in en));
  assert.deepEqual(missing, []);
});

for (const lang of LANGUAGES) {
  test(`package.nls.${lang}.json has every key, keeps placeholders, and is translated`, () => {
    const t: Record<string, string> = read(`package.nls.${lang}.json`);
    assert.deepEqual(Object.keys(t).sort(), Object.keys(en).sort());
    for (const [k, v] of Object.entries(en)) {
      assert.deepEqual(invariants(t[k]!), invariants(v), `${lang} ${k}: placeholders, code spans and numbers kept`);
      assert.ok(t[k]!.trim().length > 0, `${lang} ${k} is empty`);
    }
    // Short titles may coincide with English ("Cellscope"); sentences may not.
    const untranslated = Object.entries(en).filter(([k, v]) => v.length > 25 && t[k] === v).map(([k]) => k);
    assert.deepEqual(untranslated, [], `${lang}: left in English`);
  });
}
