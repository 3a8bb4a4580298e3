/**
 * The tenant's learning policy: the exceptions a tenant may allow to the rules that keep course
 * staff from dealing with their own courses. Tenant administrators read and replace it (If-Match,
 * audited); the enrolment module and the review workflow read it through `learningPolicyOf`.
 */
import { isDeepStrictEqual } from 'node:util'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import { assertVersion } from '../../../platform/http/etag.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import {
  learningPolicyRepository as repository,
  type LearningPolicyRow,
  type LearningPolicyValues,
} from './learning-policy.repository.ts'
import type { LearningPolicy, LearningPolicyBody } from './learning-policy.schemas.ts'

export type { LearningPolicyValues }

/** What a tenant that never changed its policy gets: staff never enrol themselves; administrators may publish their own courses. */
export const DEFAULT_LEARNING_POLICY: Readonly<LearningPolicyValues> = Object.freeze({
  allowStaffSelfEnrolment: false,
  allowSelfPublication: true,
})

const valuesOf = (row: LearningPolicyRow | undefined): LearningPolicyValues =>
  row
    ? { allowStaffSelfEnrolment: row.allowStaffSelfEnrolment, allowSelfPublication: row.allowSelfPublication }
    : { ...DEFAULT_LEARNING_POLICY }

const present = (row: LearningPolicyRow | undefined): LearningPolicy => ({
  ...valuesOf(row),
  version: row?.version ?? 0,
  updatedAt: row?.updatedAt.toISOString() ?? null,
  updatedBy: row?.updatedBy ?? null,
})

/** The policy of the transaction's tenant, as the rules read it. */
export async function learningPolicyOf(tx: Tx): Promise<LearningPolicyValues> {
  return valuesOf(await repository.find(tx))
}

export function createLearningPolicyService() {
  return {
    get: (ctx: RequestContext): Promise<LearningPolicy> =>
      ctx.inTenant(async (tx) => present(await repository.find(tx))),

    /** Replaces the policy if it is still at `expected` (412 otherwise); a change is audited with both values. */
    replace(ctx: RequestContext, expected: number, body: LearningPolicyBody): Promise<LearningPolicy> {
      const tenantId = ctx.tenantId
      if (!tenantId) throw commonErrors.tenantRequired()
      return ctx.inTenant(async (tx) => {
        const current = await repository.find(tx, { lock: true })
        const version = current?.version ?? 0
        assertVersion(expected, version)
        const from = valuesOf(current)
        const to: LearningPolicyValues = {
          allowStaffSelfEnrolment: body.allowStaffSelfEnrolment,
          allowSelfPublication: body.allowSelfPublication,
        }
        if (isDeepStrictEqual(from, to)) return present(current)
        const who = principalId(ctx.principal)
        const row = current
          ? await repository.update(tx, tenantId, version, to, who)
          : await repository.insert(tx, tenantId, to, who)
        // Only a concurrent first write gets here (the row is locked once it exists): theirs won.
        if (!row) {
          assertVersion(expected, version + 1)
          throw new Error('learning policy write matched no row under its lock')
        }
        await recordAudit(tx, ctx, {
          action: 'catalogue.learning_policy_changed',
          targetType: 'tenant',
          targetId: tenantId,
          details: { from, to },
        })
        return present(row)
      })
    },
  }
}

export type LearningPolicyService = ReturnType<typeof createLearningPolicyService>
