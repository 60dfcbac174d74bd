/**
 * The cluster's one shared store, as the cluster code needs it: keys and JSON values, atomic
 * transactions, prefix watches, keys bound to this daemon's session lease (gone within its TTL when
 * the daemon dies), and a leader election. etcd implements it (etcd-store.ts); unit tests use the
 * in-memory MemoryStore (memory-store.ts).
 */

export interface KeyValue {
  key: string;
  value: string;
}

export type StoreEvent = { type: 'put'; key: string; value: string } | { type: 'delete'; key: string };

export type TxnOp = { op: 'put'; key: string; value: string; session?: boolean } | { op: 'delete'; key: string };

/** A campaign for leadership: `elected` fires when this daemon leads, `lost` when it no longer does. */
export interface Campaign {
  resign(): Promise<void>;
}

export interface ClusterStore {
  get(key: string): Promise<string | undefined>;
  /** Every key under `prefix`, sorted by key. */
  list(prefix: string): Promise<KeyValue[]>;
  /** `session`: bound to this daemon's lease, re-put whenever the lease is granted again after a loss. */
  put(key: string, value: string, opts?: { session?: boolean }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Apply every op or none; with `ifExists`, only when that key exists (false: it did not, nothing done). */
  txn(ops: readonly TxnOp[], ifExists?: string): Promise<boolean>;
  /** Events under `prefix` from now on, in order; the returned function stops watching. */
  watch(prefix: string, onEvent: (e: StoreEvent) => void): Promise<() => Promise<void>>;
  /** Campaign for leadership of `election` with `value`; campaigns again by itself after a failure. */
  campaign(election: string, value: string, on: { elected(): void; lost(why: string): void }): Campaign;
  /** The value of the current leader of `election`, if any. */
  leader(election: string): Promise<string | undefined>;
  /** Revoke the session lease (session keys go at once) and disconnect. */
  close(): Promise<void>;
}
