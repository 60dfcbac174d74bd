import type { CallName, Calls } from '../../../../engine/api/contract.js';
import type { ContainerInfo, VmResult } from '../../../../engine/api/types.js';
import { ConfigStore } from '../../../../engine/config/config-store.js';
import { defaultConfig } from '../../../../engine/config/defaults.js';
import { CliSession, type CliDeps } from '../../../../engine/language/index.js';

/** A pure fake engine: records calls and answers vm.info from a list. */
export class FakeEngine {
  readonly calls: { name: string; args: unknown[] }[] = [];
  vms: ContainerInfo[] = [];
  results: VmResult[] = [];
  throwOn: string | undefined;

  async call<K extends CallName>(name: K, ...args: Calls[K]['args']): Promise<Calls[K]['result']> {
    this.calls.push({ name, args });
    if (this.throwOn === name) throw new Error(`boom in ${name}`);
    if (name === 'vm.info') return this.vms as Calls[K]['result'];
    return this.results as Calls[K]['result'];
  }
}

export function vm(id: number, name: string, over: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id, name, state: 'BUILDING', type: 'container', uuid: `uuid-${id}`, pid: 0, launchedAt: 0,
    config: defaultConfig(), tags: {}, console: `/run/nanomega/${id}/console`, dir: `/run/nanomega/${id}`, nics: [],
    ...over,
  };
}

export function session(engine = new FakeEngine(), over: Partial<CliDeps> = {}) {
  const deps: CliDeps = {
    engine,
    config: new ConfigStore(),
    env: { images: '/srv/images' },
    hostname: 'labhost',
    runShell: async (cmd) => ({ stdout: `ran ${cmd}\n`, stderr: '', code: 0 }),
    ...over,
  };
  return { s: new CliSession(deps), engine, deps };
}
