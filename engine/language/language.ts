/**
 * The language as a daemon hosts it: the command table compiled once, the state all clients share, the
 * namespaces, and a Session per client.
 */
import { Namespaces } from '../namespace/namespaces.js';
import { MemoryNamespaceStore } from '../namespace/store.js';
import { CommandTrie } from './compile.js';
import type { Handler, LanguageDeps, NamespaceScope } from './handler.js';
import { bindNamespace, type EngineCalls } from './namespace-bridge.js';
import { type LanguageCore, Session } from './session.js';
import { LanguageState } from './state.js';
import { HANDLERS } from './table.js';

export class Language implements LanguageCore {
  readonly state: LanguageState;
  readonly trie: CommandTrie;
  readonly namespaces: Namespaces;
  private readonly engines = new Map<string, EngineCalls>();

  constructor(
    readonly deps: LanguageDeps,
    handlers: readonly Handler[] = HANDLERS,
  ) {
    this.state = new LanguageState(deps.env);
    this.trie = new CommandTrie(handlers);
    // The daemon's hooks (VLAN aliases, host checks) stay; every namespace's store gets them too.
    deps.config.env = { ...deps.config.env, filesDir: deps.filesDir, hostname: deps.hostname };
    this.namespaces =
      deps.namespaces ??
      new Namespaces({ store: new MemoryNamespaceStore(), hostname: deps.hostname, configEnv: () => ({ ...deps.config.env }), defaultConfig: deps.config });
  }

  /** A namespace's scope, made on first use (its own `vm config`, counter and queue); E_CONFIG for a bad name. */
  scope(name: string): NamespaceScope {
    return this.namespaces.ensure(name);
  }

  /** The engine as commands of namespace `name` see it (calls bound to it). */
  engineFor(name: string): EngineCalls {
    let e = this.engines.get(name);
    if (!e) {
      e = bindNamespace(this.deps.engine, name);
      this.engines.set(name, e);
    }
    return e;
  }

  /** A client's session; `local`: it answers for this host only (a peer's fan-out). */
  session(opts: { local?: boolean } = {}): Session {
    return new Session(this, opts);
  }
}
