/**
 * Creating and rotating signing keys. Every change runs under one advisory lock, so processes
 * starting or rotating at the same moment serialise and the decision (is a key due?) is taken on
 * what the previous holder committed. Each rotation is audited as a system action.
 */
import type { Logger } from 'pino'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { platformScope, type Database, type Tx } from '../../../platform/db/database.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { generateSigningKey } from './key-crypto.ts'
import { findActiveKey, insertKey, lockSigningKeys, supersedeKey, type SigningKeyRow } from './keys.repository.ts'

export interface RotationResult {
  kid: string
  previousKid: string | null
  previousRetireAt: Date | null
}

export interface RotationDeps {
  database: Database
  keyEncryptionKey: Uint8Array
  overlapSeconds: number
  logger?: Logger | undefined
}

/** Rotates when `due(activeKey)` says so; returns null when it did not. */
export async function rotateWhen(
  deps: RotationDeps,
  reason: string,
  due: (active: SigningKeyRow | undefined) => boolean,
): Promise<RotationResult | null> {
  return deps.database.transaction(platformScope, async (tx) => {
    await lockSigningKeys(tx)
    const active = await findActiveKey(tx)
    return due(active) ? rotateLocked(deps, tx, reason, active) : null
  })
}

/** Inside the locked transaction: new key in, previous active key superseded, audited. */
async function rotateLocked(
  deps: RotationDeps,
  tx: Tx,
  reason: string,
  previous: SigningKeyRow | undefined,
): Promise<RotationResult> {
  const created = await insertKey(tx, await generateSigningKey(deps.keyEncryptionKey))
  const previousRetireAt = previous ? await supersedeKey(tx, previous.kid, deps.overlapSeconds) : null
  await recordAudit(tx, systemContext(deps.database, null, 'identity.signing_keys'), {
    action: 'identity.signing_key.rotated',
    targetType: 'signing_key',
    targetId: created.kid,
    tenantId: null,
    details: { reason, previousKid: previous?.kid ?? null, previousRetireAt: previousRetireAt?.toISOString() ?? null },
  })
  deps.logger?.info({ kid: created.kid, previousKid: previous?.kid, reason }, 'signing key rotated')
  return { kid: created.kid, previousKid: previous?.kid ?? null, previousRetireAt }
}
