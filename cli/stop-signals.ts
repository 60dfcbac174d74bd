import { constants } from 'node:os';

/**
 * SIGINT and SIGTERM for the programs that run until stopped (serve, web, start), caught from the
 * moment this is called. Scripts signal a program as soon as its socket or its URL appears; a signal
 * that arrived before the program installed its handler would take the default action and end it
 * without closing anything (the sockets and the pid file stay behind). A signal that arrives while
 * the program is still starting is kept, and `ready(stop)` runs the stop at once; a second one before
 * that ends the program there and then, as the default action would (a start-up that waits on an
 * unreachable etcd must not make Ctrl-C useless).
 */
export function stopSignals(): (stop: () => void) => void {
  let stop: (() => void) | undefined;
  let pending = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop) stop();
    else if (pending) process.exit(128 + constants.signals[signal]);
    else {
      pending = true;
      process.stderr.write(`nanomega: ${signal}: stopping once started (again to stop now)\n`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return (s) => {
    stop = s;
    if (pending) s();
  };
}
