import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandTrie } from '../../../../engine/language/compile.js';
import type { Handler } from '../../../../engine/language/handler.js';
import { lexPattern, patternString } from '../../../../engine/language/pattern.js';
import { HANDLERS } from '../../../../engine/language/table.js';

const flags = { record: true, preprocess: true };
const h = (...patterns: string[]): Handler => ({ patterns, help: patterns[0]! });

test('patterns lex into minicli items and print back for help', () => {
  const items = lexPattern('vm net <connect,> <vm target> <tap position> <vlan> [bridge]');
  assert.deepEqual(
    items.map((i) => [i.kind, i.optional, i.key]),
    [
      ['literal', false, 'vm'],
      ['literal', false, 'net'],
      ['choice', false, 'connect'],
      ['string', false, 'vm'],
      ['string', false, 'tap'],
      ['string', false, 'vlan'],
      ['string', true, 'bridge'],
    ],
  );
  assert.equal(patternString(items), 'vm net connect <vm target> <tap position> <vlan> [bridge]');
  assert.equal(patternString(lexPattern('echo [args]...')), 'echo [args]...');
  assert.equal(patternString(lexPattern('.csv <true,false> (command)')), '.csv <true,false> (command)');
});

test('malformed patterns are refused', () => {
  for (const p of ['a [b] c', 'a <b', 'a <b<c>>', 'a <x>... y', 'a (c) d', 'a <b c,d>', 'a <b>..']) {
    assert.throws(() => lexPattern(p), /invalid pattern/, p);
  }
});

test('every literal matches by unique prefix; an exact word beats prefixes; ambiguity matches nothing', () => {
  const kill = h('vm kill <vm target>');
  const kvm = h('vm kvmstuff');
  const info = h('vm info [summary,]');
  const kick = h('vm kick <vm target>');
  const t = new CommandTrie([kill, kvm, info, kick]);
  assert.equal(t.compile(['vm', 'kil', 'x'], flags)?.handler, kill);
  assert.equal(t.compile(['v', 'i'], flags)?.handler, info);
  assert.equal(t.compile(['vm', 'k'], flags)?.handler, kvm, 'of the k… words only kvmstuff takes nothing more');
  assert.equal(t.compile(['vm', 'ki', 'x'], flags), undefined, 'kill and kick both start with ki');
  assert.equal(t.compile(['vm', 'kill', 'x'], flags)?.handler, kill);
  assert.deepEqual(t.compile(['vm', 'info', 'sum'], flags)?.boolArgs, { summary: true });
  const exact = new CommandTrie([h('clear vm config tag <key>'), h('clear vm config <tags,>')]);
  assert.equal(exact.compile(['clear', 'vm', 'config', 'tag'], flags)?.handler.patterns[0], 'clear vm config <tags,>');
  assert.equal(exact.compile(['clear', 'vm', 'config', 'tag', 'k'], flags)?.stringArgs.key, 'k');
});

test('optional, list and choice items capture what minicli captures', () => {
  const t = new CommandTrie([h('vm config memory [value]'), h('echo [args]...'), h('vm tag <vm target> <key> <value>'), h('vm tag <vm target> [key or all]')]);
  assert.deepEqual(t.compile(['vm', 'config', 'memory'], flags)?.stringArgs, {});
  assert.deepEqual(t.compile(['vm', 'config', 'memory', '5'], flags)?.stringArgs, { value: '5' });
  assert.equal(t.compile(['vm', 'config', 'memory', '5', '6'], flags), undefined);
  assert.deepEqual(t.compile(['echo', 'a', 'b'], flags)?.listArgs, { args: ['a', 'b'] });
  assert.deepEqual(t.compile(['echo'], flags)?.listArgs, {});
  assert.deepEqual(t.compile(['vm', 'tag', 'x', 'k', 'v'], flags)?.stringArgs, { vm: 'x', key: 'k', value: 'v' });
});

test('nested commands compile level by level, without recursion, up to MAX_NESTED', () => {
  const csv = h('.csv [true,false]', '.csv <true,false> (command)');
  const echo = h('echo [args]...');
  const t = new CommandTrie([csv, echo]);
  const words = [...Array.from({ length: 999 }, () => ['.csv', 'true']).flat(), 'echo', 'hi'];
  const cmd = t.compile(words, flags)!;
  let depth = 0;
  let c = cmd;
  while (c.subcommand) {
    depth++;
    c = c.subcommand;
  }
  assert.equal(depth, 999);
  assert.throws(() => t.compile([...Array.from({ length: 100_000 }, () => ['.csv', 'true']).flat(), 'echo'], flags), /too many nested commands/);
  assert.equal(c.handler, echo);
  assert.deepEqual(c.listArgs.args, ['hi']);
});

test('the command table has no conflicting patterns and every handler has a one-line help', () => {
  const t = new CommandTrie(HANDLERS);
  assert.ok(t.handlers.length > 50);
  for (const handler of HANDLERS) {
    assert.ok(handler.help.length > 0 && !handler.help.includes('\n'), handler.patterns[0]);
    assert.ok(handler.call || handler.wrap, handler.patterns[0]);
  }
});

test('conflicting handlers are refused when the table is built', () => {
  assert.throws(() => new CommandTrie([h('a <b>'), h('a <b>')]), /conflicting handlers/);
});
