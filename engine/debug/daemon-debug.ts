/**
 * `debug` (minimega's misc_cli.go): the daemon's runtime, a heap snapshot, a diagnostic report (every
 * JavaScript stack and libuv handle: what minimega's goroutine dump is for), and a CPU profile started
 * and stopped by two commands. Node's own formats, not pprof: `.heapsnapshot` and `.cpuprofile` open in
 * Chrome DevTools; the report is JSON.
 */
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import type { DebugInfo } from '../api/types.js';
import { EngineError, hostError } from '../errors.js';
import type { Host } from '../host/host.js';

export class DaemonDebug {
  /** The running CPU profile: the inspector session recording it and the file made for it at start. */
  private cpu?: { session: Session; path: string };

  constructor(private readonly host: Host) {}

  info(): DebugInfo {
    return {
      runtime: `node ${process.version}`,
      resources: process.getActiveResourcesInfo().length,
      heapBytes: process.memoryUsage().heapUsed,
    };
  }

  /** A V8 heap snapshot of the daemon (it stops for as long as the snapshot takes). */
  memory(path: string): void {
    try {
      writeHeapSnapshot(path);
    } catch (e) {
      throw hostError('write', path, e);
    }
  }

  /** Node's diagnostic report: JavaScript and native stacks, libuv handles, resource usage. */
  report(path: string): Promise<void> {
    return this.host.createFile(path, JSON.stringify(process.report.getReport(), null, 1) + '\n', 0o600);
  }

  /** Starts sampling the daemon's CPU; the profile goes to `path` (made now, as minimega does) at stop. */
  async cpuStart(path: string): Promise<void> {
    if (this.cpu) throw new EngineError('E_CONFIG', 'CPU profile still running');
    // Taken before the first await: a second start meanwhile is refused.
    const session = new Session();
    this.cpu = { session, path };
    try {
      await this.host.createFile(path, '', 0o600);
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    } catch (e) {
      this.cpu = undefined;
      session.disconnect();
      throw e instanceof EngineError ? e : new EngineError('E_HOST', `debug cpu start: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async cpuStop(): Promise<void> {
    const cpu = this.cpu;
    if (!cpu) throw new EngineError('E_CONFIG', 'CPU profile not running');
    this.cpu = undefined;
    let profile: unknown;
    try {
      ({ profile } = await cpu.session.post('Profiler.stop'));
    } finally {
      cpu.session.disconnect();
    }
    await this.host.createFile(cpu.path, JSON.stringify(profile), 0o600);
  }

  /** At daemon shutdown: a running profile is written out (minimega's teardown closes it too). */
  async close(): Promise<void> {
    if (this.cpu) await this.cpuStop().catch(() => undefined);
  }
}
