/**
 * The engine's command and control: one CcNamespace per namespace (created on first use, reopened
 * from `<base>/cc/` when the daemon starts), the contract's cc.* calls, and delivery kicked whenever
 * a container starts running.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Calls, Events } from '../api/contract.js';
import type { CcCommandInfo, CcCommandSpec, CcFilter } from '../api/types.js';
import type { EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { Plumber } from '../plumb/plumber.js';
import { sendable, type CcPipes } from './deliver.js';
import { emptyFilter } from './filter.js';
import { resolveSendFiles } from './send-files.js';
import { ResponseFiles } from './responses.js';
import { CcNamespace, clientInfo } from './server.js';
import { namespaceOf } from '../commands/targets.js';
import { NodeCcStorage, type CcStorage } from './storage.js';

/** minimega's default namespace: its responses live directly under the files directory. */
export const CC_DEFAULT_NAMESPACE = 'minimega';

type CcCalls = {
  [K in keyof Calls as K extends `cc.${string}` ? K : never]: (...args: Calls[K]['args']) => Promise<Calls[K]['result']>;
};

function nsTag(ns: string): string {
  return createHash('sha256').update(ns).digest('hex').slice(0, 6);
}

/** A command id argument: minimega's strconv.Atoi, else a prefix. */
function asId(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined;
}

function checkSpec(filesDir: string, spec: CcCommandSpec): void {
  const bad = (msg: string) => new EngineError('E_CONFIG', msg, { field: 'spec' });
  switch (spec.kind) {
    case 'exec':
      if (!Array.isArray(spec.command) || spec.command.length === 0 || spec.command.some((a) => typeof a !== 'string' || a.includes('\0')))
        throw bad('cc exec: no command');
      break;
    case 'send':
    case 'recv':
      if (!Array.isArray(spec.files) || spec.files.length === 0) throw bad(`cc ${spec.kind}: no files`);
      for (const f of spec.files) {
        if (typeof f !== 'string' || f === '' || f.includes('\0')) throw bad(`cc ${spec.kind}: bad file name`);
        if (spec.kind === 'send' && !f.startsWith('/') && !sendable(filesDir, f)) throw bad(`can only send files from ${filesDir}`);
      }
      break;
    case 'kill':
      if (!Number.isSafeInteger(spec.pid)) throw bad(`invalid PID: \`${spec.pid}\``);
      break;
    case 'killall':
      if (typeof spec.name !== 'string' || spec.name === '') throw bad('cc process killall: no name');
      break;
    default:
      throw bad('cc: unknown command kind');
  }
}

/** A command's stdio pipes as the plumber names them (`ns//name`); an empty name is no pipe, as in minimega. */
function qualifyPipes(ns: string, spec: Extract<CcCommandSpec, { kind: 'exec' }>): CcCommandSpec {
  const out: Extract<CcCommandSpec, { kind: 'exec' }> = { kind: 'exec', command: spec.command, background: spec.background, once: spec.once };
  for (const k of ['stdin', 'stdout', 'stderr'] as const) {
    const name = spec[k];
    if (name !== undefined && name !== '') out[k] = Plumber.qualify(ns, name);
  }
  return out;
}

export class CcService {
  private readonly namespaces = new Map<string, Promise<CcNamespace>>();
  readonly storage: CcStorage;

  constructor(
    private readonly ctx: EngineContext,
    private readonly emit: <K extends keyof Events>(name: K, payload: Events[K]) => void,
    /** The plumber's pipes, for commands with stdin=/stdout=/stderr=. */
    private readonly pipes?: CcPipes,
  ) {
    this.storage = new NodeCcStorage(join(ctx.opts.base, 'cc'));
  }

  /** Reopen every namespace that has cc state (its pending deliveries resume). */
  async start(): Promise<void> {
    const names = await readdir(join(this.ctx.opts.base, 'cc')).catch(() => [] as string[]);
    await Promise.all(names.map((n) => this.ns(decodeURIComponent(n))));
  }

  /** A container changed (started, relaunched, tagged): look for commands it should run. */
  containersChanged(): void {
    for (const p of this.namespaces.values())
      void p.then(
        (n) => n.kick(),
        () => undefined,
      );
  }

  ns(name: string): Promise<CcNamespace> {
    if (typeof name !== 'string' || name === '' || name.length > 256 || name.includes('\0')) {
      return Promise.reject(new EngineError('E_CONFIG', `bad namespace ${JSON.stringify(String(name).slice(0, 80))}`, { field: 'namespace' }));
    }
    let p = this.namespaces.get(name);
    if (!p) {
      const responses = ResponseFiles.forNamespace(this.ctx.filesDir, name, CC_DEFAULT_NAMESPACE);
      p = CcNamespace.open(
        {
          ctx: this.ctx,
          storage: this.storage,
          responses,
          sendDirs: this.sendDirs(name),
          pipes: this.pipes,
          tag: nsTag(name),
          progress: (pr) => this.emit('cc.progress', pr),
          changed: () => this.emit('cc.changed', { ns: name }),
          log: (level, message) => this.emit('engine.log', { t: Date.now(), level, message }),
        },
        name,
      );
      p.catch(() => this.namespaces.delete(name));
      this.namespaces.set(name, p);
    }
    return p;
  }

  private sendDirs(ns: string): string[] {
    return ns === CC_DEFAULT_NAMESPACE ? [this.ctx.filesDir] : [join(this.ctx.filesDir, ns), this.ctx.filesDir];
  }

  private responses(ns: string): ResponseFiles {
    return ResponseFiles.forNamespace(this.ctx.filesDir, ns, CC_DEFAULT_NAMESPACE);
  }

  private findVm(target: string, ns: string) {
    for (const c of this.ctx.containers.values()) {
      if (namespaceOf(c) !== ns) continue;
      if (c.rec.name === target || c.rec.uuid === target || String(c.rec.id) === target) return c;
    }
    return undefined;
  }

  readonly handlers: CcCalls = {
    'cc.state': async (ns) => {
      const n = await this.ns(ns);
      return { filter: n.filter, prefix: n.prefix, clients: n.clients().length };
    },
    'cc.filter': async (ns, filter) => (await this.ns(ns)).setFilter((filter as CcFilter | null) ?? null),
    'cc.prefix': async (ns, prefix) => (await this.ns(ns)).setPrefix(prefix),
    'cc.command': async (ns, spec) => {
      checkSpec(this.ctx.filesDir, spec);
      if (spec.kind === 'send') spec = { kind: 'send', files: await resolveSendFiles(this.ctx.filesDir, this.sendDirs(ns), spec.files) };
      if (spec.kind === 'exec') spec = qualifyPipes(ns, spec);
      return (await this.ns(ns)).add(spec);
    },
    'cc.commands': async (ns) => (await this.ns(ns)).list(),
    'cc.clients': async (ns) => (await this.ns(ns)).clients().map(clientInfo),
    'cc.responses': async (ns, selector, raw) => {
      const n = await this.ns(ns);
      const files = this.responses(ns);
      if (selector === 'all') return (await files.render(undefined, raw ?? false)) ?? '';
      const id = asId(selector);
      if (id !== undefined) {
        const r = await files.render(id, raw ?? false);
        if (r === undefined) throw new EngineError('E_NOT_FOUND', `no responses for ${id}`, { id });
        return r;
      }
      const cmds = n.withPrefix(selector);
      if (cmds.length === 0) throw new EngineError('E_NOT_FOUND', `no such prefix: \`${selector}\``, { prefix: selector });
      let out = '';
      for (const c of cmds) {
        const r = await files.render(c.id, raw ?? false);
        if (r === undefined) throw new EngineError('E_NOT_FOUND', `no responses for ${c.id}`, { id: c.id });
        out += r + '\n';
      }
      return out;
    },
    'cc.response': async (ns, id, uuid) => {
      await this.ns(ns);
      const c = this.findVm(uuid, ns);
      return { uuid, name: c?.rec.name ?? '', ...(await this.responses(ns).read(id, uuid)) };
    },
    'cc.exitcode': async (ns, id, vm) => {
      const n = await this.ns(ns);
      const c = this.findVm(vm, ns) ?? n.clients().find((x) => (x.rec.config.hostname || x.rec.name) === vm);
      if (!c) throw new EngineError('E_NOT_FOUND', `unable to get exit code: no client ${vm}`, { vm });
      try {
        return await this.responses(ns).exitCode(id, c.rec.uuid);
      } catch (e) {
        throw new EngineError('E_NOT_FOUND', `unable to get exit code: ${(e as Error).message}`, { id });
      }
    },
    'cc.delete': async (ns, what, selector) => {
      const n = await this.ns(ns);
      const id = asId(selector);
      const byPrefix = (): CcCommandInfo[] => {
        const cmds = n.withPrefix(selector);
        if (cmds.length === 0) throw new EngineError('E_NOT_FOUND', `no such prefix: \`${selector}\``, { prefix: selector });
        return cmds;
      };
      if (what === 'command') {
        if (selector === 'all') return n.clearCommands();
        if (id !== undefined) {
          if (!n.get(id)) throw new EngineError('E_NOT_FOUND', `command ${id} not found`, { id });
          return n.remove([id]);
        }
        return n.remove(byPrefix().map((c) => c.id));
      }
      const files = this.responses(ns);
      if (selector === 'all') return files.remove();
      if (id !== undefined) return files.remove(id);
      for (const c of byPrefix()) await files.remove(c.id);
    },
    'cc.clear': async (ns, what) => {
      const n = await this.ns(ns);
      if (!what || what === 'filter') await n.setFilter(null);
      if (!what || what === 'commands') await n.clearCommands();
      if (!what || what === 'responses') await this.responses(ns).remove();
      if (!what || what === 'prefix') await n.setPrefix('');
    },
    'cc.processes': async (ns, vm) => {
      const n = await this.ns(ns);
      if (vm === 'all') return n.processList(n.clients().map((c) => c.rec.uuid));
      const c = this.findVm(vm, ns);
      if (!c) throw new EngineError('E_NOT_FOUND', `vm not found: ${vm}`, { vm });
      return n.processList([c.rec.uuid]);
    },
  };

  /**
   * Replace the commands of `prefix` with `specs`, each for the one client `uuid` only (minimega's router
   * commit: its earlier commands are deleted, then the new ones posted with that prefix and filter).
   */
  async replacePrefixed(ns: string, prefix: string, uuid: string, specs: CcCommandSpec[]): Promise<void> {
    const n = await this.ns(ns);
    const earlier = n.withPrefix(prefix).map((c) => c.id);
    if (earlier.length) await n.remove(earlier);
    const filter: CcFilter = { ...emptyFilter(), uuid };
    for (let spec of specs) {
      checkSpec(this.ctx.filesDir, spec);
      if (spec.kind === 'send') spec = { kind: 'send', files: await resolveSendFiles(this.ctx.filesDir, this.sendDirs(ns), spec.files) };
      await n.add(spec, { prefix, filter });
    }
  }

  close(): void {
    for (const p of this.namespaces.values())
      void p.then(
        (n) => n.close(),
        () => undefined,
      );
  }
}
