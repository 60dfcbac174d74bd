// The fan-out layer and `mesh` against three fake hosts: each host is a Language on a fake engine, and
// the fake cluster runs a peer's line as the daemon's mesh.run does (a local session: no fan-out).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterHost, ContainerInfo, HostResponse } from '../../../../engine/api/types.js';
import { EngineError } from '../../../../engine/errors.js';
import type { ClusterPort } from '../../../../engine/language/cluster-port.js';
import { FakeEngine, session, vm } from './fake.js';

const NAMES = ['h1', 'h2', 'h3'];

function host(name: string, up = true): ClusterHost {
  return {
    name,
    api: `10.0.0.${name.slice(1)}:9102`,
    address: `10.0.0.${name.slice(1)}`,
    mtu: 1500,
    cpus: 2,
    memoryMB: 2048,
    memoryUsedMB: 0,
    load1: 0,
    containers: 0,
    cpuCommit: 0,
    memCommit: 0,
    netCommit: 0,
    startedAt: 0,
    updatedAt: 0,
    up,
    leader: name === 'h1',
  };
}

/** Three hosts with two containers each (`h1a`, `h1b`, …) in namespace lab; `down` are unreachable. */
function lab(down: string[] = []) {
  const engines = new Map<string, FakeEngine>();
  const langs = new Map<string, ReturnType<typeof session>>();
  const sent: { host: string; line: string; ns: string }[] = [];
  const cluster: ClusterPort = {
    self: 'h1',
    hosts: async () => NAMES.map((n) => host(n, !down.includes(n))),
    async run(h, line, ns): Promise<HostResponse[]> {
      sent.push({ host: h, line, ns });
      if (down.includes(h)) throw new EngineError('E_UNAVAILABLE', `host ${h} is down (not registered in the cluster)`);
      const s = langs.get(h)!.lang.session({ local: true });
      s.namespace = ns;
      return (await s.chunks(line)).map(({ response: r }) => ({ host: h, ...r }));
    },
    lastKnown: async (h) => engines.get(h)!.vms,
    plan: async () => ({}),
    schedule: async () => ({ placed: {}, launched: 0, errors: [] }),
    vms: async () => [...engines.values()].flatMap((e) => e.vms),
  };
  for (const [i, n] of NAMES.entries()) {
    const e = new FakeEngine();
    e.vms = ['a', 'b'].map((x, k): ContainerInfo => vm(i * 2 + k, `${n}${x}`, { namespace: 'lab', state: 'RUNNING' }));
    // Like the engine: a target naming no container here is `vm not found`.
    e.answers.set('vm.kill', (target: string) => {
      if (!e.vms.some((v) => v.name === target)) throw new Error(`vm not found: ${target}`);
      return [];
    });
    engines.set(n, e);
    langs.set(n, session(e, { hostname: n, ...(n === 'h1' ? { cluster } : {}) }));
  }
  const h1 = langs.get('h1')!;
  h1.lang.namespaces.setNewHosts(() => NAMES);
  return { s: h1.s, engines, sent, files: h1.host.files };
}

test('vm info from one host lists every host’s containers with their host', async () => {
  const { s } = lab();
  const r = await s.exec('namespace lab .csv true .columns name,state vm info');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.output.split('\n'), [
    'host,name,state',
    'h1,h1a,RUNNING',
    'h1,h1b,RUNNING',
    'h2,h2a,RUNNING',
    'h2,h2b,RUNNING',
    'h3,h3a,RUNNING',
    'h3,h3b,RUNNING',
  ]);
  const only = await s.exec('namespace lab .csv true .columns name .filter host=h2 vm info');
  assert.deepEqual(only.output.split('\n'), ['host,name', 'h2,h2a', 'h2,h2b']);
});

test('a VM target reaches the host that has the VM; a name no host has is not found, once', async () => {
  const { s, engines } = lab();
  assert.deepEqual((await s.exec('namespace lab vm kill h3b')).errors, []);
  const kills = (n: string) => engines.get(n)!.calls.filter((c) => c.name === 'vm.kill');
  assert.equal(kills('h3').length, 1);
  // every host is asked; the hosts without h3b answer "not found", which the merge drops
  assert.deepEqual((await s.exec('namespace lab vm kill nosuch')).errors, ['vm not found: nosuch']);
});

test('a host that is down: vm info shows what it last reported as UNKNOWN, with an error naming it', async () => {
  const { s } = lab(['h3']);
  const r = await s.exec('namespace lab .csv true .columns name,state vm info');
  assert.ok(r.output.split('\n').includes('h3,h3a,UNKNOWN'), r.output);
  assert.ok(r.output.split('\n').includes('h2,h2b,RUNNING'));
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!, /host h3 is unreachable/);
  // a target the down host did not have is no error
  assert.deepEqual((await s.exec('namespace lab vm kill h2a')).errors, []);
  assert.match((await s.exec('namespace lab vm kill h3a')).errors.join(), /host h3 is unreachable/);
});

test('viz draws the VMs of every host of the namespace; a host that is down, as last reported and named in an error', async () => {
  const { s, files } = lab(['h3']);
  const r = await s.exec('namespace lab viz lab.dot');
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!, /host h3 is unreachable/);
  const nodes = files
    .get('/base/files/lab.dot')!
    .split('\n')
    .filter((l) => l.includes('[style='));
  assert.deepEqual(nodes, [
    '"h1:h1a:0:[]:[]" [style=filled, color=green];',
    '"h1:h1b:1:[]:[]" [style=filled, color=green];',
    '"h2:h2a:2:[]:[]" [style=filled, color=green];',
    '"h2:h2b:3:[]:[]" [style=filled, color=green];',
    '"h3:h3a:4:[]:[]" [style=filled, color=gray];',
    '"h3:h3b:5:[]:[]" [style=filled, color=gray];',
  ]);
});

test('mesh send runs a command on the named hosts only, in the current namespace, without fanning out again', async () => {
  const { s, sent } = lab();
  const r = await s.exec('namespace lab .csv true .columns name mesh send h2 vm info');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.output.split('\n'), ['host,name', 'h2,h2a', 'h2,h2b']);
  assert.deepEqual(sent, [{ host: 'h2', line: 'vm info', ns: 'lab' }]);

  sent.splice(0);
  const all = await s.exec('namespace lab .columns name .csv true mesh send all vm info');
  assert.deepEqual(all.output.split('\n').slice(1), ['h2,h2a', 'h2,h2b', 'h3,h3a', 'h3,h3b'], 'all: every other host that is up');
  assert.deepEqual(sent.map((x) => x.host).sort(), ['h2', 'h3']);
});

test('mesh send: bad recipients and nesting are refused, nothing is sent', async () => {
  const { s, sent } = lab(['h3']);
  assert.deepEqual((await s.exec('mesh send nosuch vm info')).errors, ['no such host in the mesh: nosuch']);
  assert.deepEqual((await s.exec('mesh send all,h2 vm info')).errors, ['wildcard included amongst list of recipients']);
  assert.deepEqual((await s.exec('mesh send h2 mesh send h3 vm info')).errors, ['cannot run `mesh send h3 vm info` via meshage']);
  assert.equal(sent.length, 0);
  // all: the hosts that are up
  await s.exec('mesh send all vm info');
  assert.deepEqual(
    sent.map((x) => x.host),
    ['h2'],
  );
  // a named host that is down answers with an error
  assert.match((await s.exec('mesh send h3 vm info')).errors.join(), /host h3 is unreachable/);
});

test('mesh list and mesh status describe the hosts that are up', async () => {
  const { s } = lab(['h3']);
  // simple answers in a cluster carry their host (.annotate)
  assert.equal((await s.exec('mesh list all')).output, 'h1: h[1-2]');
  assert.equal((await s.exec('.annotate false mesh list peers')).output, 'h2');
  assert.equal((await s.exec('.annotate false mesh list')).output, 'h1\n |--h2\nh2\n |--h1');
  assert.equal((await s.exec('.csv true .annotate false mesh status')).output, 'size,degree,peers,api\n2,1,1,10.0.0.1:9102');
});
