import { EngineError } from '../errors.js';
import type { NetHost } from './net-host.js';

/** Kernel paths read by engine/net. */
export const SYS_NET = '/sys/class/net';
export const PROC = '/proc';

export type Tool = 'ip' | 'bridge';

export interface BatchOpts {
  /** Run inside the network namespace of this pid (nsenter --net=/proc/<pid>/ns/net). */
  netnsPid?: number;
  /** Keep going after a failed line (rollback and teardown); the failures are returned. */
  force?: boolean;
  /** What the caller was doing, for the error message ("attach c3"). */
  op: string;
}

/** argv for one `ip -batch -` / `bridge -batch -` process, optionally inside a container's netns. */
export function batchArgv(tool: Tool, opts: { netnsPid?: number; force?: boolean }): string[] {
  const core = [tool, ...(opts.force ? ['-force'] : []), '-batch', '-'];
  return opts.netnsPid === undefined ? core : ['nsenter', `--net=${PROC}/${opts.netnsPid}/ns/net`, '--', ...core];
}

/** Device an `ip`/`bridge` batch line acts on ("link add mega_tap3 …" → mega_tap3). */
export function deviceOf(line: string): string {
  const w = line.split(/\s+/);
  const dev = w.indexOf('dev');
  if (dev >= 0 && w[dev + 1]) return w[dev + 1]!;
  if (w[0] === 'link' && (w[1] === 'add' || w[1] === 'set' || w[1] === 'del')) {
    return w[2] === 'name' || w[2] === 'dev' ? (w[3] ?? '') : (w[2] ?? '');
  }
  return '';
}

/** The line number (1-based) iproute2 names in "Command failed -:N". */
export function failedLine(stderr: string): number | undefined {
  const m = /Command failed -:(\d+)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

export function netError(op: string, device: string, stderr: string, detail: Record<string, string | number> = {}): EngineError {
  const why =
    stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('Command failed'))
      .join('; ') || 'failed';
  return new EngineError('E_HOST', `${op}: ${device}: ${why}`, { op, path: device, stderr: stderr.trim(), ...detail });
}

/** Lines of stderr that mean "already gone" — harmless while tearing down. */
const GONE_RE = /Cannot find device|does not exist|No such device|Cannot find bridge device/;

/**
 * Runs `lines` through one `ip|bridge -batch -`. Throws E_HOST naming the op, the device of the failed
 * line and iproute2's stderr. With `force`, "device already gone" errors are ignored.
 */
export async function runBatch(host: NetHost, tool: Tool, lines: readonly string[], opts: BatchOpts): Promise<void> {
  if (lines.length === 0) return;
  const argv = batchArgv(tool, opts);
  const r = await host.run(argv, lines.join('\n') + '\n');
  if (r.code === 0) return;
  if (opts.force) {
    const real = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Command failed') && !GONE_RE.test(l));
    if (real.length === 0) return;
    throw netError(opts.op, tool, real.join('\n'), { argv: argv.join(' ') });
  }
  const n = failedLine(r.stderr);
  const line = n !== undefined ? (lines[n - 1] ?? '') : '';
  throw netError(opts.op, deviceOf(line) || tool, r.stderr, { line, argv: argv.join(' ') });
}

/** Runs one command and returns stdout; throws E_HOST naming op and device with stderr. */
export async function runOne(host: NetHost, argv: readonly string[], op: string, device: string): Promise<string> {
  const r = await host.run(argv);
  if (r.code !== 0) throw netError(op, device, r.stderr || `${argv[0]} exited ${r.code}`, { argv: argv.join(' ') });
  return r.stdout;
}
