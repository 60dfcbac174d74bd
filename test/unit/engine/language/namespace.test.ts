// namespace, clear namespace and ns through a session against a fake engine: which namespace each
// engine call is bound to, minimega's outputs and errors, and the bad input of the brief.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeEngine, session, vm } from './fake.js';

function lab() {
  const e = new FakeEngine();
  const env = session(e);
  e.answers.set('ns.list', () =>
    env.lang.namespaces.list().map((n) => ({
      name: n.name,
      vms: 0,
      vlans: n.name === 'minimega' ? '101-4096' : '',
      active: env.lang.namespaces.active === n.name,
      hosts: n.record.hosts,
      queueing: n.queueing,
    })),
  );
  return { ...env, e };
}

/** The namespace the last call named `name` was bound to. */
function boundTo(e: FakeEngine, name: string): string | undefined {
  const i = e.calls.map((c) => c.name).lastIndexOf(name);
  return i < 0 ? undefined : e.namespaces[i];
}

test('a session starts in minimega; namespace NAME switches, and engine calls are bound to it', async () => {
  const { s, e } = lab();
  await s.exec('vm start all');
  assert.equal(boundTo(e, 'vm.start'), 'minimega');
  assert.deepEqual(await s.exec('namespace lab'), { output: '', errors: [] });
  await s.exec('vm start all');
  await s.exec('vlans');
  assert.equal(boundTo(e, 'vm.start'), 'lab');
  assert.equal(boundTo(e, 'net.vlans'), 'lab');
  assert.deepEqual((await s.exec('namespace lab')).errors, [], 'switching to the current namespace is no error (minimega #1583)');
});

test("the namespace table marks the namespace the command runs in as active (minimega's read_namespace)", async () => {
  const { s } = lab();
  await s.exec('.annotate false');
  assert.equal((await s.exec('.columns namespace,active namespace')).output, 'namespace | active\nminimega  | true');
  await s.exec('namespace foo');
  await s.exec('namespace bar');
  assert.equal(
    (await s.exec('namespace foo namespace')).output,
    'namespace | vlans    | active\nbar       |          | false\nfoo       |          | true\nminimega  | 101-4096 | false',
  );
  assert.equal((await s.exec('.columns namespace,active namespace')).output, 'namespace | active\nbar       | true\nfoo       | false\nminimega  | false');
});

test('namespace NAME COMMAND runs one command there without switching; nested dot-commands work', async () => {
  const { s, e } = lab();
  e.vms = [vm(0, 'foo')];
  await s.exec('namespace ns1 vm kill all');
  assert.equal(boundTo(e, 'vm.kill'), 'ns1');
  assert.equal(s.namespace, 'minimega');
  const r = await s.exec('namespace ns1 .annotate false .columns name,state vm info');
  assert.equal(r.output, 'name | state\nfoo  | BUILDING');
  assert.equal(boundTo(e, 'vm.info'), 'ns1');
  assert.deepEqual((await s.exec('.annotate false history')).output.split('\n').slice(-2), [
    'namespace ns1 vm kill all',
    'namespace ns1 .annotate false .columns name,state vm info',
  ]);
});

test('bad names, nesting and clearing the current namespace are clear errors; nothing is made', async () => {
  const { s, lang } = lab();
  assert.deepEqual((await s.exec('namespace a/b')).errors, ['invalid name; must only include letters, numbers, hyphens and underscores: `a/b`']);
  assert.deepEqual((await s.exec('namespace a/b vm info')).errors, ['invalid name; must only include letters, numbers, hyphens and underscores: `a/b`']);
  assert.deepEqual((await s.exec('namespace all')).errors, ['invalid namespace name `all`: reserved for `clear namespace all`']);
  assert.deepEqual((await s.exec('namespace x namespace y vm info')).errors, [
    'namespace x: cannot nest `namespace y vm info`: run one namespace command at a time',
  ]);
  assert.deepEqual((await s.exec('namespace x namespace y')).errors, ['namespace x: cannot nest `namespace y`: run one namespace command at a time']);
  assert.deepEqual(
    lang.namespaces.list().map((n) => n.name),
    ['minimega'],
  );
  await s.exec('namespace lab');
  assert.deepEqual((await s.exec('clear namespace lab')).errors, ['cannot clear namespace lab: it is the current namespace (leave it first: clear namespace)']);
  assert.equal(s.namespace, 'lab');
});

test('clear namespace goes back to minimega, destroys a named one, and all', async () => {
  const { s, e } = lab();
  await s.exec('namespace lab');
  await s.exec('clear namespace');
  assert.equal(s.namespace, 'minimega');
  await s.exec('clear namespace lab');
  assert.deepEqual(e.calls.at(-1), { name: 'ns.destroy', args: ['lab'] });
  await s.exec('namespace other');
  await s.exec('clear namespace all');
  assert.deepEqual(e.calls.at(-1), { name: 'ns.destroy', args: ['all'] });
  assert.equal(s.namespace, 'minimega');
  e.throwOn = 'ns.destroy';
  assert.deepEqual((await s.exec('clear namespace nope')).errors, ['boom in ns.destroy']);
});

test('a new session starts in the namespace the last `namespace NAME` chose', async () => {
  const { s, lang } = lab();
  await s.exec('namespace lab');
  assert.equal(lang.session().namespace, 'lab');
  await s.exec('clear namespace');
  assert.equal(lang.session().namespace, 'minimega');
});

test("ns hosts, add-hosts, del-hosts: one host, minimega's errors for others", async () => {
  const { s, lang } = lab();
  await s.exec('.annotate false');
  assert.equal((await s.exec('ns hosts')).output, 'labhost');
  assert.deepEqual((await s.exec('ns add-hosts other1')).errors, ['unknown host: `other1`']);
  assert.deepEqual((await s.exec('ns add-hosts node[1')).errors, ["invalid hosts -- unterminated '['"]);
  await s.exec('ns del-hosts all');
  assert.equal((await s.exec('ns hosts')).output, '');
  assert.deepEqual((await s.exec('vm launch container x')).errors, ['namespace must contain at least one host to launch VMs']);
  await s.exec('ns add-hosts localhost');
  assert.deepEqual(lang.namespaces.get('minimega')!.record.hosts, ['labhost']);
});

test('ns queueing, queue, flush and schedule (dry-run, dump, mv, status)', async () => {
  const { s, e } = lab();
  await s.exec('.annotate false');
  await s.exec('ns queueing true');
  assert.equal((await s.exec('ns queueing')).output, 'true');
  await s.exec('vm launch container a,b');
  await s.exec('vm launch container 2');
  assert.equal(e.calls.filter((c) => c.name === 'vm.launch').length, 0, 'queued, not launched');
  const q = (await s.exec('ns queue')).output;
  assert.match(q, /^VMs: 2\nNames: a,b\nVM Type: container\n\nVM configuration:/);
  assert.match(q, /VMs: 2\nNames: \nVM Type: container/);
  assert.deepEqual((await s.exec('ns schedule dump')).errors, ['must run dry-run first']);
  assert.equal((await s.exec('ns schedule dry-run')).output, 'vm   | dst\n     | labhost\n     | labhost\na    | labhost\nb    | labhost');
  assert.deepEqual((await s.exec('ns schedule mv a elsewhere')).errors, ['new dst host is not in namespace']);
  assert.deepEqual((await s.exec('ns schedule mv zz labhost')).errors, ['reassign zz: vm not found']);
  await s.exec('ns schedule');
  assert.deepEqual(
    e.calls.filter((c) => c.name === 'vm.launch').map((c) => c.args[0]),
    ['a,b', '2'],
  );
  const status = (await s.exec('ns schedule status')).output.split('\n');
  assert.deepEqual(status[0]!.split(/\s*\|\s*/), ['start', 'end', 'state', 'launched', 'failures', 'total', 'hosts']);
  assert.match(status[1]!, /^\d\d [A-Z][a-z]{2} \d\d \d\d:\d\d UTC \| \d\d [A-Z][a-z]{2} \d\d \d\d:\d\d UTC/, "Go's RFC822 times");
  assert.match(status[1]!, /completed \| 4 +\| 0 +\| 4 +\| 1$/);
  await s.exec('vm launch container c');
  await s.exec('ns flush');
  assert.deepEqual((await s.exec('vm launch')).errors, ['namespace must contain at least one queued VM to launch VMs']);
});

test('ns run runs in this namespace on this host; read, ns run and vm launch cannot be run so', async () => {
  const { s, e } = lab();
  await s.exec('namespace lab');
  await s.exec('ns run vm start all');
  assert.equal(boundTo(e, 'vm.start'), 'lab');
  assert.deepEqual((await s.exec('ns run vm launch container x')).errors, ['cannot run `vm launch container x` using `ns run`']);
  assert.deepEqual((await s.exec('ns run ns run vm info')).errors, ['cannot run `ns run vm info` using `ns run`']);
  assert.deepEqual((await s.exec('ns run read /x')).errors, ['cannot run `read /x` using `ns run`']);
});

test("ns load and bridge: kept per namespace; del-bridge of an unknown one is minimega's error", async () => {
  const { s, lang } = lab();
  await s.exec('.annotate false');
  assert.equal((await s.exec('ns load')).output, 'cpucommit');
  await s.exec('ns load memcommit');
  assert.equal((await s.exec('ns load')).output, 'memcommit');
  await s.exec('ns bridge br9');
  assert.deepEqual(lang.namespaces.get('minimega')!.record.bridges, { br9: 0 });
  assert.deepEqual((await s.exec('ns del-bridge nope')).errors, ['bridge is not associated with namespace']);
  await s.exec('ns del-bridge br9');
  assert.deepEqual(lang.namespaces.get('minimega')!.record.bridges, {});
});
