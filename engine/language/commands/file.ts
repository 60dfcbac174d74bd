/**
 * `file list|get|stream|delete|status` (minimega's iomeshage.go cliFile) over the daemon's files
 * directory, on one host. `file stream` answers one response per 10 MiB part of the file, its bytes as
 * Data (base64 on the wire, as Go marshals a []byte): what miniweb's file download reads.
 */
import type { EngineBridge } from '../../api/contract.js';
import type { FileChunk } from '../../api/types.js';
import { FILE_PART_BYTES } from '../../files/files.js';
import type { Handler } from '../handler.js';
import { type Response, errorResponse, tableResponse } from '../response.js';

/** Bytes a base64 text holds. */
function decodedLength(b64: string): number {
  return (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}

/** The parts of a file after the first, read one at a time as the client takes them. */
async function* fileParts(engine: Pick<EngineBridge, 'call'>, file: string, first: FileChunk): AsyncGenerator<Response> {
  for (let part = first; ;) {
    const n = decodedLength(part.data);
    if (n > 0) yield { errors: [], data: part.data };
    if (part.eof || n === 0) return;
    part = await engine.call('file.read', file, part.offset + n, FILE_PART_BYTES);
  }
}

/** Go's time.RFC3339 in the daemon's local time zone: 2006-01-02T15:04:05-07:00 (Z for UTC). */
export function rfc3339(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${zone}`;
}

export const fileHandler: Handler = {
  patterns: ['file <list,>', 'file <list,> <path> [recursive,]', 'file <get,> <file>', 'file <stream,> <file>', 'file <delete,> <file>', 'file <status,>'],
  help: 'work with files served by minimega',
  helpLong:
    "Files in the daemon's files directory (<base>/files, or serve --filepath), paths relative to it (`..` cannot " +
    'leave it, nor can a symlink): list [PATH] [recursive] shows dir, name, size and modified of a file or of a ' +
    "directory's entries (every file below it when recursive); stream answers a file's bytes, one response per 10 MiB " +
    'part as Data (`.json true file stream F`; through the minimega socket each part is sent as it is read); delete ' +
    'removes files and directories (`file delete /` ' +
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
    if (a.stream) {
      // The first part is read before answering: a missing file, a glob or a directory is this command's error.
      const file = cmd.stringArgs.file!;
      return { stream: fileParts(engine, file, await engine.call('file.read', file, 0, FILE_PART_BYTES)) };
    }
    if (a.delete) {
      await engine.call('file.delete', cmd.stringArgs.file!);
      return errorResponse();
    }
    return tableResponse(['filename', 'tempdir', 'completed', 'queued'], []);
  },
};
