#!/usr/bin/env node
// Runs the compiled test suites with node's test runner: unit tests in parallel, then the
// suites that touch the kernel one file at a time (they diff mountinfo/cgroups for leaks,
// so two of them must never overlap). Usage: node scripts/run-tests.js [unit|integration|security|e2e|components|all] [substring]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const which = process.argv[2] ?? 'all';
const filter = process.argv[3] ?? '';

function files(dir) {
  let out = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (name.endsWith('.test.js') && p.includes(filter)) out.push(p);
  }
  return out.sort();
}

const suites = [
  { name: 'unit', dir: 'dist/test/unit', args: [] },
  { name: 'integration', dir: 'dist/test/integration', args: ['--test-concurrency=1'] },
  { name: 'security', dir: 'dist/test/security', args: ['--test-concurrency=1'] },
  { name: 'e2e', dir: 'dist/test/e2e', args: ['--test-concurrency=1'] },
];
let failed = false;
for (const s of suites) {
  if (which !== 'all' && which !== s.name) continue;
  const list = files(s.dir);
  if (list.length === 0) continue;
  console.log(`\n# suite ${s.name}: ${list.length} files`);
  const r = spawnSync(process.execPath, ['--test', ...s.args, ...list], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
// Component and store tests of the renderer (vitest + happy-dom; test/unit/renderer).
if ((which === 'all' || which === 'components') && files('test/unit/renderer').length + files_ts('test/unit/renderer') > 0) {
  console.log('\n# suite components: vitest');
  const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...(filter ? [filter] : [])], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);

function files_ts(dir) {
  try { return readdirSync(dir).filter((n) => n.endsWith('.test.ts')).length; } catch { return 0; }
}
