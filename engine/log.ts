/**
 * One line on the daemon's stderr (daemon.log under `nanomega start`): when, what failed, why.
 * For failures nobody is waiting for (an exit being recorded, a retried save); anything a client
 * asked for gets its error as the reply instead.
 */
export function logError(what: string, e: unknown): void {
  const why = e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`${new Date().toISOString()} ${what}: ${why}\n`);
}
