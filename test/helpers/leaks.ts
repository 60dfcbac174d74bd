// The one leak check of every kernel suite: a snapshot of the kernel objects an engine, a shim or a
// test can leave behind, diffed before and after. Things that vanished meanwhile are fine (another
// suite's leftovers going away); anything new is a leak.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { ENGINE_PARENT } from '../../engine/cgroup/cgroup.js';

/** Engine-owned kernel objects visible from the host, to diff before/after a test. */
export interface HostSnapshot {
  /** Whole /proc/self/mountinfo lines without the mount ids (a remount with other flags differs too). */
  mounts: string[];
  /** Engine cgroup directories on every hierarchy (`<mount>/nanomega/**`) and test cgroups (`<mount>/nm-*`). */
  cgroups: string[];
  /** Network interfaces of the host's namespace. */
  links: string[];
  /** Every network namespace some process holds (`net:[inode]`), whatever its name or bind mount. */
  netns: string[];
  /** The shim launcher, monitors, their children (container inits), daemons, dnsmasq and dhclient, by pid. */
  processes: string[];
}

/** Test-made cgroups at a hierarchy's root use this prefix (shim.test.ts: `nm-shimtest-…`). */
const TEST_CGROUP_PREFIX = 'nm-';
/** Host daemons the engine starts for `dnsmasq start` and `tap create … dhcp`. */
const HOST_DAEMONS = ['dnsmasq', 'dhclient'];
/** The shim binary's name: monitors and the launcher run it whatever their argv says. */
const SHIM_EXE = 'nanomega-shim';

/** mountinfo without fields 1-2 (mount id, parent id): what is mounted where, with which options. */
function mounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').slice(2).join(' '))
    .sort();
}

/** Every cgroup hierarchy's mount point (v1 of any controller or name=, and cgroup2). */
function cgroupMounts(): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fstype = line.slice(sep + 3).split(' ')[0];
    if (fstype === 'cgroup' || fstype === 'cgroup2') out.push(line.split(' ')[4]!.replace(/\\040/g, ' '));
  }
  return out;
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name));
  } catch {
    return []; // not created yet, or removed meanwhile
  }
}

function cgroups(): string[] {
  const out: string[] = [];
  for (const mount of cgroupMounts()) {
    const walk = (dir: string) => {
      for (const d of subdirs(dir)) {
        out.push(d);
        walk(d);
      }
    };
    walk(join(mount, ENGINE_PARENT));
    for (const d of subdirs(mount)) {
      if (d.slice(mount.length + 1).startsWith(TEST_CGROUP_PREFIX)) {
        out.push(d);
        walk(d);
      }
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

function pids(): string[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n));
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the process exited meanwhile
  }
}

function link(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/** Network namespaces held by processes (ns/net of every pid), and by bind mounts (nsfs entries). */
function netns(): string[] {
  const held = new Set<string>();
  for (const pid of pids()) {
    const ns = link(`/proc/${pid}/ns/net`);
    if (ns) held.add(ns);
  }
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const m = /^\S+ \S+ \S+ (net:\[\d+\]) /.exec(line);
    if (m) held.add(m[1]!);
  }
  return [...held].sort();
}

/** Who holds a network namespace, for the report. */
function netnsHolders(ns: string): string {
  const who = pids()
    .filter((pid) => link(`/proc/${pid}/ns/net`) === ns)
    .slice(0, 5)
    .map((pid) => `${pid} ${read(`/proc/${pid}/comm`).trim()}`);
  return `${ns} held by ${who.length ? who.join(', ') : 'a bind mount or fd'}`;
}

/**
 * The launcher rewrites its argv and comm (`nm-launcher`), so shims are found by their executable;
 * their children are container inits (or a child not yet exec'd); daemons by their argv.
 */
function processes(): string[] {
  const shims = new Set<string>();
  const out: string[] = [];
  const all = pids();
  const parent = (pid: string) => /^PPid:\s+(\d+)$/m.exec(read(`/proc/${pid}/status`))?.[1] ?? '?';
  for (const pid of all) {
    if (link(`/proc/${pid}/exe`).includes(SHIM_EXE)) {
      shims.add(pid);
      out.push(`${pid} ${read(`/proc/${pid}/comm`).trim()} (shim, parent ${parent(pid)})`);
    } else {
      const argv = read(`/proc/${pid}/cmdline`).split('\0');
      // `serve --help` prints and exits (other worktrees' unit tests run it): not a daemon.
      const daemon = argv.some((a) => a.endsWith('bin/nanomega.js')) && argv.includes('serve') && !argv.includes('--help') && !argv.includes('-h');
      if (daemon) out.push(`${pid} daemon ${argv.slice(1).join(' ').trim()}`);
      else if (HOST_DAEMONS.includes(argv[0]!.split('/').pop()!)) out.push(`${pid} ${argv.join(' ').trim()}`);
    }
  }
  for (const pid of all) {
    const ppid = parent(pid);
    if (shims.has(ppid) && !shims.has(pid)) out.push(`${pid} ${read(`/proc/${pid}/comm`).trim()} (child of shim ${ppid})`);
  }
  return out.sort();
}

export function snapshot(): HostSnapshot {
  return { mounts: mounts(), cgroups: cgroups(), links: links(), netns: netns(), processes: processes() };
}

export interface LeakOptions {
  /**
   * Processes a test leaves running on purpose (a daemon it still uses): they and the shims they
   * started (their launcher) are not leaks.
   */
  running?: number[];
}

/** What appeared since `before`; `{}` when nothing leaked. */
export function leaked(before: HostSnapshot, after = snapshot(), opts: LeakOptions = {}): Partial<HostSnapshot> {
  const out: Partial<HostSnapshot> = {};
  const running = new Set((opts.running ?? []).map(String));
  const expected = (entry: string) => running.has(entry.split(' ')[0]!) || running.has(/\(shim, parent (\d+)\)$/.exec(entry)?.[1] ?? '');
  for (const k of Object.keys(before) as (keyof HostSnapshot)[]) {
    const had = new Set(before[k]);
    let added = after[k].filter((x) => !had.has(x));
    if (k === 'processes') added = added.filter((x) => !expected(x));
    if (k === 'netns') added = added.map(netnsHolders);
    if (added.length) out[k] = added;
  }
  return out;
}

/**
 * Wait for the leak diff to become empty: teardown the kernel does asynchronously (a dead netns,
 * a cgroup rmdir after the last task) settles within a moment. Returns the last diff.
 */
export async function settledLeaks(before: HostSnapshot, opts: LeakOptions = {}, timeoutMs = 5_000): Promise<Partial<HostSnapshot>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const diff = leaked(before, snapshot(), opts);
    if (Object.keys(diff).length === 0 || Date.now() > deadline) return diff;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Fail with the diff when anything leaked since `before` (after letting the kernel settle). */
export async function assertNoLeaks(before: HostSnapshot, opts: LeakOptions = {}): Promise<void> {
  assert.deepEqual(await settledLeaks(before, opts), {}, 'kernel objects leaked');
}

/**
 * A describe body wrapped in the leak check: a snapshot before the block's own `before` hooks, and
 * after its own `after` hooks (node:test runs hooks in the order they are registered) a failure if
 * anything leaked. `describe('…', { skip }, leakChecked(() => { … }))`.
 */
export function leakChecked(body: () => void): () => void {
  return () => {
    let pre: HostSnapshot | undefined;
    before(() => {
      pre = snapshot();
    });
    body();
    after(async () => {
      if (pre) await assertNoLeaks(pre);
    });
  };
}
