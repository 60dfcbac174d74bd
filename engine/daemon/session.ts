import type { Engine } from '../engine.js';
import type { Session } from '../language/session.js';
import { languageOf } from './language-host.js';

/** A language session for one client connection (the daemon socket's cli.exec, the minimega socket). */
export function openSession(engine: Engine): Session {
  return languageOf(engine).session();
}
