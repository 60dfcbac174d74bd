import { logError } from '../log.js';

let installed = false;

/**
 * The last resort behind the lint rule against floating promises: a rejection nobody handled is
 * logged and the daemon keeps serving. Node's default (`--unhandled-rejections=throw`) would end
 * the process, and with it every client's session, over one failed write or one odd frame; the
 * containers would live on (their monitors hold them) but nobody could manage them.
 */
export function installRejectionGuard(): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => logError('daemon: unhandled rejection (kept serving)', reason));
}
