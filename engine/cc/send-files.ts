/**
 * `cc send` names: files under the files directory (the namespace's own subdirectory first), as
 * minimega's NewFilesSendCommand resolves them — relative names and globs in the last component,
 * absolute paths only inside the files directory. Returns the names relative to the directory they
 * were found in.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { EngineError } from '../errors.js';

const GLOB = /[*?[]/;

/** filepath.Match of one path component. */
function globRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new EngineError('E_CONFIG', `syntax error in pattern: ${pattern}`, { field: 'file', value: pattern });
      const body = pattern.slice(i + 1, end).replace(/^\^/, '!');
      re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function globIn(dir: string, name: string): Promise<string[]> {
  const full = normalize(join(dir, name));
  if (!full.startsWith(dir + sep)) return [];
  if (!GLOB.test(name)) return (await stat(full).catch(() => undefined))?.isFile() ? [relative(dir, full)] : [];
  if (GLOB.test(dirname(name))) throw new EngineError('E_CONFIG', `cc send: globs only in the file name: ${name}`, { field: 'file', value: name });
  const re = globRegex(basename(name));
  const parent = dirname(full);
  const names = await readdir(parent, { withFileTypes: true }).catch(() => []);
  return names
    .filter((d) => d.isFile() && re.test(d.name))
    .map((d) => relative(dir, join(parent, d.name)))
    .sort();
}

export async function resolveSendFiles(filesDir: string, dirs: string[], files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const raw of files) {
    let f = normalize(raw);
    if (isAbsolute(f)) {
      if (!f.startsWith(filesDir + sep)) throw new EngineError('E_CONFIG', `can only send files from ${filesDir}`, { field: 'file', value: raw });
      f = relative(filesDir, f);
    }
    let found: string[] = [];
    for (const d of dirs) {
      found = await globIn(d, f);
      if (found.length) break;
    }
    if (found.length === 0) throw new EngineError('E_NOT_FOUND', `no such file: ${raw}`, { field: 'file', value: raw });
    out.push(...found);
  }
  return out;
}
