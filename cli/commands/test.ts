import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineClient } from '../engine-client.js';
import { fail } from '../args.js';
import { DEFAULT_EPILOG, DEFAULT_PROLOG, type Outcome, runDirectory, runTest } from '../minitest.js';
import { readFile } from 'node:fs/promises';
import type { Subcommand } from '../subcommand.js';

/**
 * minitest against the daemon: point it at minimega's tests/ directory unchanged, or at nanomega's own
 * transcripts. The daemon is treated as a scratch instance (each test's epilog is `clear all`).
 */
export const command: Subcommand = {
  name: 'test',
  options: ['--run'],
  usage: 'test [--run REGEXP] PATH...',
  summary: "run minitest transcripts against the daemon (minimega's tests/ layout: prolog, epilog, .want; writes .got)",
  async run(args, rest) {
    let match: RegExp | undefined;
    const paths: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--run') {
        const v = rest[++i];
        if (v === undefined) fail('test: --run needs a regular expression');
        try {
          match = new RegExp(v);
        } catch (e) {
          fail(`test: --run: ${(e as Error).message}`);
        }
      } else paths.push(rest[i]!);
    }
    if (paths.length === 0) fail('test: name at least one test file or directory');
    const client = await EngineClient.connect(args.base);
    const exec = (line: string) => client.call('cli.exec', line);
    let passed = 0;
    let failed = 0;
    const report = (o: Outcome) => {
      if (o.diff) {
        failed++;
        process.stdout.write(`FAIL ${o.file}\n${o.diff}\n`);
      } else {
        passed++;
        process.stdout.write(`PASS ${o.file}\n`);
      }
    };
    try {
      for (const p of paths) {
        if ((await stat(p)).isDirectory()) {
          await runDirectory(exec, p, match, report);
        } else {
          // A single file still gets its directory's prolog and epilog.
          const special = (n: string) => readFile(join(dirname(p), n), 'utf8').catch(() => undefined);
          report(await runTest(exec, p, (await special('prolog')) ?? DEFAULT_PROLOG, (await special('epilog')) ?? DEFAULT_EPILOG));
        }
      }
    } finally {
      client.close();
    }
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    return failed ? 1 : 0;
  },
};
