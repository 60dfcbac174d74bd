import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DelayLines, delayArgv, nfqueueRuleArgv } from '../../../../engine/net/qos-delay.js';
import { lossBytecode } from '../../../../engine/net/qos.js';
import { QosKernel } from '../../../../engine/net/qos-tc.js';
import { FakeNetHost } from './fake-net-host.js';

const NIC = { tap: 'mega_tap4', index: 1, initPid: 4242 };

test('the loss classifier drops when a random u32 falls under loss/100 × 2^32', () => {
  assert.equal(lossBytecode('50'), '4,32 0 0 4294963256,53 0 1 2147483648,6 0 0 0,6 0 0 2');
  assert.equal(lossBytecode('0'), '4,32 0 0 4294963256,53 0 1 0,6 0 0 0,6 0 0 2');
  assert.equal(lossBytecode('20').split(',')[2], '53 0 1 858993459');
});

test("with netem: one probe, then minimega's root qdiscs and nothing else", async () => {
  const host = new FakeNetHost();
  const k = new QosKernel(host, new DelayLines(host, async () => 1, '/x/nanomega-delay'));
  await k.apply(NIC, { loss: '5', delay: '100ms' }, 'qos b 1');
  await k.apply(NIC, undefined, 'qos b 1');
  assert.equal(k.mode, 'netem');
  assert.deepEqual(
    host.runs.map((r) => r.argv.join(' ')),
    ['tc qdisc replace dev mega_tap4 root netem', 'tc qdisc replace dev mega_tap4 root netem delay 100000us loss 5%', 'tc qdisc del dev mega_tap4 root'],
  );
});

test('without netem: tbf for rate, a BPF drop filter for loss, the delay line for delay', async () => {
  const host = new FakeNetHost();
  host.respond = (argv) => {
    if (argv.join(' ') === 'tc qdisc replace dev mega_tap4 root netem') return { code: 2, stdout: '', stderr: 'Error: Specified qdisc kind is unknown.\n' };
    if (argv.includes('-C')) return { code: 1, stdout: '', stderr: 'iptables: Bad rule\n' };
    if (argv.join(' ') === 'tc qdisc del dev mega_tap4 root') return { code: 2, stdout: '', stderr: 'Error: Cannot delete qdisc with handle of zero.\n' };
    return { code: 0, stdout: '', stderr: '' };
  };
  const spawned: string[][] = [];
  const k = new QosKernel(host, new DelayLines(host, async (argv) => (spawned.push([...argv]), 99), '/x/nanomega-delay'));
  await k.apply(NIC, { loss: '20', delay: '100ms' }, 'qos b 1');
  assert.equal(k.mode, 'bpf+nfqueue');
  const cmds = host.runs.map((r) => r.argv.join(' '));
  assert.deepEqual(cmds, [
    'tc qdisc replace dev mega_tap4 root netem',
    'tc qdisc del dev mega_tap4 root',
    'tc qdisc add dev mega_tap4 clsact',
    `tc filter replace dev mega_tap4 egress pref 1 handle 1 bpf da bytecode ${lossBytecode('20')}`,
    nfqueueRuleArgv('iptables', '-C', 4242, 1).join(' '),
    nfqueueRuleArgv('iptables', '-A', 4242, 1).join(' '),
    nfqueueRuleArgv('ip6tables', '-C', 4242, 1).join(' '),
    nfqueueRuleArgv('ip6tables', '-A', 4242, 1).join(' '),
  ]);
  assert.deepEqual(spawned, [delayArgv('/x/nanomega-delay', 4242, 1, 100000)]);
  assert.deepEqual(spawned[0], ['/x/nanomega-delay', '/proc/4242/ns/net', '1', '100000', '4242']);
  assert.equal(
    nfqueueRuleArgv('iptables', '-A', 4242, 1).join(' '),
    'nsenter --net=/proc/4242/ns/net -- iptables -w -t raw -A PREROUTING -i veth1 -j NFQUEUE --queue-num 1 --queue-bypass',
  );

  host.runs.length = 0;
  await k.apply(NIC, { rate: '10mbit' }, 'qos b 1');
  const after = host.runs.map((r) => r.argv.join(' '));
  assert.equal(after[0], 'tc qdisc replace dev mega_tap4 root tbf rate 10mbit burst 12500b latency 20ms');
  assert.equal(
    after[1],
    'tc filter del dev mega_tap4 egress pref 1 handle 1 bpf',
    'the loss filter goes with rate (the clsact qdisc stays: mirrors may use it)',
  );
  assert.ok(after.includes(nfqueueRuleArgv('iptables', '-C', 4242, 1).join(' ')), 'and the delay rule is looked for');
});

test('a delay line already running with the same delay is kept; another delay replaces it', async () => {
  const host = new FakeNetHost();
  host.dirs.add('/proc');
  host.files.set('/proc/500/cmdline', ['/x/nanomega-delay', '/proc/4242/ns/net', '1', '100000', '4242', ''].join('\0'));
  host.files.set('/proc/501/cmdline', ['/bin/sh', ''].join('\0'));
  const killed: number[] = [];
  const spawned: string[][] = [];
  const lines = new DelayLines(
    host,
    async (argv) => (spawned.push([...argv]), 7),
    '/x/nanomega-delay',
    (pid, sig) => {
      if (sig !== 0) killed.push(pid);
      return false;
    },
  );
  assert.deepEqual(
    (await lines.find(4242, 1)).map((r) => r.pid),
    [500],
  );
  await lines.set(4242, 1, 100000, 'qos');
  assert.deepEqual([killed, spawned], [[], []]);
  await lines.set(4242, 1, 50000, 'qos');
  assert.deepEqual(killed, [500]);
  assert.deepEqual(spawned, [['/x/nanomega-delay', '/proc/4242/ns/net', '1', '50000', '4242']]);
});
