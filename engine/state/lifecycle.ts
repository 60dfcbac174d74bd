import type { VmState } from '../api/types.js';
import { EngineError } from '../errors.js';

/**
 * Legal next states for the verbs (minimega semantics). Failures bypass this table:
 * any state may become ERROR, as minimega's setErrorf does.
 */
export const NEXT: Readonly<Record<VmState, readonly VmState[]>> = {
  BUILDING: ['RUNNING', 'QUIT'],
  RUNNING: ['PAUSED', 'QUIT'],
  PAUSED: ['RUNNING', 'QUIT'],
  QUIT: ['RUNNING'], // `vm start NAME` relaunches a quit container in its instance dir
  ERROR: ['RUNNING'], // …and an errored one
};

export function transition(from: VmState, to: VmState): VmState {
  if (!NEXT[from].includes(to)) {
    throw new EngineError('E_STATE', `invalid state transition from ${from} to ${to}`, { from, to });
  }
  return to;
}

/** States in which a container has live processes (minimega's VM_KILLABLE). */
export function isAlive(s: VmState): boolean {
  return s === 'BUILDING' || s === 'RUNNING' || s === 'PAUSED';
}

/** `vm start <name>`: anything not already running (QUIT/ERROR relaunch). */
export function canStartNamed(s: VmState): boolean {
  return s !== 'RUNNING';
}

/** `vm start all`: only what is waiting to run; QUIT/ERROR are skipped, RUNNING unchanged. */
export function canStartWild(s: VmState): boolean {
  return s === 'BUILDING' || s === 'PAUSED';
}

export function canStop(s: VmState): boolean {
  return s === 'RUNNING';
}

export function canFlush(s: VmState): boolean {
  return s === 'QUIT' || s === 'ERROR';
}
