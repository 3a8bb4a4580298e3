/**
 * Writes audit entries inside the caller's transaction, so an action and its record commit
 * together. The table is append-only for the app role (no UPDATE/DELETE grants), and every entry
 * is linked into its tenant's hash chain (audit-chain.ts), so tampering by anyone who can write
 * the table directly is detected by `lyceum audit verify`.
 */
import { createHmac, randomUUID } from 'node:crypto'
import type { Tx } from '../db/database.ts'
import type { RequestContext } from '../http/request-context.ts'
import { principalId } from '../http/principal.ts'
import { appendChained } from './audit-chain.ts'

export interface AuditEntry {
  action: string
  targetType: string
  targetId: string
  outcome?: 'success' | 'failure' | 'denied'
  /** Tenant the action concerns; defaults to the request's tenant. */
  tenantId?: string | null
  details?: Record<string, unknown>
}

/**
 * The key of hashIp (IP_HASH_SECRET). A module-level setting rather than a parameter: hashIp is
 * called from request code that only has a RequestContext (audit entries, security log lines),
 * and threading a key through every one of those call sites would change many signatures for one
 * process-wide constant. createPlatform sets it once at start-up; until then hashIp throws, so an
 * IP can never be hashed with a missing key.
 */
let ipHashKey: string | undefined

export function configureIpHashing(secret: string): void {
  ipHashKey = secret
}

/**
 * The pseudonymous form of a client IP used in audit entries and security log lines: an HMAC
 * keyed with its own secret, so the small IPv4 space cannot be enumerated offline from a leaked
 * audit export without the key.
 */
export function hashIp(ip: string): string {
  if (ipHashKey === undefined)
    throw new Error('hashIp used before configureIpHashing (createPlatform sets IP_HASH_SECRET)')
  return createHmac('sha256', ipHashKey).update(ip).digest('hex').slice(0, 32)
}

export async function recordAudit(tx: Tx, ctx: RequestContext, entry: AuditEntry): Promise<void> {
  const [actorType, ...rest] = principalId(ctx.principal).split(':')
  const values = {
    tenantId: entry.tenantId === undefined ? ctx.tenantId : entry.tenantId,
    actorType: actorType ?? 'unknown',
    actorId: rest.join(':') || 'anonymous',
    impersonatorId: ctx.principal.kind === 'user' ? (ctx.principal.actor?.sub ?? null) : null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    outcome: entry.outcome ?? 'success',
    requestId: ctx.requestId,
    ipHash: hashIp(ctx.ip),
    details: entry.details ?? {},
  }
  await appendChained(tx, values, randomUUID(), new Date())
}
