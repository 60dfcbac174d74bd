import type { HostResponse } from '../api/types.js';

/**
 * What a command returns before rendering (minicli's Response) and the output flags the dot-commands set.
 */

/** minicli output modes. */
export type OutputMode = 'default' | 'json' | 'csv';

/** Output flags (minicli Flags); `.annotate` etc. change them one-shot or as the session default. */
export interface Flags {
  annotate: boolean;
  compress: boolean;
  headers: boolean;
  sort: boolean;
  mode: OutputMode;
}

/** minicli's defaults. */
export function defaultFlags(): Flags {
  return { annotate: true, compress: true, headers: true, sort: true, mode: 'default' };
}

export interface Response {
  /** Column names of tabular output. */
  header?: string[];
  /** Rows of tabular output (same width as header). */
  rows?: string[][];
  /**
   * Columns a command knows but does not show by default; `.columns` and `.filter` may name them and every
   * row reads `N/A` (minimega's KVM-only `vm info` columns on a container).
   */
  hidden?: string[];
  /** Simple (non-tabular) output. */
  text?: string;
  errors: string[];
  /** Structured data behind the text (minicli Response.Data): `.json` prints it. */
  data?: unknown;
  /**
   * Set when the response merges several hosts' answers (the fan-out of a cluster, fanout.ts), as
   * minicli's Responses: each host's own answer (its text, errors and data), in host order.
   */
  parts?: HostResponse[];
  /** With `parts`: the host of each row of `rows`, kept in step by `.filter` and `.columns`. */
  rowHosts?: string[];
}

export function textResponse(text: string): Response {
  return { text, errors: [] };
}

export function errorResponse(...errors: string[]): Response {
  return { errors };
}

export function tableResponse(header: string[], rows: string[][], hidden?: string[]): Response {
  return hidden ? { header, rows, hidden, errors: [] } : { header, rows, errors: [] };
}

/** Cell value of hidden columns. */
export const NOT_APPLICABLE = 'N/A';
