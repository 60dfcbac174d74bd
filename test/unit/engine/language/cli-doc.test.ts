// `nanomega -cli` against minicli's own description of a parsed pattern (minicli/pattern.go: item bits
// optional 1, literal 2, command 4, string 8, choice 16, list 32; a variable's key is its first word and
// its text everything between the brackets; a choice has options and no key; `<a,>` is a one-word
// choice; empty fields are left out) and against what pyapigen needs to write Python that compiles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minicliDoc, minicliHandler } from '../../../../engine/language/cli-doc.js';
import type { Handler } from '../../../../engine/language/handler.js';
import { HANDLERS } from '../../../../engine/language/table.js';

const h = (patterns: string[], help = 'short', helpLong?: string): Handler => ({ patterns, help, ...(helpLong === undefined ? {} : { helpLong }) });

test('each kind of pattern item is described as minicli describes it', () => {
  const doc = minicliHandler(
    h([
      'vm launch <kvm,container> <name or count> [config]',
      'vm kill <vm target>',
      'vm config net [netspec]...',
      'cc <filter,> <filter>...',
      '.columns <columns as csv> (command)',
      'vm start [true,false]',
    ]),
  );
  assert.deepEqual(doc.parsed_patterns, [
    [
      { type: 2, text: 'vm' },
      { type: 2, text: 'launch' },
      { type: 16, text: 'kvm,container', options: ['kvm', 'container'] },
      { type: 8, key: 'name', text: 'name or count' },
      { type: 9, key: 'config', text: 'config' },
    ],
    [
      { type: 2, text: 'vm' },
      { type: 2, text: 'kill' },
      { type: 8, key: 'vm', text: 'vm target' },
    ],
    [
      { type: 2, text: 'vm' },
      { type: 2, text: 'config' },
      { type: 2, text: 'net' },
      { type: 33, key: 'netspec', text: 'netspec' },
    ],
    [
      { type: 2, text: 'cc' },
      { type: 16, text: 'filter,', options: ['filter'] },
      { type: 32, key: 'filter', text: 'filter' },
    ],
    [
      { type: 2, text: '.columns' },
      { type: 8, key: 'columns', text: 'columns as csv' },
      { type: 4, key: 'command', text: 'command' },
    ],
    [
      { type: 2, text: 'vm' },
      { type: 2, text: 'start' },
      { type: 17, text: 'true,false', options: ['true', 'false'] },
    ],
  ]);
  // Only the literal words every pattern starts with, cut where they part (minicli findPrefix).
  assert.equal(doc.shared_prefix, '');
  assert.equal(minicliHandler(h(['vm kill <vm target>', 'vm kilt'])).shared_prefix, 'vm kil');
});

test('help is trimmed, an absent long help is empty, and the JSON is escaped as Go escapes it', () => {
  const line = minicliDoc([h(['tap <create,> <vlan>'], '  make a tap & more \u2028 now '), h(['history'], 'show')]);
  assert.equal(
    line,
    '[{"help_short":"make a tap \\u0026 more \\u2028 now","help_long":"","patterns":["tap \\u003ccreate,\\u003e \\u003cvlan\\u003e"],' +
      '"shared_prefix":"tap","parsed_patterns":[[{"type":2,"text":"tap"},{"type":16,"text":"create,","options":["create"]},' +
      '{"type":8,"key":"vlan","text":"vlan"}]]},' +
      '{"help_short":"show","help_long":"","patterns":["history"],"shared_prefix":"history","parsed_patterns":[[{"type":2,"text":"history"}]]}]',
  );
  assert.deepEqual(JSON.parse(line)[0].patterns, ['tap <create,> <vlan>']);
});

test('the whole table: every handler and pattern, in order, and help pyapigen can put in a Python docstring', () => {
  const doc = JSON.parse(minicliDoc(HANDLERS)) as ReturnType<typeof minicliHandler>[];
  assert.equal(doc.length, HANDLERS.length);
  doc.forEach((d, i) => {
    assert.deepEqual(d.patterns, HANDLERS[i]!.patterns);
    assert.equal(d.parsed_patterns.length, d.patterns.length);
    // Docstrings are '''…''' and not raw: a backslash starts an escape (`\x` without digits does not compile).
    for (const text of [d.help_short, d.help_long]) {
      assert.ok(!text.includes('\\'), `${d.patterns[0]}: a backslash in its help`);
      assert.ok(!text.includes("'''"), `${d.patterns[0]}: ''' in its help`);
    }
  });
  assert.ok(doc.some((d) => d.shared_prefix === 'vm launch'));
});
