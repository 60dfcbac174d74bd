// minimega's Containers walkthrough (doc/content/articles/vmtypes.article, §"Containers"), word for
// word, on the Debian root `nanomega rootfs build debian --sshd --ssh-key` makes: the container gets
// its address from dnsmasq on a host tap, the host logs in with ssh, the fifo carries data both
// ways; then 100 more containers on the same root all get leases; and the article's teardown leaves
// no link, process, mount or cgroup behind. Addresses (10.232.0.0/24) exist only on the test's tap
// and inside its containers.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { debianImage, ssh, type DebianImage } from '../helpers/debian.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'dnsmasq', 'debootstrap', 'ssh');

const NET = '10.232.0';
/** The article launches 100 more; CI runs the same number (about a minute on 2 cores). */
const MORE = 100;

describe("minimega's container walkthrough on a Debian root", { skip }, () => {
  let image: DebianImage;
  let d: TestDaemon;
  let pre: HostSnapshot;
  const vms = async (): Promise<ContainerInfo[]> => d.client.call('vm.info');

  before(async () => {
    image = await debianImage(); // built (or found in the cache) before the snapshot: a build mounts /proc inside it
    pre = snapshot();
    d = await startDaemon();
  });
  after(async () => {
    await d?.dispose().catch(() => undefined);
    if (pre) await assertNoLeaks(pre);
  });

  test('the article as written: fifo, VLAN 0, launch, start; the host on VLAN 0 with dnsmasq; DHCP, ssh, fifo both ways', async () => {
    for (const line of [
      `vm config filesystem ${image.dir}`,
      'vm config fifo 1',
      'vm config net 0',
      'vm launch container myfirstcontainer',
      'vm start myfirstcontainer',
      `tap create 0 ip ${NET}.1/24`,
      `dnsmasq start ${NET}.1 ${NET}.2 ${NET}.254`,
    ]) {
      await d.ok(line);
    }
    const c = await until(
      'myfirstcontainer to get an address by DHCP',
      async () => {
        const [vm] = (await vms()).filter((x) => x.name === 'myfirstcontainer');
        return vm?.nics[0]?.ip.startsWith(`${NET}.`) ? vm : undefined;
      },
      60_000,
    );
    const ip = c.nics[0]!.ip;
    assert.match(await d.ok('.columns name,ip vm info'), new RegExp(`myfirstcontainer \\| \\[${ip.replace(/\./g, '\\.')}\\]`));
    // The container's own dhclient put it there (NET_ADMIN by default), and dnsmasq recorded the lease.
    const [server] = await d.client.call('dnsmasq.list');
    assert.match(await readFile(join(server!.path, 'dnsmasq.leases'), 'utf8'), new RegExp(`${c.nics[0]!.mac} ${ip.replace(/\./g, '\\.')} myfirstcontainer`));

    // sshd may still be making its host key when the lease arrives.
    const name = await until('ssh root@container hostname', () => ssh(image.key, ip, 'hostname').catch(() => undefined), 60_000);
    assert.equal(name.trim(), 'myfirstcontainer');

    const fifo = join(c.dir, 'fifo0');
    const inside = ssh(image.key, ip, 'head -n1 /dev/fifos/fifo0', 30_000);
    await writeFile(fifo, 'from the host\n'); // blocks until the container opens its end
    assert.equal((await inside).trim(), 'from the host');
    const reading = readFile(fifo, 'utf8'); // blocks until the container writes and closes
    await ssh(image.key, ip, 'echo from the container > /dev/fifos/fifo0');
    assert.equal((await reading).trim(), 'from the container');
  });

  test(`vm launch container ${MORE}; vm start all: every container gets a lease`, async () => {
    await d.ok(`vm launch container ${MORE}`);
    await d.ok('vm start all');
    const all = await until(
      () => `${MORE + 1} containers with DHCP addresses`,
      async () => {
        const list = await vms();
        return list.length === MORE + 1 && list.every((c) => c.state === 'RUNNING' && c.nics[0]?.ip.startsWith(`${NET}.`)) && list;
      },
      300_000,
    );
    assert.equal(new Set(all.map((c) => c.nics[0]!.ip)).size, MORE + 1, 'every address is different');
    const [server] = await d.client.call('dnsmasq.list');
    const leases = await readFile(join(server!.path, 'dnsmasq.leases'), 'utf8');
    for (const c of all) assert.ok(leases.includes(`${c.nics[0]!.mac} ${c.nics[0]!.ip} `), `${c.name} has a lease`);
  });

  test('vm kill all; vm flush; tap delete all; dnsmasq kill all leave no link, process, mount or cgroup', async () => {
    for (const line of ['vm kill all', 'vm flush', 'tap delete all', 'dnsmasq kill all']) await d.ok(line);
    assert.deepEqual(await vms(), []);
    assert.deepEqual(await d.client.call('tap.list'), []);
    assert.deepEqual(await d.client.call('dnsmasq.list'), []);
    await assertNoLeaks(pre, { running: [d.proc.pid!] });
  });
});
