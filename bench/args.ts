/**
 * The command line of a bench: `--name VALUE` options and bare `--flag`s, each declared with its
 * default. `--help` prints the usage and exits before anything is set up (a bench makes bridges,
 * daemons and thousands of containers); an undeclared option, a missing value or a number that is
 * not one is refused by name, with the usage, exit status 2.
 */
export interface BenchArgs {
  text(name: string): string;
  /** A number of at least `min` (default 0). */
  number(name: string, min?: number): number;
  flag(name: string): boolean;
}

export function benchArgs(usage: string, values: Record<string, string>, flags: readonly string[] = [], argv = process.argv.slice(2)): BenchArgs {
  const refuse = (why: string): never => {
    process.stderr.write(`${why}\nusage: ${usage}\n`);
    process.exit(2);
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: ${usage}\n`);
    process.exit(0);
  }
  const given = new Map<string, string>();
  const set = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (flags.includes(a)) set.add(a);
    else if (a in values) {
      const v = argv[++i];
      if (v === undefined) refuse(`${a} needs a value`);
      given.set(a, v!);
    } else refuse(`unknown option ${a}`);
  }
  const text = (name: string) => given.get(name) ?? values[name]!;
  return {
    text,
    number(name, min = 0) {
      const v = text(name);
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < min) refuse(`${name}: not a number of at least ${min}: ${v}`);
      return n;
    },
    flag: (name) => set.has(name),
  };
}
