import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_PARENT } from '../../engine/cgroup/cgroup.js';
import { parseCgroupMounts } from '../../engine/cgroup/layout.js';

/** Engine-owned kernel objects visible from the host, to diff before/after a test. */
export interface HostSnapshot {
  mounts: string[];
  cgroups: string[];
  links: string[];
  netns: string[];
  shims: string[];
}

function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4]!)
    .sort();
}

function engineCgroups(): string[] {
  const { unified, v1 } = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
  const parents = new Set([...(unified ? [unified] : []), ...Object.values(v1)].map((m) => join(m, ENGINE_PARENT)));
  const out: string[] = [];
  for (const p of parents) {
    try {
      for (const name of readdirSync(p, { withFileTypes: true })) if (name.isDirectory()) out.push(join(p, name.name));
    } catch {
      // parent not created yet
    }
  }
  return out.sort();
}

/** Names of every network interface on the host (`ip -o link`), sorted. */
export function links(): string[] {
  return execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(':')[1]!.trim().split('@')[0]!)
    .sort();
}

function netns(): string[] {
  try {
    return readdirSync('/run/netns').sort();
  } catch {
    return [];
  }
}

function shims(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('nanomega-shim')) out.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return out.sort();
}

export function snapshot(): HostSnapshot {
  return { mounts: mountPoints(), cgroups: engineCgroups(), links: links(), netns: netns(), shims: shims() };
}

/** What appeared since `before` (things that vanished are fine: other tests' leftovers going away). */
export function leaked(before: HostSnapshot, after = snapshot()): Partial<HostSnapshot> {
  const out: Partial<HostSnapshot> = {};
  for (const k of Object.keys(before) as (keyof HostSnapshot)[]) {
    const added = after[k].filter((x) => !before[k].includes(x));
    if (added.length) out[k] = added;
  }
  return out;
}
