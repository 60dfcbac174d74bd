import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BridgeBackend } from '../../../../engine/net/bridge-backend.js';
import { planNics } from '../../../../engine/net/network-plan.js';
import { NetState, type NetParts } from '../../../../engine/net/network-state.js';
import { FakeNetHost } from './fake-net-host.js';

function parts(): NetParts {
  const host = new FakeNetHost();
  // planNics asks the backend only its kind and mode.
  const backend = { kind: 'linux', mode: 'bridge-per-vlan' } as BridgeBackend;
  return { host, state: new NetState(host, '/state', 'tp'), backend, tag: 't', defaultBridge: 'br', mtu: () => undefined };
}

const TAKEN = '02:00:00:00:00:01';
const nic = (vlan: string, mac = '') => ({ bridge: '', vlan, mac, ip: '' });

test('a container whose NICs are all planned adds every MAC to the set its wave shares', () => {
  const inUse = new Set([TAKEN]);
  const nics = planNics(parts(), [nic('5'), nic('6', '02:00:00:00:00:AA')], 0, undefined, inUse);
  assert.deepEqual(
    nics.map((n) => [n.ifname, n.tap]),
    [
      ['veth0', 'tp0'],
      ['veth1', 'tp1'],
    ],
  );
  assert.equal(nics[1]!.mac, '02:00:00:00:00:aa');
  assert.deepEqual([...inUse].sort(), [TAKEN, nics[0]!.mac, '02:00:00:00:00:aa'].sort());
});

test('a container refused at its second NIC leaves the set as it found it, a MAC it shares with another included', () => {
  const inUse = new Set([TAKEN]);
  assert.throws(() => planNics(parts(), [nic('5'), nic('6', '02:00:00:00:00:bb'), nic('7', TAKEN), nic('5000')], 0, undefined, inUse), /5000/);
  assert.deepEqual([...inUse], [TAKEN]);
});
