/**
 * The engine as a command of one namespace sees it: every call that acts in a namespace
 * (contract.ts NAMESPACE_ARG) gets the command's namespace at its position, so `vm info`, `vm start
 * all` or `vlans` written by any handler mean that namespace's containers and aliases.
 */
import { type CallName, type Calls, type EngineBridge, NAMESPACE_ARG } from '../api/contract.js';

export type EngineCalls = Pick<EngineBridge, 'call'>;

export function bindNamespace(engine: EngineCalls, namespace: string): EngineCalls {
  return {
    call<K extends CallName>(name: K, ...args: Calls[K]['args']): Promise<Calls[K]['result']> {
      const at = NAMESPACE_ARG[name];
      if (at === undefined) return engine.call(name, ...args);
      const bound: unknown[] = [...args];
      // JSON carries no undefined: omitted arguments before the namespace travel as null.
      while (bound.length < at) bound.push(undefined);
      bound[at] = namespace;
      return engine.call(name, ...(bound as Calls[K]['args']));
    },
  };
}
