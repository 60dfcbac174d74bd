/**
 * `mesh send|list|status` (minimega's mesh_cli.go) over the cluster's hosts: minimega's meshage is a
 * mesh of peers, here every host of the etcd cluster is one hop away through its daemon's peer API.
 * `mesh send HOSTS CMD` runs CMD on those hosts only — as minimega's SourceMeshage, it does not fan out
 * again there — in the namespace it was sent from; `all` is every other host that is up (the local
 * one is not a recipient, as in minimega). Without a cluster the mesh is this host alone.
 * Left out: `mesh dial|hangup|degree|dot|timeout` (etcd, not the daemons, keeps the membership).
 */
import type { ClusterHost, HostResponse } from '../../api/types.js';
import { expandList } from '../../config/names.js';
import { merge } from '../fanout.js';
import type { CallContext, Handler } from '../handler.js';
import { type Response, tableResponse, textResponse } from '../response.js';
import { unsplitHosts } from '../render.js';
import { typed } from './namespace.js';

const WILDCARD = 'all';

async function meshHosts(ctx: CallContext): Promise<ClusterHost[] | undefined> {
  return ctx.deps.cluster?.hosts();
}

/** The recipients a list names (minimega's meshageSend): names or ranges, or `all` alone. */
export async function recipients(ctx: CallContext, list: string): Promise<string[]> {
  let names: string[];
  try {
    names = expandList(list);
  } catch (e) {
    throw new Error(`invalid hostname or range -- ${(e as Error).message}`);
  }
  const hosts = (await meshHosts(ctx)) ?? [];
  const self = ctx.deps.cluster?.self ?? ctx.deps.hostname;
  if (names.includes(WILDCARD)) {
    if (names.length > 1) throw new Error('wildcard included amongst list of recipients');
    return hosts.filter((h) => h.up && h.name !== self).map((h) => h.name);
  }
  for (const n of names) {
    if (!hosts.some((h) => h.name === n)) throw new Error(`no such host in the mesh: ${n}`);
  }
  return [...new Set(names)];
}

export const meshHandlers: Handler[] = [
  {
    patterns: ['mesh send <hostname or range or all> (command)'],
    help: 'send a command to one or more connected clients',
    helpLong:
      'Run a command on other hosts of the cluster, there only (it does not fan out again), in the current ' +
      'namespace, and print their answers with their host: `mesh send h[1-2] vm info`. `all` is every other host ' +
      'that is up.',
    wrap: {
      before(_ctx, cmd, inner) {
        if (cmd.stringArgs.hostname === undefined) return;
        for (let c: typeof inner | undefined = inner; c; c = c.subcommand) {
          if (c.handler.patterns[0]?.startsWith('mesh send')) throw new Error(`cannot run \`${typed(inner)}\` via meshage`);
        }
      },
      async run(ctx, cmd, inner): Promise<Response> {
        const cluster = ctx.deps.cluster;
        const to = await recipients(ctx, cmd.stringArgs.hostname!);
        if (!cluster) return { errors: [] };
        const line = typed(inner);
        const ns = inner.namespace ?? ctx.ns.name;
        const answers = await Promise.all(
          to.map(async (host): Promise<HostResponse[]> => {
            try {
              return await cluster.run(host, line, ns);
            } catch (e) {
              return [{ host, errors: [`host ${host} is unreachable: ${(e as Error).message}`] }];
            }
          }),
        );
        return merge('broadcast', answers.flat());
      },
    },
  },
  {
    patterns: ['mesh list [all,peers]'],
    help: 'display the mesh adjacency list',
    helpLong:
      'Without all or peers, each host that is up and the hosts it reaches (every other host that is up: the ' +
      'cluster is fully connected). all: the names of every host that is up; peers: the same without this host.',
    async call(ctx, cmd) {
      const self = ctx.deps.cluster?.self ?? ctx.deps.hostname;
      const up = ((await meshHosts(ctx)) ?? [{ name: self, up: true } as ClusterHost])
        .filter((h) => h.up)
        .map((h) => h.name)
        .sort();
      if (cmd.boolArgs.all || cmd.boolArgs.peers) {
        const names = cmd.boolArgs.peers ? up.filter((h) => h !== self) : up;
        return { ...textResponse(unsplitHosts(names)), data: names };
      }
      return textResponse(
        up
          .map(
            (h) =>
              `${h}\n${up
                .filter((p) => p !== h)
                .map((p) => ` |--${p}\n`)
                .join('')}`,
          )
          .join(''),
      );
    },
  },
  {
    patterns: ['mesh status'],
    help: 'display a short status report of the mesh',
    helpLong: "size: hosts up; degree: the peers each host has (all the others); peers: this host's; the peer API's address.",
    async call(ctx) {
      const self = ctx.deps.cluster?.self ?? ctx.deps.hostname;
      const hosts = (await meshHosts(ctx)) ?? [];
      const up = hosts.filter((h) => h.up);
      const size = Math.max(up.length, 1);
      const api = hosts.find((h) => h.name === self)?.api ?? '';
      return tableResponse(['size', 'degree', 'peers', 'api'], [[String(size), String(size - 1), String(size - 1), api]]);
    },
  },
];
