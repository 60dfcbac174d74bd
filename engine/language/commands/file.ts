/**
 * `file list|get|delete|status` (minimega's iomeshage.go cliFile) over the daemon's files directory, on
 * one host. Left out: `file stream` (minimega streams a file's bytes as Data responses to a mesh peer).
 */
import type { Handler } from '../handler.js';
import { errorResponse, tableResponse } from '../response.js';

/** Go's time.RFC3339 in the daemon's local time zone: 2006-01-02T15:04:05-07:00 (Z for UTC). */
export function rfc3339(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${zone}`;
}

export const fileHandler: Handler = {
  patterns: ['file <list,>', 'file <list,> <path> [recursive,]', 'file <get,> <file>', 'file <delete,> <file>', 'file <status,>'],
  help: 'work with files served by minimega',
  helpLong:
    "Files in the daemon's files directory (<base>/files, or serve --filepath), paths relative to it (`..` cannot " +
    'leave it, nor can a symlink): list [PATH] [recursive] shows dir, name, size and modified of a file or of a ' +
    "directory's entries (every file below it when recursive); delete removes files and directories (`file delete /` " +
    'empties the directory); get checks a file is here (one host: nothing to fetch); status lists transfers (none on ' +
    'one host). Globs: `file list /images/*.tar`.',
  async call(ctx, cmd) {
    const a = cmd.boolArgs;
    const engine = ctx.deps.engine;
    if (a.list) {
      const rows = (await engine.call('file.list', cmd.stringArgs.path ?? '/', !!a.recursive)).map((f) => [
        f.dir ? '<dir>' : '',
        f.name,
        String(f.size),
        rfc3339(f.modified),
      ]);
      return tableResponse(['dir', 'name', 'size', 'modified'], rows);
    }
    if (a.get) {
      await engine.call('file.get', cmd.stringArgs.file!);
      return errorResponse();
    }
    if (a.delete) {
      await engine.call('file.delete', cmd.stringArgs.file!);
      return errorResponse();
    }
    return tableResponse(['filename', 'tempdir', 'completed', 'queued'], []);
  },
};
