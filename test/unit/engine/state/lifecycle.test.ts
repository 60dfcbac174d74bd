import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VM_STATES } from '../../../../engine/api/types.js';
import { EngineError } from '../../../../engine/errors.js';
import { canFlush, canStartNamed, canStartWild, canStop, isAlive, NEXT, transition } from '../../../../engine/state/lifecycle.js';

test('every (from, to) pair is allowed iff it is in NEXT[from], else E_STATE naming both', () => {
  for (const from of VM_STATES) {
    for (const to of VM_STATES) {
      if (NEXT[from].includes(to)) {
        assert.equal(transition(from, to), to);
      } else {
        assert.throws(
          () => transition(from, to),
          (e: unknown) => e instanceof EngineError && e.code === 'E_STATE' && e.detail.from === from && e.detail.to === to,
        );
      }
    }
  }
});

test('start all only thaws BUILDING and PAUSED; a named start relaunches QUIT and ERROR', () => {
  assert.deepEqual(VM_STATES.filter(canStartWild), ['BUILDING', 'PAUSED']);
  assert.deepEqual(VM_STATES.filter(canStartNamed), ['BUILDING', 'PAUSED', 'QUIT', 'ERROR']);
});

test('stop applies to RUNNING only, kill to live states, flush to QUIT and ERROR', () => {
  assert.deepEqual(VM_STATES.filter(canStop), ['RUNNING']);
  assert.deepEqual(VM_STATES.filter(isAlive), ['BUILDING', 'RUNNING', 'PAUSED']);
  assert.deepEqual(VM_STATES.filter(canFlush), ['QUIT', 'ERROR']);
});
