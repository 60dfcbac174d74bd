import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { eventually, info, measured, pinNeighbours, ping, processesWith, throughput } from '../helpers/netlab.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox', 'iptables');

/** Addresses only ever used inside the network namespaces these tests create. */
const NET = '10.199.14';
/** Measurements must land within ±20 % of what was asked for. */
const TOLERANCE = 0.2;
const within = (v: number, want: number) => Math.abs(v - want) <= want * TOLERANCE;

function qdiscs(tap: string): string {
  return (
    execFileSync('tc', ['qdisc', 'show', 'dev', tap], { encoding: 'utf8' }) + execFileSync('tc', ['filter', 'show', 'dev', tap, 'egress'], { encoding: 'utf8' })
  );
}

describe('qos: link emulation measured between two containers', { skip }, () => {
  const suite = useContainerSuite();
  const delayLines = async () => {
    const pids = (await suite.d.client.call('vm.info')).map((c) => c.pid).filter((p) => p > 0);
    return pids.flatMap((p) => processesWith(`nanomega-delay /proc/${p}/ns/net`));
  };

  before(async () => {
    for (const [name, ip] of [
      ['qa', `${NET}.1/24`],
      ['qb', `${NET}.2/24`],
    ]) {
      await suite.d.ok(`vm config net LAN,${ip}`);
      await suite.d.ok(`vm launch container ${name}`);
    }
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm start all');
    await pinNeighbours(await info(suite.d, 'qa'), await info(suite.d, 'qb'));
  });

  test("minimega's texts: loss and delay stack, rate replaces them, bad values name themselves", async () => {
    const q = async () => (await suite.d.ok('.columns qos .filter name=qb vm info')).split('\n')[1];
    await suite.d.ok('qos add qb 0 loss 5');
    assert.equal(await q(), '[0: loss 5]');
    await suite.d.ok('qos add qb 0 delay 100ms');
    assert.equal(await q(), '[0: loss 5 delay 100ms]');
    await suite.d.ok('qos add qb 0 rate 1 mbit');
    assert.equal(await q(), '[0: rate 1mbit]');
    assert.match(qdiscs((await info(suite.d, 'qb')).nics[0]!.tap), /tbf .*rate 1Mbit/);
    assert.deepEqual((await suite.d.exec('qos add qb 0 loss 150')).errors, ['invalid loss: `150`']);
    assert.deepEqual((await suite.d.exec('qos add qb 0 delay 100xbit')).errors, ['invalid duration: `100xbit`']);
    assert.deepEqual((await suite.d.exec('qos add qb 1 delay 100ms')).errors, ['invalid tap index specified: 1']);
    assert.deepEqual((await suite.d.exec('qos add nobody 0 delay 100ms')).errors, ['vm not found: nobody']);
    assert.equal(await q(), '[0: rate 1mbit]', 'refused values changed nothing');
    await suite.d.ok('clear qos qb 0');
    assert.equal(await q(), '[]');
    assert.doesNotMatch(qdiscs((await info(suite.d, 'qb')).nics[0]!.tap), /tbf|netem|bpf/);
  });

  test('a ping across a 100 ms delay takes about 100 ms', async (t) => {
    const a = await info(suite.d, 'qa');
    const base = await ping(a.pid, `${NET}.2`, 5, 0.05);
    assert.ok(base.avgMs < 20, `undelayed rtt ${base.avgMs} ms`);
    await suite.d.ok('qos add qb 0 delay 100ms');
    const s = await measured(
      () => ping(a.pid, `${NET}.2`, 20, 0.1),
      (r) => within(r.avgMs, 100),
    );
    t.diagnostic(`rtt across 100 ms: ${s.avgMs} ms`);
    assert.ok(within(s.avgMs, 100), `rtt ${s.avgMs} ms across a 100 ms delay`);
    assert.equal(s.lossPercent, 0);
    await suite.d.ok('clear qos qb');
    assert.ok((await ping(a.pid, `${NET}.2`, 5, 0.05)).avgMs < 20, 'cleared: fast again');
    assert.deepEqual(await delayLines(), [], 'no delay line left');
  });

  test('20 % loss loses about 20 % of 1000 pings', async (t) => {
    const a = await info(suite.d, 'qa');
    await suite.d.ok('qos add qb 0 loss 20');
    const s = await measured(
      () => ping(a.pid, `${NET}.2`, 1000, 0.005),
      (r) => within(r.lossPercent, 20),
    );
    t.diagnostic(`loss at 20 %: ${s.lossPercent} % (${s.received}/${s.sent})`);
    assert.ok(within(s.lossPercent, 20), `${s.lossPercent} % lost at 20 % loss (${s.received}/${s.sent})`);
    await suite.d.ok('clear qos qb');
    assert.equal((await ping(a.pid, `${NET}.2`, 50, 0.005)).lossPercent, 0, 'cleared: nothing lost');
  });

  test('a 10 mbit rate holds a TCP transfer to about 10 Mbit/s', async (t) => {
    const a = await info(suite.d, 'qa');
    const b = await info(suite.d, 'qb');
    await suite.d.ok('qos add qb 0 rate 10 mbit');
    const mbit = await measured(
      () => throughput(a, b, 5 * 1024 * 1024),
      (v) => within(v, 10),
    );
    t.diagnostic(`goodput at 10 mbit: ${mbit.toFixed(2)} Mbit/s`);
    assert.ok(within(mbit, 10), `${mbit.toFixed(2)} Mbit/s through a 10 mbit rate`);
    await suite.d.ok('clear qos qb');
    const free = await throughput(a, b, 5 * 1024 * 1024);
    t.diagnostic(`unshaped goodput: ${free.toFixed(1)} Mbit/s`);
    assert.ok(free > 20, `unshaped: ${free.toFixed(1)} Mbit/s`);
  });

  test('qos survives a daemon restart and is applied again when vm start relaunches the container', async () => {
    await suite.d.ok('qos add qb 0 delay 100ms');
    await suite.d.crash();
    await suite.d.restart();
    assert.equal((await suite.d.ok('.columns qos .filter name=qb vm info')).split('\n')[1], '[0: delay 100ms]');
    const a = await info(suite.d, 'qa');
    assert.ok(
      within(
        (
          await measured(
            () => ping(a.pid, `${NET}.2`, 10, 0.1),
            (r) => within(r.avgMs, 100),
          )
        ).avgMs,
        100,
      ),
      'still delayed after the restart',
    );
    await suite.d.ok('vm kill qb');
    assert.equal((await suite.d.ok('.columns state,qos .filter name=qb vm info')).split('\n')[1], 'QUIT  | [0: delay 100ms]');
    assert.ok(await eventually(async () => (await delayLines()).length === 0), 'the delay line went with the container');
    await suite.d.ok('vm start qb');
    const b = await info(suite.d, 'qb');
    await pinNeighbours(a, b); // a relaunch makes new NICs (new MAC)
    const s = await measured(
      () => ping(a.pid, `${NET}.2`, 10, 0.1),
      (r) => within(r.avgMs, 100),
    );
    assert.ok(within(s.avgMs, 100), `rtt ${s.avgMs} ms after the relaunch`);
    await suite.d.ok('clear qos qb');
  });

  test('vm kill and flush leave no qdisc, filter, rule or delay line behind', async () => {
    await suite.d.ok('qos add qb 0 delay 50ms');
    await suite.d.ok('qos add qa 0 loss 10');
    const lines = await delayLines();
    assert.equal(lines.length, 1);
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
    assert.ok(await eventually(() => processesWith(lines[0]!.split(' ')[1]!).length === 0), 'delay line gone');
  });
});
