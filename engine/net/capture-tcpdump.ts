/**
 * The real CapturePort: Debian's tcpdump per interface, writing pcap to a pipe that the engine cuts
 * at record boundaries into the file (engine/net/pcap.ts).
 *
 * Why a pipe and not `tcpdump -w FILE`: tcpdump drops root for its own user before it opens the file
 * (so it could not write under <base>/files), and Debian's AppArmor profile for tcpdump only lets it
 * write files named *.pcap or *.cap; through the pipe any name works, the file stays root's, and a
 * file is only ever extended by whole records — it reads cleanly whenever tcpdump or the daemon stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { EngineError, hostError } from '../errors.js';
import type { CaptureExit, CaptureOptions, CapturePort, CaptureProcess, CaptureSink } from './capture-port.js';
import { SYS_NET } from './ip.js';
import { statFields, statStartTicks } from '../host/proc-stat.js';

/** The program; looked up on PATH like every other tool the engine runs. */
const TCPDUMP = 'tcpdump';
/** tcpdump says this on stderr once the interface is open and the filter installed. */
const LISTENING_RE = /listening on /;
/** A tcpdump that neither starts nor fails within this long is stopped and reported. */
const START_TIMEOUT_MS = 10_000;
/** Keep this much of tcpdump's stderr for error messages. */
const STDERR_KEEP = 4096;
/** Capture files hold other containers' traffic: root only. */
const FILE_MODE = 0o600;
/** A stop waits at most this long for tcpdump to take what the kernel already queued for it. */
const DRAIN_MAX_MS = 2000;
/** How often a stop looks at tcpdump's state meanwhile. */
const DRAIN_POLL_MS = 5;
/** How long a stop waits when the kernel does not say where tcpdump sleeps. */
const DRAIN_BLIND_MS = 100;

/**
 * Whether `pid` sleeps in poll(2): then every packet queued for it before now has been read and written
 * out (a packet arriving wakes the poller and makes it runnable at once, and libpcap only polls an empty
 * ring). Running, stopped, or blocked on its output pipe: not yet. undefined when the kernel does not
 * say where a task sleeps (no kallsyms: /proc/PID/wchan reads "0") or the process is gone.
 */
async function idleInPoll(pid: number): Promise<boolean | undefined> {
  try {
    const [stat, wchan] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/wchan`, 'utf8')]);
    if (wchan === '' || wchan === '0') return undefined;
    return statFields(stat)[0] === 'S' && wchan.includes('poll');
  } catch {
    return undefined;
  }
}

/** tcpdump argv for one capture: packets to stdout as they arrive, no name lookups, `--` before the filter. */
export function tcpdumpArgv(o: CaptureOptions): string[] {
  // --immediate-mode: packets are handed over at once, not in ring-buffer blocks retired up to a
  // second later, so a capture stopped right after a ping still holds it. -U flushes each record.
  const argv = [TCPDUMP, '-i', o.iface, '-w', '-', '-U', '--immediate-mode', '-n', '-s', String(o.snaplen)];
  // `--` ends the options: glibc's getopt would otherwise take a filter word starting with '-' as one.
  if (o.filter !== '') argv.push('--', o.filter);
  return argv;
}

class TcpdumpProcess implements CaptureProcess {
  readonly pid: number;
  readonly ready: Promise<void>;
  readonly done: Promise<CaptureExit>;
  private readonly listeners: ((chunk: Buffer) => void)[] = [];
  private readonly early: Buffer[] = [];
  private readonly child: ChildProcess;
  private stopping = false;

  constructor(private readonly opts: CaptureOptions) {
    const argv = tcpdumpArgv(opts);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.pid = child.pid ?? 0;
    let stderr = '';
    let started = false;
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((res, rej) => ((readyResolve = res), (readyReject = rej)));
    // A capture that never starts is refused; its own error text says why.
    this.ready.catch(() => undefined);
    const timer = setTimeout(() => {
      if (started) return;
      readyReject(new EngineError('E_HOST', `capture ${opts.iface}: tcpdump did not start within ${START_TIMEOUT_MS / 1000} s`, { path: opts.iface }));
      child.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', (d: Buffer) => {
      if (this.listeners.length) for (const l of this.listeners) l(d);
      else this.early.push(d);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_KEEP);
      if (!started && LISTENING_RE.test(stderr)) {
        started = true;
        clearTimeout(timer);
        readyResolve();
      }
    });
    this.done = new Promise((resolve) => {
      child.on('error', (e) => {
        clearTimeout(timer);
        const err =
          (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? new EngineError('E_HOST', `capture ${opts.iface}: tcpdump not found (install Debian's tcpdump package)`, { path: TCPDUMP })
            : hostError('spawn', TCPDUMP, e);
        readyReject(err);
        resolve({ code: null, signal: null, stderr: err.message });
      });
      // 'close' comes after stdout has ended, so every chunk was delivered.
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const why = stderr
          .split('\n')
          .filter((l) => l.trim() && !LISTENING_RE.test(l) && !/packets? (captured|received|dropped)/.test(l))
          .join('; ');
        if (!started) readyReject(new EngineError('E_HOST', `capture ${opts.iface}: ${why || `tcpdump exited ${code ?? signal}`}`, { path: opts.iface }));
        resolve({ code, signal, stderr: why });
      });
    });
  }

  onData(fn: (chunk: Buffer) => void): void {
    this.listeners.push(fn);
    for (const d of this.early.splice(0)) fn(d);
  }

  stop(): void {
    if (this.stopping || this.pid <= 0) return;
    this.stopping = true;
    this.drainThenTerminate().catch(() => this.child.kill('SIGTERM'));
  }

  /**
   * tcpdump's SIGTERM handler breaks its capture loop at once: packets still in its ring are never
   * read. A ping that returned before `capture pcap delete` was asked for must be in the file, so
   * first wait until tcpdump has read everything queued (idleInPoll), at most DRAIN_MAX_MS; then
   * SIGTERM, which writes out what it read and exits. Through the ChildProcess, which never signals a
   * pid that was reaped and reused.
   */
  private async drainThenTerminate(): Promise<void> {
    const exited = () => this.child.exitCode !== null || this.child.signalCode !== null;
    const deadline = Date.now() + DRAIN_MAX_MS;
    while (Date.now() < deadline && !exited()) {
      const idle = await idleInPoll(this.pid);
      if (idle === true) break;
      // The kernel does not say where it sleeps: a scheduling slice or two, blind.
      if (idle === undefined) {
        await new Promise((r) => setTimeout(r, DRAIN_BLIND_MS));
        break;
      }
      await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
    }
    if (!exited()) this.child.kill('SIGTERM');
  }
}

export class TcpdumpCapturePort implements CapturePort {
  spawn(opts: CaptureOptions): CaptureProcess {
    return new TcpdumpProcess(opts);
  }

  async openSink(path: string): Promise<CaptureSink> {
    const fh = await open(path, 'w', FILE_MODE).catch((e) => {
      throw hostError('open', path, e);
    });
    return {
      append: async (data) => {
        await fh.write(data).catch((e) => {
          throw hostError('write', path, e);
        });
      },
      close: () => fh.close(),
    };
  }

  async mkdirp(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o755 }).catch((e) => {
      throw hostError('mkdir', dir, e);
    });
  }

  async isDir(dir: string): Promise<boolean> {
    return (await stat(dir).catch(() => undefined))?.isDirectory() ?? false;
  }

  async size(path: string): Promise<number | undefined> {
    const st = await stat(path).catch(() => undefined);
    return st?.isFile() || st?.isCharacterDevice() ? st.size : undefined;
  }

  async read(path: string, offset: number, length: number): Promise<Buffer> {
    const fh = await open(path, 'r').catch((e) => {
      throw hostError('open', path, e);
    });
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async link(name: string): Promise<'bridge' | 'other' | undefined> {
    if (!(await stat(`${SYS_NET}/${name}`).catch(() => undefined))) return undefined;
    return (await stat(`${SYS_NET}/${name}/bridge`).catch(() => undefined)) ? 'bridge' : 'other';
  }

  async startTicks(pid: number): Promise<number> {
    return statStartTicks(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
  }

  kill(pid: number, signal: NodeJS.Signals): boolean {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true }).catch((e) => {
      throw hostError('remove', path, e);
    });
  }
}
