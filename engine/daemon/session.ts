import type { HostResponse } from '../api/types.js';
import type { Engine } from '../engine.js';
import type { Session } from '../language/session.js';
import { languageOf } from './language-host.js';

/** A language session for one client connection (the daemon socket's cli.exec, the minimega socket). */
export function openSession(engine: Engine): Session {
  return languageOf(engine).session();
}

/**
 * `mesh.run`: a peer daemon's fan-out of one command: run `line` in `namespace` for this host only
 * (never fanned out again, not recorded in history) and return the responses unrendered.
 */
export async function meshRun(engine: Engine, line: string, namespace: string): Promise<HostResponse[]> {
  const lang = languageOf(engine);
  lang.scope(namespace);
  const session = lang.session({ local: true });
  session.namespace = namespace;
  const host = lang.deps.hostname;
  return (await session.chunks(line)).map(({ response: r }) => ({
    host,
    errors: r.errors,
    ...(r.header ? { header: r.header } : {}),
    ...(r.rows ? { rows: r.rows } : {}),
    ...(r.hidden ? { hidden: r.hidden } : {}),
    ...(r.text !== undefined ? { text: r.text } : {}),
    ...(r.data !== undefined ? { data: r.data } : {}),
  }));
}
