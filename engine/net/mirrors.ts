/**
 * Tap mirrors (minimega's `tap mirror`): every frame that crosses a source port of a bridge, in both
 * directions, is also sent out of a destination port, so a monitoring container (an IDS, tcpdump)
 * sees another's traffic passively. minimega asks Open vSwitch for a mirror; a Linux bridge has no
 * such object, so the same effect comes from tc: a clsact qdisc on the source port with one filter
 * on its ingress hook (frames from the container) and one on its egress hook (frames to it), each a
 * match-everything u32 classifier whose mirred action transmits a copy out of the destination port.
 * u32 and act_mirred are in nearly every kernel config (cls_matchall often is not: this build
 * machine's kernel lacks it). The filters live on the source link: they vanish with it.
 */
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { netError, SYS_NET } from './ip.js';
import type { NetHost } from './net-host.js';

/** Where the mirrors are kept across daemon restarts (filters outlive the daemon; records must too). */
const STATE_FILE = 'mirrors.json';
/** tc priorities of our filters: one per mirror of a source port, counted from here. */
const FIRST_PREF = 0x4d00;
const LAST_PREF = 0x4dff;

/** One port of a mirror: the name the user gave, the bridge port it stands for, and which link it was. */
export interface MirrorEnd {
  /** As given (a container NIC's host end, or a host tap's name). */
  name: string;
  /** The link on the bridge (a host tap's bridge-side peer; a NIC's host end itself). */
  dev: string;
}

export interface MirrorRecord {
  namespace: string;
  bridge: string;
  src: MirrorEnd & { ifindex: number };
  dst: MirrorEnd & { ifindex: number };
  /** tc priority of the pair of filters on the source port. */
  pref: number;
}

interface MirrorsStateJSON {
  version: 1;
  mirrors: MirrorRecord[];
}

/** The argv of one mirroring filter on `hook` of the source port. */
export function mirrorFilterArgv(src: string, hook: 'ingress' | 'egress', pref: number, dst: string): string[] {
  return ['tc', 'filter', 'add', 'dev', src, hook, 'pref', String(pref), 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'mirror', 'dev', dst];
}

/** A mirror error in minimega's words (its texts are what scripts and tests match). */
function mirrorError(message: string, detail: Record<string, string>): EngineError {
  return new EngineError('E_CONFIG', message, { op: 'tap mirror', ...detail });
}

/**
 * The mirrors of one engine, keyed by destination name as minimega's are (a source may feed several
 * destinations; a destination takes one source). Callers serialise through the network lock.
 */
export class TapMirrors {
  private readonly mirrors = new Map<string, MirrorRecord>();
  private ready?: Promise<void>;
  private readonly path: string;

  constructor(
    private readonly net: NetHost,
    base: string,
  ) {
    this.path = join(base, STATE_FILE);
  }

  /** Mirrors `src` to `dst`; both are ports of `bridge` already checked by the caller. */
  async add(namespace: string, bridge: string, src: MirrorEnd, dst: MirrorEnd): Promise<void> {
    await this.prune();
    if (src.dev === dst.dev) throw mirrorError('cannot mirror tap to itself', { src: src.name, dst: dst.name });
    if (this.mirrors.has(dst.name)) throw mirrorError('destination tap is already a mirror', { dst: dst.name });
    // A copy sent out of a port that is itself mirrored would be copied again (the kernel cuts the
    // loop only after a few rounds): a destination is never a source and a source never a destination.
    const records = [...this.mirrors.values()];
    if (records.some((m) => m.src.dev === dst.dev)) throw mirrorError(`destination tap ${dst.name} is the source of a mirror`, { dst: dst.name });
    if (records.some((m) => m.dst.dev === src.dev)) throw mirrorError(`source tap ${src.name} is the destination of a mirror`, { src: src.name });
    const used = new Set(records.filter((m) => m.src.dev === src.dev).map((m) => m.pref));
    let pref = FIRST_PREF;
    while (used.has(pref)) pref++;
    if (pref > LAST_PREF) throw mirrorError(`too many mirrors of ${src.name}`, { src: src.name });
    const rec: MirrorRecord = {
      namespace,
      bridge,
      src: { ...src, ifindex: await this.ifindex(src.dev) },
      dst: { ...dst, ifindex: await this.ifindex(dst.dev) },
      pref,
    };
    const op = `tap mirror ${src.name} ${dst.name}`;
    const clsact = await this.net.run(['tc', 'qdisc', 'add', 'dev', src.dev, 'clsact']);
    if (clsact.code !== 0 && !/File exists|Exclusivity flag on/.test(clsact.stderr)) throw netError(op, src.dev, clsact.stderr);
    try {
      for (const hook of ['ingress', 'egress'] as const) {
        const argv = mirrorFilterArgv(src.dev, hook, pref, dst.dev);
        const r = await this.net.run(argv);
        if (r.code !== 0) throw netError(op, src.dev, r.stderr || `tc exited ${r.code}`, { argv: argv.join(' ') });
      }
    } catch (e) {
      await this.removeFilters(rec);
      throw e;
    }
    this.mirrors.set(dst.name, rec);
    await this.save();
  }

  /** `clear tap mirror [NAME]`: the namespace's mirror to NAME, or all of them. */
  async remove(namespace: string, dst?: string): Promise<void> {
    await this.prune();
    const mine = [...this.mirrors.values()].filter((m) => m.namespace === namespace);
    if (dst !== undefined) {
      const rec = this.mirrors.get(dst);
      if (!rec || rec.namespace !== namespace) throw mirrorError('not a valid mirror', { dst });
      await this.drop(rec);
      return;
    }
    for (const rec of mine) await this.drop(rec);
  }

  /** Whether `dst` names a live mirror of `namespace`. */
  async has(namespace: string, dst: string): Promise<boolean> {
    await this.prune();
    return this.mirrors.get(dst)?.namespace === namespace;
  }

  /** Every live mirror (of one namespace, when given). */
  async list(namespace?: string): Promise<MirrorRecord[]> {
    await this.prune();
    return [...this.mirrors.values()].filter((m) => namespace === undefined || m.namespace === namespace);
  }

  /** `nuke`: the filters go with the links; the records go here. */
  async nuke(): Promise<void> {
    await this.load();
    for (const rec of [...this.mirrors.values()]) await this.drop(rec);
    this.mirrors.clear();
    await this.save();
  }

  // ---- internals ----

  private async drop(rec: MirrorRecord): Promise<void> {
    await this.removeFilters(rec);
    this.mirrors.delete(rec.dst.name);
    await this.save();
  }

  private async removeFilters(rec: MirrorRecord): Promise<void> {
    // Only where the source is still the link the mirror was made on (a name can be reused).
    if ((await this.ifindex(rec.src.dev).catch(() => -1)) !== rec.src.ifindex) return;
    for (const hook of ['ingress', 'egress']) {
      const r = await this.net.run(['tc', 'filter', 'del', 'dev', rec.src.dev, hook, 'pref', String(rec.pref)]);
      if (r.code !== 0 && !/Cannot find|No such|Parent Qdisc doesn't exist/.test(r.stderr))
        throw netError(`clear tap mirror ${rec.dst.name}`, rec.src.dev, r.stderr);
    }
  }

  /**
   * Forgets mirrors one of whose links is gone (the container was killed or flushed, the host tap
   * deleted): the kernel dropped the source's filters with it, or they now send nowhere. A link of
   * the same name made later is another link (another ifindex).
   */
  private async prune(): Promise<void> {
    await this.load();
    let changed = false;
    for (const rec of [...this.mirrors.values()]) {
      const alive = async (end: MirrorEnd & { ifindex: number }) => (await this.ifindex(end.dev).catch(() => -1)) === end.ifindex;
      if ((await alive(rec.src)) && (await alive(rec.dst))) continue;
      await this.removeFilters(rec).catch(() => undefined);
      this.mirrors.delete(rec.dst.name);
      changed = true;
    }
    if (changed) await this.save();
  }

  private async ifindex(dev: string): Promise<number> {
    const text = await this.net.readFile(`${SYS_NET}/${dev}/ifindex`);
    const n = Number(text.trim());
    if (!Number.isInteger(n) || n <= 0) throw new EngineError('E_HOST', `tap mirror: unreadable ifindex of ${dev}: ${text.trim()}`, { path: dev });
    return n;
  }

  private load(): Promise<void> {
    this.ready ??= (async () => {
      if (!(await this.net.exists(this.path))) return;
      const s = JSON.parse(await this.net.readFile(this.path)) as Partial<MirrorsStateJSON>;
      for (const m of s.mirrors ?? []) this.mirrors.set(m.dst.name, m);
    })().catch((e) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  private async save(): Promise<void> {
    const s: MirrorsStateJSON = { version: 1, mirrors: [...this.mirrors.values()] };
    await this.net.writeFileAtomic(this.path, JSON.stringify(s, null, 1));
  }
}
