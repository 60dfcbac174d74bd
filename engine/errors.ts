import { EngineError, type WireError } from './api/errors.js';

export { EngineError };

/** A failed effect always says what was attempted on which path (crun "open `%s`"). */
export function hostError(op: string, path: string, cause: unknown): EngineError {
  const e = cause as NodeJS.ErrnoException;
  const why = e?.code ?? e?.message ?? String(cause);
  return new EngineError('E_HOST', `${op} ${path}: ${why}`, { op, path, errno: e?.code ?? '' }, { cause });
}

/** Bad value for a config field: names the field and the value. */
export function configError(field: string, value: unknown, why: string): EngineError {
  return new EngineError('E_CONFIG', why, { field, value: String(value).slice(0, 200) });
}

/** The part of a file one read (capture.read, file.read) may ask for: from `offset`, 1 to `max` bytes. */
export function checkReadRange(offset: number, length: number, max: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new EngineError('E_CONFIG', `invalid offset: ${offset}`, { field: 'offset', value: offset });
  if (!Number.isSafeInteger(length) || length < 1 || length > max) {
    throw new EngineError('E_CONFIG', `invalid length: ${length} (1 to ${max})`, { field: 'length', value: length });
  }
}

export function toWireError(e: unknown): WireError {
  if (e instanceof EngineError) return { code: e.code, message: e.message, detail: e.detail };
  const msg = e instanceof Error ? e.message : String(e);
  return { code: 'E_INTERNAL', message: msg };
}
