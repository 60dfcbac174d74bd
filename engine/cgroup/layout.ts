/** Where each cgroup controller lives on this host: v1 mounts, the unified (v2) mount, or both (hybrid). */

/** Controllers the engine uses. cpuacct exists only on v1 (v2 folds it into cpu.stat). */
export const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids', 'freezer', 'devices'] as const;
export type Controller = (typeof CONTROLLERS)[number];

export interface CgroupLayout {
  /** cgroup2 mount point, if any (pure v2: /sys/fs/cgroup; hybrid: /sys/fs/cgroup/unified). */
  unified?: string;
  /** Controllers enabled at the unified root (its cgroup.controllers). */
  v2Controllers: ReadonlySet<string>;
  /** v1 controller → mount point of the hierarchy it is bound to. */
  v1: Partial<Record<Controller, string>>;
  /**
   * The engine's v1 devices parent holds the container allowlist plus tun (limits.ts
   * DEVICE_PARENT_LIST), checked at daemon start: containers inherit it instead of writing it.
   */
  devicePolicyInParent?: boolean;
}

/** Parse /proc/self/mountinfo ("… - cgroup cgroup rw,memory" / "… - cgroup2 cgroup2 rw"). */
export function parseCgroupMounts(mountinfo: string): { unified?: string; v1: Partial<Record<Controller, string>> } {
  const v1: Partial<Record<Controller, string>> = {};
  let unified: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    const mountPoint = unescapeMountPath(pre[4] ?? '');
    if (fstype === 'cgroup2') {
      unified ??= mountPoint;
    } else if (fstype === 'cgroup') {
      for (const opt of superOpts.split(',')) {
        if ((CONTROLLERS as readonly string[]).includes(opt)) v1[opt as Controller] ??= mountPoint;
      }
    }
  }
  return { unified, v1 };
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040 …). */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Decide, per controller, which hierarchy handles it: a controller enabled on the unified
 * root is driven through v2 files even if a v1 mount also names it (it cannot be bound to
 * both at once); otherwise the v1 mount it is bound to.
 */
export function controllerHome(layout: CgroupLayout, c: Controller): 'v2' | 'v1' | undefined {
  const v2Name = c === 'cpuacct' ? 'cpu' : c;
  if (layout.unified && layout.v2Controllers.has(v2Name)) return 'v2';
  if (layout.v1[c]) return 'v1';
  return undefined;
}
