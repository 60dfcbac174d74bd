// Property tests of the parsers user text goes through before anything touches the kernel: netspecs,
// MACs, VLANs, name lists and VM names. Each gets random text (and text built to be nearly right);
// it either yields a value that the later stages accept, or throws an error that names the field
// and the offending value — never anything else (a TypeError, a RangeError, a hang).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { expandList, launchNames, MAX_NAMES, validateName } from '../../../engine/config/names.js';
import { netSpecString, NIC_DRIVERS, parseNetSpec } from '../../../engine/config/netspec.js';
import { EngineError } from '../../../engine/errors.js';
import { checkNetSpec, DEFAULT_BRIDGE, isMac, macForm, normalizeMac } from '../../../engine/net/netspec.js';
import { parseVlanNumber, VLAN_ALIAS_RE } from '../../../engine/net/vlans.js';

/** Cases per property in CI (issue 12: 10 000 per parser). */
export const RUNS = 10_000;

/** Text a user might type, and worse: any unicode, control characters, the separators that matter. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...',:-./[]0123456789abcdefABCDEFqinQ _'), maxLength: 40 }),
);

const hex2 = fc.integer({ min: 0, max: 255 }).map((n) => n.toString(16).padStart(2, '0'));
const mac6 = fc.array(hex2, { minLength: 6, maxLength: 6 });
/** A MAC in one of Go's three spellings. */
const anyMac = fc.oneof(
  mac6.map((b) => b.join(':')),
  mac6.map((b) => b.join('-').toUpperCase()),
  mac6.map((b) => [0, 2, 4].map((i) => b[i]! + b[i + 1]!).join('.')),
);
const ifname = fc.oneof(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,14}$/), fc.constant(DEFAULT_BRIDGE));
const vlan = fc.oneof(fc.integer({ min: 0, max: 4095 }).map(String), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,20}$/));
const cidr4 = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`);
/** A netspec assembled from valid and invalid fields, in any order and number. */
const nearNetspec = fc
  .array(fc.oneof(ifname, vlan, anyMac, fc.constantFrom(...NIC_DRIVERS, 'qinq', 'QinQ'), cidr4, text), { minLength: 1, maxLength: 6 })
  .map((f) => f.join(','));

/** An error from a parser: EngineError E_CONFIG naming the field, or minimega's plain Error text. */
function assertNamedError(e: unknown, input: string): void {
  assert.ok(e instanceof Error, `not an Error: ${String(e)}`);
  assert.ok(!(e instanceof TypeError) && !(e instanceof RangeError), `${e.name} for ${JSON.stringify(input)}: ${e.message}`);
  assert.ok(e.message.length > 0 && e.message.length < 2_000, 'a message of sane length');
  if (e instanceof EngineError) {
    assert.equal(e.code, 'E_CONFIG');
    assert.equal(typeof e.detail.field, 'string', 'the error names its field');
    assert.ok('value' in e.detail, 'and the value');
  }
}

test('netspecs: a spec that parses is accepted by the network and prints back to itself; others are E_CONFIG naming the field', () => {
  fc.assert(
    fc.property(fc.oneof(text, nearNetspec), (s) => {
      let spec;
      try {
        spec = parseNetSpec(s);
      } catch (e) {
        assertNamedError(e, s);
        return;
      }
      const multicast = spec.mac !== '' && (parseInt(spec.mac.slice(0, 2), 16) & 1) === 1;
      if (multicast) {
        // Configuration, as minimega keeps it; the network refuses it for a container NIC, naming the field.
        assert.throws(
          () => checkNetSpec(spec, 'net[0]'),
          (e: unknown) => e instanceof EngineError && e.code === 'E_CONFIG' && e.detail.field === 'net[0].mac',
        );
      } else checkNetSpec(spec, 'net[0]');
      // A number, an alias, or an alias of a namespace (`ns//alias`).
      const alias = spec.vlan.includes('//') ? spec.vlan.slice(spec.vlan.indexOf('//') + 2) : spec.vlan;
      assert.ok(parseVlanNumber(spec.vlan) !== undefined || VLAN_ALIAS_RE.test(alias), `vlan ${spec.vlan}`);
      if (spec.mac) assert.ok(isMac(spec.mac), `mac ${spec.mac}`);
      // The default bridge is printed as nothing and parsed back as nothing: the same NIC.
      const same = (x: typeof spec) => ({ ...x, bridge: x.bridge || DEFAULT_BRIDGE });
      assert.deepEqual(same(parseNetSpec(netSpecString(spec))), same(spec), 'printing and parsing again gives the same NIC');
    }),
    { numRuns: RUNS },
  );
});

test('MACs: every Go spelling of a 48-bit MAC normalises to the same lower-case form; anything else says why', () => {
  fc.assert(
    fc.property(fc.oneof(anyMac, text), (s) => {
      const n = normalizeMac(s);
      if (typeof n === 'string') {
        assert.ok(isMac(n));
        assert.deepEqual(macForm(n), macForm(s), 'the same bytes');
      } else {
        assert.ok(n.why.length > 0);
      }
    }),
    { numRuns: RUNS },
  );
});

test('VLAN numbers: exactly the decimal integers 0..4095', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: -10, max: 70_000 }).map(String), text), (s) => {
      const n = parseVlanNumber(s);
      if (n === undefined) return;
      assert.ok(Number.isInteger(n) && n >= 0 && n <= 4095);
      assert.equal(Number(s), n);
    }),
    { numRuns: RUNS },
  );
});

/** A name list of prefixes with bracket ranges, as minimega users write them. */
const nameList = fc
  .array(
    fc.tuple(
      fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/),
      fc.option(
        fc.array(
          fc.oneof(
            fc.nat(50).map(String),
            fc.tuple(fc.nat(40), fc.nat(40)).map(([a, b]) => `${a}-${b}`),
          ),
          { minLength: 1, maxLength: 3 },
        ),
      ),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((items) => items.map(([p, r]) => (r ? `${p}[${r.join(',')}]` : p)).join(','));

test("name lists: expansion is bounded, and every failure is minimega's error text", () => {
  fc.assert(
    fc.property(fc.oneof(text, nameList, fc.constant('a[0-99999999]'), fc.constant('x[0-60000],y[0-60000]')), (s) => {
      let names: string[];
      try {
        names = expandList(s);
      } catch (e) {
        assertNamedError(e, s);
        return;
      }
      assert.ok(names.length <= MAX_NAMES);
      for (const n of names) assert.equal(typeof n, 'string');
      // Launch names are a list whose names are all valid and distinct, or an error.
      try {
        const launched = launchNames(s, () => 0);
        assert.equal(new Set(launched).size, launched.length, 'distinct');
        for (const n of launched) validateName(n);
      } catch (e) {
        assertNamedError(e, s);
      }
    }),
    { numRuns: RUNS },
  );
});

test('VM names: valid ones are letters, digits, _ - . and never reserved or an integer', () => {
  fc.assert(
    fc.property(fc.oneof(text, fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/), fc.constantFrom('all', '12', '-3')), (s) => {
      try {
        validateName(s);
      } catch (e) {
        assertNamedError(e, s);
        return;
      }
      assert.match(s, /^[A-Za-z0-9_.-]+$/);
      assert.notEqual(s, 'all');
      assert.doesNotMatch(s, /^[+-]?[0-9]+$/);
    }),
    { numRuns: RUNS },
  );
});
