// idaas clock create|advance|show: test clocks (Stripe-style simulated time), on the
// store named by DATABASE_URL. Advancing runs everything due on the clock, in order.
import { parseDuration } from '@idaas/core/business/lifecycle/index';
import type { TestClockRecord } from '@idaas/core';
import { fail, print } from '../output.ts';
import { flagError, parse, required, unknownSubcommand, withContext } from '../context.ts';
import { operatorOnly, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas clock <command> [options]
  create [--name N] [--at RFC3339] [--json]
      Creates a test clock (default start: now); prints its clock_id.
  advance --clock C (--to RFC3339 | --by DURATION) [--json]
      Moves the clock forward, running every lifecycle timer and job due on it in
      order (the clock set to each due instant first). DURATION: 90m, 36h, 7d, 1d12h,
      or ISO 8601 such as P1DT2H. Clocks never move backwards.
  show --clock C [--json]
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

const SUBS = ['create', 'advance', 'show'];

function instant(value: string, flag: string): Date {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(value))
    throw flagError(flag, `must be an RFC 3339 instant like 2026-03-01T00:00:00Z (got "${value}")`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw flagError(flag, `is not a valid instant: "${value}"`);
  return new Date(ms);
}

const out = (c: TestClockRecord) => ({
  clock_id: c.id,
  name: c.name,
  now: c.now.toISOString(),
  created_at: c.createdAt.toISOString(),
});

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      clock: { type: 'string' },
      name: { type: 'string' },
      at: { type: 'string' },
      to: { type: 'string' },
      by: { type: 'string' },
    });
    const [sub, ...extra] = positionals;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (extra.length) throw unknownSubcommand('clock', extra.join(' '), SUBS);
    const json = !!values.json;

    if (sub === 'create') {
      if (values.name !== undefined && (values.name.length < 1 || values.name.length > 200))
        throw flagError('--name', 'must be 1-200 characters');
      const at = values.at !== undefined ? instant(values.at, '--at') : undefined;
      return await withContext(async ({ sctx }) => {
        const c = await sctx.business.lifecycle.clocks.create({
          ...(values.name !== undefined ? { name: values.name } : {}),
          ...(at ? { at } : {}),
        });
        print(json, out(c), () => `created test clock ${c.id} at ${c.now.toISOString()}`);
        return 0;
      });
    }

    if (sub === 'advance' || sub === 'show') {
      const clockId = required(values.clock, '--clock');
      let to: Date | null = null;
      let by: number | null = null;
      if (sub === 'advance') {
        if (values.to !== undefined && values.by !== undefined)
          throw flagError('--to', 'give either --to or --by, not both');
        if (values.to === undefined && values.by === undefined)
          throw flagError('--to', 'give --to RFC3339 or --by DURATION');
        if (values.to !== undefined) to = instant(values.to, '--to');
        else {
          by = parseDuration(values.by!);
          if (by === null)
            throw flagError(
              '--by',
              `must be a duration like 90m, 36h, 7d or P1DT2H (got "${values.by}")`,
            );
        }
      }
      return await withContext(async ({ sctx }) => {
        const { clocks, scheduler } = sctx.business.lifecycle;
        const c = await clocks.get(clockId).catch(() => {
          throw flagError('--clock', `no test clock "${clockId}"`);
        });
        if (sub === 'show') {
          print(json, out(c), () => `${c.id}  ${c.name}  now ${c.now.toISOString()}`);
          return 0;
        }
        const target = to ?? new Date(c.now.getTime() + by!);
        if (target < c.now)
          throw flagError(
            '--to',
            `must not be before the clock's current time ${c.now.toISOString()} (clocks only move forward)`,
          );
        const r = await scheduler.advance(c.id, target);
        const data = { ...out(r.clock), transitions: r.transitions, jobs: r.jobs, steps: r.steps };
        print(
          json,
          data,
          () =>
            `clock ${c.id} now ${data.now} (${r.transitions} transitions, ${r.jobs} jobs, ${r.steps} due instants)`,
        );
        return 0;
      });
    }
    throw unknownSubcommand('clock', sub, SUBS);
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  create: operatorOnly(true),
  advance: operatorOnly(true),
  show: operatorOnly(false),
};
