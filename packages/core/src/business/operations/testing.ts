// Test support for the operations module (imported by tests only): a job queue that
// runs due jobs on demand, account clocks over one clock, a plain renderer. The real
// scheduler (lifecycle) and the templates (server) are tested where they live.
import type { Clock } from '../../clock.ts';
import type { Store } from '../../ports.ts';
import type { AccountClocks, JobHandler, JobQueue, JobRequest } from '../contracts.ts';
import type { NoticeChannel } from '../operations-ports.ts';
import type { NoticeRenderer } from './deps.ts';

export interface QueuedJob extends JobRequest {
  id: string;
  done: boolean;
}

/** Jobs held in memory and run by `runDue(now)` in store transactions, in due order. */
export class ManualJobQueue implements JobQueue {
  readonly jobs: QueuedJob[] = [];
  readonly #handlers = new Map<string, JobHandler>();
  readonly #store: Store;
  #seq = 0;
  constructor(store: Store) {
    this.#store = store;
  }
  async enqueue(job: JobRequest): Promise<void> {
    if (job.dedupeKey && this.jobs.some((j) => j.dedupeKey === job.dedupeKey)) return;
    this.jobs.push({ ...job, id: `job-${++this.#seq}`, done: false });
  }
  register(kind: string, handler: JobHandler): void {
    this.#handlers.set(kind, handler);
  }
  /** Runs every job due at `now` (including ones they enqueue that are due); returns how many ran. */
  async runDue(now: Date): Promise<number> {
    let ran = 0;
    for (;;) {
      const next = this.jobs
        .filter((j) => !j.done && j.runAt <= now)
        .sort((a, b) => a.runAt.getTime() - b.runAt.getTime())[0];
      if (!next) return ran;
      const h = this.#handlers.get(next.kind);
      if (!h) throw new Error(`no handler for job kind ${next.kind}`);
      await this.#store.transaction((tx) =>
        h({ id: next.id, payload: next.payload, now, clockId: next.clockId ?? null, tx }),
      );
      next.done = true;
      ran++;
    }
  }
  pending(kind?: string): QueuedJob[] {
    return this.jobs.filter((j) => !j.done && (!kind || j.kind === kind));
  }
}

export function fixedClocks(clock: Clock): AccountClocks {
  return { clockFor: async () => clock, testClockOf: async () => null };
}

/** Subject `[template] key=value …`; channels: email and sms for everything. */
export const plainRenderer: NoticeRenderer = {
  render: (template, locale, vars) => {
    const text = `${locale} ${template} ${Object.entries(vars)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`;
    return { subject: `[${template}]`, body: text, short: text.slice(0, 70) };
  },
  channels: (): NoticeChannel[] => ['email', 'sms'],
};
