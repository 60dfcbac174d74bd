#!/usr/bin/env node
// Runs the compiled test suites with node's test runner: unit tests in parallel, then the
// suites that touch the kernel one file at a time (they diff mountinfo/cgroups for leaks,
// so two of them must never overlap), then the renderer's component tests (vitest).
// Ends with one line totalling every suite: `total: N passed, N failed, N skipped`.
// Usage: node scripts/run-tests.js [unit|integration|security|e2e|components|all] [substring]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const which = process.argv[2] ?? 'all';
const filter = process.argv[3] ?? '';

function files(dir, suffix = '.test.js') {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p, suffix));
    else if (name.endsWith(suffix) && p.includes(filter)) out.push(p);
  }
  return out.sort();
}

const totals = { passed: 0, failed: 0, skipped: 0 };

/** Run a suite, echo its output, and add up the counts its runner prints at the end. */
function run(argv, count) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
    });
    child.on('close', (code) => {
      count(out.replace(/\x1b\[[0-9;]*m/g, ''));
      resolve(code === 0);
    });
  });
}

/** node --test's closing lines: `# pass N`, `# fail N`, `# skipped N` (last occurrence). */
function countNode(out) {
  const last = (k) => Number([...out.matchAll(new RegExp(`^# ${k} (\\d+)$`, 'gm'))].pop()?.[1] ?? 0);
  totals.passed += last('pass');
  totals.failed += last('fail') + last('cancelled');
  totals.skipped += last('skipped');
}

/** vitest's summary: `Tests  18 passed | 1 failed (19)`. */
function countVitest(out) {
  const line = [...out.matchAll(/^\s*Tests\s+(.*)$/gm)].pop()?.[1] ?? '';
  totals.passed += Number(/(\d+) passed/.exec(line)?.[1] ?? 0);
  totals.failed += Number(/(\d+) failed/.exec(line)?.[1] ?? 0);
  totals.skipped += Number(/(\d+) skipped/.exec(line)?.[1] ?? 0);
}

const suites = [
  { name: 'unit', dir: 'dist/test/unit', args: [] },
  { name: 'integration', dir: 'dist/test/integration', args: ['--test-concurrency=1'] },
  { name: 'security', dir: 'dist/test/security', args: ['--test-concurrency=1'] },
  { name: 'e2e', dir: 'dist/test/e2e', args: ['--test-concurrency=1'] },
];
let ok = true;
for (const s of suites) {
  if (which !== 'all' && which !== s.name) continue;
  const list = files(s.dir);
  if (list.length === 0) continue;
  console.log(`\n# suite ${s.name}: ${list.length} files`);
  if (!(await run(['--test', ...s.args, ...list], countNode))) ok = false;
}
// Component and store tests of the renderer (vitest + happy-dom; test/unit/renderer).
if ((which === 'all' || which === 'components') && files('test/unit/renderer', '.test.ts').length > 0) {
  console.log('\n# suite components: vitest');
  if (!(await run(['node_modules/vitest/vitest.mjs', 'run', ...(filter ? [filter] : [])], countVitest))) ok = false;
}
if (!ok && totals.failed === 0) totals.failed = 1; // a suite failed without a countable test (crash, build)
console.log(`\ntotal: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(ok ? 0 : 1);
