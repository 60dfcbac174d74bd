/**
 * The language of a daemon: one per engine, shared by every connection (minimega keeps its flags,
 * history and aliases once per process), with the engine's handlers as its engine and the host's
 * processes and files for `shell`, `background`, `read` and `write`.
 */
import { hostname } from 'node:os';
import type { Engine } from '../engine.js';
import { linuxLanguageHost } from '../host/processes.js';
import type { ClusterPort } from '../language/cluster-port.js';
import { Language } from '../language/language.js';

const languages = new WeakMap<Engine, Language>();

export function languageOf(engine: Engine): Language {
  let lang = languages.get(engine);
  if (!lang) {
    lang = new Language({
      engine: { call: (name, ...args) => (engine.handlers[name] as (...a: unknown[]) => Promise<never>)(...args) },
      config: engine.config,
      namespaces: engine.ctx.namespaces,
      env: process.env,
      hostname: hostname(),
      filesDir: engine.ctx.filesDir,
      host: linuxLanguageHost,
    });
    languages.set(engine, lang);
  }
  return lang;
}

/** Attach the cluster to the daemon's language: its commands fan out to the cluster's hosts from now on. */
export function joinLanguageToCluster(engine: Engine, cluster: ClusterPort): void {
  languageOf(engine).deps.cluster = cluster;
}
