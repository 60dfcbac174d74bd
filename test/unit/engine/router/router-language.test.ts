// `router` and `clear router` through the language, on an engine over a fake machine (FakeKernel):
// minimega's printing, its errors for unknown VMs and routers, commit's file and cc commands (a
// recording cc port), namespaces and flushed VMs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { CallName, Calls } from '../../../../engine/api/contract.js';
import type { CcCommandSpec, ContainerConfig } from '../../../../engine/api/types.js';
import type { Engine } from '../../../../engine/engine.js';
import { runTranscript } from '../../../../engine/language/transcript.js';
import { Routers } from '../../../../engine/router/routers.js';
import { FakeKernel, ROOTFS } from '../fake-kernel.js';
import { session } from '../language/fake.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

interface Posted {
  ns: string;
  prefix: string;
  uuid: string;
  specs: CcCommandSpec[];
}

async function setup() {
  const base = mkdtempSync(join(tmpdir(), 'nm-router-unit-'));
  const k = new FakeKernel();
  k.dirs.add('/tmp');
  k.dirs.add(base);
  const e: Engine = await k.open({ base });
  cleanup.push(() => {
    e.close();
    rmSync(base, { recursive: true, force: true });
  });
  const posted: Posted[] = [];
  const routers = new Routers(e.ctx, { replacePrefixed: async (ns, prefix, uuid, specs) => void posted.push({ ns, prefix, uuid, specs }) });
  const handlers = { ...e.handlers, ...routers.handlers } as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const engine = {
    call: <K extends CallName>(name: K, ...args: Calls[K]['args']) => handlers[name]!(...args) as Promise<Calls[K]['result']>,
  };
  const { s } = session(engine as never);
  await s.exec('.annotate false');
  const config = (nets: string[]): ContainerConfig => ({
    ...structuredClone(e.config.current),
    filesystem: ROOTFS,
    net: nets.map((vlan) => ({ bridge: '', vlan, mac: '', ip: '' })),
  });
  const run = (script: string) => runTranscript(script, (l) => s.exec(l));
  return { k, e, base, posted, routers, config, run };
}

test('router VM shows what was set, in minimega’s layout; unknown VMs and routers are its errors', async () => {
  const { e, config, run } = await setup();
  await e.handlers['vm.launch']('gw', config(['100', '200']));
  await e.handlers['vm.launch']('plain', config(['100']));
  const got = await run(
    [
      'router gw interface 1 10.1.0.1/24',
      'router gw interface 0 10.0.0.1/24',
      'router gw interface 0 dhcp',
      'router gw interface 4 192.168.0.1/32 lo',
      'router gw dhcp 10.0.0.1 range 10.0.0.50 10.0.0.99',
      'router gw dhcp 10.0.0.1 static 00:1f:53:00:00:0a 10.0.0.10',
      'router gw dns 10.0.0.1 gw.lab',
      'router gw upstream 1.1.1.1',
      'router gw gw 10.1.0.254',
      'router gw ra 2001:db8::',
      'router gw route static 172.16.0.0/12 10.1.0.2',
      'router gw route static 192.168.0.0/16 0 lan',
      'router gw route ospf 1 0',
      'router gw route ospf 1 export lan',
      'router gw route bgp edge local 10.1.0.1 65001',
      'router gw route bgp edge export filter lan',
      'router gw',
      'router plain',
      'router nobody',
      'router nobody interface 0 1.2.3.4/24',
      'clear router nobody',
      'clear router plain',
      'router plain fw default drop',
      'router plain',
      'router gw interface 2 1.2.3.4/24',
      'clear router gw interface 0 10.0.0.2/24',
      'clear router gw dhcp 10.0.0.1 static 00:1f:53:00:00:0b',
      'clear router gw route bgp edge',
      'clear router gw route ospf 1 export lan',
      'clear router gw dhcp',
      'clear router gw interface 0 all lo',
      'router gw',
    ].join('\n') + '\n',
  );
  const expected = `## router gw interface 1 10.1.0.1/24
## router gw interface 0 10.0.0.1/24
## router gw interface 0 dhcp
## router gw interface 4 192.168.0.1/32 lo
## router gw dhcp 10.0.0.1 range 10.0.0.50 10.0.0.99
## router gw dhcp 10.0.0.1 static 00:1f:53:00:00:0a 10.0.0.10
## router gw dns 10.0.0.1 gw.lab
## router gw upstream 1.1.1.1
## router gw gw 10.1.0.254
## router gw ra 2001:db8::
## router gw route static 172.16.0.0/12 10.1.0.2
## router gw route static 192.168.0.0/16 0 lan
## router gw route ospf 1 0
## router gw route ospf 1 export lan
## router gw route bgp edge local 10.1.0.1 65001
## router gw route bgp edge export filter lan
## router gw
IPs:
Network: 0: [10.0.0.1/24 dhcp]
Network: 1: [10.1.0.1/24]
Loopback IPs:
192.168.0.1/32

Listen address: 10.0.0.1
Low address:    10.0.0.50
High address:   10.0.0.99
Router:         
DNS:            
Static IPs:     
     00:1f:53:00:00:0a 10.0.0.10

DNS:
10.0.0.1\tgw.lab

Upstream DNS: 1.1.1.1
Default Gateway: 10.1.0.254
Router Advertisements:
2001:db8::

Static Routes:
172.16.0.0/12\t10.1.0.2

Named Static Routes:
lan
\t192.168.0.0/16

OSPF Area:\t1
Interfaces:
\t0
OSPF Export Networks or Routes:
\tlan

BGP Process Name:\tedge
BGP Local IP:\t10.1.0.1
BGP Local As:\t65001
BGP Neighbor IP:\t
BGP Neighbor As:\t0
BGP RouteReflector:\tfalse
BGP Export Networks or Routes:
\tlan

Log:
## router plain
E: vm plain not a router
## router nobody
E: vm not found: nobody
## router nobody interface 0 1.2.3.4/24
E: vm not found: nobody
## clear router nobody
E: no such vm nobody
## clear router plain
E: no such router plain
## router plain fw default drop
E: firewall rules cannot be applied to minirouter containers
## router plain
IPs:
Network: 0: []

Log:
## router gw interface 2 1.2.3.4/24
E: no such network index: 2
## clear router gw interface 0 10.0.0.2/24
E: no such network: 10.0.0.2/24
## clear router gw dhcp 10.0.0.1 static 00:1f:53:00:00:0b
E: no such mac: 00:1f:53:00:00:0b
## clear router gw route bgp edge
## clear router gw route ospf 1 export lan
## clear router gw dhcp
## clear router gw interface 0 all lo
## router gw
IPs:
Network: 0: [10.0.0.1/24 dhcp]
Network: 1: [10.1.0.1/24]

DNS:
10.0.0.1\tgw.lab

Upstream DNS: 1.1.1.1
Default Gateway: 10.1.0.254
Router Advertisements:
2001:db8::

Static Routes:
172.16.0.0/12\t10.1.0.2

Named Static Routes:
lan
\t192.168.0.0/16

OSPF Area:\t1
Interfaces:
\t0

Log:
`;
  assert.equal(got, expected);
  // The router tagged its VM with its id, as minimega does.
  const tags = Object.fromEntries((await e.handlers['vm.info']()).map((v) => [v.name, v.tags.minirouter]));
  assert.deepEqual(tags, { gw: '0', plain: '1' });
});

test('commit writes minirouter-VM (under the namespace outside the default one) and posts the three cc commands', async () => {
  const { k, e, base, posted, config, run } = await setup();
  await e.handlers['vm.launch']('r0', config(['100']));
  await e.handlers['vm.launch']('r1', config(['100', '200']), 'lab');
  const uuid = (await e.handlers['vm.info']()).find((v) => v.name === 'r0')!.uuid;
  await run('router r0 interface 0 10.0.0.1/24\nrouter r0 commit\nrouter r0 gw 10.0.0.254\nrouter r0 commit\n');
  const file = join(base, 'files', 'minirouter-r0');
  assert.equal(
    k.files.get(file),
    'log level error\ndnsmasq flush\nroute add default gw 10.0.0.254\ndnsmasq commit\nbird flush\nbird routerid 10.0.0.1\nbird commit\n',
    'the second commit leaves the unchanged addresses alone',
  );
  assert.equal(k.meta.get(file)?.mode, 0o644);
  const inVm = '/tmp/miniccc/files/minirouter-r0';
  const commands: CcCommandSpec[] = [
    { kind: 'exec', command: ['rm', inVm], background: false, once: false },
    { kind: 'send', files: ['minirouter-r0'] },
    { kind: 'exec', command: ['minirouter', '-u', inVm], background: false, once: false },
  ];
  assert.deepEqual(posted, [
    { ns: 'minimega', prefix: 'minirouter-r0', uuid, specs: commands },
    { ns: 'minimega', prefix: 'minirouter-r0', uuid, specs: commands },
  ]);
  // Another namespace: its own routers, its own directory; `r1` is unknown to the default namespace.
  const lab = await run('router r1 commit\nnamespace lab\nrouter r1 commit\nrouter r1\n');
  assert.match(lab, /^## router r1 commit\nE: vm not found: r1\n/);
  assert.ok(k.files.has(join(base, 'files', 'lab', 'minirouter-r1')));
  assert.equal(posted.at(-1)!.ns, 'lab');
  assert.match(lab, /## router r1\nIPs:\nNetwork: 0: \[\]\nNetwork: 1: \[\]\n\nLog:\n$/);
});

test('a flushed VM takes its router along; clear namespace and clear router forget them', async () => {
  const { e, config, run, routers } = await setup();
  await e.handlers['vm.launch']('a', config(['100']));
  await e.handlers['vm.launch']('b', config(['100']));
  await run('router a log level debug\nrouter b log level info\n');
  assert.match(await run('clear router\nrouter a\n'), /E: vm a not a router/);
  await run('router a log level debug\n');
  await e.handlers['vm.kill']('a');
  await e.handlers['vm.flush']();
  await e.handlers['vm.launch']('a', config(['100']));
  assert.match(await run('router a\n'), /E: vm a not a router/, 'a new VM of the same name has no router');
  await run('router a log level debug\n');
  await routers.deleteNamespace('minimega');
  assert.match(await run('router a\n'), /E: vm a not a router/);
  assert.match(await run('router a log level loud\n'), /E: invalid command/);
});

test('routers outlive a daemon restart (our VMs do); a VM gone meanwhile and an unreadable file are left out', async () => {
  const { k, e, base, config, run, routers } = await setup();
  await e.handlers['vm.launch']('a', config(['100', '200']));
  await e.handlers['vm.launch']('b', config(['100']), 'lab');
  await e.handlers['vm.launch']('c', config(['100']));
  await run(
    'router a interface 1 10.0.0.1/24\nrouter a interface 0 10.9.0.1/32 lo\nrouter a dhcp 10.0.0.1 static 00:1f:53:00:00:01 10.0.0.5\n' +
      'router a route ospf 0 1 cost 7\nrouter a route bgp p local 10.0.0.1 65000\nrouter a route bgp p export all 0\n' +
      'router a route static 10.1.0.0/16 0 set\nrouter a dns 10.0.0.5 x.lab\nrouter a ra fd00::\nrouter a commit\nrouter c gw 10.0.0.1\n',
  );
  await routers.handlers['router.set']('b', { kind: 'gw', gw: '10.1.1.1' }, 'lab');
  const before = await routers.handlers['router.show']('a');
  await e.handlers['vm.kill']('c');
  await e.handlers['vm.flush']();
  k.files.set(join(base, 'routers', 'broken.json'), '{');
  const again = new Routers(e.ctx, { replacePrefixed: async () => undefined });
  const warnings: string[] = [];
  await again.start((m) => warnings.push(m));
  assert.deepEqual(await again.handlers['router.show']('a'), before);
  assert.equal((await again.handlers['router.show']('b', 'lab')).gateway, '10.1.1.1');
  await assert.rejects(again.handlers['router.show']('c'), /vm not found: c/);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /routers of namespace broken: ignoring .*broken\.json/);
  // The addresses were committed: the restarted router does not send them again.
  const file = () => k.files.get(join(base, 'files', 'minirouter-a'))!;
  await again.handlers['router.commit']('a');
  assert.doesNotMatch(file(), /^ip /m);
  await again.handlers['router.clear'](undefined, undefined, 'lab');
  assert.ok(!k.files.has(join(base, 'routers', 'lab.json')), 'a namespace without routers has no file');
});
