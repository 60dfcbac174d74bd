import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { withLanguageDoc } from '../../../../engine/language/doc.js';
import { HANDLERS } from '../../../../engine/language/table.js';

test('the README lists exactly the command table (regenerate with node scripts/language-doc.js)', () => {
  const readme = readFileSync(new URL('../../../../../README.md', import.meta.url), 'utf8');
  assert.equal(withLanguageDoc(readme, HANDLERS), readme);
  for (const h of HANDLERS) assert.ok(readme.includes(h.help.replace(/\|/g, '\\|')), h.patterns[0]);
});
