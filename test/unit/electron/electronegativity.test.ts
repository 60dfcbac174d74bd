import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const ELECTRON_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version;

interface Finding {
  id: string;
  file: string;
  location: { line: number; column: number };
  description: string;
  severity: { name: string };
  confidence: { name: string };
}
type Scan = (o: Record<string, unknown>) => Promise<{ atomicChecks: number; globalChecks: number; errors: unknown[]; issues: Finding[] }>;

test("Electron's security checklist (electronegativity): no high or critical finding in electron/ and the page", async () => {
  // The scanned app: the main process and preload sources, the page that loads in our windows, package.json.
  const app = mkdtempSync(join(tmpdir(), 'nm-eneg-'));
  try {
    cpSync(join(ROOT, 'electron'), join(app, 'electron'), { recursive: true });
    cpSync(join(ROOT, 'renderer/index.html'), join(app, 'index.html'));
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    // The programmatic entry point (its CLI needs a commander version it does not declare).
    const scan = createRequire(import.meta.url)('@doyensec/electronegativity') as Scan;
    const r = await scan({
      input: app,
      electronVersionOverride: ELECTRON_VERSION,
      isRelative: true,
      customScan: [],
      excludeFromScan: [],
      parserPlugins: [],
      isVerbose: false,
    });
    assert.ok(r.atomicChecks > 20 && r.globalChecks > 0, 'the checks ran');
    assert.deepEqual(r.errors, []);
    for (const f of r.issues) console.log(`electronegativity: ${f.severity.name} ${f.id} ${f.file}:${f.location.line}`);
    const severe = r.issues.filter((f) => f.severity.name === 'HIGH' || f.severity.name === 'CRITICAL');
    assert.deepEqual(
      severe.map((f) => `${f.id} ${f.file}:${f.location.line} ${f.description}`),
      [],
    );
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});
