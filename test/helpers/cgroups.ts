// What the kernel says about a process's cgroups, read from the host without the engine's code:
// /proc/PID/cgroup names the directory on each hierarchy, mountinfo where each hierarchy is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Hierarchy {
  mount: string;
  /** v1 controllers (and name=…) of the hierarchy; empty for cgroup2. */
  controllers: string[];
}

function hierarchies(): Hierarchy[] {
  const out: Hierarchy[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype, , opts = ''] = line.slice(sep + 3).split(' ');
    const mount = line.split(' ')[4]!;
    if (fstype === 'cgroup2') out.push({ mount, controllers: [] });
    else if (fstype === 'cgroup') out.push({ mount, controllers: opts.split(',').filter((o) => o !== 'rw' && o !== 'ro') });
  }
  return out;
}

/**
 * The directory of `pid`'s cgroup that holds `file`: on the v1 hierarchy of `controller` when the
 * file is there, else on cgroup2 (a hybrid host has both; the engine uses whichever has the controller).
 */
export function cgroupFile(pid: number, controller: string, file: string): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').filter(Boolean);
  const candidates: string[] = [];
  for (const h of hierarchies()) {
    const line = h.controllers.length
      ? lines.find(
          (l) =>
            l
              .split(':')[1]!
              .split(',')
              .some((c) => h.controllers.includes(c)) && l.split(':')[1]!.split(',').includes(controller),
        )
      : lines.find((l) => l.startsWith('0::'));
    if (!line) continue;
    candidates.push(join(h.mount, line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1), file));
  }
  for (const p of candidates) {
    try {
      readFileSync(p);
      return p;
    } catch {
      // not on this hierarchy
    }
  }
  throw new Error(`pid ${pid}: no cgroup file ${file} (controller ${controller}) among ${candidates.join(', ') || 'no hierarchy'}`);
}

export function readCgroup(pid: number, controller: string, file: string): string {
  return readFileSync(cgroupFile(pid, controller, file), 'utf8').trim();
}

/** The kernel's freezer state of `pid`'s cgroup: v2 `cgroup.events` frozen, or v1 `freezer.state`. */
export function kernelFrozen(pid: number, freezer: 'v1' | 'v2'): boolean {
  if (freezer === 'v2') return /^frozen 1$/m.test(readCgroup(pid, '', 'cgroup.events'));
  return readCgroup(pid, 'freezer', 'freezer.state') === 'FROZEN';
}
