import { existsSync, readFileSync } from 'node:fs';

/** Kernel or host features a test needs; a test skips with the printed reason when one is missing. */
export type Requirement = 'root' | 'cgroup2' | 'overlay' | 'shim' | 'busybox';

function missing(req: Requirement): string | undefined {
  switch (req) {
    case 'root':
      return process.getuid?.() === 0 ? undefined : 'needs root';
    case 'cgroup2':
      return readFileSync('/proc/self/mountinfo', 'utf8').includes(' - cgroup2 ') ? undefined : 'no cgroup2 mount';
    case 'overlay':
      return readFileSync('/proc/filesystems', 'utf8').includes('overlay') ? undefined : 'no overlayfs in /proc/filesystems';
    case 'shim':
      return existsSync(new URL('../../../shim/build/nanomega-shim', import.meta.url)) ? undefined : 'shim not built (make -C shim)';
    case 'busybox':
      return existsSync('/bin/busybox') ? undefined : 'no /bin/busybox (apt-get install busybox-static)';
  }
}

/**
 * Returns false (skip) or a skip reason for node:test's `skip` option. In CI (CI=true) a missing
 * requirement is a failure, not a skip: CI has every feature, so a skip there would hide a broken setup.
 */
export function requires(...reqs: Requirement[]): false | string {
  const reasons = reqs.map(missing).filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return false;
  const why = reasons.join(', ');
  if (process.env.CI === 'true') throw new Error(`CI is missing a test requirement: ${why}`);
  console.log(`# skip: ${why}`);
  return why;
}
