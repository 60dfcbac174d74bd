/**
 * Routers on disk: `<base>/routers/<namespace>.json`, one file per namespace holding each router by its
 * VM's uuid. minimega keeps routers in memory only, but its VMs die with it; ours outlive a daemon
 * restart, so their routers do too. Writes are serialised per namespace and each takes the state as it
 * is when it runs, so the last write on disk is the latest state.
 */
import { join } from 'node:path';
import type { Host } from '../host/host.js';
import { Router, type RouterRecord } from './model.js';

interface NamespaceFile {
  version: 1;
  routers: [uuid: string, router: RouterRecord][];
}

export class RouterStore {
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    private readonly host: Host,
    private readonly dir: string,
  ) {}

  private file(ns: string): string {
    return join(this.dir, `${encodeURIComponent(ns)}.json`);
  }

  /** Write a namespace's routers as `current()` gives them when the write runs (none: remove its file). */
  save(ns: string, current: () => ReadonlyMap<string, Router> | undefined): Promise<void> {
    const next = (this.writes.get(ns) ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        const routers = current();
        if (!routers || routers.size === 0) return this.host.removeTree(this.file(ns));
        const body: NamespaceFile = { version: 1, routers: [...routers].map(([uuid, r]) => [uuid, r.record()]) };
        await this.host.mkdir(this.dir, { recursive: true, mode: 0o700 });
        await this.host.writeFileAtomic(this.file(ns), JSON.stringify(body));
      });
    this.writes.set(ns, next);
    return next;
  }

  /**
   * Every namespace's routers whose VM `alive(ns, uuid)` still knows. A file that cannot be read is
   * reported through `warn` and skipped: its routers are lost, nothing else is.
   */
  async load(alive: (ns: string, uuid: string) => boolean, warn: (message: string) => void): Promise<Map<string, Map<string, Router>>> {
    const out = new Map<string, Map<string, Router>>();
    const names = (await this.host.exists(this.dir)) ? await this.host.readdir(this.dir) : [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const ns = decodeURIComponent(name.slice(0, -'.json'.length));
      try {
        const body = JSON.parse(await this.host.readFile(join(this.dir, name))) as NamespaceFile;
        if (body.version !== 1 || !Array.isArray(body.routers)) throw new Error('not a routers file of version 1');
        const m = new Map<string, Router>();
        for (const [uuid, rec] of body.routers) if (alive(ns, uuid)) m.set(uuid, Router.fromRecord(rec));
        out.set(ns, m);
      } catch (e) {
        warn(`routers of namespace ${ns}: ignoring ${join(this.dir, name)}: ${(e as Error).message}`);
      }
    }
    return out;
  }
}
