/**
 * Byte sizes as `vm config disk-size` takes them (minimega has no such field): a whole number with
 * an optional binary suffix K, M, G or T (KiB, MiB, GiB, TiB; case-insensitive, a trailing B or iB
 * allowed), e.g. 512M, 2G, 1073741824.
 */
import { configError } from '../errors.js';

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** The writable layer of a container when `disk-size` is unset. */
export const DEFAULT_DISK_SIZE = 2 ** 30;
/** Smallest and largest writable layer: room for overlay's work dir, and more than any host has. */
export const MIN_DISK_SIZE = 2 ** 20;
export const MAX_DISK_SIZE = 16 * 2 ** 40;

export function parseSize(field: string, text: string): number {
  const m = /^([0-9]{1,16})\s*([kmgt]?)(i?b)?$/i.exec(text.trim());
  if (!m || (m[3] && !m[2] && m[3].toLowerCase() === 'ib')) {
    throw configError(field, text, `invalid ${field} \`${text}\`: want a size like 512M, 2G or a number of bytes`);
  }
  const bytes = Number(m[1]) * UNITS[m[2]!.toUpperCase()]!;
  checkDiskSize(field, bytes, text);
  return bytes;
}

export function checkDiskSize(field: string, bytes: number, text: string | number = bytes): void {
  if (!Number.isSafeInteger(bytes) || bytes < MIN_DISK_SIZE || bytes > MAX_DISK_SIZE) {
    throw configError(field, text, `invalid ${field} \`${text}\`: must be between 1M and 16T`);
  }
}

/** The shortest exact form: 1G, 512M, 1536K, or bytes. */
export function formatSize(bytes: number): string {
  for (const u of ['T', 'G', 'M', 'K'] as const) if (bytes % UNITS[u]! === 0) return `${bytes / UNITS[u]!}${u}`;
  return String(bytes);
}
