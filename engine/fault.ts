/**
 * Named fault checkpoints: places in the verbs and in recovery where a daemon crash leaves the most
 * to reconcile (a record written but the kernel not yet changed, or the reverse). With
 * `NANOMEGA_FAULT=<checkpoint>` in its environment the daemon SIGKILLs itself the first time it
 * reaches that checkpoint, exactly as `kill -9` would at that instant; the fault matrix
 * (test/integration/faults.test.ts) restarts it after each one and checks the state against the
 * kernel. Always compiled in, inert unless the variable is set (one comparison per checkpoint).
 */

/** Every checkpoint, in the order a container meets them. */
export const FAULT_POINTS = [
  /** engine.json has the new ids; no instance directory yet. */
  'launch.ids-saved',
  /** The instance directory exists; no record in it yet. */
  'launch.dir-made',
  /** The record says `launching`; no cgroup yet. */
  'launch.record-saved',
  /** The cgroups exist with their limits; no monitor yet. */
  'launch.cgroups-made',
  /** The monitor forked the child (its pids are known); mounts not done. */
  'launch.monitor-started',
  /** The host ends of the NICs exist; the child has not brought its ends up. */
  'launch.nics-made',
  /** READY: the child waits frozen before exec; EXEC not sent. */
  'launch.ready',
  /** EXEC is queued and the monitor watched; the record still says `launching`. */
  'launch.exec-sent',
  /** The cgroup is thawed (init runs); the record still says BUILDING or PAUSED. */
  'start.thawed',
  /** The cgroup is frozen; the record still says RUNNING. */
  'stop.frozen',
  /** The kill request is on disk (kills.json for a `vm kill`, else the record); nothing was signalled. */
  'kill.requested',
  /** cgroup.kill was written; the exit is not recorded. */
  'kill.signalled',
  /**
   * init's exit is known and its cgroups are gone (but the memory controller's, in a `vm kill` wave:
   * the wave removes those after its last exit); the record still says it runs.
   */
  'exit.cleaned-up',
  /** A flushed container's cgroups are gone; its instance directory and record remain. */
  'flush.cgroups-removed',
  /** `vm net connect` moved the NIC (network record and kernel); the container record has the old VLAN. */
  'net.connect.moved',
  /** Recovery re-adopted or ended the first container; the others are not looked at yet. */
  'recover.first-container',
  /** Recovery handled every record; orphan cgroups and links not yet removed. */
  'recover.before-orphans',
] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

/** Read once: the checkpoint this daemon dies at, if any. */
const ARMED = process.env.NANOMEGA_FAULT;

/** SIGKILL this process here when NANOMEGA_FAULT names this checkpoint. */
export function checkpoint(point: FaultPoint): void {
  if (ARMED !== point) return;
  process.stderr.write(`nanomega: NANOMEGA_FAULT=${point}: killing the daemon here\n`);
  process.kill(process.pid, 'SIGKILL');
}
