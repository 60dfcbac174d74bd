// minimega's router pattern: hosts on two VLANs and a router container on both, whose host-side
// preinit (misc/uminirouter/preinit: `sysctl -w net.ipv4.ip_forward=1`) turns forwarding on in the
// router's own network namespace. A host on A reaches a host on B only through it. Addresses
// (10.241.x) exist only inside the test's containers.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

const A = '10.241.1';
const B = '10.241.2';
/** A lab host's init: a default route through the router ($1), then nothing else to do. */
const HOST_INIT = '#!/bin/sh\nip route add default via "$1"\nexec sleep 100000\n';
/** The minirouter preinit, as minimega ships it (a host file, run before the container is locked down). */
const PREINIT = '#!/bin/sh\nsysctl -w net.ipv4.ip_forward=1\n';
const ROUTER_INIT = '#!/bin/sh\nexec sleep 100000\n';

describe('a router container between two VLANs', { skip }, () => {
  const suite = useContainerSuite();
  let dir = '';
  const hostForwarding = () => readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
  let forwardingBefore = '';
  /** Does `from` get an answer from `to`? One echo a second until the first reply, for up to 5 s: the first
   *  requests may go while the neighbours resolve. */
  const reaches = async (from: string, to: string) => (await suite.d.exec(`vm exec ${from} ping -c1 -w5 ${to}`)).errors.length === 0;
  /** Does nothing from `from` reach `to`? Two echoes, a second apart, none answered. */
  const unreachable = async (from: string, to: string) => (await suite.d.exec(`vm exec ${from} ping -c2 -W1 ${to}`)).errors.length > 0;

  before(async () => {
    forwardingBefore = hostForwarding();
    // The preinit lives on the host in a root-owned directory, as `vm config preinit` requires.
    dir = mkdtempSync('/tmp/nm-router-');
    writeFileSync(join(dir, 'preinit'), PREINIT, { mode: 0o755 });
    chmodSync(join(dir, 'preinit'), 0o755);
    for (const [name, text] of [
      ['lab-host', HOST_INIT],
      ['lab-router', ROUTER_INIT],
    ] as const) {
      writeFileSync(join(suite.fs.dir, name), text);
      chmodSync(join(suite.fs.dir, name), 0o755);
    }
    for (const [name, net, gw] of [
      ['a1', `RA,${A}.11/24`, `${A}.1`],
      ['a2', `RA,${A}.12/24`, `${A}.1`],
      ['b1', `RB,${B}.11/24`, `${B}.1`],
    ] as const) {
      await suite.d.ok(`vm config net ${net}`);
      await suite.d.ok(`vm config init /lab-host ${gw}`);
      await suite.d.ok(`vm launch container ${name}`);
    }
    await suite.d.ok('vm start all');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('hosts of one VLAN reach each other; nothing crosses to the other VLAN without a router', async () => {
    assert.ok(await reaches('a1', `${A}.12`));
    assert.ok(await unreachable('a1', `${B}.11`));
  });

  test('a router without the preinit forwards nothing (forwarding is off in a fresh namespace)', async () => {
    await suite.d.ok(`vm config net RA,${A}.1/24 RB,${B}.1/24`);
    await suite.d.ok('vm config init /lab-router');
    await suite.d.ok('vm launch container plainrouter');
    await suite.d.ok('vm start plainrouter');
    assert.equal((await suite.d.ok('vm exec plainrouter cat /proc/sys/net/ipv4/ip_forward')).trim(), '0');
    // a1's first test left its neighbour entry for the gateway FAILED (nobody held A.1 then); this kernel
    // does not resolve a FAILED entry again for a while, so a1 forgets it (NET_ADMIN is a default).
    await suite.d.ok('vm exec a1 ip neigh flush all');
    assert.ok(await reaches('a1', `${A}.1`), 'the router answers on A');
    assert.ok(await unreachable('a1', `${B}.11`), 'but does not forward to B');
    await suite.d.ok('vm kill plainrouter');
    await suite.d.ok('vm flush');
  });

  test("with minimega's router preinit the router forwards: A reaches B, and the host's own forwarding is untouched", async () => {
    await suite.d.ok(`vm config preinit ${join(dir, 'preinit')}`);
    await suite.d.ok('vm launch container router');
    await suite.d.ok('vm start router');
    assert.equal((await suite.d.ok('vm exec router cat /proc/sys/net/ipv4/ip_forward')).trim(), '1');
    // The new router has new MACs at the same addresses: forget the old router's (NET_ADMIN is a default).
    await suite.d.ok('vm exec a1,a2,b1 ip neigh flush all');
    assert.ok(await reaches('a1', `${B}.11`), 'a1 → b1 through the router');
    assert.ok(await reaches('b1', `${A}.12`), 'b1 → a2 through the router');
    assert.equal(hostForwarding(), forwardingBefore);
    await suite.d.ok('vm kill router');
    await suite.d.ok('vm flush router');
    assert.ok(await unreachable('a1', `${B}.11`), 'nothing crosses once the router is gone');
  });
});
