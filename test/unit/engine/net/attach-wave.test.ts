import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttachWave } from '../../../../engine/net/attach-wave.js';
import type { RunResult } from '../../../../engine/net/net-host.js';
import { Network } from '../../../../engine/net/network.js';
import { FakeNetHost } from './fake-net-host.js';

/** A host whose processes finish only when the test opens the gate. */
class GatedHost extends FakeNetHost {
  private open: () => void = () => undefined;
  private gate: Promise<void> = Promise.resolve();
  hold(): void {
    this.gate = new Promise((r) => (this.open = r));
  }
  release(): void {
    this.open();
  }
  override async run(argv: readonly string[], input = ''): Promise<RunResult> {
    const r = await super.run(argv, input);
    await this.gate;
    return r;
  }
}

const spec = (ip: string) => [{ bridge: '', vlan: '5', mac: '', ip }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('requests arriving while an attach runs all go into the next one; no process per container', async () => {
  const host = new GatedHost();
  const wave = new AttachWave(new Network({ stateDir: '/state', host, linuxMode: 'bridge-per-vlan', tapPrefix: 'tp', defaultBridge: 'br' }));
  host.hold();
  const first = [wave.attach(1, spec('10.0.0.1/24'), 101), wave.attach(2, spec(''), 102)];
  while (host.runs.length === 0) await sleep(1);
  // The first call is running: these three, arriving at different times, wait for it together.
  const later = [wave.attach(3, spec(''), 103)];
  await sleep(5);
  later.push(wave.attach(4, spec(''), 104));
  await sleep(5);
  later.push(wave.attach(5, spec('10.0.0.5/24'), 105));
  assert.equal(host.runs.length, 1);
  host.release();
  const results = await Promise.all([...first, ...later]);

  // Each call is two batches, its bridge made (this fake keeps no links) and then its ports.
  assert.deepEqual(
    host.runs.map((r) => r.argv.join(' ')),
    ['ip -batch -', 'ip -batch -', 'ip -batch -', 'ip -batch -'],
  );
  assert.deepEqual(
    host.runs.map((r) => (r.input.match(/type veth/g) ?? []).length),
    [0, 2, 0, 3],
  );
  assert.deepEqual(
    results.map((r) => r.container),
    [
      [{ ifname: 'veth0', ip: '10.0.0.1/24' }],
      [{ ifname: 'veth0', ip: '' }],
      [{ ifname: 'veth0', ip: '' }],
      [{ ifname: 'veth0', ip: '' }],
      [{ ifname: 'veth0', ip: '10.0.0.5/24' }],
    ],
  );
  assert.deepEqual(
    results.map((r) => r.nics[0]!.tap),
    ['tp0', 'tp1', 'tp2', 'tp3', 'tp4'],
  );
});

test('a failed container is rejected alone; the wave goes on', async () => {
  const host = new GatedHost();
  const wave = new AttachWave(new Network({ stateDir: '/state', host, linuxMode: 'bridge-per-vlan', tapPrefix: 'tp', defaultBridge: 'br' }));
  const [ok, bad] = await Promise.allSettled([wave.attach(1, spec(''), 101), wave.attach(2, [{ bridge: '', vlan: '5000', mac: '', ip: '' }], 102)]);
  assert.equal(ok.status, 'fulfilled');
  assert.ok(bad.status === 'rejected' && /5000/.test(String(bad.reason)));
  assert.deepEqual(await wave.attach(3, spec(''), 103).then((r) => r.nics.length), 1);
});
