/** The plumbing and files calls: named pipes and pipelines per namespace (engine/plumb), the files directory (engine/files). */
import type { Calls } from '../api/contract.js';
import type { FilesDir } from '../files/files.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';
import { Plumber } from '../plumb/plumber.js';
import { nsArg } from './namespace.js';

type PlumbCall =
  'plumb.add' | 'plumb.list' | 'plumb.clear' | 'pipe.list' | 'pipe.write' | 'pipe.set' | 'pipe.clear' | 'file.list' | 'file.get' | 'file.delete' | 'file.read';
export type PlumbHandlers = { [K in PlumbCall]: (...args: Calls[K]['args']) => Promise<Calls[K]['result']> };

const nsOf = (ns: string | null | undefined): string => nsArg(ns) ?? DEFAULT_NAMESPACE;

export function plumbHandlers(plumber: Plumber, files: FilesDir): PlumbHandlers {
  return {
    'plumb.add': (elements, ns) => plumber.plumb(nsOf(ns), elements),
    'plumb.list': async (ns) => plumber.pipelinesOf(nsOf(ns)),
    'plumb.clear': (elements, ns) => plumber.clearPlumb(nsOf(ns), elements ?? undefined),
    'pipe.list': async (ns) => plumber.pipesOf(nsOf(ns)),
    'pipe.write': (pipe, data, ns) => plumber.write(Plumber.qualify(nsOf(ns), pipe), data),
    'pipe.set': async (pipe, change, ns) => plumber.set(Plumber.qualify(nsOf(ns), pipe), change),
    'pipe.clear': async (pipe, what, ns) => {
      const name = nsOf(ns);
      if (pipe === undefined || pipe === null) {
        plumber.deletePipes(name);
        return;
      }
      const full = Plumber.qualify(name, pipe);
      if (what === 'mode') plumber.set(full, { mode: 'all' });
      else if (what === 'log') plumber.set(full, { log: false });
      else if (what === 'via') plumber.set(full, { via: [] });
      else plumber.deletePipe(full);
    },
    'file.list': (path, recursive) => files.list(path ?? '/', recursive ?? false),
    'file.get': (path) => files.get(path),
    'file.delete': (path) => files.delete(path),
    'file.read': (path, offset, length) => files.read(path, offset, length),
  };
}
