// The activation bundle's pre-check (mayBeCellscopeJson) must say "maybe" for every document the host's real checks
// would treat as Cellscope's, or that document would get no diagnostics and no "Open in Cellscope" button until
// something else loaded the host. Checked on every JSON file shipped or shared, on hand-made cases and on random
// documents whose keys and tags are spelled with JSON escapes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { MODEL_FORMATS, RECORDING_FORMAT, mayBeCellscopeJson } from '../../src/formats/cellscope-files';
import { cellscopeKind } from '../../src/formats/text-check';
import { FIXTURES, REPO } from '../fixtures-path';

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? jsonFilesUnder(p) : name.endsWith('.json') ? [p] : [];
  });
}

/** What the host would check: a Cellscope kind for the diagnostics (a model beside it assumed). */
const hostWouldCheck = (path: string, text: string) => cellscopeKind(text, basename(path), true) !== undefined;

test('every shipped example and shared fixture the host would check passes the pre-check', () => {
  const files = [...jsonFilesUnder(join(REPO, 'examples')), ...jsonFilesUnder(FIXTURES)];
  let checked = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (!hostWouldCheck(f, text)) continue;
    checked++;
    assert.ok(mayBeCellscopeJson(f, text), `${f} is Cellscope's but the pre-check says no`);
  }
  assert.ok(checked > 50, `only ${checked} Cellscope files found`);
});

test('JSON that is nobody\'s business stays unloaded, backslashes and all', () => {
  for (const [path, text] of [
    ['/w/package.json', '{"name":"x","version":"1.0.0","scripts":{"build":"tsc"}}'],
    ['/w/settings-not-a-model.json', '{"name":"x","weights":3}'],
    ['/u/settings.json', '{"files.exclude":{"C:\\\\tmp":true},"search.regex":"\\\\d+\\\\/x"}'],
  ] as const) {
    assert.equal(mayBeCellscopeJson(path, text), false, text);
    assert.equal(hostWouldCheck(path, text), false, text);
  }
});

test('names, the TF.js model.json and tags spelled with escapes all count', () => {
  for (const [path, text] of [
    ['/w/model.json', '{"modelTopology":{}}'],
    ['/w/input-3.json', '[[1, 2]]'],
    ['/w/recording.json', '{}'],
    ['/w/a.json', '{"mod\\u0065l": {}, "weights": []}'],
    ['/w/a.json', '{"format": "keras-export\\/v1"}'],
    ['/w/a.json', '{"\\u0066ormat": "cellscope-recording\\u002fv1"}'],
  ] as const) {
    assert.ok(mayBeCellscopeJson(path, text), text);
  }
});

/** JSON text of `value` with characters of its strings (keys too) escaped as \uXXXX, or / as \/, where `pick` says. */
const escapedJson = (value: unknown, pick: boolean[]) => {
  let i = 0;
  const next = () => pick[i++ % pick.length]!;
  const escape = (c: string) => (c === '/' && next() ? '\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.stringify(value).replace(/"((?:[^"\\]|\\.)*)"/g, (_, body: string) =>
    `"${body.replace(/\\u[0-9a-f]{4}|\\.|./g, (t) => (t.length === 1 && next() ? escape(t) : t))}"`,
  );
};

test('random documents: whatever the host would check, the pre-check lets through', () => {
  const doc = fc.record(
    {
      format: fc.constantFrom(...MODEL_FORMATS, RECORDING_FORMAT, 'other/v1'),
      model: fc.constant({}),
      weights: fc.constant([]),
      name: fc.string(),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(doc, fc.array(fc.boolean(), { minLength: 1, maxLength: 17 }), (value, pick) => {
      const text = escapedJson(value, pick);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)), "the escaping keeps the document");
      if (hostWouldCheck('/w/a.json', text)) assert.ok(mayBeCellscopeJson('/w/a.json', text), text);
    }),
    { numRuns: 2000 },
  );
});
