// idaas sla report|maintenance: availability, credits and maintenance windows.
import { AppError } from '@idaas/core';
import { print, fail } from '../output.ts';
import {
  flagError,
  inFlagTerms,
  parse,
  required,
  unknownSubcommand,
  withContext,
} from '../context.ts';
import { onInstance, operatorOnly, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas sla <command> [options]
  report --instance S --month YYYY-MM [--json]
      Monthly availability (SLA1), credit (SLA2), claim window (SLA3), 72-hour right (G10.4).
  maintenance add --starts RFC3339 --ends RFC3339 --description TEXT [--instance S] [--json]
      Announces a maintenance window (excluded from availability, G10.3).
  maintenance list [--instance S] [--json]`;

function instant(v: string | undefined, flag: string): Date {
  const s = required(v, flag);
  const d = new Date(s);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || Number.isNaN(d.getTime()))
    throw flagError(flag, 'must be an RFC 3339 instant, e.g. 2026-05-01T02:00:00Z');
  return d;
}

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      instance: { type: 'string' },
      month: { type: 'string' },
      starts: { type: 'string' },
      ends: { type: 'string' },
      description: { type: 'string' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const json = !!values.json;
    const [sub, sub2, ...extra] = positionals;
    const instanceOf = async (
      repos: {
        opsLookups: { instanceRef(s: string): Promise<{ id: string; slug: string } | null> };
      },
      slug: string,
    ) => {
      const ref = await repos.opsLookups.instanceRef(slug);
      if (!ref || ref.slug !== slug)
        throw new AppError(
          'not_found',
          `--instance: no instance "${slug}" (see: idaas instance list)`,
        );
      return ref.id;
    };
    if (sub === 'report' && sub2 === undefined) {
      const slug = required(values.instance, '--instance');
      const month = required(values.month, '--month');
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw flagError('--month', 'must be YYYY-MM');
      return await withContext(async ({ sctx }) => {
        const id = await instanceOf(sctx.store.repos, slug);
        const r = await sctx.business.operations.ops.sla.report(id, month);
        const out = {
          instance: slug,
          month: r.month,
          availability: r.availability,
          commitment: r.commitment,
          met: r.met,
          windows: r.windows,
          excluded_windows: r.excludedWindows,
          valid_requests: r.validRequests,
          failed_requests: r.failedRequests,
          credit_percent: r.creditPercent,
          credit: (r.creditFen / 100).toFixed(2),
          month_fee: (r.feeFen / 100).toFixed(2),
          free_trial: r.freeTrial,
          claim_window: {
            opens: r.claimWindow.opens.toISOString(),
            closes: r.claimWindow.closes.toISOString(),
          },
          claimed: r.claim !== null,
          termination_right_from: r.terminationRightFrom?.toISOString() ?? null,
        };
        print(json, out, () =>
          [
            `${slug} ${month}: availability ${out.availability} % (commitment ${out.commitment} %, ${out.met ? 'met' : 'missed'})`,
            `  credit: ${out.credit_percent} % → CNY ${out.credit} of CNY ${out.month_fee}${out.free_trial ? ' (free trial: no SLA)' : ''}`,
            `  claims: ${out.claim_window.opens} … ${out.claim_window.closes}${out.claimed ? ' (claimed)' : ''}`,
            out.termination_right_from
              ? `  72 consecutive hours unavailable from ${out.termination_right_from}: the customer may terminate (G10.4)`
              : '  no 72-hour outage (G10.4)',
          ].join('\n'),
        );
        return 0;
      });
    }
    if (sub === 'maintenance' && (sub2 === 'add' || sub2 === 'list') && !extra.length) {
      if (sub2 === 'add') {
        const startsAt = instant(values.starts, '--starts');
        const endsAt = instant(values.ends, '--ends');
        const description = required(values.description, '--description');
        return await withContext(async ({ sctx }) => {
          const instanceId = values.instance
            ? await instanceOf(sctx.store.repos, values.instance)
            : null;
          const m = await sctx.business.operations.ops.sla
            .addMaintenance({ instanceId, startsAt, endsAt, description })
            .catch((e: unknown) => {
              throw inFlagTerms(e, {
                startsAt: '--starts',
                endsAt: '--ends',
                description: '--description',
              });
            });
          const out = {
            id: m.id,
            instance: values.instance ?? null,
            starts_at: m.startsAt.toISOString(),
            ends_at: m.endsAt.toISOString(),
            description: m.description,
            announced_at: m.announcedAt.toISOString(),
          };
          print(
            json,
            out,
            () => `announced maintenance ${out.id}: ${out.starts_at} … ${out.ends_at}`,
          );
          return 0;
        });
      }
      return await withContext(async ({ sctx }) => {
        const instanceId = values.instance
          ? await instanceOf(sctx.store.repos, values.instance)
          : null;
        const now = sctx.clock.now();
        const items = (
          await sctx.business.operations.ops.sla.listMaintenance(
            instanceId,
            now,
            new Date(now.getTime() + 365 * 86_400_000),
          )
        ).map((m) => ({
          id: m.id,
          instance_id: m.instanceId,
          starts_at: m.startsAt.toISOString(),
          ends_at: m.endsAt.toISOString(),
          description: m.description,
        }));
        print(json, items, () =>
          items.length
            ? items.map((m) => `${m.starts_at} … ${m.ends_at}  ${m.description}`).join('\n')
            : 'no maintenance windows',
        );
        return 0;
      });
    }
    throw unknownSubcommand('sla', [sub, sub2].filter(Boolean).join(' ') || undefined, [
      'report',
      'maintenance add',
      'maintenance list',
    ]);
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  report: onInstance('instance:read'),
  'maintenance add': operatorOnly(true),
  'maintenance list': operatorOnly(false),
};
