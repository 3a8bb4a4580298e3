/**
 * Endpoint signing secrets, sealed under KEY_ENCRYPTION_KEY (platform/crypto) and bound to their
 * row, so `lyceum keys reencrypt` moves them with every other sealed column. The plaintext is
 * shown once (at creation and at rotation) and opened again only to sign a delivery.
 */
import { randomUUID } from 'node:crypto'
import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { openSecretText, sealSecret } from '../../platform/crypto/sealed-secrets.ts'
import type { SealedColumnRegistry } from '../../platform/crypto/sealed-columns.ts'
import { newSecret } from './signing.ts'
import { endpointSecrets } from './webhooks.tables.ts'

const kidOf = (secretId: string) => `webhooks:endpoint-secret:${secretId}`

/** Webhook signing secrets are sealed under KEY_ENCRYPTION_KEY: `lyceum keys reencrypt` covers them. */
export function registerWebhooksSealedColumns(registry: SealedColumnRegistry): void {
  registry.register({
    name: 'webhooks.endpoint_secrets',
    table: endpointSecrets,
    id: endpointSecrets.id,
    sealed: endpointSecrets.secretSealed,
    tenant: endpointSecrets.tenantId,
  })
}

/** Creates and stores a new current secret of the endpoint; returns its plaintext (to show once). */
export async function issueSecret(tx: Tx, kek: Uint8Array, tenantId: string, endpointId: string): Promise<string> {
  const id = randomUUID()
  const secret = newSecret()
  const secretSealed = await sealSecret(secret, kek, { kid: kidOf(id) })
  await tx.insert(endpointSecrets).values({ id, tenantId, endpointId, secretSealed })
  return secret
}

/**
 * Rotation: the current secret keeps signing for `overlapSeconds` (0 ends it now) beside the new
 * one; a secret still in the overlap of an earlier rotation ends now, so a delivery never carries
 * more than two signatures. Returns the new secret and when the previous one stops signing.
 */
export async function rotateSecret(
  tx: Tx,
  kek: Uint8Array,
  tenantId: string,
  endpointId: string,
  overlapSeconds: number,
  now: Date,
): Promise<{ secret: string; previousExpiresAt: Date }> {
  const previousExpiresAt = new Date(now.getTime() + overlapSeconds * 1000)
  // Secrets whose overlap ended sign nothing any more: they go.
  await tx
    .delete(endpointSecrets)
    .where(and(eq(endpointSecrets.endpointId, endpointId), lte(endpointSecrets.expiresAt, now)))
  await tx
    .update(endpointSecrets)
    .set({ expiresAt: now })
    .where(and(eq(endpointSecrets.endpointId, endpointId), gt(endpointSecrets.expiresAt, now)))
  await tx
    .update(endpointSecrets)
    .set({ expiresAt: previousExpiresAt })
    .where(and(eq(endpointSecrets.endpointId, endpointId), isNull(endpointSecrets.expiresAt)))
  const secret = await issueSecret(tx, kek, tenantId, endpointId)
  return { secret, previousExpiresAt }
}

/** The secrets that sign now, newest first. */
export async function signingSecrets(tx: Tx, kek: Uint8Array, endpointId: string, now: Date): Promise<string[]> {
  const rows = await tx
    .select({ id: endpointSecrets.id, sealed: endpointSecrets.secretSealed })
    .from(endpointSecrets)
    .where(
      and(
        eq(endpointSecrets.endpointId, endpointId),
        or(isNull(endpointSecrets.expiresAt), gt(endpointSecrets.expiresAt, now)),
      ),
    )
    .orderBy(sql`${endpointSecrets.expiresAt} IS NOT NULL`, sql`${endpointSecrets.createdAt} DESC`)
  return Promise.all(rows.map((row) => openSecretText(row.sealed, kek, kidOf(row.id))))
}

/** When the previous secret stops signing, if a rotation's overlap is running. */
export async function overlapEndsAt(tx: Tx, endpointId: string, now: Date): Promise<Date | null> {
  const [row] = await tx
    .select({ expiresAt: endpointSecrets.expiresAt })
    .from(endpointSecrets)
    .where(and(eq(endpointSecrets.endpointId, endpointId), gt(endpointSecrets.expiresAt, now)))
    .orderBy(sql`${endpointSecrets.expiresAt} DESC`)
    .limit(1)
  return row?.expiresAt ?? null
}
