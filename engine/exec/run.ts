/**
 * Running a command inside a RUNNING container through its monitor's exec socket: the one place the
 * engine turns ExecOptions into an exec session (vm exec, nanomega exec, cc).
 */
import type { ExecOptions } from '../api/types.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { ExecHandlers, ExecSpec, ShimExecHandle } from '../shim/shim.js';
import { findOne } from '../commands/targets.js';

/** The single container `target` names (name, id or uuid). */
export function findContainer(ctx: EngineContext, target: string, ns?: string): Container {
  return findOne(ctx, target, ns);
}

/** Commands run only in RUNNING containers (a PAUSED one is frozen, a BUILDING one has no init yet). */
export function assertRunning(c: Container, verb: string): void {
  if (c.rec.state !== 'RUNNING') {
    throw new EngineError('E_STATE', `${verb} ${c.rec.name}: the container is ${c.rec.state}, not RUNNING`, {
      name: c.rec.name,
      state: c.rec.state,
    });
  }
}

/** ExecOptions (wire) → ExecSpec (shim), checked: the errors name the field. */
export function execSpec(argv: readonly string[], opts: ExecOptions = {}): ExecSpec {
  if (argv.length === 0 || argv[0] === '') throw new EngineError('E_CONFIG', 'exec: no command given', { field: 'argv' });
  for (const a of argv) if (a.includes('\0')) throw new EngineError('E_CONFIG', 'exec: an argument contains NUL', { field: 'argv' });
  for (const e of opts.env ?? []) {
    if (!/^[^=\0]+=[^\0]*$/.test(e))
      throw new EngineError('E_CONFIG', `exec: env ${JSON.stringify(e.slice(0, 80))} is not KEY=VALUE`, { field: 'env', value: e.slice(0, 200) });
  }
  if (opts.cwd !== undefined && (opts.cwd === '' || opts.cwd.includes('\0'))) {
    throw new EngineError('E_CONFIG', `exec: bad working directory ${JSON.stringify(opts.cwd.slice(0, 80))}`, { field: 'cwd', value: opts.cwd.slice(0, 200) });
  }
  for (const k of ['cols', 'rows'] as const) {
    const v = opts[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 65535)) {
      throw new EngineError('E_CONFIG', `exec: ${k} ${v} is not 1..65535`, { field: k, value: v });
    }
  }
  return {
    argv: [...argv],
    env: opts.env,
    cwd: opts.cwd,
    tty: opts.tty,
    cols: opts.cols,
    rows: opts.rows,
    stdin: opts.stdin,
  };
}

/** Start `spec` in `c` (RUNNING); errors name the container. */
export async function startExec(ctx: EngineContext, c: Container, spec: ExecSpec, handlers: ExecHandlers, verb = 'vm exec'): Promise<ShimExecHandle> {
  assertRunning(c, verb);
  try {
    return await ctx.shim.exec(ctx.store.dir(c.rec.id), spec, handlers);
  } catch (e) {
    throw new EngineError('E_EXEC', `${verb} ${c.rec.name}: ${(e as Error).message}`, { name: c.rec.name }, { cause: e });
  }
}
