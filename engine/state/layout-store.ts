/**
 * The topology view's node positions, one file per namespace under <base>/layouts/, so a layout
 * follows the user from the desktop app to the web UI and survives restarts of both.
 */
import { join } from 'node:path';
import type { TopologyLayout } from '../api/types.js';
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';

const DIR = 'layouts';
/** Positions kept per namespace: a 1000-container lab has about 1100 nodes. */
const MAX_NODES = 20_000;
/** Longest node key (the renderer's keys are `vm:<id>:<name>`, `seg:<bridge>:<vlan>` and the like). */
const MAX_KEY = 300;
const MAX_NAMESPACE = 200;

export class LayoutStore {
  constructor(
    private readonly host: Host,
    private readonly base: string,
  ) {}

  async get(namespace: string): Promise<TopologyLayout | null> {
    const path = this.path(namespace);
    if (!(await this.host.exists(path))) return null;
    try {
      return JSON.parse(await this.host.readFile(path)) as TopologyLayout;
    } catch {
      // A torn or hand-edited file is not worth an error: the view lays the graph out anew.
      return null;
    }
  }

  async set(namespace: string, layout: TopologyLayout): Promise<void> {
    const clean = checkLayout(layout);
    await this.host.mkdir(join(this.base, DIR), { recursive: true, mode: 0o700 });
    await this.host.writeFileAtomic(this.path(namespace), JSON.stringify(clean));
  }

  /** File of a namespace: its name hex-encoded, so any name is a safe file name ('' → `default`). */
  private path(namespace: string): string {
    if (typeof namespace !== 'string' || namespace.length > MAX_NAMESPACE) {
      throw new EngineError('E_CONFIG', `invalid namespace: \`${String(namespace).slice(0, 40)}\``, { field: 'namespace' });
    }
    const name = namespace === '' ? 'default' : `ns-${Buffer.from(namespace, 'utf8').toString('hex')}`;
    return join(this.base, DIR, `${name}.json`);
  }
}

/** Only finite positions under short keys are stored; anything else names what is wrong. */
export function checkLayout(layout: TopologyLayout): TopologyLayout {
  const bad = (why: string) => new EngineError('E_CONFIG', `topology layout: ${why}`, { field: 'layout' });
  if (typeof layout !== 'object' || layout === null || typeof layout.positions !== 'object' || layout.positions === null) throw bad('positions missing');
  const entries = Object.entries(layout.positions);
  if (entries.length > MAX_NODES) throw bad(`${entries.length} nodes (at most ${MAX_NODES})`);
  const kept: [string, { x: number; y: number }][] = [];
  for (const [key, p] of entries) {
    if (key.length > MAX_KEY) throw bad(`node key longer than ${MAX_KEY} characters`);
    if (typeof p !== 'object' || p === null || !Number.isFinite(p.x) || !Number.isFinite(p.y))
      throw bad(`position of \`${key.slice(0, 40)}\` is not two numbers`);
    kept.push([key, { x: p.x, y: p.y }]);
  }
  // fromEntries defines own properties: a `__proto__` key stays a plain key.
  return { positions: Object.fromEntries(kept), savedAt: Number.isFinite(layout.savedAt) ? layout.savedAt : Date.now() };
}
