/**
 * The routers of every namespace (minimega's `ns.routers`; kept on disk too, store.ts, since our VMs
 * outlive a daemon restart) and the contract's router.* calls. A router belongs to a VM of its
 * namespace and is made by the first change to it (the VM gets a `minirouter` tag holding its id);
 * it goes with its VM, with `clear router`, and with its namespace.
 *
 * `router VM commit` writes the file minirouter reads (config-file.ts) into the files directory
 * (`<files>/<namespace>/` outside the default namespace) and has cc deliver it: minimega's three
 * commands with prefix `minirouter-VM` for that VM only — remove the previous copy, send the file,
 * run `minirouter -u` on it — after dropping the earlier commands of that prefix.
 */
import { join } from 'node:path';
import type { Calls } from '../api/contract.js';
import type { CcCommandSpec, RouterClear, RouterSetting } from '../api/types.js';
import { namespaceOf, findOne } from '../commands/targets.js';
import { nsArg } from '../commands/namespace.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';
import { routerConfigFile } from './config-file.js';
import { Router } from './model.js';
import { RouterStore } from './store.js';

/** Where cc puts sent files inside the VM (miniccc's default). */
const CC_FILES = '/tmp/miniccc/files';

/** What a commit needs of cc: replace the commands of a prefix with these, for one client. */
export interface RouterCcPort {
  replacePrefixed(ns: string, prefix: string, uuid: string, specs: CcCommandSpec[]): Promise<void>;
}

type RouterCall = 'router.show' | 'router.set' | 'router.clear' | 'router.commit';
export type RouterHandlers = { [K in RouterCall]: (...args: Calls[K]['args']) => Promise<Calls[K]['result']> };

/** A field of a setting: a string without line breaks (each line of the file is one minirouter command). */
function field(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new EngineError('E_CONFIG', `router: ${name} is missing`, { field: name });
  if (/[\r\n\0]/.test(v))
    throw new EngineError('E_CONFIG', `router: ${name} may not hold a line break or NUL: ${JSON.stringify(v)}`, { field: name, value: v });
  return v;
}

function optionalField(v: unknown, name: string): string | undefined {
  return v === undefined || v === null ? undefined : field(v, name);
}

/** minimega's errors, as EngineErrors the wire carries with their text unchanged. */
function configError(e: unknown): EngineError {
  return e instanceof EngineError ? e : new EngineError('E_CONFIG', (e as Error).message);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug'];

/** Apply one `router VM …` change. */
export function applySetting(r: Router, s: RouterSetting): void {
  const f = s as unknown as Record<string, unknown>;
  const get = (name: string) => field(f[name], name);
  switch (s.kind) {
    case 'rid':
      return r.setRouterIdText(get('id'));
    case 'log': {
      const level = get('level');
      if (!LOG_LEVELS.includes(level)) throw new EngineError('E_CONFIG', `router: invalid log level ${level}`, { field: 'level', value: level });
      r.logLevel = level;
      return;
    }
    case 'interface':
      return r.interfaceAdd(get('network'), get('ip'), s.lo === true);
    case 'dhcp': {
      const d = r.dhcpServer(get('listen'));
      if ('range' in s) {
        d.low = field(s.range?.low, 'low');
        d.high = field(s.range?.high, 'high');
      } else if ('router' in s) d.router = get('router');
      else if ('dns' in s) d.dns = get('dns');
      else if ('static' in s) d.statics.set(field(s.static?.mac, 'mac'), field(s.static?.ip, 'ip'));
      return;
    }
    case 'dns':
      return r.dnsAdd(get('ip'), get('hostname'));
    case 'upstream':
      r.upstream = get('ip');
      return;
    case 'gw':
      r.gateway = get('gw');
      return;
    case 'ra':
      r.ra.add(get('subnet'));
      return;
    case 'static':
      return r.staticAdd(get('network'), get('nextHop'), optionalField(f.name, 'name'));
    case 'ospf':
      return r.ospfAdd(get('area'), get('network'), optionalField(f.option, 'option'), optionalField(f.value, 'value'));
    case 'ospf-export':
      r.ospfArea(get('area')).exports.add(get('filter'));
      return;
    case 'bgp': {
      const side = get('side');
      if (side !== 'local' && side !== 'neighbor') throw new EngineError('E_CONFIG', `router: bgp side must be local or neighbor: ${side}`, { field: 'side' });
      return r.bgpAdd(get('process'), side, get('ip'), get('as'));
    }
    case 'bgp-rrclient':
      r.bgpProcess(get('process')).routeReflector = true;
      return;
    case 'bgp-export':
      r.bgpProcess(get('process')).exports.add(s.all ? 'all' : get('filter'));
      return;
    case 'fw':
      throw new EngineError('E_CONFIG', 'firewall rules cannot be applied to minirouter containers');
    default:
      throw new EngineError('E_CONFIG', `router: unknown setting ${JSON.stringify((s as { kind: unknown }).kind)}`, { field: 'kind' });
  }
}

/** Apply one `clear router VM …` removal. */
export function applyClear(r: Router, c: RouterClear): void {
  const f = c as unknown as Record<string, unknown>;
  const opt = (name: string) => optionalField(f[name], name);
  switch (c.kind) {
    case 'all':
      return r.clear();
    case 'rid':
      r.routerId = '0.0.0.0';
      return;
    case 'interface':
      return r.interfaceDel(opt('network'), opt('ip'), c.lo === true);
    case 'dhcp': {
      const what = opt('what');
      if (what !== undefined && !['range', 'router', 'dns', 'static'].includes(what))
        throw new EngineError('E_CONFIG', `router: bad dhcp field ${what}`, { field: 'what' });
      return r.dhcpDel(opt('listen'), what as 'range' | undefined, opt('mac'));
    }
    case 'dns':
      return r.dnsDel(opt('ip'));
    case 'upstream':
      r.upstream = '';
      return;
    case 'gw':
      r.gateway = '';
      return;
    case 'ra':
      return r.raDel(opt('subnet'));
    case 'route':
      return r.routesDel();
    case 'static': {
      const name = opt('name');
      return name === undefined ? r.staticDel(opt('network')) : r.namedStaticDel(opt('network'), name);
    }
    case 'namedstatic':
      return r.namedStaticDel(undefined, undefined);
    case 'ospf': {
      const area = opt('area');
      const network = opt('network');
      const filter = opt('filter');
      if (network !== undefined) return r.ospfDel(area, network);
      if (filter !== undefined) return r.ospfDelExport(area, filter);
      r.ospfDel(area, undefined);
      return r.ospfDelExport(area, undefined);
    }
    case 'bgp': {
      const what = opt('what');
      if (what !== undefined && !['rrclient', 'local', 'neighbor'].includes(what))
        throw new EngineError('E_CONFIG', `router: bad bgp field ${what}`, { field: 'what' });
      return r.bgpDel(field(f.process, 'process'), what as 'local' | undefined);
    }
    case 'fw':
      // No firewall is kept for container routers: nothing to flush.
      return;
    default:
      throw new EngineError('E_CONFIG', `router: unknown clear ${JSON.stringify((c as { kind: unknown }).kind)}`, { field: 'kind' });
  }
}

export class Routers {
  /** Namespace → VM uuid → its router. */
  private byNs = new Map<string, Map<string, Router>>();
  private readonly store: RouterStore;

  constructor(
    private readonly ctx: EngineContext,
    private readonly cc: RouterCcPort,
  ) {
    this.store = new RouterStore(ctx.host, join(ctx.opts.base, 'routers'));
  }

  /** Take up the routers a previous daemon kept, of the VMs still known (after recovery). */
  async start(warn: (message: string) => void): Promise<void> {
    const live = new Set([...this.ctx.containers.values()].map((c) => `${namespaceOf(c)} ${c.rec.uuid}`));
    this.byNs = await this.store.load((ns, uuid) => live.has(`${ns} ${uuid}`), warn);
  }

  private save(ns: string): Promise<void> {
    return this.store.save(ns, () => this.byNs.get(ns));
  }

  /** A namespace's routers, without those whose VM is gone (flushed). */
  private routersOf(ns: string): Map<string, Router> {
    let m = this.byNs.get(ns);
    if (!m) {
      m = new Map();
      this.byNs.set(ns, m);
    }
    const live = new Set([...this.ctx.containers.values()].map((c) => c.rec.uuid));
    for (const uuid of [...m.keys()]) if (!live.has(uuid)) m.delete(uuid);
    return m;
  }

  private find(c: Container): Router | undefined {
    return this.routersOf(namespaceOf(c)).get(c.rec.uuid);
  }

  /** minimega's FindOrCreateRouter: a new router has a slot per NIC and tags its VM. */
  private async findOrCreate(c: Container): Promise<Router> {
    const m = this.routersOf(namespaceOf(c));
    let r = m.get(c.rec.uuid);
    if (!r) {
      r = new Router(c.rec.config.net.length);
      m.set(c.rec.uuid, r);
      c.rec.tags.minirouter = String(c.rec.id);
      await this.ctx.save(c);
    }
    return r;
  }

  /** Forget a namespace's routers (`clear namespace`). */
  async deleteNamespace(ns: string): Promise<void> {
    this.byNs.delete(ns);
    await this.save(ns);
  }

  /** Write the file and post the cc commands that install it. */
  private async commit(c: Container, r: Router): Promise<void> {
    const ns = namespaceOf(c);
    const prefix = `minirouter-${c.rec.name}`;
    // minimega's files directory holds the default namespace's files; others have a directory each.
    const dir = ns === DEFAULT_NAMESPACE ? this.ctx.filesDir : join(this.ctx.filesDir, ns);
    const path = join(dir, prefix);
    try {
      await this.ctx.host.mkdir(dir, { recursive: true, mode: 0o755 });
      // Replaced by rename, so a symlink planted at the name is replaced rather than followed.
      await this.ctx.host.writeFileAtomic(path, routerConfigFile(r));
      await this.ctx.host.chmod(path, 0o644);
    } catch (e) {
      throw new EngineError('E_HOST', `router commit: writing ${path}: ${(e as Error).message}`, { op: 'write', path });
    }
    r.updateIps = false;
    const inVm = `${CC_FILES}/${prefix}`;
    await this.cc.replacePrefixed(ns, prefix, c.rec.uuid, [
      { kind: 'exec', command: ['rm', inVm], background: false, once: false },
      { kind: 'send', files: [prefix] },
      { kind: 'exec', command: ['minirouter', '-u', inVm], background: false, once: false },
    ]);
  }

  readonly handlers: RouterHandlers = {
    'router.show': async (vm, ns) => {
      const c = findOne(this.ctx, vm, nsArg(ns));
      const r = this.find(c);
      if (!r) throw new EngineError('E_NOT_FOUND', `vm ${vm} not a router`, { vm });
      return r.info(c.rec.name, c.rec.tags.minirouter_log ?? '');
    },
    'router.set': async (vm, setting, ns) => {
      const c = findOne(this.ctx, vm, nsArg(ns));
      const r = await this.findOrCreate(c);
      try {
        applySetting(r, setting);
      } catch (e) {
        throw configError(e);
      } finally {
        await this.save(namespaceOf(c));
      }
    },
    'router.commit': async (vm, ns) => {
      const c = findOne(this.ctx, vm, nsArg(ns));
      try {
        await this.commit(c, await this.findOrCreate(c));
      } finally {
        await this.save(namespaceOf(c));
      }
    },
    'router.clear': async (vm, what, ns) => {
      if (vm === undefined || vm === null) {
        const name = nsArg(ns) ?? DEFAULT_NAMESPACE;
        this.routersOf(name).clear();
        return this.save(name);
      }
      let c: Container;
      try {
        c = findOne(this.ctx, vm, nsArg(ns));
      } catch (e) {
        if (e instanceof EngineError && e.code === 'E_NOT_FOUND') throw new EngineError('E_NOT_FOUND', `no such vm ${vm}`, { vm });
        throw e;
      }
      const r = this.find(c);
      if (!r) throw new EngineError('E_NOT_FOUND', `no such router ${vm}`, { vm });
      try {
        applyClear(r, what ?? { kind: 'all' });
      } catch (e) {
        throw configError(e);
      } finally {
        await this.save(namespaceOf(c));
      }
    },
  };
}
