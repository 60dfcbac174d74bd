// router commit on real containers: the file lands in the files directory, cc installs it in the VM
// and runs `minirouter -u` on it. The image is a busybox root with a stand-in minirouter (a script
// that keeps the file it was given), since nanomega does not ship minirouter; a commit made while the
// VM is BUILDING waits for it to run, a second commit replaces the first one's commands, routers
// outlive a daemon crash with their containers, and a router in another namespace writes under
// files/<namespace>/.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CcCommandInfo } from '../../engine/api/types.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

/** Keeps what it was asked to apply, so the test can compare it with the committed file. */
const STAND_IN = '#!/bin/sh\n[ "$1" = -u ] || exit 2\ncp "$2" /tmp/applied && echo "applied $2"\n';

describe('router commit through cc', { skip }, () => {
  const s = useContainerSuite();
  const files = () => join(s.d.base, 'files');

  async function answered(ns: string, id: number): Promise<CcCommandInfo> {
    return until(
      () => `cc command ${id} in ${ns}: no response`,
      async () => (await s.d.client.call('cc.commands', ns)).find((c) => c.id === id && c.checkedIn.length > 0),
      60_000,
    );
  }

  test('the file reaches the VM and minirouter -u runs on it; a second commit replaces the first', async () => {
    writeFileSync(join(s.fs.dir, 'bin', 'minirouter'), STAND_IN);
    chmodSync(join(s.fs.dir, 'bin', 'minirouter'), 0o755);
    await s.d.ok('vm config net LAN');
    await s.d.ok('vm launch container r0');
    const uuid = (await s.d.client.call('vm.info')).find((v) => v.name === 'r0')!.uuid;
    await s.d.ok('router r0 interface 0 10.0.0.1/24');
    await s.d.ok('router r0 commit');
    const file = join(files(), 'minirouter-r0');
    const first = readFileSync(file, 'utf8');
    assert.match(first, /^ip add 0 10\.0\.0\.1\/24$/m);
    const listed = await s.d.ok('.columns id,prefix,command,filter cc commands');
    assert.equal(listed.split('\n').filter((l) => l.includes('minirouter-r0') && l.includes(`uuid=${uuid}`)).length, 3, listed);
    assert.match(listed, /\[rm \/tmp\/miniccc\/files\/minirouter-r0\]/);
    assert.match(listed, /\[minirouter -u \/tmp\/miniccc\/files\/minirouter-r0\]/);

    // BUILDING: nothing was delivered yet; starting the VM delivers in order.
    await s.d.ok('vm start r0');
    await answered('minimega', 3);
    const run = readFileSync(join(files(), 'miniccc_responses', '3', uuid, 'stdout'), 'utf8');
    assert.equal(run, 'applied /tmp/miniccc/files/minirouter-r0\n');
    assert.equal(await s.d.ok('vm exec r0 cat /tmp/applied'), first.trimEnd());

    await s.d.ok('router r0 dns 10.0.0.1 r0.lab');
    await s.d.ok('router r0 commit');
    const second = readFileSync(file, 'utf8');
    assert.match(second, /^dnsmasq dns 10\.0\.0\.1 r0\.lab$/m);
    assert.doesNotMatch(second, /^ip /m, 'addresses unchanged since the last commit are not re-sent');
    const ids = (await s.d.client.call('cc.commands', 'minimega')).filter((c) => c.prefix === 'minirouter-r0').map((c) => c.id);
    assert.deepEqual(ids, [4, 5, 6]);
    await answered('minimega', 6);
    assert.equal(await s.d.ok('vm exec r0 cat /tmp/applied'), second.trimEnd());
  });

  test('a daemon killed with -9 comes back with the routers of the containers that outlived it', async () => {
    const before = await s.d.ok('router r0');
    await s.d.crash();
    await s.d.restart();
    await s.d.ok(`vm config filesystem ${s.fs.dir}`);
    assert.equal(await s.d.ok('router r0'), before);
    assert.match(before, /^Network: 0: \[10\.0\.0\.1\/24\]$/m);
  });

  test('another namespace: the file is under files/<namespace>/ and reaches that namespace’s VM', async () => {
    await s.d.ok('namespace lab');
    await s.d.ok(`vm config filesystem ${s.fs.dir}`);
    await s.d.ok('vm config net LAN');
    await s.d.ok('vm launch container edge');
    await s.d.ok('vm start edge');
    await s.d.ok('router edge gw 10.0.0.1');
    await s.d.ok('router edge commit');
    const file = join(files(), 'lab', 'minirouter-edge');
    assert.match(readFileSync(file, 'utf8'), /^route add default gw 10\.0\.0\.1$/m);
    await answered('lab', 3);
    const uuid = (await s.d.client.call('vm.info', 'lab'))[0]!.uuid;
    assert.equal(readFileSync(join(files(), 'lab', 'miniccc_responses', '3', uuid, 'stdout'), 'utf8'), 'applied /tmp/miniccc/files/minirouter-edge\n');
    assert.equal(await s.d.ok('vm exec edge cat /tmp/applied'), readFileSync(file, 'utf8').trimEnd());
    await s.d.ok('namespace minimega');
    await s.d.ok('clear namespace lab');
  });
});
