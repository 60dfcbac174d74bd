/**
 * The benches' C programs (bench/*.c): the references they are measured against and the harness
 * that times one whole process without Node's own spawn cost inside the measurement.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_SOURCES = fileURLToPath(new URL('../../bench/', import.meta.url));

/** Compile bench/NAME.c into `work`; its path. */
export function compileBenchC(work: string, name: string, opts: { static?: boolean } = {}): string {
  const out = join(work, name);
  execFileSync('gcc', ['-O2', ...(opts.static ? ['-static'] : []), '-o', out, join(BENCH_SOURCES, `${name}.c`)]);
  return out;
}

/**
 * One whole process timed by bench/cli-harness.c (compiled with compileBenchC): `argv` spawned with
 * stdout to /dev/null (and stdin from `input`, else /dev/null); its wall time in ms. A non-zero exit
 * status fails the bench, naming `what`.
 */
export function timeProcess(harness: string, what: string, argv: readonly string[], input?: string): number {
  const [ms, status] = execFileSync(harness, [...(input ? ['-i', input] : []), ...argv], { encoding: 'utf8' })
    .trim()
    .split(' ')
    .map(Number);
  if (status !== 0) throw new Error(`${what}: exit status ${status}`);
  return ms!;
}
