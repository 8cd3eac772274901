// An untrusted workspace cannot lift the limits: every cellscope.limits.* setting is a restricted configuration
// (VS Code then ignores the workspace's value in Restricted Mode), and every limit the loaders check has one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_LIMITS, LIMIT_SETTINGS, limitsFromSettings } from '../../src/formats/limits';
import { REPO } from '../fixtures-path';

const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

test('every cellscope.limits setting is restricted in untrusted workspaces, and every limit has a setting', () => {
  const settings = Object.keys(manifest.contributes.configuration.properties ?? manifest.contributes.configuration[0]?.properties).filter((k) => k.startsWith('cellscope.limits.'));
  const restricted: string[] = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
  assert.notEqual(manifest.capabilities.untrustedWorkspaces.supported, true, 'restrictedConfigurations only apply with "limited" support');
  assert.deepEqual([...restricted].sort(), [...settings].sort());
  assert.deepEqual([...Object.values(LIMIT_SETTINGS)].sort(), [...settings].sort());
});

test('the settings reach the limits (megabyte settings in bytes), and nonsense keeps the default', () => {
  const l = limitsFromSettings({ maxDecodedMegabytes: 2, maxRunSteps: 10, maxHdf5Objects: 'many', maxAllocatedElements: -1 });
  assert.equal(l.maxDecodedBytes, 2 * 1024 ** 2);
  assert.equal(l.maxRunSteps, 10);
  assert.equal(l.maxHdf5Objects, DEFAULT_LIMITS.maxHdf5Objects);
  assert.equal(l.maxAllocatedElements, DEFAULT_LIMITS.maxAllocatedElements);
});
