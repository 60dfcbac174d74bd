#!/usr/bin/env node
// Runs every test suite: the shim's C unit tests (shim/tests/unit, built by `make -C shim tests`),
// the compiled node:test suites (unit tests in parallel, then the suites that touch the kernel one
// file at a time: they diff mountinfo/cgroups for leaks, so two of them must never overlap), then
// the renderer's component tests (vitest). Ends with the skip reasons and one line totalling every
// suite: `total: N passed, N failed, N skipped`. Under CI=true a skip fails the run unless its
// reason starts with `optional:` (a feature optional by design, such as Open vSwitch): CI has every
// feature, so any other skip means a green run would not mean what the README says.
// Usage: node scripts/run-tests.js [shim|unit|integration|security|e2e|components|all] [substring]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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
/** Every skip with its reason, printed before the total. */
const skips = [];
/** Skip reasons allowed under CI=true (test/helpers/requires.ts `optional()`). */
const OPTIONAL = 'optional:';
const CI = process.env.CI === 'true';

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

/** node --test's closing lines: `# pass N`, `# fail N`, `# skipped N` (last occurrence); skips from `ok N - name # SKIP why`. */
function countNode(out) {
  const last = (k) => Number([...out.matchAll(new RegExp(`^# ${k} (\\d+)$`, 'gm'))].pop()?.[1] ?? 0);
  totals.passed += last('pass');
  totals.failed += last('fail') + last('cancelled');
  // node counts skipped tests but not skipped suites (`describe(…, { skip })`): count the SKIP lines.
  const found = [...out.matchAll(/^\s*ok \d+ - (.*?) # SKIP ?(.*)$/gm)];
  totals.skipped += Math.max(last('skipped'), found.length);
  for (const m of found) skips.push({ name: m[1], why: m[2] || '(no reason given)' });
}

/**
 * The shim's C unit tests: each shim/build/tests/test_* binary is one test; exit 0 passes, 77 skips
 * (its last stderr line says why), anything else fails.
 */
async function shimUnitTests() {
  console.log('\n# suite shim: C unit tests (shim/tests/unit)');
  const built = await new Promise((resolve) => {
    const make = spawn('make', ['-s', '-C', 'shim', 'tests'], { stdio: 'inherit' });
    make.on('close', (code) => resolve(code === 0));
  });
  if (!built) {
    console.log('not ok - make -C shim tests');
    totals.failed++;
    return false;
  }
  const dir = 'shim/build/tests';
  const list = existsSync(dir) ? readdirSync(dir).filter((n) => /^test_\w+$/.test(n) && n.includes(filter)).sort() : [];
  let allOk = true;
  for (const name of list) {
    const r = await new Promise((resolve) => {
      const child = spawn(join(process.cwd(), dir, name), [], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('close', (code, signal) => resolve({ code, signal, text }));
    });
    if (r.code === 0) {
      totals.passed++;
      console.log(`ok - ${name}`);
    } else if (r.code === 77) {
      totals.skipped++;
      const why = r.text.trim().split('\n').pop() || '(no reason given)';
      skips.push({ name: `shim ${name}`, why });
      console.log(`ok - ${name} # SKIP ${why}`);
    } else {
      totals.failed++;
      allOk = false;
      console.log(`not ok - ${name} (${r.signal ?? `exit ${r.code}`})\n${r.text.replace(/^/gm, '#   ')}`);
    }
  }
  return allOk;
}

/** vitest's summary: `Tests  18 passed | 1 failed (19)`. */
function countVitest(out) {
  const line = [...out.matchAll(/^\s*Tests\s+(.*)$/gm)].pop()?.[1] ?? '';
  totals.passed += Number(/(\d+) passed/.exec(line)?.[1] ?? 0);
  totals.failed += Number(/(\d+) failed/.exec(line)?.[1] ?? 0);
  const skipped = Number(/(\d+) skipped/.exec(line)?.[1] ?? 0);
  totals.skipped += skipped;
  if (skipped) skips.push({ name: 'components (vitest)', why: `${skipped} skipped (see its output above)` });
}

const suites = [
  { name: 'unit', dir: 'dist/test/unit', args: [] },
  { name: 'integration', dir: 'dist/test/integration', args: ['--test-concurrency=1'] },
  { name: 'security', dir: 'dist/test/security', args: ['--test-concurrency=1'] },
  { name: 'e2e', dir: 'dist/test/e2e', args: ['--test-concurrency=1'] },
];
let ok = true;
if (which === 'all' || which === 'shim') ok = (await shimUnitTests()) && ok;
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
if (skips.length) {
  console.log(`\n# skipped (${skips.length}):`);
  for (const s of skips) console.log(`#   ${s.name}: ${s.why}`);
}
const forbidden = CI ? skips.filter((s) => !s.why.startsWith(OPTIONAL)) : [];
if (forbidden.length) {
  console.log(`# CI=true: ${forbidden.length} skip(s) of features CI must have; the run fails`);
  ok = false;
}
console.log(`\ntotal: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(ok ? 0 : 1);
