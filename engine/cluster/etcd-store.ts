/**
 * The cluster store on etcd (v3 API) through the npm `etcd3` client, over mutual TLS: every request
 * carries this host's certificate and checks etcd's against the cluster CA. The session is one lease
 * (SESSION_TTL_S) kept alive by the client; when it is lost (etcd unreachable for longer than the TTL)
 * a new one is granted and every session key is put again, so a daemon that was cut off reappears.
 */
import { Etcd3, type Lease, type IOptions } from 'etcd3';
import { EngineError } from '../errors.js';
import type { Campaign, ClusterStore, KeyValue, StoreEvent, TxnOp } from './store.js';

/**
 * Lease TTL of a daemon's session: a dead daemon's host record is gone this long after its last
 * keepalive (the etcd3 client sends one every third of it), well within the 10 s the cluster promises.
 */
export const SESSION_TTL_S = 5;
/** How long a call to etcd may take before it fails (the client retries on another endpoint). */
const CALL_TIMEOUT_MS = 5_000;
/** Pause before campaigning again after a failed campaign (etcd unreachable, lease lost). */
const RECAMPAIGN_MS = 1_000;
/** A key that always compares true: every key's Version is > -1 (unconditional transactions). */
const ANY_KEY = '/';

export interface EtcdTls {
  /** PEM: the cluster CA, this host's certificate and its key. */
  ca: string;
  cert: string;
  key: string;
}

export class EtcdStore implements ClusterStore {
  private readonly client: Etcd3;
  private lease: Lease;
  private leaseId?: Promise<string>;
  private readonly sessionKeys = new Map<string, string>();
  private closed = false;

  constructor(
    endpoints: readonly string[],
    tls: EtcdTls,
    private readonly log: (message: string) => void,
  ) {
    const opts: IOptions = {
      hosts: [...endpoints],
      credentials: { rootCertificate: Buffer.from(tls.ca), certChain: Buffer.from(tls.cert), privateKey: Buffer.from(tls.key) },
      dialTimeout: CALL_TIMEOUT_MS,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + CALL_TIMEOUT_MS }),
    };
    this.client = new Etcd3(opts);
    this.lease = this.newLease();
  }

  private newLease(): Lease {
    const lease = this.client.lease(SESSION_TTL_S);
    this.leaseId = lease.grant();
    this.leaseId.catch(() => undefined); // 'lost' follows and grants again
    lease.on('lost', (err) => {
      if (this.closed) return;
      this.log(`etcd session lease lost (${err.message}); registering again`);
      this.lease = this.newLease();
      this.reputSession().catch(() => undefined); // Best-effort: logged inside; the next lease tries again.
    });
    return lease;
  }

  private async reputSession(): Promise<void> {
    for (const [key, value] of this.sessionKeys) {
      try {
        await this.lease.put(key).value(value);
      } catch (e) {
        if (this.closed) return;
        this.log(`etcd: putting ${key} again failed (${(e as Error).message}); retrying with the next lease`);
        return;
      }
    }
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(key).string()) ?? undefined;
  }

  async list(prefix: string): Promise<KeyValue[]> {
    const all = await this.client.getAll().prefix(prefix).sort('Key', 'Ascend').strings();
    return Object.entries(all).map(([key, value]) => ({ key, value }));
  }

  async put(key: string, value: string, opts: { session?: boolean } = {}): Promise<void> {
    if (opts.session) {
      this.sessionKeys.set(key, value);
      await this.lease.put(key).value(value);
      return;
    }
    this.sessionKeys.delete(key);
    await this.client.put(key).value(value);
  }

  async delete(key: string): Promise<void> {
    this.sessionKeys.delete(key);
    await this.client.delete().key(key);
  }

  async txn(ops: readonly TxnOp[], ifExists?: string): Promise<boolean> {
    const lease = ops.some((o) => o.op === 'put' && o.session) ? await this.leaseId! : undefined;
    const clauses = ops.map((o) => {
      if (o.op === 'delete') return this.client.delete().key(o.key);
      const p = this.client.put(o.key).value(o.value);
      return o.session ? p.lease(lease!) : p;
    });
    const guard = ifExists === undefined ? this.client.if(ANY_KEY, 'Version', '>', -1) : this.client.if(ifExists, 'Create', '>', 0);
    const res = await guard.then(...clauses).commit();
    if (res.succeeded) {
      for (const o of ops) {
        if (o.op === 'put' && o.session) this.sessionKeys.set(o.key, o.value);
        else this.sessionKeys.delete(o.key);
      }
    }
    return res.succeeded;
  }

  async watch(prefix: string, onEvent: (e: StoreEvent) => void): Promise<() => Promise<void>> {
    const w = await this.client.watch().prefix(prefix).create();
    w.on('put', (kv) => onEvent({ type: 'put', key: kv.key.toString(), value: kv.value.toString() }));
    w.on('delete', (kv) => onEvent({ type: 'delete', key: kv.key.toString() }));
    w.on('error', (e) => this.log(`etcd watch ${prefix}: ${e.message}`));
    return () => w.cancel();
  }

  campaign(election: string, value: string, on: { elected(): void; lost(why: string): void }): Campaign {
    let current: ReturnType<ReturnType<Etcd3['election']>['campaign']> | undefined;
    let stopped = false;
    const run = () => {
      if (stopped || this.closed) return;
      const c = this.client.election(election, SESSION_TTL_S).campaign(value);
      current = c;
      c.on('elected', () => on.elected());
      c.on('error', (e: Error) => {
        on.lost(e.message);
        if (current === c) setTimeout(run, RECAMPAIGN_MS).unref();
      });
    };
    run();
    return {
      resign: async () => {
        stopped = true;
        await current?.resign().catch(() => undefined); // Best-effort: the lease expires anyway.
      },
    };
  }

  async leader(election: string): Promise<string | undefined> {
    return this.client.election(election).leader();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.lease.revoke().catch(() => undefined); // Best-effort: it expires within its TTL anyway.
    this.client.close();
  }
}

/** etcd endpoints from `--cluster`: comma-separated URLs, https only (the cluster runs on mutual TLS). */
export function parseEndpoints(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0)
    throw new EngineError('E_CONFIG', '--cluster: no etcd endpoint given (e.g. https://10.0.0.1:2379,https://10.0.0.2:2379)', {
      field: 'cluster',
      value: text,
    });
  for (const e of list) {
    let u: URL;
    try {
      u = new URL(e);
    } catch {
      throw new EngineError('E_CONFIG', `--cluster: \`${e}\` is not a URL (e.g. https://10.0.0.1:2379)`, { field: 'cluster', value: e });
    }
    if (u.protocol !== 'https:') {
      throw new EngineError('E_CONFIG', `--cluster: \`${e}\` is not https: the cluster talks to etcd over mutual TLS only`, { field: 'cluster', value: e });
    }
  }
  return list;
}
