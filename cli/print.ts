import type { CommandResult } from '../engine/api/types.js';

/**
 * A command's rendered output on stdout and its errors as `E: msg` lines (minimega's -e convention);
 * a command that printed in steps (`read`) prints each step in turn.
 */
export function printResult(r: CommandResult, errors: NodeJS.WriteStream = process.stderr): void {
  for (const part of r.chunks ?? [r]) {
    if (part.output) process.stdout.write(part.output + '\n');
    for (const e of part.errors) errors.write(`E: ${e}\n`);
  }
}
