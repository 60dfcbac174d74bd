import { vi } from 'vitest';
import type { CallName, Calls, EngineBridge, EventName, Events } from '../../../engine/api/contract';
import type { ContainerConfig, ContainerInfo, VmState } from '../../../engine/api/types';

export const CONFIG: ContainerConfig = {
  filesystem: '',
  hostname: '',
  init: ['/init'],
  preinit: '',
  fifos: 0,
  volumes: {},
  memory: 2048,
  vcpus: 1,
  snapshot: true,
  uuid: '',
  net: [],
  tags: {},
  backchannel: true,
};

export function info(id: number, name = `vm-${id}`, state: VmState = 'BUILDING'): ContainerInfo {
  return {
    id,
    name,
    namespace: 'minimega',
    state,
    type: 'container',
    uuid: `u${id}`,
    pid: 0,
    launchedAt: 0,
    config: CONFIG,
    tags: {},
    console: '',
    dir: '',
    nics: [],
  };
}

type Handler = (...args: unknown[]) => unknown;

/** A window.engine for tests: calls go to `handlers` (a spy records them), emit() pushes events. */
export function fakeEngine(handlers: Partial<Record<CallName, Handler>> = {}) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const call = vi.fn(async (name: CallName, ...args: unknown[]) => {
    const h = handlers[name];
    if (!h) throw new Error(`${name} is not available in this build`);
    return h(...args);
  });
  const bridge = {
    call,
    on(name: EventName, l: (p: unknown) => void) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name)!.add(l);
      return () => listeners.get(name)!.delete(l);
    },
  } as unknown as EngineBridge;
  const emit = <K extends EventName>(name: K, payload: Events[K]) => {
    for (const l of listeners.get(name) ?? []) l(payload);
  };
  window.engine = bridge;
  return { bridge, call, emit, listeners };
}

export type { Calls };
