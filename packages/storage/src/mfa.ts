// MFA repositories (ports in @idaas/core security/mfa-ports.ts): factors, recovery codes,
// single-use challenges. Every query is scoped by instance_id.
import type { Kysely } from 'kysely';
import type { MfaChallenge, MfaFactor, MfaRepos } from '@idaas/core';

interface FactorsTable {
  instance_id: string;
  id: string;
  user_id: string;
  kind: string;
  name: string;
  secret_encrypted: string | null;
  credential_id: string | null;
  public_key: string | null;
  counter: number | string;
  transports: string;
  device_type: string | null;
  backed_up: number;
  last_used_step: number | string | null;
  created_at: string;
  last_used_at: string | null;
}
interface RecoveryTable {
  instance_id: string;
  user_id: string;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}
interface ChallengesTable {
  instance_id: string;
  id: string;
  user_id: string | null;
  kind: string;
  value: string;
  attempts: number | string;
  expires_at: string;
  consumed_at: string | null;
  created_at: string;
}
interface MfaDb {
  mfa_factors: FactorsTable;
  mfa_recovery_codes: RecoveryTable;
  mfa_challenges: ChallengesTable;
}

const iso = (d: Date) => d.toISOString();

const toFactor = (r: FactorsTable): MfaFactor => ({
  instanceId: r.instance_id,
  id: r.id,
  userId: r.user_id,
  kind: r.kind as MfaFactor['kind'],
  name: r.name,
  secretEncrypted: r.secret_encrypted,
  credentialId: r.credential_id,
  publicKey: r.public_key,
  counter: Number(r.counter),
  transports: JSON.parse(r.transports) as string[],
  deviceType: r.device_type as MfaFactor['deviceType'],
  backedUp: Number(r.backed_up) === 1,
  lastUsedStep: r.last_used_step === null ? null : Number(r.last_used_step),
  createdAt: new Date(r.created_at),
  lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
});

const toChallenge = (r: ChallengesTable): MfaChallenge => ({
  instanceId: r.instance_id,
  id: r.id,
  userId: r.user_id,
  kind: r.kind as MfaChallenge['kind'],
  value: r.value,
  attempts: Number(r.attempts),
  expiresAt: new Date(r.expires_at),
  consumedAt: r.consumed_at ? new Date(r.consumed_at) : null,
  createdAt: new Date(r.created_at),
});

export function makeMfaRepos(database: Kysely<never>): MfaRepos {
  const db = database as unknown as Kysely<MfaDb>;
  return {
    mfaFactors: {
      async insert(f) {
        await db
          .insertInto('mfa_factors')
          .values({
            instance_id: f.instanceId,
            id: f.id,
            user_id: f.userId,
            kind: f.kind,
            name: f.name,
            secret_encrypted: f.secretEncrypted,
            credential_id: f.credentialId,
            public_key: f.publicKey,
            counter: f.counter,
            transports: JSON.stringify(f.transports),
            device_type: f.deviceType,
            backed_up: f.backedUp ? 1 : 0,
            last_used_step: f.lastUsedStep,
            created_at: iso(f.createdAt),
            last_used_at: f.lastUsedAt ? iso(f.lastUsedAt) : null,
          })
          .execute();
      },
      async get(instanceId, id) {
        const r = await db
          .selectFrom('mfa_factors')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toFactor(r) : null;
      },
      async list(instanceId, userId) {
        const rows = await db
          .selectFrom('mfa_factors')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        return rows.map(toFactor);
      },
      async getByCredentialId(instanceId, credentialId) {
        const r = await db
          .selectFrom('mfa_factors')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('credential_id', '=', credentialId)
          .executeTakeFirst();
        return r ? toFactor(r) : null;
      },
      async delete(instanceId, id) {
        const r = await db
          .deleteFrom('mfa_factors')
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async deleteAllOfUser(instanceId, userId) {
        const r = await db
          .deleteFrom('mfa_factors')
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        await db
          .deleteFrom('mfa_recovery_codes')
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .execute();
        return Number(r.numDeletedRows);
      },
      async useTotpStep(instanceId, id, step, at) {
        const r = await db
          .updateTable('mfa_factors')
          .set({ last_used_step: step, last_used_at: iso(at) })
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      async useWebauthn(instanceId, id, counter, at) {
        await db
          .updateTable('mfa_factors')
          .set({ counter, last_used_at: iso(at) })
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .execute();
      },
      async touch(instanceId, id, at) {
        await db
          .updateTable('mfa_factors')
          .set({ last_used_at: iso(at) })
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .execute();
      },
    },
    mfaRecoveryCodes: {
      async replace(instanceId, userId, hashes, at) {
        await db
          .deleteFrom('mfa_recovery_codes')
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .execute();
        if (hashes.length)
          await db
            .insertInto('mfa_recovery_codes')
            .values(
              hashes.map((h) => ({
                instance_id: instanceId,
                user_id: userId,
                code_hash: h,
                created_at: iso(at),
                used_at: null,
              })),
            )
            .execute();
      },
      async use(instanceId, userId, hash, at) {
        const r = await db
          .updateTable('mfa_recovery_codes')
          .set({ used_at: iso(at) })
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .where('code_hash', '=', hash)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      async remaining(instanceId, userId) {
        const r = await db
          .selectFrom('mfa_recovery_codes')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        return Number(r?.n ?? 0);
      },
    },
    mfaChallenges: {
      async insert(c) {
        await db
          .insertInto('mfa_challenges')
          .values({
            instance_id: c.instanceId,
            id: c.id,
            user_id: c.userId,
            kind: c.kind,
            value: c.value,
            attempts: c.attempts,
            expires_at: iso(c.expiresAt),
            consumed_at: c.consumedAt ? iso(c.consumedAt) : null,
            created_at: iso(c.createdAt),
          })
          .execute();
      },
      async get(instanceId, id) {
        const r = await db
          .selectFrom('mfa_challenges')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toChallenge(r) : null;
      },
      async consume(instanceId, id, at) {
        const r = await db
          .updateTable('mfa_challenges')
          .set({ consumed_at: iso(at) })
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .where('consumed_at', 'is', null)
          .where('expires_at', '>', iso(at))
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      async addAttempt(instanceId, id) {
        await db
          .updateTable('mfa_challenges')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .execute();
        const r = await db
          .selectFrom('mfa_challenges')
          .select('attempts')
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r?.attempts ?? 0);
      },
      async sweepExpired(at) {
        const r = await db
          .deleteFrom('mfa_challenges')
          .where('expires_at', '<=', iso(at))
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },
  };
}
