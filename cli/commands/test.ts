import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compareTranscript, runTranscript } from '../../engine/language/transcript.js';
import { EngineClient } from '../engine-client.js';
import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

/** The minimega commands that return the daemon to a scratch state between scripts. */
const RESET = ['vm kill all', 'vm flush', 'clear vm config', '.annotate false'];

async function scripts(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if ((await stat(p)).isDirectory()) out.push(...(await readdir(p)).filter((f) => f.endsWith('.mm')).sort().map((f) => join(p, f)));
    else out.push(p);
  }
  return out;
}

/**
 * minitest: each script runs in a fresh session from the default config with `.annotate false`;
 * its containers are killed and flushed afterwards. The daemon is treated as a scratch instance.
 */
export const command: Subcommand = {
  name: 'test',
  options: [],
  usage: 'test PATH...',
  summary: 'run .mm transcript scripts against the daemon (writes .got, diffs .want)',
  async run(args, paths) {
    if (paths.length === 0) fail('test: name at least one .mm file or directory');
    let passed = 0;
    let failed = 0;
    for (const file of await scripts(paths)) {
      const client = await EngineClient.connect(args.base);
      const exec = (line: string) => client.call('cli.exec', line);
      const reset = async () => {
        for (const line of RESET) await exec(line);
      };
      await reset();
      const got = await runTranscript(await readFile(file, 'utf8'), exec);
      await reset();
      client.close();
      const gotFile = file.replace(/\.mm$/, '.got');
      await writeFile(gotFile, got);
      const want = await readFile(file.replace(/\.mm$/, '.want'), 'utf8').catch(() => undefined);
      const diff = want === undefined ? `no ${basename(file.replace(/\.mm$/, '.want'))}` : compareTranscript(got, want);
      if (diff) {
        failed++;
        process.stdout.write(`FAIL ${file}\n${diff}\n`);
      } else {
        passed++;
        process.stdout.write(`PASS ${file}\n`);
      }
    }
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    return failed ? 1 : 0;
  },
};
