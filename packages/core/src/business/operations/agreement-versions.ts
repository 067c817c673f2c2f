// Agreement versions (G14.2): published at least 30 days before they take effect,
// announced to every active customer account, accepted explicitly or by continued use
// (recorded by a job at the effective instant).
import { changeMayTakeEffect, earliestChangeEffective } from '@idaas/agreement';
import { AppError, invalid, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Repos } from '../../ports.ts';
import type { AgreementAcceptance, AgreementVersion } from '../operations-ports.ts';
import type { OperationsDeps } from './deps.ts';
import type { NoticeService } from './notices.ts';

export const AGREEMENT_EFFECTIVE = 'agreement.effective';

export class AgreementVersions {
  readonly #d: OperationsDeps;
  readonly #notices: NoticeService;
  constructor(deps: OperationsDeps, notices: NoticeService) {
    this.#d = deps;
    this.#notices = notices;
  }

  /**
   * Publishes a version now. Its notice goes out now (electronic: delivered when sent,
   * G11.3), so `effectiveAt` must be ≥ now + 30 days (G14.2), else refused naming it.
   */
  async publish(input: {
    version: string;
    summary: string;
    effectiveAt: Date;
  }): Promise<AgreementVersion> {
    const version = input.version.trim();
    if (!version) throw invalid('version', 'must not be empty');
    if (!input.summary.trim()) throw invalid('summary', 'must not be empty');
    const now = this.#d.clock.now();
    if (!changeMayTakeEffect(now.getTime(), input.effectiveAt.getTime()))
      throw invalid(
        'effectiveAt',
        `must be at least 30 days after publication (G14.2): on or after ${new Date(earliestChangeEffective(now.getTime())).toISOString()}`,
      );
    const v: AgreementVersion = {
      id: newId(this.#d.clock),
      version,
      summary: input.summary.trim(),
      publishedAt: now,
      effectiveAt: input.effectiveAt,
    };
    await this.#d.store.transaction(async (tx) => {
      const existing = (await tx.agreementVersions.list()).find((x) => x.version === version);
      if (existing)
        throw new AppError('conflict', `version: ${version} already exists`, {
          issues: [{ field: 'version', message: 'already exists' }],
        });
      await tx.agreementVersions.insert(v);
      for (const accountId of await tx.opsLookups.activeCustomerAccounts())
        await this.#notices.notifyRows(
          {
            accountId,
            instanceId: null,
            template: 'agreement.published',
            vars: {
              version,
              summary: v.summary,
              effective_at: v.effectiveAt.toISOString(),
              clause: 'G14.2',
            },
            clause: 'G14.2',
            dedupeKey: `agreement:${v.id}:${accountId}`,
            at: now,
          },
          tx,
        );
      await this.#d.jobs.enqueue(
        {
          kind: AGREEMENT_EFFECTIVE,
          payload: { versionId: v.id },
          runAt: v.effectiveAt,
          dedupeKey: `agreement-effective:${v.id}`,
        },
        tx,
      );
    });
    return v;
  }

  list(): Promise<AgreementVersion[]> {
    return this.#d.store.repos.agreementVersions.list();
  }

  async get(id: string): Promise<AgreementVersion> {
    const v = await this.#d.store.repos.agreementVersions.get(id);
    if (!v) throw notFound('agreement version');
    return v;
  }

  /** Explicit acceptance by an account (idempotent: the first acceptance stands). */
  async accept(versionId: string, accountId: string): Promise<AgreementAcceptance> {
    await this.get(versionId);
    const acct = await this.#d.store.repos.opsLookups.accountKind(accountId);
    if (!acct) throw invalid('accountId', 'no such account');
    const at = (await this.#d.clocks.clockFor(accountId)).now();
    await this.#d.store.repos.agreementVersions.accept({
      accountId,
      versionId,
      acceptedAt: at,
      how: 'explicit',
    });
    return (await this.#d.store.repos.agreementVersions.acceptanceOf(accountId, versionId))!;
  }

  acceptances(versionId: string): Promise<AgreementAcceptance[]> {
    return this.#d.store.repos.agreementVersions.acceptances(versionId);
  }

  /**
   * The `agreement.effective` job: every active customer account that has not accepted
   * explicitly accepts by continued use (G14.2), at the effective instant.
   */
  async recordContinuedUse(versionId: string, tx: Repos): Promise<number> {
    const v = await tx.agreementVersions.get(versionId);
    if (!v) return 0;
    let n = 0;
    for (const accountId of await tx.opsLookups.activeCustomerAccounts())
      if (
        await tx.agreementVersions.accept({
          accountId,
          versionId,
          acceptedAt: v.effectiveAt,
          how: 'continued-use',
        })
      )
        n++;
    return n;
  }
}
