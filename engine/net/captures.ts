/**
 * Packet captures (minimega `capture pcap`): one capturing process per kernel interface, their pcap
 * records merged into one file as they arrive. A capture ends when it is deleted, when its interfaces
 * go away (the container was killed, the bridge removed), or when the daemon stops; the file is whole
 * in every case. A restarted daemon stops the capturers an earlier one left behind.
 */
import { isAbsolute, join, normalize, dirname, sep } from 'node:path';
import type { CaptureInfo, ContainerId, FileChunk } from '../api/types.js';
import { EngineError, checkReadRange } from '../errors.js';
import type { CapturePort, CaptureProcess, CaptureSink } from './capture-port.js';
import type { NetHost } from './net-host.js';
import { LINKTYPE_ETHERNET, pcapGlobalHeader, PcapRecordSplitter } from './pcap.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';

/** State file in the base directory: running captures' pids, so a restarted daemon can stop them. */
const STATE_FILE = 'captures.json';
/** minimega's default snapshot length (bytes kept of each packet). */
export const DEFAULT_SNAPLEN = 1600;
/** tcpdump's own bounds for -s (0 means its maximum, 262144). */
const MAX_SNAPLEN = 262_144;
/** Finished captures kept listed (for downloads from the GUI), oldest dropped first. */
const FINISHED_KEPT = 50;
/** Largest chunk capture.read hands out (it travels base64 in one JSON frame). */
export const MAX_READ_BYTES = 1 << 20;
/** A path that discards everything; several captures may write it at once. */
const DEV_NULL = '/dev/null';

/** What to start: resolved by the verb (container NIC or bridge → kernel interfaces). */
export interface CaptureRequest {
  kind: 'vm' | 'bridge';
  bridge: string;
  vm?: { id: ContainerId; name: string; index: number };
  /** Kernel interfaces to read (a logical bridge may be several kernel bridges). */
  ifaces: string[];
  /** As the user wrote it: absolute, or relative to the files directory. */
  file: string;
  /** The namespace that owns it (lists and deletes of a namespace see only its own). */
  namespace?: string;
}

export interface CaptureConfig {
  snaplen: number;
  /** BPF filter for new captures; '' for every packet. */
  filter: string;
}

interface Running {
  info: CaptureInfo;
  procs: CaptureProcess[];
  sink: CaptureSink;
  /** Appends in arrival order. */
  chain: Promise<void>;
  /** Resolves once the capture has ended and its file is closed. */
  finished: Promise<void>;
  stopRequested: boolean;
  /** First write error: the capture stops and says so. */
  writeError?: string;
}

interface StateJSON {
  version: 1;
  nextId: number;
  /** The default namespace's (files written before the configuration was per namespace have only this). */
  config: CaptureConfig;
  /** Every namespace's, as minimega keeps `capture pcap snaplen|filter` per namespace. */
  configs?: Record<string, CaptureConfig>;
  captures: CaptureInfo[];
  /** Running captures' processes: pid and start time (to tell them from a reused pid). */
  pids: Record<string, { pid: number; ticks: number }[]>;
}

export class Captures {
  private nextId = 0;
  private readonly running = new Map<number, Running>();
  private finished: CaptureInfo[] = [];
  private pids = new Map<number, { pid: number; ticks: number }[]>();
  /** Per namespace; one without an entry has the defaults. */
  private readonly configs = new Map<string, CaptureConfig>();
  private readonly statePath: string;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly port: CapturePort,
    private readonly host: NetHost,
    private readonly opts: { stateDir: string; filesDir: string; changed: (list: CaptureInfo[]) => void },
  ) {
    this.statePath = join(opts.stateDir, STATE_FILE);
  }

  /** Running captures, then finished ones, by id; with a namespace, only its own. */
  list(namespace?: string): CaptureInfo[] {
    return [...this.finished, ...[...this.running.values()].map((r) => ({ ...r.info }))]
      .filter((c) => namespace === undefined || ownerOf(c) === namespace)
      .sort((a, b) => a.id - b.id);
  }

  /** The snap length and filter new captures of `namespace` (default: the default one) get. */
  getConfig(namespace = DEFAULT_NAMESPACE): CaptureConfig {
    return { ...(this.configs.get(namespace) ?? { snaplen: DEFAULT_SNAPLEN, filter: '' }) };
  }

  async setConfig(change: Partial<CaptureConfig>, namespace = DEFAULT_NAMESPACE): Promise<CaptureConfig> {
    await this.ready();
    const config = this.getConfig(namespace);
    if (change.snaplen !== undefined) {
      if (!Number.isSafeInteger(change.snaplen) || change.snaplen < 1 || change.snaplen > MAX_SNAPLEN) {
        throw new EngineError('E_CONFIG', `invalid snaplen: \`${change.snaplen}\` (1 to ${MAX_SNAPLEN})`, { field: 'snaplen', value: String(change.snaplen) });
      }
      config.snaplen = change.snaplen;
    }
    if (change.filter !== undefined) config.filter = change.filter;
    this.configs.set(namespace, config);
    await this.save();
    return this.getConfig(namespace);
  }

  /** A namespace was destroyed: a new one of the same name starts from the defaults (minimega). */
  async forgetConfig(namespace: string): Promise<void> {
    if (this.configs.delete(namespace)) await this.save();
  }

  /** The absolute path a capture writes: relative names are under the files directory (minimega). */
  resolvePath(file: string): string {
    if (file === '' || file.includes('\0')) throw new EngineError('E_CONFIG', `invalid capture file: \`${file}\``, { field: 'file', value: file });
    if (isAbsolute(file)) return normalize(file);
    const path = normalize(join(this.opts.filesDir, file));
    if (!path.startsWith(this.opts.filesDir + sep)) {
      throw new EngineError('E_CONFIG', `capture file \`${file}\` leaves the files directory ${this.opts.filesDir}`, { field: 'file', value: file });
    }
    return path;
  }

  /** Starts a capture; resolves once every interface is being recorded. */
  async start(req: CaptureRequest): Promise<CaptureInfo> {
    await this.ready();
    const path = this.resolvePath(req.file);
    if (path !== DEV_NULL && [...this.running.values()].some((r) => r.info.path === path)) {
      throw new EngineError('E_EXISTS', `a capture already writes ${path}`, { field: 'file', value: req.file });
    }
    if (!isAbsolute(req.file)) await this.port.mkdirp(dirname(path));
    else if (!(await this.port.isDir(dirname(path)))) {
      throw new EngineError('E_CONFIG', `capture file ${path}: directory ${dirname(path)} does not exist`, { field: 'file', value: req.file });
    }
    const existed = (await this.port.size(path)) !== undefined;
    const { snaplen, filter } = this.getConfig(req.namespace);
    const sink = await this.port.openSink(path);
    const info: CaptureInfo = {
      id: this.nextId++,
      kind: req.kind,
      bridge: req.bridge,
      ...(req.vm ? { vm: { ...req.vm } } : {}),
      iface: req.ifaces.join(','),
      ...(req.namespace !== undefined ? { namespace: req.namespace } : {}),
      path,
      state: 'running',
      startedAt: Date.now(),
      packets: 0,
      bytes: 0,
    };
    const header = pcapGlobalHeader(snaplen, LINKTYPE_ETHERNET);
    const r: Running = { info, procs: [], sink, chain: sink.append(header), finished: Promise.resolve(), stopRequested: false };
    info.bytes = header.length;
    for (const iface of req.ifaces) r.procs.push(this.port.spawn({ iface, snaplen, filter }));
    for (const p of r.procs) this.pipe(r, p);
    try {
      await Promise.all(r.procs.map((p) => p.ready));
    } catch (e) {
      for (const p of r.procs) p.stop();
      await Promise.all(r.procs.map((p) => p.done));
      await r.chain.catch(() => undefined);
      await sink.close().catch(() => undefined);
      // Nothing left behind by a capture that never started (a file that was there is truncated, as `-w` would).
      if (!existed) await this.port.remove(path).catch(() => undefined);
      throw e;
    }
    r.finished = Promise.all(r.procs.map((p) => p.done)).then((exits) =>
      this.finish(
        r,
        exits
          .map((x) => x.stderr)
          .filter(Boolean)
          .join('; '),
      ),
    );
    this.running.set(info.id, r);
    this.pids.set(info.id, await Promise.all(r.procs.map(async (p) => ({ pid: p.pid, ticks: await this.port.startTicks(p.pid) }))));
    await this.save();
    this.opts.changed(this.list());
    return { ...info };
  }

  /**
   * Stops captures (unknown or finished ids, and with a namespace those of other namespaces, are
   * E_NOT_FOUND); resolves when their files are closed.
   */
  async stop(ids: readonly number[], namespace?: string): Promise<CaptureInfo[]> {
    for (const id of ids) {
      const r = this.running.get(id);
      if (!r || (namespace !== undefined && ownerOf(r.info) !== namespace)) throw new EngineError('E_NOT_FOUND', `no running capture ${id}`, { id });
    }
    return this.stopRunning(
      ids.map((id) => this.running.get(id)!),
      '',
    );
  }

  /** Stops the captures of a container (it is exiting: its host ends are about to go). */
  async stopContainer(id: ContainerId, reason: string): Promise<void> {
    await this.stopRunning(
      [...this.running.values()].filter((r) => r.info.vm?.id === id),
      reason,
    );
  }

  /** Stops the captures of a namespace (it is being destroyed). */
  async stopNamespace(namespace: string, reason: string): Promise<void> {
    await this.stopRunning(
      [...this.running.values()].filter((r) => ownerOf(r.info) === namespace),
      reason,
    );
  }

  /** Stops everything (daemon shutdown, nuke). */
  async stopAll(reason: string): Promise<void> {
    await this.stopRunning([...this.running.values()], reason);
  }

  /** A chunk of a capture's file, running or finished. */
  async read(id: number, offset: number, length: number): Promise<FileChunk> {
    const info = this.running.get(id)?.info ?? this.finished.find((c) => c.id === id);
    if (!info) throw new EngineError('E_NOT_FOUND', `no capture ${id}`, { id });
    checkReadRange(offset, length, MAX_READ_BYTES);
    if (info.path === DEV_NULL) return { data: '', offset, size: 0, eof: true };
    const size = await this.port.size(info.path);
    if (size === undefined) throw new EngineError('E_NOT_FOUND', `capture ${id}: ${info.path} no longer exists`, { id, path: info.path });
    const data = offset < size ? await this.port.read(info.path, offset, Math.min(length, size - offset)) : Buffer.alloc(0);
    return { data: data.toString('base64'), offset, size, eof: offset + data.length >= size && !this.running.has(id) };
  }

  /**
   * After a daemon restart: capturers of the previous daemon lost their reader, so their captures
   * are over; any that still run are stopped (their files hold whole records up to the restart).
   */
  async recover(): Promise<void> {
    await this.ready();
  }

  // ---- internals ----

  private loaded?: Promise<void>;

  private ready(): Promise<void> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  private async load(): Promise<void> {
    if (!(await this.host.exists(this.statePath))) return;
    const s = JSON.parse(await this.host.readFile(this.statePath)) as StateJSON;
    this.nextId = s.nextId ?? 0;
    // Files from before the configuration was per namespace: theirs was the default namespace's.
    for (const [ns, c] of Object.entries(s.configs ?? (s.config ? { [DEFAULT_NAMESPACE]: s.config } : {}))) {
      this.configs.set(ns, { ...this.getConfig(ns), ...c });
    }
    const now = Date.now();
    for (const c of s.captures ?? []) {
      if (c.state !== 'running') {
        this.finished.push(c);
        continue;
      }
      for (const { pid, ticks } of s.pids?.[c.id] ?? []) {
        if (pid > 0 && ticks > 0 && (await this.port.startTicks(pid)) === ticks) this.port.kill(pid, 'SIGTERM');
      }
      const size = await this.port.size(c.path);
      this.finished.push({
        ...c,
        state: 'stopped',
        stoppedAt: now,
        reason: 'the daemon restarted',
        ...(size !== undefined && c.path !== DEV_NULL ? { bytes: size } : {}),
      });
    }
    this.finished = this.finished.slice(-FINISHED_KEPT);
    await this.save();
  }

  private pipe(r: Running, p: CaptureProcess): void {
    const split = new PcapRecordSplitter();
    p.onData((chunk) => {
      if (r.writeError) return;
      let whole: Buffer;
      const before = split.packets;
      try {
        whole = split.push(chunk);
        if (split.header && (split.header.linktype !== LINKTYPE_ETHERNET || split.header.nanos)) {
          throw new Error(`unexpected pcap stream (link type ${split.header.linktype}${split.header.nanos ? ', nanoseconds' : ''})`);
        }
      } catch (e) {
        r.writeError = `capture ${r.info.id}: ${(e as Error).message}`;
        for (const q of r.procs) q.stop();
        return;
      }
      if (whole.length === 0) return;
      r.info.packets += split.packets - before;
      r.info.bytes += whole.length;
      r.chain = r.chain
        .then(() => r.sink.append(whole))
        .catch((e: Error) => {
          if (!r.writeError) r.writeError = e.message;
          for (const q of r.procs) q.stop();
        });
    });
  }

  private async stopRunning(list: readonly Running[], reason: string): Promise<CaptureInfo[]> {
    for (const r of list) {
      if (!r.stopRequested) {
        r.stopRequested = true;
        if (reason) r.info.reason = reason;
      }
      for (const p of r.procs) p.stop();
    }
    await Promise.all(list.map((r) => r.finished));
    return list.map((r) => this.finished.find((c) => c.id === r.info.id) ?? { ...r.info });
  }

  /** Every process of `r` has exited: write what is left, close the file, list it as stopped. */
  private async finish(r: Running, stderr: string): Promise<void> {
    await r.chain.catch(() => undefined);
    await r.sink.close().catch((e: Error) => (r.writeError ??= e.message));
    const info: CaptureInfo = { ...r.info, state: 'stopped', stoppedAt: Date.now() };
    const why = r.writeError ?? (r.stopRequested ? r.info.reason : stderr || 'the capturing process ended');
    if (why) info.reason = why;
    else delete info.reason;
    this.running.delete(r.info.id);
    this.pids.delete(r.info.id);
    this.finished = [...this.finished, info].slice(-FINISHED_KEPT);
    await this.save().catch(() => undefined); // Best-effort: the next save writes it; a restart reads the file size.
    this.opts.changed(this.list());
  }

  private save(): Promise<void> {
    const s: StateJSON = {
      version: 1,
      nextId: this.nextId,
      config: this.getConfig(),
      configs: Object.fromEntries(this.configs),
      captures: this.list(),
      pids: Object.fromEntries([...this.pids].map(([id, p]) => [String(id), p])),
    };
    // Writes are ordered, so an older list never lands after a newer one.
    this.saving = this.saving.catch(() => undefined).then(() => this.host.writeFileAtomic(this.statePath, JSON.stringify(s, null, 1)));
    return this.saving;
  }
}

/** A capture's namespace (records written before captures had one belong to the default). */
function ownerOf(c: CaptureInfo): string {
  return c.namespace ?? DEFAULT_NAMESPACE;
}
