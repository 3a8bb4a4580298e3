/**
 * Web push subscriptions of the signed-in member, one row per device (per push endpoint in the
 * tenant). The endpoint must be a URL the egress guard would call (https in production, a public
 * address: platform/net), checked when it is stored and again on every send. The keys (p256dh,
 * auth) are sealed under KEY_ENCRYPTION_KEY, bound to the row, and never logged or returned.
 */
import { createPublicKey, randomUUID } from 'node:crypto'
import { and, asc, eq, sql } from 'drizzle-orm'
import type { SealedColumnRegistry } from '../../platform/crypto/sealed-columns.ts'
import { openSecretText, sealSecret } from '../../platform/crypto/sealed-secrets.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { EgressRefusedError, type Egress } from '../../platform/net/index.ts'
import { personOf } from './inbox.service.ts'
import { notificationsErrors } from './notifications.errors.ts'
import { pushSubscriptions } from './notifications.tables.ts'
import type { PushDevice, PushSubscriptionBody } from './push.schemas.ts'

/** Devices a member keeps; subscribing one more forgets the least recently successful. */
export const MAX_DEVICES_PER_MEMBER = 10

export interface PushKeys {
  p256dh: string
  auth: string
}

type Row = typeof pushSubscriptions.$inferSelect
const kidOf = (id: string) => `notifications:push-subscription:${id}`

export function registerNotificationsSealedColumns(registry: SealedColumnRegistry): void {
  registry.register({
    name: 'notifications.push_subscriptions',
    table: pushSubscriptions,
    id: pushSubscriptions.id,
    sealed: pushSubscriptions.keysSealed,
    tenant: pushSubscriptions.tenantId,
  })
}

/** The browser's key must be a point on P-256 and the secret 16 bytes: encryption to anything else fails later, silently. */
function checkKeys(keys: PushKeys): PushKeys {
  const point = Buffer.from(keys.p256dh, 'base64url')
  if (point.length !== 65 || point[0] !== 4)
    throw notificationsErrors.pushKeysInvalid('p256dh', 'must be an uncompressed P-256 point (65 bytes)')
  try {
    createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    })
  } catch {
    throw notificationsErrors.pushKeysInvalid('p256dh', 'is not a point on the P-256 curve')
  }
  if (Buffer.from(keys.auth, 'base64url').length !== 16)
    throw notificationsErrors.pushKeysInvalid('auth', 'must be 16 bytes')
  return { p256dh: point.toString('base64url'), auth: Buffer.from(keys.auth, 'base64url').toString('base64url') }
}

function present(row: Row): PushDevice {
  return {
    id: row.id,
    pushService: new URL(row.endpoint).origin,
    label: row.label,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    lastSuccessAt: row.lastSuccessAt?.toISOString() ?? null,
  }
}

export interface PushDeviceTarget {
  id: string
  endpoint: string
  keys: PushKeys
}

export function createPushSubscriptions(deps: {
  egress: Egress
  keyEncryptionKey: Uint8Array
  vapidPublicKey: string
}) {
  const kek = deps.keyEncryptionKey

  async function checkEndpoint(endpoint: string): Promise<string> {
    let url: URL
    try {
      url = new URL(endpoint)
    } catch {
      throw notificationsErrors.pushEndpointRefused('not an absolute URL')
    }
    if (url.hash) throw notificationsErrors.pushEndpointRefused('a push endpoint has no fragment')
    try {
      await deps.egress.checkUrl(url.href)
    } catch (error) {
      if (error instanceof EgressRefusedError) throw notificationsErrors.pushEndpointRefused(error.detail)
      throw error
    }
    return url.href
  }

  /** Forgets the member's least recently useful devices beyond the cap (the one just stored stays). */
  async function trim(tx: Tx, userId: string, keep: string) {
    const rows = await tx
      .select({ id: pushSubscriptions.id })
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.userId, userId))
      .orderBy(
        sql`${pushSubscriptions.id} = ${keep} DESC`,
        sql`coalesce(${pushSubscriptions.lastSuccessAt}, ${pushSubscriptions.createdAt}) DESC`,
      )
    for (const row of rows.slice(MAX_DEVICES_PER_MEMBER))
      await tx.delete(pushSubscriptions).where(eq(pushSubscriptions.id, row.id))
  }

  return {
    vapidPublicKey: (ctx: RequestContext) => {
      personOf(ctx)
      return { publicKey: deps.vapidPublicKey }
    },

    /** Stores the device; the same endpoint again (same or another member: the browser's current owner) refreshes its row. */
    async subscribe(
      ctx: RequestContext,
      body: PushSubscriptionBody,
    ): Promise<{ device: PushDevice; created: boolean }> {
      const me = personOf(ctx)
      const keys = checkKeys(body.keys)
      const endpoint = await checkEndpoint(body.endpoint)
      const expiresAt = typeof body.expirationTime === 'number' ? new Date(body.expirationTime) : null
      return ctx.inTenant(async (tx) => {
        const [existing] = await tx
          .select()
          .from(pushSubscriptions)
          .where(eq(pushSubscriptions.endpoint, endpoint))
          .for('update')
        const id = existing?.id ?? randomUUID()
        const keysSealed = await sealSecret(JSON.stringify(keys), kek, { kid: kidOf(id), cty: 'json' })
        const values = { userId: me.userId, keysSealed, label: body.label ?? null, expiresAt }
        let row: Row | undefined
        if (existing) {
          ;[row] = await tx.update(pushSubscriptions).set(values).where(eq(pushSubscriptions.id, id)).returning()
        } else {
          // A concurrent subscribe of the same endpoint inserts first: then this one refreshes it.
          ;[row] = await tx
            .insert(pushSubscriptions)
            .values({ id, tenantId: me.tenantId, endpoint, ...values })
            .onConflictDoNothing({ target: [pushSubscriptions.tenantId, pushSubscriptions.endpoint] })
            .returning()
          if (!row) {
            const [other] = await tx.select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint))
            const resealed = await sealSecret(JSON.stringify(keys), kek, { kid: kidOf(other!.id), cty: 'json' })
            ;[row] = await tx
              .update(pushSubscriptions)
              .set({ ...values, keysSealed: resealed })
              .where(eq(pushSubscriptions.id, other!.id))
              .returning()
          }
        }
        await trim(tx, me.userId, row!.id)
        return { device: present(row!), created: !existing }
      })
    },

    async list(ctx: RequestContext): Promise<{ items: PushDevice[] }> {
      const me = personOf(ctx)
      const rows = await ctx.inTenant(
        (tx) =>
          tx
            .select()
            .from(pushSubscriptions)
            .where(eq(pushSubscriptions.userId, me.userId))
            .orderBy(asc(pushSubscriptions.createdAt), asc(pushSubscriptions.id)),
        { readOnly: true, singleStatement: true },
      )
      return { items: rows.map(present) }
    },

    async unsubscribe(ctx: RequestContext, deviceId: string): Promise<void> {
      const me = personOf(ctx)
      const deleted = await ctx.inTenant((tx) =>
        tx
          .delete(pushSubscriptions)
          .where(and(eq(pushSubscriptions.id, deviceId), eq(pushSubscriptions.userId, me.userId)))
          .returning({ id: pushSubscriptions.id }),
      )
      if (deleted.length === 0) throw notificationsErrors.deviceNotFound(deviceId)
    },

    /** The member's live devices with their keys opened, for the push job (the transaction's tenant). */
    async targetsOf(tx: Tx, userId: string, now: Date): Promise<PushDeviceTarget[]> {
      const rows = await tx.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId))
      const live = rows.filter((row) => !row.expiresAt || row.expiresAt > now)
      return Promise.all(
        live.map(async (row) => ({
          id: row.id,
          endpoint: row.endpoint,
          keys: JSON.parse(await openSecretText(row.keysSealed, kek, kidOf(row.id))) as PushKeys,
        })),
      )
    },

    /** The push service said the subscription is gone (404/410): forget the device. */
    async prune(tx: Tx, id: string): Promise<void> {
      await tx.delete(pushSubscriptions).where(eq(pushSubscriptions.id, id))
    },

    async recordSuccess(tx: Tx, id: string, at: Date): Promise<void> {
      await tx.update(pushSubscriptions).set({ lastSuccessAt: at }).where(eq(pushSubscriptions.id, id))
    },
  }
}

export type PushSubscriptions = ReturnType<typeof createPushSubscriptions>
