// Host daemons the engine starts and that outlive it (dnsmasq, dhclient): they fork into the
// background and write a pid file, so a daemon restart finds them again by that file. A pid alone
// could have been reused by now, so a process counts as ours only while its command line still
// names our pid file.
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';
import { statZombie } from '../host/proc-stat.js';

const PROC = '/proc';
/** How often a stopping daemon is checked for, and how long SIGTERM gets before SIGKILL. */
const POLL_MS = 25;
const TERM_GRACE_MS = 3_000;
/** A process in uninterruptible sleep may take a moment to die even from SIGKILL. */
const KILL_WAIT_MS = 2_000;
/** How long a daemon that reported success may take to write its pid file. */
const PIDFILE_WAIT_MS = 2_000;

/** The pid in `path`, or 0 when the file is missing or holds no pid. */
export async function readPidFile(host: Host, path: string): Promise<number> {
  if (!(await host.exists(path))) return 0;
  const pid = Number((await host.readFile(path).catch(() => '')).trim());
  return Number.isSafeInteger(pid) && pid > 1 ? pid : 0;
}

/**
 * True while `pid` runs (not a zombie) with `marker` in its argv. /proc/PID/stat's third field is
 * the state; the command name before it is in parentheses and may itself contain spaces.
 */
export async function isOurs(host: Host, pid: number, marker: string): Promise<boolean> {
  if (pid <= 1) return false;
  try {
    const stat = await host.readFile(`${PROC}/${pid}/stat`);
    if (statZombie(stat)) return false;
    const argv = (await host.readFile(`${PROC}/${pid}/cmdline`)).split('\0');
    return argv.some((a) => a.includes(marker));
  } catch {
    return false; // gone between the two reads
  }
}

/** Waits for a daemon that exited 0 to show its pid file; E_HOST when it never does. */
export async function waitForPidFile(host: Host, path: string, what: string): Promise<number> {
  const until = Date.now() + PIDFILE_WAIT_MS;
  for (;;) {
    const pid = await readPidFile(host, path);
    if (pid > 0) return pid;
    if (Date.now() > until) throw new EngineError('E_HOST', `${what}: no pid in ${path} after it started`, { op: what, path });
    await sleep(POLL_MS);
  }
}

/**
 * Stops the daemon of pid file `pidFile` if it is still ours: SIGTERM (dnsmasq and dhclient exit
 * cleanly on it), SIGKILL after a grace period. Returns once it is gone.
 */
export async function stopDaemon(host: Host, pidFile: string, knownPid = 0): Promise<void> {
  const pid = (await readPidFile(host, pidFile)) || knownPid;
  if (!(await isOurs(host, pid, pidFile))) return;
  host.kill(pid, 'SIGTERM');
  if (await gone(host, pid, pidFile, TERM_GRACE_MS)) return;
  host.kill(pid, 'SIGKILL');
  if (await gone(host, pid, pidFile, KILL_WAIT_MS)) return;
  throw new EngineError('E_HOST', `stop pid ${pid} of ${pidFile}: still running after SIGKILL`, { op: 'stop', path: pidFile, pid });
}

async function gone(host: Host, pid: number, marker: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (await isOurs(host, pid, marker)) {
    if (Date.now() > until) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/** First line of a failed daemon's stderr, for an error message. */
export function firstLine(stderr: string, fallback: string): string {
  return (
    stderr
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? fallback
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
