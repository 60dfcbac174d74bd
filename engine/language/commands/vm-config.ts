/**
 * `vm config` and `clear vm config`: one handler per field with minimega's pattern for its kind
 * (`vm config memory [value]`, `vm config snapshot [true,false]`, `vm config init [value]...`, …), the
 * print/save/restore/clone handler, qemu overrides, and the clear handlers.
 */
import type { Field } from '../../config/field.js';
import { FIELDS, fieldNames } from '../../config/fields.js';
import { configData, printConfig } from '../config-print.js';
import type { Handler } from '../handler.js';
import { errorResponse, textResponse } from '../response.js';
import { findVm } from './targets.js';

const ok = () => errorResponse();

/** The patterns of a field (minimega's vmconfiger shapes). */
export function fieldPatterns(f: Field): string[] {
  return fieldNames(f).flatMap((name) => {
    const p = `vm config ${name}`;
    switch (f.kind) {
      case 'bool':
        return [`${p} [true,false]`];
      case 'list':
        return [`${p} [value]...`];
      case 'specs':
        return [`${p} [${f.spec}]...`];
      case 'map':
        return [p, `${p} <key> [value]`];
      default:
        return [`${p} [value]`];
    }
  });
}

function fieldHandler(f: Field): Handler {
  return {
    patterns: fieldPatterns(f),
    help: f.doc,
    async call(ctx, cmd) {
      const store = ctx.ns.config;
      switch (f.kind) {
        case 'bool':
          if (cmd.boolArgs.true || cmd.boolArgs.false) return (await store.set(f.name, [cmd.boolArgs.true ? 'true' : 'false']), ok());
          return textResponse(store.get(f.name));
        case 'list':
        case 'specs': {
          const values = Object.values(cmd.listArgs)[0];
          if (values === undefined) return textResponse(store.get(f.name));
          return (await store.set(f.name, values), ok());
        }
        case 'map': {
          const key = cmd.stringArgs.key;
          const value = cmd.stringArgs.value;
          if (key === undefined || key === '') return textResponse(store.get(f.name));
          if (value === undefined || value === '') return textResponse(store.get(f.name, key));
          return (await store.set(f.name, [key, value]), ok());
        }
        default:
          if (cmd.stringArgs.value === undefined) return textResponse(store.get(f.name));
          return (await store.set(f.name, [cmd.stringArgs.value]), ok());
      }
    },
  };
}

const vmConfig: Handler = {
  patterns: ['vm config', 'vm config <save,> <name>', 'vm config <restore,> [name]', 'vm config <clone,> <vm name>'],
  help: 'display, save, or restore the current VM configuration',
  helpLong:
    'Print the configuration new VMs are launched with (`vm config`), save it under a name, restore a saved one ' +
    '(without a name: list them), or take the configuration of a launched VM (`vm config clone NAME`; the UUID ' +
    'is cleared). Each field has its own command: `vm config memory 512`, `vm config filesystem /srv/root`. ' +
    'Containers use the base, container and nanomega fields; KVM, Android and placement fields are kept and ' +
    'printed but do not change a container. `clear vm config` resets all of them, not the saved configs.',
  async call(ctx, cmd) {
    const store = ctx.ns.config;
    if (cmd.boolArgs.save) return (store.save(cmd.stringArgs.name!), ok());
    if (cmd.boolArgs.restore) {
      const name = cmd.stringArgs.name;
      if (name !== undefined) return (store.restore(name), ok());
      const names = store.savedNames();
      if (names.length === 0) throw new Error('no vm configs saved');
      return textResponse(names.map((n) => `${n}\n`).join(''));
    }
    if (cmd.boolArgs.clone) {
      const vm = findVm(cmd.stringArgs.vm!, await ctx.deps.engine.call('vm.info'));
      store.clone(vm.config);
      return ok();
    }
    return { ...textResponse(printConfig(store.whole)), data: configData(store.whole) };
  },
};

const qemuOverride: Handler = {
  patterns: ['vm config qemu-override', 'vm config qemu-override <match> <replacement>'],
  help: 'override parts of the QEMU launch string (KVM only; kept for containers)',
  async call(ctx, cmd) {
    const store = ctx.ns.config;
    if (cmd.stringArgs.match !== undefined) return (store.addQemuOverride(cmd.stringArgs.match, cmd.stringArgs.replacement!), ok());
    const rows = store.extras.kvm.qemuOverride.map((o, i) => `${i}\t"${o.match}"\t"${o.replacement}"\n`).join('');
    // minimega writes this table past its tabwriter: the tabs stay as they are.
    return textResponse(`id\tmatch\treplacement\n${rows}`);
  },
};

const clearVmConfig: Handler = {
  patterns: ['clear vm config', ...[...FIELDS.flatMap(fieldNames), 'qemu-override'].map((n) => `clear vm config <${n},>`)],
  help: 'reset one or more configurations to default value',
  async call(ctx, cmd) {
    const field = Object.keys(cmd.boolArgs)[0];
    if (field === undefined) ctx.ns.config.clear();
    else if (field === 'qemu-override') ctx.ns.config.clearQemuOverrides();
    else ctx.ns.config.clear(field);
    return ok();
  },
};

/** `clear vm config tag <key>` (minimega) and `clear vm config volume <path>` (nanomega): one entry. */
function clearKey(field: 'tags' | 'volume', literal: string, help: string): Handler {
  return {
    patterns: [`clear vm config ${literal} <key>`],
    help,
    async call(ctx, cmd) {
      const key = cmd.stringArgs.key!;
      if (key === 'all') ctx.ns.config.clear(field);
      else ctx.ns.config.clear(field, key);
      return ok();
    },
  };
}

export const vmConfigHandlers: Handler[] = [
  vmConfig,
  ...FIELDS.map(fieldHandler),
  qemuOverride,
  clearVmConfig,
  clearKey('tags', 'tag', 'remove tags for newly launched VMs'),
  clearKey('volume', 'volume', 'remove one volume for newly launched containers'),
];
