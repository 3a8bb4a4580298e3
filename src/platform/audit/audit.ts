/**
 * Writes audit entries inside the caller's transaction, so an action and its record commit
 * together. The table is append-only for the app role (no UPDATE/DELETE grants).
 */
import { createHash } from 'node:crypto'
import type { Tx } from '../db/database.ts'
import type { RequestContext } from '../http/request-context.ts'
import { principalId } from '../http/principal.ts'
import { auditLog } from './audit.tables.ts'

export interface AuditEntry {
  action: string
  targetType: string
  targetId: string
  outcome?: 'success' | 'failure' | 'denied'
  /** Tenant the action concerns; defaults to the request's tenant. */
  tenantId?: string | null
  details?: Record<string, unknown>
}

/** The pseudonymous form of a client IP used in audit entries and security log lines. */
export const hashIp = (ip: string) => createHash('sha256').update(`lyceum-audit:${ip}`).digest('hex').slice(0, 32)

export async function recordAudit(tx: Tx, ctx: RequestContext, entry: AuditEntry): Promise<void> {
  const [actorType, ...rest] = principalId(ctx.principal).split(':')
  await tx.insert(auditLog).values({
    tenantId: entry.tenantId === undefined ? ctx.tenantId : entry.tenantId,
    actorType: actorType ?? 'unknown',
    actorId: rest.join(':') || 'anonymous',
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    outcome: entry.outcome ?? 'success',
    requestId: ctx.requestId,
    ipHash: hashIp(ctx.ip),
    details: entry.details ?? {},
  })
}
