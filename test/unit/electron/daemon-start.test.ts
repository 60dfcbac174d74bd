import assert from 'node:assert/strict';
import { test } from 'node:test';
import { electronModule } from './load.js';

interface Program {
  file: string;
  args: string[];
}
interface ProgramModule {
  SYSTEM_PROGRAM: string;
  findProgram(s: {
    env: Record<string, string | undefined>;
    resourcesPath?: string;
    checkoutEntry: string;
    exists?: (p: string) => boolean;
  }): Program | undefined;
  commandLine(p: Program | undefined, words: string[]): string;
}
interface StartModule {
  ensureDaemon(d: Record<string, unknown>): Promise<string>;
}

const program = await electronModule<ProgramModule>('program');
const start = await electronModule<StartModule>('daemon-start');

test('the program: $NANOMEGA_PROGRAM, the packaged engine, /usr/bin/nanomega, then node on PATH with the checkout', () => {
  const have =
    (...files: string[]) =>
    (p: string) =>
      files.includes(p);
  const base = { env: { PATH: '/opt/x/bin:relative:/usr/bin' }, resourcesPath: '/opt/app/resources', checkoutEntry: '/src/bin/nanomega.js' };
  assert.deepEqual(program.findProgram({ ...base, env: { ...base.env, NANOMEGA_PROGRAM: '/p/nm' }, exists: have('/p/nm', '/usr/bin/nanomega') }), {
    file: '/p/nm',
    args: [],
  });
  assert.deepEqual(
    program.findProgram({ ...base, env: { ...base.env, NANOMEGA_PROGRAM: 'nm' }, exists: have('nm', '/usr/bin/nanomega') }),
    { file: '/usr/bin/nanomega', args: [] },
    'relative paths are ignored',
  );
  assert.deepEqual(program.findProgram({ ...base, exists: have('/opt/app/resources/engine/nanomega', '/usr/bin/nanomega') }), {
    file: '/opt/app/resources/engine/nanomega',
    args: [],
  });
  assert.deepEqual(program.findProgram({ ...base, exists: have('/usr/bin/nanomega') }), { file: program.SYSTEM_PROGRAM, args: [] });
  assert.deepEqual(program.findProgram({ ...base, exists: have('/src/bin/nanomega.js', 'relative/node', '/usr/bin/node') }), {
    file: '/usr/bin/node',
    args: ['/src/bin/nanomega.js'],
  });
  assert.equal(program.findProgram({ ...base, exists: have('/usr/bin/node') }), undefined, 'no checkout, no package: nothing');
  assert.equal(
    program.commandLine({ file: '/usr/bin/node', args: ['/a b/nanomega.js'] }, ['serve', '--base', '/run/x']),
    "/usr/bin/node '/a b/nanomega.js' serve --base /run/x",
  );
});

function deps(over: Record<string, unknown> = {}) {
  const log: string[] = [];
  let answering = false;
  const d = {
    base: '/run/nm',
    socket: '/run/nm/nanomega.sock',
    program: { file: '/usr/bin/nanomega', args: [] },
    answers: async () => answering,
    ask: async (o: { buttons: string[]; detail: string }) => {
      log.push(`ask ${o.buttons.join('|')} :: ${o.detail}`);
      return { response: 0 };
    },
    error: (t: string, c: string) => void log.push(`error ${t} :: ${c}`),
    spawn: (file: string, args: string[]) => {
      log.push(`spawn ${file} ${args.join(' ')}`);
      answering = true;
    },
    sleep: async () => undefined,
    ...over,
  };
  return { d, log, setAnswering: (v: boolean) => (answering = v) };
}

test('a running daemon: nothing is asked or started', async () => {
  const { d, log, setAnswering } = deps();
  setAnswering(true);
  assert.equal(await start.ensureDaemon(d), 'running');
  assert.deepEqual(log, []);
});

test('no daemon: asks, then runs pkexec with the program (never Electron as Node) and waits for the socket', async () => {
  const { d, log } = deps();
  assert.equal(await start.ensureDaemon(d), 'started');
  assert.match(log[0]!, /^ask Start with pkexec\|Continue without :: .*sudo \/usr\/bin\/nanomega serve --base \/run\/nm/s);
  assert.equal(log[1], 'spawn pkexec /usr/bin/nanomega serve --base /run/nm');
  assert.equal(log.length, 2);
});

test('declined, missing program, pkexec failing, daemon never answering: a clear message each, no hang', async () => {
  {
    const { d, log } = deps({ ask: async () => ({ response: 1 }) });
    assert.equal(await start.ensureDaemon(d), 'declined');
    assert.deepEqual(log, []);
  }
  {
    const { d, log } = deps({ program: undefined });
    assert.equal(await start.ensureDaemon(d), 'unavailable');
    assert.match(log[0]!, /^error nanomega daemon not running :: .*sudo nanomega serve --base \/run\/nm/s);
  }
  {
    const { d, log } = deps({ spawn: (_f: string, _a: string[], onError: (e: Error) => void) => onError(new Error('spawn pkexec ENOENT')) });
    assert.equal(await start.ensureDaemon(d), 'timeout');
    assert.match(log.at(-1)!, /^error pkexec failed :: spawn pkexec ENOENT/);
  }
  {
    let slept = 0;
    const { d, log } = deps({ spawn: () => undefined, sleep: async (ms: number) => void (slept += ms) });
    assert.equal(await start.ensureDaemon(d), 'timeout');
    assert.equal(slept, 30_000);
    assert.match(log.at(-1)!, /^error nanomega daemon did not start/);
  }
});
