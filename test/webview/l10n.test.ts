// The page's words and numbers (webview/l10n.ts): a bundle's translation with its placeholders filled, English when
// a message has none, and numbers with the language's decimal mark and grouping (the digits JavaScript writes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as l10n from '../../webview/l10n';

test('t(): the bundle message with placeholders filled; English when missing; integers grouped for the language', () => {
  l10n.setL10n('fr', { 'step {0} of {1}': 'pas {0} sur {1}', 'Play': { message: 'Lecture', comment: ['button'] } });
  assert.equal(l10n.t('step {0} of {1}', 3, 12000), 'pas 3 sur 12\u202f000');
  assert.equal(l10n.t('Play'), 'Lecture');
  assert.equal(l10n.t('Pause'), 'Pause');
  assert.equal(l10n.t('{0} and {1}', 'a'), 'a and {1}');
  l10n.setL10n('en', {});
  assert.equal(l10n.t('step {0} of {1}', 3, 12000), 'step 3 of 12,000');
});

test('numbers: the decimal mark of the display language, the digits of toFixed / toPrecision / toExponential', () => {
  const cases: [string, string, string, string, string][] = [
    // language, fixed(0.125, 2), sig(1234.5678, 6), exp(-0.000012345, 2), int(1234567)
    ['en', '0.13', '1234.57', '-1.23e-5', '1,234,567'],
    ['fr', '0,13', '1234,57', '-1,23e-5', '1\u202f234\u202f567'],
    ['pt-br', '0,13', '1234,57', '-1,23e-5', '1.234.567'],
    ['pl', '0,13', '1234,57', '-1,23e-5', '1\u00a0234\u00a0567'],
    ['ja', '0.13', '1234.57', '-1.23e-5', '1,234,567'],
  ];
  for (const [lang, f, s, e, i] of cases) {
    l10n.setL10n(lang, {});
    assert.deepEqual([l10n.fixed(0.125, 2), l10n.sig(1234.5678, 6), l10n.exp(-0.000012345, 2), l10n.int(1234567)], [f, s, e, i], lang);
  }
  l10n.setL10n('xx-unknown', {});
  assert.equal(l10n.displayLanguage(), 'en');
  assert.equal(l10n.fixed(NaN, 2), 'NaN');
});
