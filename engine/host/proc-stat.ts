/**
 * /proc/PID/stat as the kernel writes it (proc(5)): the command (field 2) is in parentheses and may
 * itself hold spaces and parentheses, so fields are counted from after the last ')'.
 */

/** Fields 3 (state) onwards: index i is field i + 3. */
export function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** Field 22, the start time in clock ticks after boot (0 when unreadable): with the pid, it names one process for good. */
export function statStartTicks(text: string): number {
  return Number(statFields(text)[19] ?? 0);
}

/** Field 3 says the process is a zombie (exited, not yet reaped). */
export function statZombie(text: string): boolean {
  return statFields(text)[0] === 'Z';
}
