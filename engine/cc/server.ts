/**
 * One namespace's command and control (minimega's ron.Server with its namespace's filter and
 * prefix): durable commands, delivered in id order to every matching client — each running
 * container with `vm config backchannel` on — exactly once per container incarnation (a relaunched
 * container is a rebooted VM: it runs the commands again, except the `-once` ones).
 *
 * Exactly once across daemon crashes: a delivery's start is journaled before its command runs (a
 * restarted daemon never runs it again) and its command runs as a detached exec session named by
 * a token, so a restarted daemon attaches to it and still collects the response.
 */
import type { CcClientInfo, CcCommandInfo, CcCommandSpec, CcFilter, CcProcessInfo, CcProgress } from '../api/types.js';
import type { Container, EngineContext } from '../context.js';
import { logError } from '../log.js';
import { deliver, type CcPipes, type DeliveryEnv } from './deliver.js';
import { matches, type FilterSubject } from './filter.js';
import { CcProcesses } from './processes.js';
import type { ResponseFiles } from './responses.js';
import { GroupCommit, type CcStorage } from './storage.js';
import { namespaceOf } from '../commands/targets.js';

/** How long `cc.changed` waits to fold a wave of responses into one event. */
const CHANGED_DEBOUNCE_MS = 50;

export interface CcEnv {
  ctx: EngineContext;
  storage: CcStorage;
  responses: ResponseFiles;
  sendDirs: string[];
  /** Named pipes for commands' stdin=/stdout=/stderr=. */
  pipes?: CcPipes;
  /** A short stable tag of the namespace for exec tokens. */
  tag: string;
  progress(p: CcProgress): void;
  changed(): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** Go's runtime.GOARCH for this machine: what miniccc would report. */
export function goArch(arch = process.arch): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

/** Can `c` take cc commands (`vm info` cc_active)? */
export function ccActive(c: Container): boolean {
  return c.rec.state === 'RUNNING' && c.rec.config.backchannel !== false;
}

export function clientInfo(c: Container): CcClientInfo {
  return {
    uuid: c.rec.uuid,
    name: c.rec.name,
    hostname: c.rec.config.hostname || c.rec.name,
    arch: goArch(),
    os: 'linux',
    ip: c.rec.nics.flatMap((n) => [n.ip, n.ip6]).filter(Boolean),
    mac: c.rec.nics.map((n) => n.mac).filter(Boolean),
  };
}

/** The `vm info` columns a filter key may name (minimega matches any column; these are the container ones). */
function infoColumn(c: Container, column: string): string | undefined {
  const r = c.rec;
  switch (column) {
    case 'name':
      return r.name;
    case 'id':
      return String(r.id);
    case 'state':
      return r.state;
    case 'type':
      return 'container';
    case 'uuid':
      return r.uuid;
    case 'hostname':
      return r.config.hostname || r.name;
    case 'vlan':
      return r.nics.length ? `[${r.nics.map((n) => n.vlan).join(' ')}]` : '';
    default:
      return undefined;
  }
}

function subject(c: Container): FilterSubject {
  return { client: clientInfo(c), tags: c.rec.tags, info: (k) => infoColumn(c, k) };
}

/** The key of a delivery in the journal: once-commands once per client, the others once per incarnation. */
function deliveryKey(cmd: CcCommandInfo, uuid: string, inc: number): string {
  const once = cmd.spec.kind === 'exec' && cmd.spec.once;
  return `${cmd.id} ${uuid} ${once ? 'once' : inc}`;
}

export class CcNamespace {
  filter: CcFilter | null = null;
  prefix = '';
  readonly processes = new CcProcesses();
  private counter = 0;
  private readonly commands = new Map<number, CcCommandInfo>();
  private readonly onceFor = new Map<number, Set<string>>();
  /** Deliveries begun (journal S), and ended (D). */
  private readonly startedKeys = new Set<string>();
  private readonly doneKeys = new Set<string>();
  /** Per client incarnation (`uuid inc`): the highest command id it has considered. */
  private readonly cursors = new Map<string, number>();
  private readonly busy = new Map<string, boolean>();
  /** Deliveries begun before a restart, finished by their client's pump (key → command). */
  private readonly recovering = new Map<string, CcCommandInfo>();
  private readonly journal: GroupCommit;
  private readonly denv: DeliveryEnv;
  private changedTimer?: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly env: CcEnv,
    readonly name: string,
  ) {
    this.journal = new GroupCommit(env.storage, name);
    this.denv = {
      ctx: env.ctx,
      responses: env.responses,
      processes: this.processes,
      sendDirs: env.sendDirs,
      pipes: env.pipes,
      token: (kind, id, uuid) => `${kind}${env.tag}.${id}.${uuid}`,
      started: (p) => this.journal.append(`P ${p.token} ${p.uuid} ${p.inc} ${p.pid} ${Buffer.from(JSON.stringify(p.command)).toString('base64')}`),
      ended: (token) => void this.journal.append(`X ${token}`).catch(() => undefined),
    };
  }

  static async open(env: CcEnv, name: string): Promise<CcNamespace> {
    const n = new CcNamespace(env, name);
    const { saved, journal } = await env.storage.load(name);
    if (saved) {
      n.counter = saved.counter;
      n.filter = saved.filter;
      n.prefix = saved.prefix;
      for (const c of saved.commands) n.commands.set(c.id, { ...c, checkedIn: [] });
      for (const [id, uuids] of Object.entries(saved.onceFor ?? {})) n.onceFor.set(Number(id), new Set(uuids));
    }
    const pendingProcs = n.replay(journal);
    n.recover(pendingProcs)
      .catch((e: unknown) => logError('cc: recovering background processes', e))
      .finally(() => n.kick());
    return n;
  }

  /** Rebuild the delivery sets from the journal; returns the background processes not known to have ended. */
  private replay(lines: string[]): Map<string, { uuid: string; inc: number; pid: number; command: string[] }> {
    const procs = new Map<string, { uuid: string; inc: number; pid: number; command: string[] }>();
    for (const line of lines) {
      const [op, a, b, c, d, e] = line.split(' ');
      if (op === 'S') this.startedKeys.add(`${a} ${b} ${c}`);
      else if (op === 'D') {
        this.doneKeys.add(`${a} ${b} ${c}`);
        this.checkIn(Number(a), b!);
      } else if (op === 'P' && a && b && e) {
        try {
          procs.set(a, { uuid: b, inc: Number(c), pid: Number(d), command: JSON.parse(Buffer.from(e, 'base64').toString('utf8')) as string[] });
        } catch {
          // Best-effort: a line we cannot read names no process we could track.
        }
      } else if (op === 'X' && a) procs.delete(a);
    }
    return procs;
  }

  private container(uuid: string): Container | undefined {
    for (const c of this.env.ctx.containers.values()) if (c.rec.uuid === uuid && namespaceOf(c) === this.name) return c;
    return undefined;
  }

  /**
   * After a restart: re-adopt the background processes, then find the deliveries that began but
   * did not end. On the same container incarnation they are finished by its pump (attached to by
   * token, or run now if they never reached the monitor); on a container that is gone or relaunched
   * they are over.
   */
  private async recover(procs: Map<string, { uuid: string; inc: number; pid: number; command: string[] }>): Promise<void> {
    await Promise.all(
      [...procs].map(async ([token, p]) => {
        const c = this.container(p.uuid);
        if (!c || c.rec.state === 'QUIT' || c.rec.state === 'ERROR' || c.rec.launchedAt !== p.inc) {
          await this.journal.append(`X ${token}`).catch(() => undefined);
          return;
        }
        try {
          const x = await this.env.ctx.shim.execAttach(this.env.ctx.store.dir(c.rec.id), token, { stdout: () => undefined, stderr: () => undefined });
          this.processes.add({ token, uuid: p.uuid, inc: p.inc, name: c.rec.name, pid: p.pid, command: p.command, exec: x });
          x.exit
            .catch(() => undefined)
            .finally(() => {
              this.processes.remove(token);
              void this.journal.append(`X ${token}`).catch(() => undefined);
            });
        } catch {
          await this.journal.append(`X ${token}`).catch(() => undefined);
        }
      }),
    );
    const lost: Promise<void>[] = [];
    for (const key of this.startedKeys) {
      if (this.doneKeys.has(key)) continue;
      const [id, uuid, inc] = key.split(' ') as [string, string, string];
      const cmd = this.commands.get(Number(id));
      const c = this.container(uuid);
      const same = c && c.rec.state !== 'QUIT' && c.rec.state !== 'ERROR' && (inc === 'once' || c.rec.launchedAt === Number(inc));
      if (cmd && same) this.recovering.set(key, cmd);
      else {
        this.env.log('warn', `cc ${this.name}: command ${id} on ${uuid} was interrupted by a daemon restart and its container is gone`);
        lost.push(this.markDone(key, Number(id), uuid));
      }
    }
    await Promise.all(lost);
  }

  private checkIn(id: number, uuid: string): void {
    const cmd = this.commands.get(id);
    if (cmd && !cmd.checkedIn.includes(uuid)) cmd.checkedIn.push(uuid);
  }

  private async markDone(key: string, id: number, uuid: string): Promise<void> {
    this.doneKeys.add(key);
    this.checkIn(id, uuid);
    await this.journal.append(`D ${key}`);
    this.changedSoon();
  }

  private changedSoon(): void {
    if (this.changedTimer) return;
    this.changedTimer = setTimeout(() => {
      this.changedTimer = undefined;
      this.env.changed();
    }, CHANGED_DEBOUNCE_MS);
  }

  private async save(): Promise<void> {
    const onceFor: Record<number, string[]> = {};
    for (const [id, set] of this.onceFor) onceFor[id] = [...set];
    await this.env.storage.save(this.name, {
      counter: this.counter,
      filter: this.filter,
      prefix: this.prefix,
      commands: [...this.commands.values()].map(({ checkedIn: _c, ...rest }) => rest),
      onceFor,
    });
  }

  /** The clients: containers of this namespace that can take commands. */
  clients(): Container[] {
    return [...this.env.ctx.containers.values()].filter((c) => ccActive(c) && namespaceOf(c) === this.name).sort((a, b) => a.rec.id - b.rec.id);
  }

  async setFilter(f: CcFilter | null): Promise<void> {
    this.filter = f;
    await this.save();
  }

  async setPrefix(p: string): Promise<void> {
    this.prefix = p;
    await this.save();
  }

  /**
   * minimega's NewCommand: the namespace's filter and prefix go with it (or the ones `as` gives, as
   * minimega's own commands set them); durable before the id is returned.
   */
  async add(spec: CcCommandSpec, as?: { prefix: string; filter: CcFilter }): Promise<number> {
    const id = ++this.counter;
    const filter = as ? as.filter : this.filter;
    const cmd: CcCommandInfo = {
      id,
      prefix: as ? as.prefix : this.prefix,
      spec,
      filter: filter ? structuredClone(filter) : null,
      checkedIn: [],
      createdAt: Date.now(),
    };
    this.commands.set(id, cmd);
    if (spec.kind === 'exec' && spec.once) this.onceFor.set(id, new Set(this.clients().map((c) => c.rec.uuid)));
    await this.save();
    this.env.changed();
    this.kick();
    return id;
  }

  list(): CcCommandInfo[] {
    return [...this.commands.values()].sort((a, b) => a.id - b.id).map((c) => structuredClone(c));
  }

  get(id: number): CcCommandInfo | undefined {
    return this.commands.get(id);
  }

  /** Commands with this prefix (minimega matches it exactly). */
  withPrefix(prefix: string): CcCommandInfo[] {
    return this.list().filter((c) => c.prefix === prefix);
  }

  async remove(ids: number[]): Promise<void> {
    for (const id of ids) {
      this.commands.delete(id);
      this.onceFor.delete(id);
    }
    await this.save();
    this.env.changed();
  }

  /** `clear cc commands`: none left and the counter back to 0, so the journal starts over too. */
  async clearCommands(): Promise<void> {
    await this.journal.settled();
    this.commands.clear();
    this.onceFor.clear();
    this.counter = 0;
    this.startedKeys.clear();
    this.doneKeys.clear();
    this.cursors.clear();
    const live = [...this.processes.forClientAll()].map(
      (p) => `P ${p.token} ${p.uuid} ${p.inc} ${p.pid} ${Buffer.from(JSON.stringify(p.command)).toString('base64')}`,
    );
    await this.env.storage.rewrite(this.name, live);
    await this.save();
    this.env.changed();
  }

  processList(uuids: string[]): CcProcessInfo[] {
    return uuids.flatMap((u) => {
      const c = this.container(u);
      return this.processes.forClient(u, c?.rec.launchedAt).map((p) => ({ name: p.name, uuid: p.uuid, pid: p.pid, command: p.command }));
    });
  }

  /** Look for work: every client not already busy walks the commands it has not considered. */
  kick(): void {
    if (this.closed) return;
    for (const c of this.clients()) this.pump(c).catch((e: unknown) => logError(`cc: delivering to vm ${c.rec.name}`, e));
  }

  private async pump(c: Container): Promise<void> {
    const key = `${c.rec.uuid} ${c.rec.launchedAt}`;
    if (this.busy.has(key)) {
      this.busy.set(key, true); // look again when done
      return;
    }
    this.busy.set(key, false);
    try {
      for (const [dkey, cmd] of this.recovering) {
        if (!dkey.startsWith(`${cmd.id} ${c.rec.uuid} `) || this.closed || !ccActive(c)) continue;
        this.recovering.delete(dkey);
        await this.finishDelivery(cmd, c, dkey, true);
      }
      for (;;) {
        if (this.closed || !ccActive(c) || `${c.rec.uuid} ${c.rec.launchedAt}` !== key) break;
        const cursor = this.cursors.get(key) ?? 0;
        const next = [...this.commands.keys()].filter((id) => id > cursor).sort((a, b) => a - b)[0];
        if (next === undefined) {
          if (this.busy.get(key)) {
            this.busy.set(key, false);
            continue;
          }
          break;
        }
        this.cursors.set(key, next);
        const cmd = this.commands.get(next)!;
        const dkey = deliveryKey(cmd, c.rec.uuid, c.rec.launchedAt);
        if (this.startedKeys.has(dkey)) continue;
        if (cmd.spec.kind === 'exec' && cmd.spec.once && !this.onceFor.get(cmd.id)?.has(c.rec.uuid)) continue;
        if (!matches(cmd.filter, subject(c))) continue;
        this.startedKeys.add(dkey);
        await this.journal.append(`S ${dkey}`);
        await this.finishDelivery(cmd, c, dkey, false);
      }
    } finally {
      this.busy.delete(key);
    }
  }

  private async finishDelivery(cmd: CcCommandInfo, c: Container, dkey: string, attach: boolean): Promise<void> {
    const base = { ns: this.name, id: cmd.id, uuid: c.rec.uuid, name: c.rec.name };
    this.env.progress({ ...base, state: 'running' });
    let r: { code?: number; error?: string };
    try {
      r = await deliver(this.denv, cmd, c, attach);
    } catch (e) {
      r = { error: (e as Error).message };
    }
    await this.markDone(dkey, cmd.id, c.rec.uuid).catch((e: Error) => this.env.log('error', `cc ${this.name}: journal: ${e.message}`));
    this.env.progress({
      ...base,
      state: r.error ? 'failed' : 'done',
      ...(r.code !== undefined ? { code: r.code } : {}),
      ...(r.error ? { error: r.error } : {}),
    });
  }

  close(): void {
    this.closed = true;
    if (this.changedTimer) clearTimeout(this.changedTimer);
    this.processes.closeAll();
  }
}
