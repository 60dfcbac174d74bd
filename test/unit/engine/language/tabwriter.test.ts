import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tabwrite, tabwriteTable } from '../../../../engine/language/tabwriter.js';
import { render, compareRows } from '../../../../engine/language/render.js';
import { defaultFlags } from '../../../../engine/language/response.js';

const plain = { ...defaultFlags(), annotate: false };

test('cells pad to the widest cell plus one with a minimum width of five', () => {
  assert.equal(tabwrite('a\tb\nabcdef\tc'), 'a      b\nabcdef c');
  assert.equal(tabwrite('ab\tx'), 'ab   x');
});

test('like Go, a tab-terminated cell is padded even when nothing follows it, and lines are not trimmed', () => {
  assert.equal(tabwrite('UUID:\t\nMemory:\t2048\n'), 'UUID:   \nMemory: 2048\n');
});

test('column blocks end at a line without that column (Go text/tabwriter)', () => {
  assert.equal(tabwrite('a\tb\tc\nlonger\tb\nx\n1234567\ty\n'), 'a      b    c\nlonger b\nx\n1234567 y\n');
});

test('tab padding rounds cells up to the tab width', () => {
  assert.equal(
    tabwrite('ab \t :\t x \t\nabcdefghij \t :\t y \t\n', { minwidth: 0, tabwidth: 8, padding: 0, padchar: '\t' }),
    'ab \t\t :\t x \t\nabcdefghij \t :\t y \t\n',
  );
});

test('a name,state table renders like minimega tests/container_lifecycle.want', () => {
  const out = render(
    {
      header: ['name', 'state'],
      rows: [
        ['foo1', 'BUILDING'],
        ['foo0', 'RUNNING'],
        ['foo2', 'BUILDING'],
      ],
      errors: [],
    },
    plain,
    'h',
  );
  assert.equal(out, 'name | state\nfoo0 | RUNNING\nfoo1 | BUILDING\nfoo2 | BUILDING');
});

test('wide list columns render like minimega tests/vm_config_net.want', () => {
  const out = render(
    {
      header: ['name', 'bridge', 'vlan', 'mac'],
      rows: [['vm6', '[test_bridge test_bridge]', '[1 5]', '[13:37:13:37:00:03 13:37:13:37:00:04]']],
      errors: [],
    },
    plain,
    'h',
  );
  assert.equal(out, 'name | bridge                    | vlan  | mac\n' + 'vm6  | [test_bridge test_bridge] | [1 5] | [13:37:13:37:00:03 13:37:13:37:00:04]');
  const one = render({ header: ['name', 'bridge', 'vlan'], rows: [['vm0', '[mega_bridge]', '[1]']], errors: [] }, plain, 'h');
  assert.equal(one, 'name | bridge        | vlan\nvm0  | [mega_bridge] | [1]');
});

test('a single tags column renders like minimega tests/vm_tags.want', () => {
  const out = render({ header: ['tags'], rows: [['{"color":"red"}'], ['{"color":"red","shape":"square"}'], ['{"shape":"square"}']], errors: [] }, plain, 'h');
  assert.equal(out, 'tags\n{"color":"red","shape":"square"}\n{"color":"red"}\n{"shape":"square"}');
});

test('rows sort numerically when both cells are integers', () => {
  const rows = [['10'], ['9'], ['b'], ['a']].sort(compareRows);
  assert.deepEqual(rows, [['9'], ['10'], ['a'], ['b']]);
});

test('an empty last cell keeps its "| " inside the table; only the end of the output is trimmed, as minicli does', () => {
  const out = render(
    {
      header: ['name', 'preinit'],
      rows: [
        ['a', ''],
        ['b', ''],
      ],
      errors: [],
    },
    plain,
    'h',
  );
  assert.equal(out, 'name | preinit\na    | \nb    |');
});

test('simple text is prefixed with the host under .annotate and hidden when the response has an error', () => {
  assert.equal(render({ text: '2048\n', errors: [] }, defaultFlags(), 'h'), 'h: 2048');
  assert.equal(render({ text: '2048', errors: [] }, plain, 'h'), '2048');
  assert.equal(render({ text: 'out', errors: ['bad'] }, plain, 'h'), '');
});

test('an empty table prints nothing', () => {
  assert.equal(render({ header: ['name'], rows: [], errors: [] }, plain, 'h'), '');
});

test('a rectangular table (one pass) lays out as the block walk does, runes counted as Go counts them', () => {
  // The block walk is what a ragged text gets; the same rows plus one short line take it.
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }).chain((cols) =>
        fc.array(
          fc.array(
            fc.string({ unit: 'grapheme', maxLength: 9 }).map((s) => s.replace(/[\t\n]/g, '')),
            { minLength: cols, maxLength: cols },
          ),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
      ),
      (rows) => {
        const text = rows.map((r) => r.join('\t')).join('\n') + '\n';
        const fast = tabwrite(text);
        const walked = tabwrite(text + 'short\n');
        assert.equal(walked.slice(0, fast.length), fast);
      },
    ),
    { numRuns: 2000 },
  );
  assert.equal(tabwrite('😀\tx\nab\ty\n'), '😀    x\nab   y\n', 'one rune for the emoji, as Go counts it');
});

test("a table's lines laid out from their cells read as the text joined and tab-written", () => {
  // Any cell text, tabs and newlines included (those cells split the text, so the table takes the
  // general path); ragged lines too.
  const cell = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 9 }), fc.constantFrom('', 'a\tb', 'x\ny', '😀', '| '));
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }).chain((cols) =>
        fc.array(
          fc.oneof({ weight: 9, arbitrary: fc.array(cell, { minLength: cols, maxLength: cols }) }, { weight: 1, arbitrary: fc.array(cell, { maxLength: 7 }) }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
      ),
      fc.constantFrom('\t| ', '\t', '\t😀 '),
      (lines, sep) => assert.equal(tabwriteTable(lines, sep), tabwrite(lines.map((l) => l.join(sep) + '\n').join(''))),
    ),
    { numRuns: 3000 },
  );
  assert.equal(
    tabwriteTable(
      [
        ['id', 'name'],
        ['1', 'a😀'],
      ],
      '\t| ',
    ),
    'id   | name\n1    | a😀\n',
  );
});
