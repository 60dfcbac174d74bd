/**
 * The language as a daemon hosts it: the command table compiled once, the state all clients share, the
 * namespaces, and a Session per client.
 */
import { ConfigStore } from '../config/config-store.js';
import { CommandTrie } from './compile.js';
import type { Handler, LanguageDeps, NamespaceScope } from './handler.js';
import { DEFAULT_NAMESPACE, type LanguageCore, Session } from './session.js';
import { LanguageState } from './state.js';
import { HANDLERS } from './table.js';

export class Language implements LanguageCore {
  readonly state: LanguageState;
  readonly trie: CommandTrie;
  private readonly scopes = new Map<string, NamespaceScope>();

  constructor(
    readonly deps: LanguageDeps,
    handlers: readonly Handler[] = HANDLERS,
  ) {
    this.state = new LanguageState(deps.env);
    this.trie = new CommandTrie(handlers);
    // The daemon's hooks (VLAN aliases, host checks) stay; every namespace's store gets them too.
    deps.config.env = { ...deps.config.env, filesDir: deps.filesDir, hostname: deps.hostname };
    this.scopes.set(DEFAULT_NAMESPACE, newScope(DEFAULT_NAMESPACE, deps.config));
  }

  /** A namespace's scope, made on first use (its own `vm config`, counter and queue). */
  scope(name: string): NamespaceScope {
    let s = this.scopes.get(name);
    if (!s) {
      s = newScope(name, new ConfigStore({ ...this.deps.config.env }));
      this.scopes.set(name, s);
    }
    return s;
  }

  /** Every namespace made so far. */
  namespaces(): NamespaceScope[] {
    return [...this.scopes.values()];
  }

  session(): Session {
    return new Session(this);
  }
}

function newScope(name: string, config: ConfigStore): NamespaceScope {
  return { name, config, launchCounter: 0, queueing: false, queue: [] };
}
