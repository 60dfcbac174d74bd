import { hostname } from 'node:os';
import type { Engine } from '../engine.js';
import { CliSession } from '../language/session.js';

/** A language session for one client connection (the daemon socket's cli.exec, the minimega socket). */
export function openSession(engine: Engine): CliSession {
  return new CliSession({
    engine: { call: (name, ...args) => (engine.handlers[name] as (...a: unknown[]) => Promise<never>)(...args) },
    config: engine.config,
    env: process.env,
    hostname: hostname(),
    runShell: async (cmd) => engine.ctx.host.run(['/bin/sh', '-c', cmd]),
  });
}
