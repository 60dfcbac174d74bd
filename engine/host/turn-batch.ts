/**
 * Path requests made in the same turn of the event loop, handed over together at the next one: a
 * wave of a thousand containers asks for one removal or unmount each, and one process (or a few)
 * serves them all instead of one each.
 */
import { basename } from 'node:path';
import type { Host } from './host.js';

/** One request of a batch: the batch's handler settles every one it is given. */
export interface PathRequest {
  path: string;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class TurnBatch {
  private pending: PathRequest[] = [];
  private scheduled = false;

  /** `handle` gets each turn's requests and must settle all of them. */
  constructor(private readonly handle: (batch: PathRequest[]) => void) {}

  /** Settles when the handler settles this path's request. */
  add(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ path, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.handle(this.pending.splice(0));
      });
    });
  }
}

/**
 * `command` run on a batch's paths, `perProcess` of them a process and up to `parallel` processes at
 * once, all started by one `xargs` (findutils, on every Debian system): libuv forks the daemon for a
 * spawn, and the fork copies its page tables (4–8 ms of its main thread with the ~120 MB it holds while
 * a thousand containers run, on a 2-core VM), a fork of xargs almost nothing. xargs goes on after a
 * process fails, then exits with 123. Resolves '' when every process succeeded, otherwise why not (their
 * stderr, the exit status, or why xargs could not start); a failed process may have done part of its
 * paths, so the caller looks at which are still there.
 */
export async function runOnPaths(
  host: Pick<Host, 'run'>,
  command: readonly string[],
  batch: readonly PathRequest[],
  perProcess: number,
  parallel: number,
): Promise<string> {
  const argv = ['xargs', '-0', '-P', String(parallel), '-n', String(perProcess), '--', ...command];
  try {
    const r = await host.run(argv, { input: batch.map((p) => p.path).join('\0') });
    return r.code === 0 ? '' : r.stderr.trim() || `${basename(command[0] ?? 'xargs')} exited with ${r.code}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
