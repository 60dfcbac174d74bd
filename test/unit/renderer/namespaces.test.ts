import { createTestingPinia } from '@pinia/testing';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { NamespaceInfo } from '../../../engine/api/types';
import { ALL_NAMESPACES, useNamespacesStore } from '../../../renderer/stores/namespaces';
import { fakeEngine } from './fake-engine';

beforeEach(() => {
  createTestingPinia({ createSpy: vi.fn, stubActions: false });
});

const ns = (name: string, vms = 0): NamespaceInfo => ({ name, vms, vlans: '', active: false, hosts: ['h'], queueing: false });

describe('namespaces store', () => {
  test("one namespace: the window shows the session's; several: all of them, launches going to the session's", async () => {
    fakeEngine({ 'ns.current': () => 'minimega', 'ns.list': () => [ns('minimega')] });
    const one = useNamespacesStore();
    await one.hydrate();
    expect(one.selected).toBe('minimega');

    createTestingPinia({ createSpy: vi.fn, stubActions: false });
    fakeEngine({ 'ns.current': () => 'lab', 'ns.list': () => [ns('minimega'), ns('lab')] });
    const many = useNamespacesStore();
    await many.hydrate();
    expect(many.list.map((n) => n.name)).toEqual(['lab', 'minimega']);
    expect(many.selected).toBe(ALL_NAMESPACES);
    expect(many.launchInto).toBe('lab');
    many.selected = 'minimega';
    expect(many.launchInto).toBe('minimega');
  });

  test("follows namespaces.changed: a destroyed selected namespace falls back to all; the session's namespace is re-read", async () => {
    let current = 'minimega';
    const { emit, call } = fakeEngine({ 'ns.current': () => current, 'ns.list': () => [ns('minimega'), ns('lab')] });
    const store = useNamespacesStore();
    await store.hydrate();
    store.selected = 'lab';
    current = 'blue';
    emit('namespaces.changed', [ns('minimega'), ns('blue')]);
    expect(store.selected).toBe(ALL_NAMESPACES);
    await vi.waitFor(() => expect(store.current).toBe('blue'));
    expect(call.mock.calls.filter(([n]) => n === 'ns.current')).toHaveLength(2);
  });

  test('create makes a namespace through ns.create and shows it', async () => {
    const list = [ns('minimega')];
    const { call } = fakeEngine({
      'ns.current': () => 'minimega',
      'ns.list': () => list,
      'ns.create': (name) => {
        list.push(ns(name as string));
        return ns(name as string);
      },
    });
    const store = useNamespacesStore();
    await store.hydrate();
    await store.create('red');
    expect(call).toHaveBeenCalledWith('ns.create', 'red');
    expect(store.selected).toBe('red');
  });
});
