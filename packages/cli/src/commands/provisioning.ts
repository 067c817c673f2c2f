// idaas provisioning …: outbound SCIM provisioning of an instance's applications — the
// target (URL + bearer token, read from stdin so that it shows in no process list and
// is never printed back), dead letters and full re-syncs.
import { AppError, type Instance } from '@idaas/core';
import type { ServerContext } from '@idaas/server';
import { Outbound } from '@idaas/server/scim/outbound';
import { ScimError } from '@idaas/server/scim/errors';
import { fail, print } from '../output.ts';
import {
  flagError,
  instanceBySlug,
  parse,
  readInput,
  required,
  unknownSubcommand,
  withContext,
} from '../context.ts';
import { onInstance, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas provisioning <command> [options]   (all take --instance S [--json])
  target set --app ID --url URL      the application's SCIM endpoint; the bearer token is
                                     read from stdin (first line), never printed
  target list                        targets of the instance (URLs only)
  target remove --app ID             stop provisioning the application
  resync start --app ID              push every user and group again
  resync status --app ID             the application's re-syncs with their progress
  dead list                          pushes that failed their last attempt
  dead retry --id ID                 queue a dead push again
  dead discard --id ID               drop a dead push
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

const SUBS = ['target set', 'target list', 'target remove', 'resync start', 'resync status'];
const ALL = [...SUBS, 'dead list', 'dead retry', 'dead discard'];

/** The bearer token: the first line of standard input (read after the permission check). */
async function readToken(): Promise<string> {
  const text = await readInput(8192);
  const token = text.split(/\r?\n/)[0]!.trim();
  if (!token) throw flagError('stdin', 'the bearer token is required');
  return token;
}

/** Outbound's errors in the CLI's terms (exit 2 for bad input, naming the flag). */
async function cli<T>(fn: () => Promise<T>, flag: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof ScimError)) throw e;
    if (e.status === 404) throw new AppError('not_found', `${flag}: ${e.message}`);
    throw flagError(flag, e.message);
  }
}

async function appOf(sctx: ServerContext, inst: Instance, id: string): Promise<string> {
  const a = await sctx.store.repos.applications.get(inst.id, id);
  if (!a || a.internal)
    throw new AppError('not_found', `--app: no application "${id}" in instance ${inst.slug}`, {
      issues: [{ field: '--app', message: 'no such application' }],
    });
  return a.id;
}

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      instance: { type: 'string' },
      app: { type: 'string' },
      url: { type: 'string' },
      id: { type: 'string' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const sub = positionals.join(' ');
    if (!ALL.includes(sub)) throw unknownSubcommand('provisioning', sub || undefined, ALL);
    const json = !!values.json;
    const slug = required(values.instance, '--instance');
    return await withContext(async ({ core, sctx }) => {
      const inst = await instanceBySlug(core, slug);
      const out = new Outbound(sctx);
      switch (sub) {
        case 'target set': {
          const app = await appOf(sctx, inst, required(values.app, '--app'));
          const url = required(values.url, '--url');
          const token = await readToken();
          await cli(() => out.setTarget(inst, app, { url, token }), '--url');
          const t = (await out.target(inst, app))!;
          print(json, { application_id: app, url: t.url }, () => `provisioning ${app} at ${t.url}`);
          return 0;
        }
        case 'target list': {
          const ts = await out.targets(inst);
          print(
            json,
            { items: ts.map((t) => ({ application_id: t.applicationId, url: t.url })) },
            () => ts.map((t) => `${t.applicationId}  ${t.url}`).join('\n') || '(no targets)',
          );
          return 0;
        }
        case 'target remove': {
          const app = await appOf(sctx, inst, required(values.app, '--app'));
          if (!(await out.removeTarget(inst, app)))
            throw new AppError('not_found', `--app: ${app} has no provisioning target`);
          print(json, { removed: app }, () => `no longer provisioning ${app}`);
          return 0;
        }
        case 'resync start': {
          const app = await appOf(sctx, inst, required(values.app, '--app'));
          const r = await cli(() => out.resync(inst, app), '--app');
          print(
            json,
            { id: r.id, application_id: app, total: r.total },
            () => `re-sync ${r.id}: ${r.total} pushes queued`,
          );
          return 0;
        }
        case 'resync status': {
          const app = await appOf(sctx, inst, required(values.app, '--app'));
          const rs = await out.resyncs(inst, app);
          const items = rs.map((r) => ({
            id: r.id,
            total: r.total,
            done: r.done,
            failed: r.failed,
            finished: r.done + r.failed >= r.total,
            started_at: r.startedAt.toISOString(),
          }));
          print(
            json,
            { items },
            () =>
              items
                .map(
                  (r) => `${r.id}  ${r.done}/${r.total} done, ${r.failed} failed  ${r.started_at}`,
                )
                .join('\n') || '(no re-syncs)',
          );
          return 0;
        }
        case 'dead list': {
          const ds = await out.deadLetters(inst);
          const items = ds.map((d) => ({
            id: d.id,
            application_id: d.applicationId,
            kind: d.kind,
            resource_id: d.resourceId,
            op: d.op,
            error: d.error,
            attempts: d.attempts,
            at: d.at.toISOString(),
          }));
          print(
            json,
            { items },
            () =>
              items
                .map((d) => `${d.id}  ${d.application_id}  ${d.kind} ${d.resource_id}  ${d.error}`)
                .join('\n') || '(no dead letters)',
          );
          return 0;
        }
        default: {
          const id = required(values.id, '--id');
          if (sub === 'dead retry') await cli(() => out.retryDead(inst, id), '--id');
          else await cli(() => out.discardDead(inst, id), '--id');
          print(json, { id, done: sub.slice(5) }, () => `${sub.slice(5)}: ${id}`);
          return 0;
        }
      }
    });
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  'target set': onInstance('provisioning:write'),
  'target list': onInstance('provisioning:read'),
  'target remove': onInstance('provisioning:write'),
  'resync start': onInstance('provisioning:write'),
  'resync status': onInstance('provisioning:read'),
  'dead list': onInstance('provisioning:read'),
  'dead retry': onInstance('provisioning:write'),
  'dead discard': onInstance('provisioning:write'),
};
