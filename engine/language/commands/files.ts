/** Paths the language reads and writes itself (`read`, `write`): relative ones are in the files directory. */
import { posix } from 'node:path';
import type { CallContext } from '../handler.js';

export function filesRelative(ctx: CallContext, file: string): string {
  return posix.isAbsolute(file) ? file : posix.join(ctx.deps.filesDir, file);
}
