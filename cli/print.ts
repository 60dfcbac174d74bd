import type { CommandResult } from '../engine/api/types.js';

/** A command's rendered output on stdout and its errors as `E: msg` lines (minimega's -e convention). */
export function printResult(r: CommandResult, errors: NodeJS.WriteStream = process.stderr): void {
  if (r.output) process.stdout.write(r.output + '\n');
  for (const e of r.errors) errors.write(`E: ${e}\n`);
}
