/** File name of the daemon's socket inside the base directory (design.md §1). */
export const SOCKET_NAME = 'nanomega.sock';

/** The daemon socket of a base directory. Pure string work: this folder may not import node:path. */
export function socketPath(base: string): string {
  return `${base.replace(/\/+$/, '')}/${SOCKET_NAME}`;
}
