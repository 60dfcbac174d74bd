import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine, session, vm } from './fake.js';

/** Each line answers with a clear error, fast, and the session still works afterwards. */
async function refuses(line: string, error: RegExp): Promise<void> {
  const { s } = session();
  const started = Date.now();
  const r = await s.exec(line);
  assert.ok(Date.now() - started < 1000, `${line.slice(0, 40)}… took ${Date.now() - started} ms`);
  assert.equal(r.errors.length, 1, line.slice(0, 80));
  assert.match(r.errors[0]!, error);
  assert.equal((await s.exec('.annotate false echo still here')).output, 'still here');
}

test("unknown and ambiguous prefixes are minicli's invalid command", async () => {
  await refuses('vm frobnicate', /^invalid command: `vm frobnicate`$/);
  await refuses('vm s x', /^invalid command: `vm s x`$/);
  await refuses('clear zz', /^invalid command/);
});

test('a 1 MB line is handled in linear time: as an argument it reaches validation, as words an invalid command', async () => {
  await refuses(`vm config hostname ${'x'.repeat(1 << 20)}`, /longer than 4096 characters/);
  await refuses(`vm ${'y '.repeat(1 << 19)}`, /^invalid command/);
  await refuses(`${'.csv true '.repeat(100_000)}vm frob`, /^too many nested commands/);
});

test('nested dot-commands run without recursion; a 1 MB line of them is refused as too deep', async () => {
  const { s } = session();
  assert.deepEqual(await s.exec(`${'.annotate false '.repeat(999)}echo deep`), { output: 'deep', errors: [] });
  await refuses(`${'.annotate false '.repeat(60_000)}echo deep`, /^too many nested commands: more than 1000 in one line$/);
});

test('ranges of a million names are refused with a clear error before anything is allocated per name', async () => {
  await refuses('vm launch container foo[0-999999]', /too many|invalid number|at most/);
  const e = new FakeEngine();
  e.vms = [vm(0, 'a')];
  const { s } = session(e);
  const started = Date.now();
  const r = await s.exec('vm tag a[0-999999] color red');
  assert.ok(Date.now() - started < 1000);
  assert.equal(r.errors.length <= 1, true);
});

test('bad quoting and escapes are lexer errors', async () => {
  await refuses('echo "unterminated', /^missing terminal "$/);
  await refuses('echo \\z', /^unexpected escaped character: z$/);
});
