import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BRIDGE_NETFILTER_TABLES, bridgeNetfilterSysctl, sysctlPath } from '../../engine/doctor/doctor.js';
import { optional, requires } from '../helpers/requires.js';

const BIN = fileURLToPath(new URL('../../../bin/nanomega.js', import.meta.url));

/**
 * The bridge netfilter check against the kernel: a "host" network namespace with a bridge and two
 * "containers" on it, each a namespace of its own. net.bridge.* sysctls and iptables are per network
 * namespace, so `nanomega doctor` run inside the host namespace reads exactly what this test set
 * there, and nothing of the machine's own is touched.
 */
const skip =
  requires('root', 'iptables', 'busybox') ||
  (existsSync(sysctlPath(bridgeNetfilterSysctl('iptables'))) ? false : optional('no br_netfilter in this kernel (modprobe br_netfilter)'));

const tag = `nmdr${process.pid % 100000}`;
const host = `${tag}h`;
const containers = [`${tag}a`, `${tag}b`];

function sh(argv: string[]): string {
  return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const inHost = (argv: string[]) => sh(['ip', 'netns', 'exec', host, ...argv]);

/** Whether a's one ping reaches b across the bridge. */
function pings(): boolean {
  const r = spawnSync('ip', ['netns', 'exec', containers[0]!, 'busybox', 'ping', '-c', '1', '-W', '1', '10.77.0.2'], { encoding: 'utf8' });
  return r.status === 0;
}

/** The doctor's bridge netfilter row as seen from the host namespace: [value, status]. */
function doctorRow(): [string, string] {
  const r = spawnSync('ip', ['netns', 'exec', host, process.execPath, BIN, 'doctor'], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('bridge netfilter'));
  assert.ok(line, `no bridge netfilter row in:\n${r.stdout}${r.stderr}`);
  const cells = line.split(' | ').map((c) => c.trim());
  return [cells[1]!, cells[3]!];
}

describe('nanomega doctor: bridge netfilter against real bridges and iptables', { skip }, () => {
  before(() => {
    for (const ns of [host, ...containers]) sh(['ip', 'netns', 'add', ns]);
    sh(['ip', '-n', host, 'link', 'add', 'br0', 'type', 'bridge']);
    sh(['ip', '-n', host, 'link', 'set', 'br0', 'up']);
    containers.forEach((ns, i) => {
      sh(['ip', '-n', host, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      sh(['ip', '-n', host, 'link', 'set', `p${i}`, 'master', 'br0', 'up']);
      sh(['ip', '-n', ns, 'addr', 'add', `10.77.0.${i + 1}/24`, 'dev', 'eth0']);
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    });
    // A fresh namespace starts with every bridge-nf-call sysctl on whenever br_netfilter is there.
    for (const t of BRIDGE_NETFILTER_TABLES) inHost(['sysctl', '-qw', `${bridgeNetfilterSysctl(t)}=1`]);
  });

  after(() => {
    for (const ns of [host, ...containers]) spawnSync('ip', ['netns', 'del', ns]);
  });

  test('on with FORWARD ACCEPT: reported; DROP: traffic lost and the check fails; a physdev rule or the sysctls off: traffic flows again', () => {
    assert.ok(pings(), 'the two containers reach each other over the bridge');
    assert.deepEqual(doctorRow(), ['on: iptables, ip6tables, arptables', 'info']);

    inHost(['iptables', '-P', 'FORWARD', 'DROP']);
    assert.equal(pings(), false, 'bridged frames meet the FORWARD policy');
    assert.deepEqual(doctorRow(), ['on: iptables, ip6tables, arptables; iptables FORWARD policy DROP', 'fail']);

    inHost(['iptables', '-I', 'FORWARD', '-m', 'physdev', '--physdev-is-bridged', '-j', 'ACCEPT']);
    assert.ok(pings(), 'the rule the check advises lets them through');
    assert.equal(doctorRow()[1], 'info');

    inHost(['iptables', '-D', 'FORWARD', '-m', 'physdev', '--physdev-is-bridged', '-j', 'ACCEPT']);
    for (const t of BRIDGE_NETFILTER_TABLES) inHost(['sysctl', '-qw', `${bridgeNetfilterSysctl(t)}=0`]);
    assert.ok(pings(), 'with the sysctls off, frames stay on the bridge whatever the policy');
    assert.deepEqual(doctorRow(), ['off', 'ok']);
  });
});
