import { createTestingPinia } from '@pinia/testing';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { CcCommandInfo, CcFilter } from '../../../engine/api/types';
import { splitWords } from '../../../renderer/lib/words';
import { useCcStore } from '../../../renderer/stores/cc';
import { fakeEngine } from './fake-engine';

beforeEach(() => {
  createTestingPinia({ createSpy: vi.fn, stubActions: false });
});

const cmd = (id: number, checkedIn: string[] = []): CcCommandInfo => ({
  id,
  prefix: '',
  spec: { kind: 'exec', command: ['hostname'], background: false, once: false },
  filter: null,
  checkedIn,
  createdAt: 0,
});

describe('cc panel', () => {
  test('command lines split like a shell', () => {
    expect(splitWords(`sh -c 'echo "a b"; exit 3'  x\\ y ""`)).toEqual(['sh', '-c', 'echo "a b"; exit 3', 'x y', '']);
    expect(() => splitWords('echo "open')).toThrow(/unterminated/);
  });

  test('posting a command sets its own filter and puts the namespace filter back', async () => {
    const before: CcFilter = { uuid: '', hostname: 'old', arch: '', os: '', ip: '', mac: '', tags: {} };
    const mine: CcFilter = { uuid: '', hostname: 'web1', arch: '', os: '', ip: '', mac: '', tags: { role: 'db' } };
    const { call } = fakeEngine({
      'cc.state': () => ({ filter: before, prefix: '', clients: 2 }),
      'cc.filter': () => undefined,
      'cc.command': () => 7,
      'cc.commands': () => [cmd(7)],
      'cc.clients': () => [],
    });
    const cc = useCcStore();
    const id = await cc.post({ kind: 'exec', command: ['hostname'], background: false, once: false }, mine);
    expect(id).toBe(7);
    expect(cc.selected).toBe(7);
    const order = call.mock.calls.map(([n, ...a]) => (n === 'cc.filter' ? `filter ${(a[1] as CcFilter | null)?.hostname}` : n));
    expect(order.slice(0, 4)).toEqual(['cc.state', 'filter web1', 'cc.command', 'cc.commands']);
    expect(order).toContain('filter old');
  });

  test('progress events and check-ins make one row per client', async () => {
    const { emit } = fakeEngine({
      'cc.commands': () => [cmd(1, ['u0'])],
      'cc.clients': () => [{ uuid: 'u0', name: 'web0', hostname: 'web0', arch: 'amd64', os: 'linux', ip: [], mac: [] }],
    });
    const cc = useCcStore();
    await cc.hydrate();
    emit('cc.progress', { ns: 'minimega', id: 1, uuid: 'u1', name: 'web1', state: 'running' });
    emit('cc.progress', { ns: 'other', id: 1, uuid: 'u9', name: 'elsewhere', state: 'done' });
    let rows = cc.rowsOf(cc.commands[0]!);
    expect(rows.map((r) => [r.name, r.state])).toEqual([
      ['web0', 'done'],
      ['web1', 'running'],
    ]);
    emit('cc.progress', { ns: 'minimega', id: 1, uuid: 'u1', name: 'web1', state: 'failed', code: -1, error: 'exec `x`: No such file or directory' });
    rows = cc.rowsOf(cc.commands[0]!);
    expect(rows[1]).toMatchObject({ state: 'failed', code: -1 });
  });
});
