// The namespace registry and its durable records: names as minimega's, records that survive a
// restart of the registry (the daemon) with their vm config, counter, queueing and the active namespace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigStore } from '../../../../engine/config/config-store.js';
import { EngineError } from '../../../../engine/errors.js';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { checkNamespaceName, namespaceNameProblem, splitQualified } from '../../../../engine/namespace/names.js';
import { MAX_NAMESPACES, Namespaces } from '../../../../engine/namespace/namespaces.js';
import { FileNamespaceStore } from '../../../../engine/namespace/store.js';

const BASE = '/run/nm';
const FILE = `${BASE}/namespaces.json`;

function registry(host: FakeHost, report: string[] = []): Namespaces {
  return new Namespaces({
    store: new FileNamespaceStore(host, BASE),
    hostname: 'lab1',
    configEnv: () => ({ filesDir: `${BASE}/files`, hostname: 'lab1' }),
    report: (m) => report.push(m),
  });
}

test("names are minimega's: letters, digits, - _ .; bad ones are E_CONFIG naming the value", () => {
  for (const ok of ['minimega', 'lab-1', 'a_b.c', 'X9']) assert.equal(namespaceNameProblem(ok), undefined, ok);
  const bad: [unknown, RegExp][] = [
    ['', /cannot be the empty string/],
    ['a/b', /invalid name; must only include letters, numbers, hyphens and underscores: `a\/b`/],
    ['a b', /`a b`/],
    ['..', /not only dots/],
    ['all', /reserved/],
    ['x'.repeat(65), /longer than 64/],
    [7, /empty string/],
  ];
  for (const [name, why] of bad) {
    assert.throws(
      () => checkNamespaceName(name),
      (e: unknown) => e instanceof EngineError && e.code === 'E_CONFIG' && why.test(e.message) && e.detail.field === 'namespace',
    );
  }
});

test('ns//x names x in another namespace; a plain x is in the current one', () => {
  assert.deepEqual(splitQualified('foo', 'A'), { namespace: 'foo', value: 'A' });
  assert.deepEqual(splitQualified('foo', 'minimega//A'), { namespace: 'minimega', value: 'A' });
  assert.deepEqual(splitQualified('foo', 'bar//a//b'), { namespace: 'bar', value: 'a//b' });
});

test('the default namespace always exists; others are made on first use and listed by name', () => {
  const ns = registry(new FakeHost());
  assert.deepEqual(
    ns.list().map((n) => n.name),
    ['minimega'],
  );
  ns.ensure('zeta');
  ns.ensure('alpha');
  assert.deepEqual(
    ns.list().map((n) => n.name),
    ['alpha', 'minimega', 'zeta'],
  );
  assert.deepEqual(ns.get('alpha')!.record.hosts, ['lab1'], 'a namespace spans this host');
  assert.throws(() => ns.ensure('a/b'), /invalid name/);
  assert.equal(ns.get('a/b'), undefined, 'nothing is made for a bad name');
});

test('records survive a restart: vm config and saved configs, queueing, counter, queue, active namespace', async () => {
  const host = new FakeHost();
  const a = registry(host);
  await a.open();
  const lab = a.ensure('lab');
  await lab.config.set('memory', ['64']);
  lab.config.save('small');
  lab.queueing = true;
  lab.queue = [{ names: ['web1'], config: structuredClone(lab.config.current) }];
  assert.deepEqual(await a.launchNames('lab', 2), ['vm-0', 'vm-1']);
  await a.setActive('lab');
  await a.commit();

  const b = registry(host);
  await b.open();
  const back = b.get('lab')!;
  assert.equal(back.config.current.memory, 64);
  assert.deepEqual(back.config.savedNames(), ['small']);
  assert.equal(back.queueing, true);
  assert.deepEqual(
    back.queue.map((q) => q.names),
    [['web1']],
  );
  assert.deepEqual(await b.launchNames('lab', 1), ['vm-2'], 'the counter goes on where it was');
  assert.equal(b.active, 'lab');
  assert.equal(b.get('minimega')!.launchCounter, 0, 'counters are per namespace');
});

test('commit writes only what changed', async () => {
  const host = new FakeHost();
  const ns = registry(host);
  await ns.open();
  ns.ensure('lab');
  await ns.commit();
  const writes = () => host.calls.filter((c) => c.op === 'writeFileAtomic').length;
  const before = writes();
  await ns.commit();
  assert.equal(writes(), before);
  ns.get('lab')!.queueing = true;
  await ns.commit();
  assert.equal(writes(), before + 1);
});

test('removing a namespace forgets it; the default one comes back empty; the active one falls back', async () => {
  const host = new FakeHost();
  const dflt = new ConfigStore({ filesDir: '/f', hostname: 'lab1' });
  const ns = new Namespaces({
    store: new FileNamespaceStore(host, BASE),
    hostname: 'lab1',
    configEnv: () => ({ filesDir: '/f', hostname: 'lab1' }),
    defaultConfig: dflt,
  });
  await ns.open();
  await ns.setActive('lab');
  await ns.remove('lab');
  assert.equal(ns.get('lab'), undefined);
  assert.equal(ns.active, 'minimega');
  await dflt.set('memory', ['32']);
  await ns.launchNames('minimega', 3);
  await ns.remove('minimega');
  assert.equal(ns.get('minimega')!.config, dflt, "the engine's default store is kept");
  assert.equal(dflt.current.memory, 2048);
  assert.equal(ns.get('minimega')!.launchCounter, 0);
  const stored = JSON.parse(host.files.get(FILE)!) as { records: { name: string }[] };
  assert.ok(!stored.records.some((r) => r.name === 'lab'));
});

test('an unreadable file is moved aside and reported; a bad record or vm config is skipped, not fatal', async () => {
  const host = new FakeHost(new Map([[FILE, '{"records": [ {"name": "ok"}, ']]));
  const report: string[] = [];
  const ns = registry(host, report);
  await ns.open();
  assert.ok(host.files.has(`${FILE}.bad`));
  assert.match(report.join('\n'), /namespaces\.json.*moved to namespaces\.json\.bad/);

  const host2 = new FakeHost(
    new Map([[FILE, JSON.stringify({ records: [{ name: 'a/b' }, { name: 'lab', vmConfig: { current: { memory: -5 } } }], active: 'lab' })]]),
  );
  const report2: string[] = [];
  const ns2 = registry(host2, report2);
  await ns2.open();
  assert.match(report2.join('\n'), /namespace record skipped: invalid name/);
  assert.match(report2.join('\n'), /namespace lab: stored vm config refused/);
  assert.equal(ns2.get('lab')!.config.current.memory, 2048);
  assert.equal(ns2.active, 'lab');
});

test('the number of namespaces is bounded with an error naming the limit; existing ones still resolve', () => {
  const ns = registry(new FakeHost());
  for (let i = 1; i < MAX_NAMESPACES; i++) ns.ensure(`n${i}`);
  assert.throws(
    () => ns.ensure('one-too-many'),
    (e: unknown) => e instanceof EngineError && /at most 4096 namespaces/.test(e.message),
  );
  assert.equal(ns.ensure('n7').name, 'n7');
});
