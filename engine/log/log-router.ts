/**
 * Where the daemon's log lines go (minimega's `log` verbs): a level below which lines are dropped,
 * filters that drop lines containing a text, and the sinks — stderr (the daemon's log file when it
 * runs in the background), a file, an in-memory ring that `log ring` dumps, and syslog through
 * Debian's logger(1). Every line of the engine's `engine.log` events passes through here once.
 */
import { isAbsolute, normalize } from 'node:path';
import type { LogChange, LogLevel, LogState } from '../api/types.js';
import { configError } from '../errors.js';
import type { Host } from '../host/host.js';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'fatal'];
/** nanomega's default: what its daemon log has always held (minimega's `-level` flag defaults to warn). */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
/** The most lines a ring may keep (a line is at most a few hundred bytes). */
const MAX_RING = 1_000_000;

export interface LogLine {
  t: number;
  level: 'info' | 'warn' | 'error' | LogLevel;
  message: string;
}

/** The daemon log's line format. */
export function formatLogLine(l: LogLine): string {
  return `${new Date(l.t).toISOString()} ${l.level}: ${l.message}\n`;
}

const rank = (l: string) => LOG_LEVELS.indexOf(l as LogLevel);

export class LogRouter {
  private level: LogLevel = DEFAULT_LOG_LEVEL;
  private stderr = true;
  private file = '';
  private ring?: { size: number; lines: string[] };
  private filters: string[] = [];
  private syslog?: { network: 'local' | 'tcp' | 'udp'; address: string };
  /** File appends in order, one at a time. */
  private fileQueue: Promise<void> = Promise.resolve();

  /** Where stderr lines go; unset in an engine no daemon serves (tests). */
  private writeStderr?: (text: string) => void;

  constructor(private readonly host: Host) {}

  /** The daemon's stderr (`nanomega serve` attaches it once the engine is open). */
  attachStderr(write: (text: string) => void): void {
    this.writeStderr = write;
  }

  state(): LogState {
    return {
      level: this.level,
      stderr: this.stderr,
      file: this.file,
      ring: this.ring ? this.ring.size : null,
      filters: [...this.filters],
      syslog: this.syslog ? (this.syslog.network === 'local' ? 'local' : `${this.syslog.network} ${this.syslog.address}`) : '',
    };
  }

  /** Applies one `log …`/`clear log …` change; bad values are E_CONFIG naming the field and value. */
  async change(c: LogChange): Promise<LogState> {
    // Lines already written reach their file before the change: a `clear log` or `log file` run after
    // a command finds that command's line in the file it was logged to.
    await this.flush();
    if (c.level !== undefined) {
      if (c.level === null) this.level = DEFAULT_LOG_LEVEL;
      else if (rank(c.level) < 0) throw configError('level', c.level, `invalid log level: ${c.level} (${LOG_LEVELS.join(', ')})`);
      else this.level = c.level;
    }
    if (c.stderr !== undefined) this.stderr = c.stderr;
    if (c.file !== undefined) {
      if (c.file === null || c.file === '') this.file = '';
      else {
        if (!isAbsolute(c.file)) throw configError('file', c.file, `log file must be an absolute path: ${c.file}`);
        // Kernel interfaces are not log files (an appended line could change a sysctl or a device).
        if (/^\/(proc|sys|dev)(\/|$)/.test(normalize(c.file))) throw configError('file', c.file, `log file cannot be under /proc, /sys or /dev: ${c.file}`);
        // Opened (and made) now, so a path that cannot be written is this command's error, not a lost line's.
        await this.host.appendFile(c.file, '');
        this.file = c.file;
      }
    }
    if (c.ring !== undefined) {
      if (c.ring === null) this.ring = undefined;
      else {
        if (!Number.isInteger(c.ring) || c.ring <= 0 || c.ring > MAX_RING)
          throw configError('size', c.ring, `invalid log ring size: ${c.ring} (1 to ${MAX_RING})`);
        // Re-enabling empties it, as minimega's does.
        this.ring = { size: c.ring, lines: [] };
      }
    }
    if (c.clearFilters) this.filters = [];
    if (c.filter !== undefined && c.filter !== '' && !this.filters.includes(c.filter)) this.filters.push(c.filter);
    if (c.syslog !== undefined) {
      if (c.syslog === null) this.syslog = undefined;
      else {
        const { network, address = '' } = c.syslog;
        if (network !== 'local' && !/^[A-Za-z0-9.:_[\]-]+:\d{1,5}$/.test(address))
          throw configError('address', address, `invalid syslog address: ${address} (host:port)`);
        this.syslog = { network, address };
      }
    }
    return this.state();
  }

  /** The ring's lines, oldest first; an error when no ring is kept (minimega's words). */
  dumpRing(): string[] {
    if (!this.ring) throw configError('ring', '', 'cannot dump log ring, not enabled');
    return [...this.ring.lines];
  }

  /** A debug line (each command a client runs, say): written only at level debug, never an event. */
  debug(message: string): void {
    if (this.level === 'debug') this.write({ t: Date.now(), level: 'debug', message });
  }

  /** One line of the engine's log, to every sink that takes it. */
  write(l: LogLine): void {
    if (rank(l.level) < rank(this.level)) return;
    if (this.filters.some((f) => l.message.includes(f))) return;
    const text = formatLogLine(l);
    if (this.stderr) this.writeStderr?.(text);
    if (this.ring) {
      this.ring.lines.push(text);
      if (this.ring.lines.length > this.ring.size) this.ring.lines.shift();
    }
    if (this.file) {
      const path = this.file;
      // A log line that cannot be written is dropped (it must never take the daemon with it).
      this.fileQueue = this.fileQueue.then(() => this.host.appendFile(path, text)).catch(() => undefined);
    }
    if (this.syslog) {
      const { network, address } = this.syslog;
      const where =
        network === 'local' ? [] : ['--server', address.replace(/:\d+$/, ''), '--port', address.replace(/^.*:/, ''), network === 'tcp' ? '--tcp' : '--udp'];
      const priority = `daemon.${l.level === 'warn' ? 'warning' : l.level === 'fatal' ? 'crit' : l.level === 'error' ? 'err' : l.level}`;
      void this.host.run(['logger', '-t', 'nanomega', '-p', priority, ...where, '--', l.message]).catch(() => undefined);
    }
  }

  /** Waits for the file appends queued so far (tests, and a daemon stopping). */
  flush(): Promise<void> {
    return this.fileQueue;
  }
}
