/**
 * minimega's minitest conventions (cmd/minitest): in a directory, every file without an extension is a
 * test (so is a `.mm` file, nanomega's older naming), hidden files and `.got`/`.want` are not, and four
 * names are special: `prolog` runs before each test and `epilog` after it (their output is dropped),
 * `enter` runs once before the directory's tests and `exit` once after. Subdirectories come last.
 * A test's output goes to `<test>.got` and is compared with `<test>.want` (`x.mm` → `x.got`, `x.want`).
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CommandResult } from '../engine/api/types.js';
import { compareTranscript, runTranscript } from '../engine/language/transcript.js';

export const SPECIAL = ['prolog', 'epilog', 'enter', 'exit'] as const;

/** Used when a directory has no prolog/epilog of its own: minimega's tests/prolog and tests/epilog do this. */
export const DEFAULT_PROLOG = '.annotate false\nclear history\n';
export const DEFAULT_EPILOG = 'clear all\n';

type Exec = (line: string) => Promise<CommandResult>;

export interface Outcome {
  file: string;
  /** '' when the output matched. */
  diff: string;
}

/** Is `name` a test file of a directory (minitest shouldRun, plus `.mm`)? */
export function isTest(name: string, match?: RegExp): boolean {
  if (name.startsWith('.') || (SPECIAL as readonly string[]).includes(name)) return false;
  const ext = /\.[^./]+$/.exec(name)?.[0];
  if (ext !== undefined && ext !== '.mm') return false;
  return match ? match.test(name) : true;
}

function stem(file: string): string {
  return file.replace(/\.mm$/, '');
}

async function readOptional(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** Run one test file (with the directory's prolog and epilog) and compare. */
export async function runTest(exec: Exec, file: string, prolog: string, epilog: string): Promise<Outcome> {
  await runTranscript(prolog, exec);
  const got = await runTranscript(await readFile(file, 'utf8'), exec);
  await runTranscript(epilog, exec);
  await writeFile(`${stem(file)}.got`, got);
  const want = await readOptional(`${stem(file)}.want`);
  return { file, diff: want === undefined ? `no ${basename(stem(file))}.want` : compareTranscript(got, want) };
}

/** Every test of a directory, then of its subdirectories, as minitest orders them. */
export async function runDirectory(exec: Exec, dir: string, match: RegExp | undefined, report: (o: Outcome) => void): Promise<void> {
  const names = (await readdir(dir)).sort();
  const files: string[] = [];
  const subdirs: string[] = [];
  for (const n of names) {
    if ((await stat(join(dir, n))).isDirectory()) subdirs.push(join(dir, n));
    else if (isTest(n, match)) files.push(join(dir, n));
  }
  if (files.length > 0) {
    const special = async (n: string) => readOptional(join(dir, n));
    const prolog = (await special('prolog')) ?? DEFAULT_PROLOG;
    const epilog = (await special('epilog')) ?? DEFAULT_EPILOG;
    const enter = await special('enter');
    if (enter !== undefined) await writeFile(join(dir, 'enter.got'), await runTranscript(enter, exec));
    for (const f of files) report(await runTest(exec, f, prolog, epilog));
    const exit = await special('exit');
    if (exit !== undefined) await writeFile(join(dir, 'exit.got'), await runTranscript(exit, exec));
  }
  for (const d of subdirs) await runDirectory(exec, d, match, report);
}
