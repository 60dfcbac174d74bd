import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const yml = readFileSync(new URL('../../../../build/electron-builder.yml', import.meta.url), 'utf8');

/** `key: value` lines of the top-level block `block:` (two-space indented). */
function block(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = yml.split('\n');
  let i = lines.indexOf(`${name}:`);
  assert.ok(i >= 0, `no ${name}: block`);
  for (i++; i < lines.length && lines[i]!.startsWith('  '); i++) {
    const m = /^ {2}([A-Za-z]+): (.*)$/.exec(lines[i]!);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

test('the desktop package flips the hardening fuses', () => {
  const fuses = block('electronFuses');
  assert.equal(fuses.runAsNode, 'false');
  assert.equal(fuses.enableCookieEncryption, 'true');
  assert.equal(fuses.enableNodeOptionsEnvironmentVariable, 'false');
  assert.equal(fuses.enableNodeCliInspectArguments, 'false');
  assert.equal(fuses.enableEmbeddedAsarIntegrityValidation, 'true');
  assert.equal(fuses.onlyLoadAppFromAsar, 'true');
});

test('the desktop package never runs its engine with Electron: the engine travels with its own runtime', () => {
  assert.match(yml, /electronDist: \$\{env\.ELECTRON_DIST\}/);
  assert.match(yml, /from: dist\/package\/engine\n\s+to: engine/);
  assert.doesNotMatch(yml, /asarUnpack/);
});
