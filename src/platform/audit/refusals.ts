/**
 * Refusals that leave an audit entry: someone tried to grade their own work, approve their own
 * course, enrol in a course they teach. The refusal is decided inside the use case's transaction,
 * and throwing rolls that transaction back, audit entry and all. So the use case throws an
 * AuditedRefusal (an AppError carrying the entry), and `recordingRefusals` around the transaction
 * records the entry (outcome `denied`) in a transaction of its own after the rollback, then
 * rethrows: the client gets the refusal's problem document, and nothing of the refused change
 * was written.
 */
import { AppError } from '../errors.ts'
import type { RequestContext } from '../http/request-context.ts'
import { recordAudit, type AuditEntry } from './audit.ts'

export class AuditedRefusal extends AppError {
  constructor(
    refusal: AppError,
    readonly entry: Omit<AuditEntry, 'outcome'>,
  ) {
    super(refusal.kind, refusal.code, refusal.message, {
      ...(refusal.extensions ? { extensions: refusal.extensions } : {}),
      ...(refusal.errors ? { errors: refusal.errors } : {}),
      ...(refusal.headers ? { headers: refusal.headers } : {}),
    })
  }
}

/** Runs `work` (one tenant transaction) and audits an AuditedRefusal it throws. Do not nest. */
export async function recordingRefusals<T>(ctx: RequestContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof AuditedRefusal)
      await ctx.inTenant((tx) => recordAudit(tx, ctx, { ...error.entry, outcome: 'denied' }))
    throw error
  }
}
