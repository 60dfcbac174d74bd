/**
 * minimega's preprocessor (cmd/minimega cli.go cliPreprocess): after a line is matched and before its
 * handler runs, every string and list argument has `$VAR`/`${VAR}` expanded and a `file:NAME` (or
 * `http(s)://host/NAME`) argument replaced by the path of NAME in the files directory. `.preprocess
 * false` turns it off. Unlike Go's os.ExpandEnv, an unset variable is left as written, so the error that
 * follows names it.
 */
import { posix } from 'node:path';
import type { Command } from './handler.js';
import type { LanguageHost } from './host.js';

const SPECIAL = '*#$@!?-0123456789';
const ALNUM = /[A-Za-z0-9_]/;

/** os.Expand's parse of a name after `$`: [name, characters consumed]. */
function shellName(s: string): [string, number] {
  if (s[0] === '{') {
    if (s.length > 2 && SPECIAL.includes(s[1]!) && s[2] === '}') return [s[1]!, 3];
    const close = s.indexOf('}', 1);
    if (close === 1) return ['', 2];
    if (close < 0) return ['', 1];
    return [s.slice(1, close), close + 1];
  }
  if (SPECIAL.includes(s[0]!)) return [s[0]!, 1];
  let i = 0;
  while (i < s.length && ALNUM.test(s[i]!)) i++;
  return [s.slice(0, i), i];
}

/** `$VAR` and `${VAR}` expansion with Go's os.Expand syntax; unset names stay as written. */
export function expandEnv(s: string, env: (name: string) => string | undefined): string {
  if (!s.includes('$')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const j = s.indexOf('$', i);
    if (j < 0 || j + 1 >= s.length) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, j);
    const [name, w] = shellName(s.slice(j + 1));
    if (name === '' && w > 0) {
      // Bad syntax such as "${}": Go eats it.
    } else if (name === '') {
      out += '$';
    } else {
      out += env(name) ?? s.slice(j, j + 1 + w);
    }
    i = j + 1 + w;
  }
  return out;
}

const URL_RE = /^([A-Za-z][A-Za-z0-9+.-]*):([\s\S]*)$/;

/** The path of `name` inside the files directory, or minimega's `get NAME: file not found`. */
export async function filesPath(host: LanguageHost, filesDir: string, name: string): Promise<string> {
  let rel = posix.normalize(name === '' ? '.' : name);
  if (rel.startsWith(filesDir + '/')) rel = rel.slice(filesDir.length + 1);
  const full = posix.join(filesDir, rel);
  if (full === filesDir || full === filesDir + '/' || !full.startsWith(filesDir + '/')) {
    throw new Error(`get ${rel}: file not found`);
  }
  if ((await host.kind(full)) === undefined) throw new Error(`get ${rel}: file not found`);
  return full;
}

/** One argument through the preprocessor. */
export async function preprocessValue(v: string, env: (name: string) => string | undefined, host: LanguageHost, filesDir: string): Promise<string> {
  v = expandEnv(v, env);
  const m = URL_RE.exec(v);
  if (!m) return v;
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  switch (scheme) {
    case 'file':
      return filesPath(host, filesDir, rest.startsWith('//') ? rest.replace(/^\/\/[^/]*/, '') : rest);
    case 'http':
    case 'https': {
      // minimega looks the URL's path up in its files directory; it never downloads in practice (its
      // download branch needs an error text iomeshage does not produce), and neither do we.
      let path: string;
      try {
        path = decodeURIComponent(new URL(v).pathname);
      } catch {
        return v;
      }
      return filesPath(host, filesDir, path);
    }
    case 'tar':
      throw new Error(`tar: arguments are not supported (\`${v}\`): unpack the archive into the files directory and name the directory`);
    default:
      return v;
  }
}

/** Preprocess one command level's args in place. */
export async function preprocessCommand(cmd: Command, env: (name: string) => string | undefined, host: LanguageHost, filesDir: string): Promise<void> {
  for (const k of Object.keys(cmd.stringArgs)) cmd.stringArgs[k] = await preprocessValue(cmd.stringArgs[k]!, env, host, filesDir);
  for (const k of Object.keys(cmd.listArgs)) {
    const list = cmd.listArgs[k]!;
    for (let i = 0; i < list.length; i++) {
      if (k === 'diskspec') {
        // A diskspec is PATH[,interface][,cache]: only the path is a file (minimega ParseDiskConfig).
        const comma = list[i]!.indexOf(',');
        const path = comma < 0 ? list[i]! : list[i]!.slice(0, comma);
        list[i] = (await preprocessValue(path, env, host, filesDir)) + (comma < 0 ? '' : list[i]!.slice(comma));
      } else {
        list[i] = await preprocessValue(list[i]!, env, host, filesDir);
      }
    }
  }
}
