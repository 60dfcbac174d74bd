/** Error codes that cross the wire. The message is always written for a person. */
export const ERROR_CODES = [
  'E_CONFIG', // bad value for a field: detail names the field and value
  'E_NOT_FOUND', // no such container / method / file
  'E_STATE', // verb not allowed in the container's state
  'E_EXISTS', // name or uuid already taken
  'E_HOST', // an effect on the machine failed: detail names op and path
  'E_SHIM', // the shim reported an error while building the container
  'E_EXEC', // a command could not run inside a container (vm exec, cc): detail has the errno
  'E_PERM', // caller not allowed
  'E_PROTOCOL', // malformed request or reply
  'E_UNAVAILABLE', // no daemon answers, or the connection to it was lost
  'E_INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  detail?: Record<string, string | number>;
}

/**
 * An error with a code, on both sides of the wire: the engine throws it, the daemon turns it into a
 * WireError, and every client turns a failed result back into one (wire-client.ts).
 */
export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail: Record<string, string | number> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && (ERROR_CODES as readonly string[]).includes(v);
}
