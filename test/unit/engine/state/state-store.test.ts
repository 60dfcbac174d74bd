// Unreadable records never keep the daemon from starting (review L9), and instance directories
// without a record are found (review I6).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { StateStore } from '../../../../engine/state/state-store.js';

const BASE = '/run/nm';

function record(id: number): Record<string, unknown> {
  return {
    id,
    name: `c${id}`,
    state: 'RUNNING',
    uuid: 'u',
    config: {},
    tags: {},
    launchedAt: 1,
    phase: 'ready',
    monitorPid: 10,
    initPid: 11,
    initStartTicks: 12,
    killRequested: false,
    cgroupKey: `nmx-${id}`,
    rootfs: '/r',
    nics: [],
  };
}

test('a good record loads; a truncated, wrong-shape or misplaced one is an error naming the file', async () => {
  const host = new FakeHost(
    new Map([
      [`${BASE}/1/state.json`, JSON.stringify(record(1))],
      [`${BASE}/2/state.json`, '{"id": 2, "name": "c2", "sta'],
      [`${BASE}/3/state.json`, 'null'],
      [`${BASE}/4/state.json`, JSON.stringify(record(5))],
      [`${BASE}/6/state.json`, JSON.stringify({ ...record(6), nics: 'x' })],
    ]),
  );
  const store = new StateStore(host, BASE);
  assert.equal((await store.load(1)).name, 'c1');
  await assert.rejects(store.load(2), /parse \/run\/nm\/2\/state\.json/);
  await assert.rejects(store.load(3), /\/run\/nm\/3\/state\.json: not a container record/);
  await assert.rejects(store.load(4), /\/run\/nm\/4\/state\.json: id 5 in the directory of 4/);
  await assert.rejects(store.load(6), /bad tags or nics/);
});

test('quarantine moves the state file aside; scan then sees neither a record nor a stray', async () => {
  const host = new FakeHost(
    new Map([
      [`${BASE}/2/state.json`, 'garbage'],
      [`${BASE}/3/upper/x`, ''],
      [`${BASE}/hostfs/init`, ''],
    ]),
  );
  host.dirs.add(`${BASE}/7`);
  const store = new StateStore(host, BASE);
  assert.deepEqual(await store.scan(), { ids: [2], strays: [3, 7] });
  assert.equal(await store.quarantine(2), `${BASE}/2/state.json.bad`);
  assert.equal(host.files.get(`${BASE}/2/state.json.bad`), 'garbage');
  assert.equal(host.files.has(`${BASE}/2/state.json`), false);
  assert.deepEqual(await store.scan(), { ids: [], strays: [3, 7] });
});

test('an unreadable engine.json is reported, kept as engine.json.bad, and replaced by a fresh record', async () => {
  for (const text of ['{"nextId": ', '[]', '{"nextId": -4}', '{"nextId": "9"}']) {
    const host = new FakeHost(new Map([[`${BASE}/engine.json`, text]]));
    const reports: string[] = [];
    const rec = await new StateStore(host, BASE).loadEngine((m) => reports.push(m));
    assert.deepEqual(rec, { nextId: 0, modules: {} }, text);
    assert.equal(reports.length, 1);
    assert.match(reports[0]!, /engine\.json: .*moved to engine\.json\.bad/);
    assert.equal(host.files.get(`${BASE}/engine.json.bad`), text);
  }
  const host = new FakeHost(new Map([[`${BASE}/engine.json`, '{"nextId": 4, "modules": {"net": 1}}']]));
  assert.deepEqual(await new StateStore(host, BASE).loadEngine(() => assert.fail('reported a good file')), { nextId: 4, modules: { net: 1 } });
});
