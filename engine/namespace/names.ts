/**
 * Namespace names (minimega's `namespace NAME`): the unit VMs, `vm config`, VLAN aliases, pipes and cc
 * state are scoped by. `minimega` is the default one every session starts in; `all` is the wildcard of
 * `clear namespace all`, so no namespace may be called that.
 */
import { configError } from '../errors.js';

/** minimega's DefaultNamespace. */
export const DEFAULT_NAMESPACE = 'minimega';
/** minimega's Wildcard: `clear namespace all`. */
export const ALL_NAMESPACES = 'all';
/** minimega's `ns//name` separator (VLAN aliases, pipes). */
export const NAMESPACE_SEP = '//';
/** Names longer than this are refused: they end up in file names, link aliases and table cells. */
export const NAMESPACE_NAME_MAX = 64;

/** minimega's validName: letters, digits, `-`, `_` and `.`. */
const NAME_RE = /^[A-Za-z0-9_.-]+$/;
/** minimega's validNameErr. */
const NAME_ERR = 'invalid name; must only include letters, numbers, hyphens and underscores';

/** Why `name` cannot be a namespace, or undefined when it can. */
export function namespaceNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'namespace name cannot be the empty string';
  if (name.length > NAMESPACE_NAME_MAX) return `invalid namespace name \`${name.slice(0, 80)}…\`: longer than ${NAMESPACE_NAME_MAX} characters`;
  if (!NAME_RE.test(name)) return `${NAME_ERR}: \`${name}\``;
  // Dots alone would name the files directory's parent where a namespace names a directory (cc's files).
  if (/^\.+$/.test(name)) return `invalid namespace name \`${name}\`: not only dots`;
  if (name === ALL_NAMESPACES) return 'invalid namespace name `all`: reserved for `clear namespace all`';
  return undefined;
}

/** Throws E_CONFIG (field `namespace`) naming the value when `name` cannot be a namespace. */
export function checkNamespaceName(name: unknown): asserts name is string {
  const why = namespaceNameProblem(name);
  if (why) throw configError('namespace', name, why);
}

/**
 * minimega's ParseAlias: `other//x` names `x` in namespace `other`; a plain `x` is in `current`.
 * Only the first separator counts.
 */
export function splitQualified(current: string, text: string): { namespace: string; value: string } {
  const i = text.indexOf(NAMESPACE_SEP);
  if (i < 0) return { namespace: current, value: text };
  return { namespace: text.slice(0, i), value: text.slice(i + NAMESPACE_SEP.length) };
}
