/**
 * Per-phase timings of a container build, printed as one JSON line on the daemon's stderr when
 * NANOMEGA_TRACE_LAUNCH is set: where a launch wave spends its time (cgroups, the shim's
 * namespaces and mounts, NICs, the freeze, the durable write).
 */
const ENABLED = Boolean(process.env.NANOMEGA_TRACE_LAUNCH);

export interface LaunchTrace {
  mark(phase: string): void;
  done(): void;
}

const NONE: LaunchTrace = { mark: () => undefined, done: () => undefined };

export function launchTrace(id: number): LaunchTrace {
  if (!ENABLED) return NONE;
  const t0 = performance.now();
  const marks: Record<string, number> = { start: Math.round(performance.timeOrigin + t0) };
  return {
    mark: (phase) => void (marks[phase] = Math.round((performance.now() - t0) * 10) / 10),
    done: () => process.stderr.write(`launch-trace ${JSON.stringify({ id, ...marks })}\n`),
  };
}
