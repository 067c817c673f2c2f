// Password repositories (ports in @idaas/core security/password-ports.ts): per-instance
// policy, per-user password state, reset tokens (hashed), revocation of a user's sessions.
import { sql, type Kysely } from 'kysely';
import type { PasswordPolicy, PasswordRepos, PasswordResetToken, PasswordState } from '@idaas/core';
import type { Database } from './schema.ts';

interface PasswordPoliciesTable {
  instance_id: string;
  policy: string;
  updated_at: string;
}
interface PasswordStatesTable {
  instance_id: string;
  user_id: string;
  change_required: number;
  history: string;
  changed_at: string | null;
  updated_at: string;
}
interface PasswordResetsTable {
  instance_id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}
interface PasswordDb {
  password_policies: PasswordPoliciesTable;
  password_states: PasswordStatesTable;
  password_resets: PasswordResetsTable;
  oidc_models: { instance_id: string; model: string; id: string; payload: string };
}

const iso = (d: Date): string => d.toISOString();

const toState = (r: PasswordStatesTable): PasswordState => ({
  instanceId: r.instance_id,
  userId: r.user_id,
  changeRequired: Number(r.change_required) === 1,
  history: JSON.parse(r.history) as string[],
  changedAt: r.changed_at ? new Date(r.changed_at) : null,
});

const toReset = (r: PasswordResetsTable): PasswordResetToken => ({
  instanceId: r.instance_id,
  tokenHash: r.token_hash,
  userId: r.user_id,
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
  usedAt: r.used_at ? new Date(r.used_at) : null,
});

/** OIDC models that belong to a signed-in user (oidc-provider stores `accountId` in them). */
const USER_MODELS = [
  'Session',
  'Grant',
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
];

export function makePasswordRepos(database: Kysely<Database>): PasswordRepos {
  const db = database as unknown as Kysely<PasswordDb>;
  return {
    passwordPolicies: {
      async get(instanceId) {
        const r = await db
          .selectFrom('password_policies')
          .select('policy')
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return r ? (JSON.parse(r.policy) as PasswordPolicy) : null;
      },
      async put(instanceId, policy, at) {
        const value = JSON.stringify(policy);
        await db
          .insertInto('password_policies')
          .values({ instance_id: instanceId, policy: value, updated_at: iso(at) })
          .onConflict((oc) =>
            oc.column('instance_id').doUpdateSet({ policy: value, updated_at: iso(at) }),
          )
          .execute();
      },
    },

    passwordStates: {
      async get(instanceId, userId) {
        const r = await db
          .selectFrom('password_states')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return r ? toState(r) : null;
      },
      async setChangeRequired(instanceId, userId, required, at) {
        const flag = required ? 1 : 0;
        await db
          .insertInto('password_states')
          .values({
            instance_id: instanceId,
            user_id: userId,
            change_required: flag,
            history: '[]',
            changed_at: null,
            updated_at: iso(at),
          })
          .onConflict((oc) =>
            oc
              .columns(['instance_id', 'user_id'])
              .doUpdateSet({ change_required: flag, updated_at: iso(at) }),
          )
          .execute();
      },
      async recordChange(instanceId, userId, previousHash, keep, at) {
        const cur = await this.get(instanceId, userId);
        const history = (
          previousHash ? [previousHash, ...(cur?.history ?? [])] : (cur?.history ?? [])
        ).slice(0, Math.max(0, keep));
        const values = {
          change_required: 0,
          history: JSON.stringify(history),
          changed_at: iso(at),
          updated_at: iso(at),
        };
        await db
          .insertInto('password_states')
          .values({ instance_id: instanceId, user_id: userId, ...values })
          .onConflict((oc) => oc.columns(['instance_id', 'user_id']).doUpdateSet(values))
          .execute();
      },
    },

    passwordResets: {
      async insert(t) {
        await db
          .insertInto('password_resets')
          .values({
            instance_id: t.instanceId,
            token_hash: t.tokenHash,
            user_id: t.userId,
            created_at: iso(t.createdAt),
            expires_at: iso(t.expiresAt),
            used_at: t.usedAt ? iso(t.usedAt) : null,
          })
          .execute();
      },
      async get(instanceId, tokenHash) {
        const r = await db
          .selectFrom('password_resets')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst();
        return r ? toReset(r) : null;
      },
      async markUsed(instanceId, tokenHash, at) {
        const r = await db
          .updateTable('password_resets')
          .set({ used_at: iso(at) })
          .where('instance_id', '=', instanceId)
          .where('token_hash', '=', tokenHash)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) === 1;
      },
      async voidForUser(instanceId, userId, at) {
        const r = await db
          .updateTable('password_resets')
          .set({ used_at: iso(at) })
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        return Number(r.numUpdatedRows);
      },
      async sweep(before) {
        const r = await db
          .deleteFrom('password_resets')
          .where('expires_at', '<', iso(before))
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },

    passwordSessions: {
      async revokeUser(instanceId, userId) {
        // user ids are UUIDs (no LIKE wildcards); the payload is oidc-provider's JSON
        const r = await db
          .deleteFrom('oidc_models')
          .where('instance_id', '=', instanceId)
          .where('model', 'in', USER_MODELS)
          .where(sql<boolean>`payload like ${`%"accountId":${JSON.stringify(userId)}%`}`)
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },
  };
}
