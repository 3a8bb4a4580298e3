/**
 * API key management for tenant administrators. Each change and its audit entry commit in one
 * tenant transaction. The full key exists only in the response that issues it.
 *
 * Issuing a key (create, rotate) needs re-authentication, like a new password or second factor: a
 * key is a credential that outlives every session, so a stolen session must not be able to mint
 * one. The creator is mailed. A key works only while its creator is an active member
 * (api-keys.repository.ts findLiveRecordingUse): it dies with the authority that made it.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { Permission } from '../../../platform/http/permissions.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { SecurityNotices } from '../accounts/security-notices.ts'
import type { Reauthenticate } from '../sessions/reauthentication.ts'
import { generateApiKey } from './api-key-format.ts'
import { apiKeysErrors } from './api-keys.errors.ts'
import { keyPermissions, parseScopes, scopeBeyond } from './api-keys.policy.ts'
import { apiKeysCursor, apiKeysRepository as repository, type ApiKeyRecord } from './api-keys.repository.ts'
import { DEFAULT_LIFETIME_DAYS, MAX_GRACE_SECONDS, MAX_LIFETIME_DAYS } from './api-keys.schemas.ts'

const DAY_MS = 86_400_000

export interface ApiKeyView {
  id: string
  name: string
  prefix: string
  scopes: string[]
  status: 'active' | 'expired' | 'revoked'
  createdBy: string
  createdAt: string
  expiresAt: string | null
  lastUsedAt: string | null
  revokedAt: string | null
  replacedBy: string | null
}

const iso = (date: Date | null) => (date ? date.toISOString() : null)

function present(row: ApiKeyRecord): ApiKeyView {
  const status = row.revokedAt ? 'revoked' : row.expired === true ? 'expired' : 'active'
  const { id, name, prefix, scopes, createdBy, replacedBy } = row
  return {
    id,
    name,
    prefix,
    scopes,
    status,
    createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
    replacedBy,
  }
}

/** The signed-in member managing keys, with what they hold (the routes refuse impersonators). */
function manager(ctx: RequestContext): { tenantId: string; held: ReadonlySet<Permission> } {
  const { principal } = ctx
  // The routes admit tenant members and API keys; keys never hold api_keys:manage, so only users get here.
  if (principal.kind !== 'user') throw apiKeysErrors.managedByMembers()
  return { tenantId: principal.tenantId, held: principal.permissions }
}

function grantableScopes(requested: readonly string[], held: ReadonlySet<Permission>): Permission[] {
  const parsed = parseScopes(requested)
  if ('unknown' in parsed) throw apiKeysErrors.unknownScope(parsed.unknown, parsed.index)
  const beyond = scopeBeyond(held, parsed.scopes)
  if (beyond) throw apiKeysErrors.scopeNotHeld(beyond)
  return parsed.scopes
}

function expiryOf(requested: string | undefined, now = Date.now()): Date {
  if (requested === undefined) return new Date(now + DEFAULT_LIFETIME_DAYS * DAY_MS)
  const expiresAt = new Date(requested)
  if (Number.isNaN(expiresAt.getTime())) throw apiKeysErrors.invalidExpiry('expiresAt is not a date-time')
  if (expiresAt.getTime() <= now) throw apiKeysErrors.invalidExpiry('expiresAt must be in the future')
  if (expiresAt.getTime() > now + MAX_LIFETIME_DAYS * DAY_MS)
    throw apiKeysErrors.invalidExpiry(`expiresAt must be at most ${MAX_LIFETIME_DAYS} days ahead`)
  return expiresAt
}

async function findOrFail(tx: Tx, id: string, lock = false): Promise<ApiKeyRecord> {
  const row = await repository.find(tx, id, { lock })
  if (!row) throw apiKeysErrors.notFound(id)
  return row
}

/** Inserts a new key and returns it with its secret (the only time the secret leaves this process). */
async function issue(
  tx: Tx,
  ctx: RequestContext,
  key: { tenantId: string; name: string; scopes: Permission[]; expiresAt: Date },
) {
  const generated = generateApiKey(key.tenantId)
  const id = await repository.insert(tx, {
    ...key,
    prefix: generated.prefix,
    secretHash: generated.secretHash,
    createdBy: principalId(ctx.principal),
  })
  return { view: present(await findOrFail(tx, id)), secret: generated.secret }
}

export interface ApiKeysServiceDeps {
  reauthenticate: Reauthenticate
  notices: SecurityNotices
}

export function createApiKeysService(deps: ApiKeysServiceDeps) {
  /** Re-authenticates the issuer, then issues in one transaction with the audit entry and the creator's notice. */
  async function issuing<T extends { name: string; prefix: string }>(
    ctx: RequestContext,
    password: string | undefined,
    work: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    const user = await deps.reauthenticate(ctx, { password, allowRecentSignIn: true })
    return ctx.inTenant(async (tx) => {
      const issued = await work(tx)
      await deps.notices.send(tx, {
        tenantId: user.tenantId,
        userId: user.userId,
        notice: { kind: 'api_key_issued', name: issued.name, prefix: issued.prefix },
      })
      return issued
    })
  }

  return {
    async list(
      ctx: RequestContext,
      query: { limit: number; cursor?: string | undefined },
    ): Promise<PageResult<ApiKeyView>> {
      const after = apiKeysCursor.decode(query.cursor)
      const rows = await ctx.inTenant((tx) => repository.list(tx, { limit: query.limit, after }))
      const page = apiKeysCursor.page(rows, query.limit, (row) => [row.position, row.id])
      return { data: page.data.map(present), nextCursor: page.nextCursor }
    },

    async get(ctx: RequestContext, id: string): Promise<ApiKeyView> {
      return present(await ctx.inTenant((tx) => findOrFail(tx, id)))
    },

    async create(
      ctx: RequestContext,
      input: { name: string; scopes: string[]; expiresAt?: string | undefined; password?: string | undefined },
    ): Promise<ApiKeyView & { secret: string }> {
      const { tenantId, held } = manager(ctx)
      const scopes = grantableScopes(input.scopes, held)
      const expiresAt = expiryOf(input.expiresAt)
      return issuing(ctx, input.password, async (tx) => {
        const { view, secret } = await issue(tx, ctx, { tenantId, name: input.name, scopes, expiresAt })
        await recordAudit(tx, ctx, {
          action: 'api_key.created',
          targetType: 'api_key',
          targetId: view.id,
          details: { name: view.name, prefix: view.prefix, scopes, expiresAt: view.expiresAt },
        })
        return { ...view, secret }
      })
    },

    /**
     * A new key with the old one's name and scopes. The old key points to it and keeps working
     * for `graceSeconds` (at most a day, never beyond its own expiry) so integrations can switch
     * without downtime; 0 revokes it at once. Only a live, not yet rotated key can be rotated.
     */
    async rotate(
      ctx: RequestContext,
      id: string,
      input: { graceSeconds?: number | undefined; expiresAt?: string | undefined; password?: string | undefined },
    ): Promise<ApiKeyView & { secret: string }> {
      const { tenantId, held } = manager(ctx)
      const graceSeconds = Math.min(input.graceSeconds ?? MAX_GRACE_SECONDS, MAX_GRACE_SECONDS)
      const expiresAt = expiryOf(input.expiresAt)
      return issuing(ctx, input.password, async (tx) => {
        const old = await findOrFail(tx, id, true)
        if (old.revokedAt) throw apiKeysErrors.notRotatable(id, 'is revoked')
        if (old.expired === true) throw apiKeysErrors.notRotatable(id, 'has expired')
        if (old.replacedBy) throw apiKeysErrors.notRotatable(id, `was already rotated (replaced by ${old.replacedBy})`)
        // Scopes that stopped being grantable since are dropped; the rotator must hold the rest.
        const scopes = [...keyPermissions(old.scopes)].sort()
        const beyond = scopeBeyond(held, scopes)
        if (beyond) throw apiKeysErrors.scopeNotHeld(beyond)
        const { view, secret } = await issue(tx, ctx, { tenantId, name: old.name, scopes, expiresAt })
        await repository.markReplaced(tx, id, view.id, graceSeconds)
        const replaced = await findOrFail(tx, id)
        await recordAudit(tx, ctx, {
          action: 'api_key.rotated',
          targetType: 'api_key',
          targetId: id,
          details: {
            prefix: old.prefix,
            replacedBy: view.id,
            newPrefix: view.prefix,
            scopes,
            graceSeconds,
            oldKeyExpiresAt: iso(replaced.expiresAt),
            expiresAt: view.expiresAt,
          },
        })
        return { ...view, secret }
      })
    },

    /** Revokes the key now; revoking a revoked key changes nothing and is not audited again. */
    async revoke(ctx: RequestContext, id: string): Promise<void> {
      manager(ctx)
      await ctx.inTenant(async (tx) => {
        const key = await findOrFail(tx, id, true)
        if (await repository.revoke(tx, id))
          await recordAudit(tx, ctx, {
            action: 'api_key.revoked',
            targetType: 'api_key',
            targetId: id,
            details: { name: key.name, prefix: key.prefix },
          })
      })
    },
  }
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>
