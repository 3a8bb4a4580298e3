/**
 * Setting how sales are split (revenue:manage, tenant administrators): the tenant's platform fee
 * and a course's instructor shares. Nobody sets the shares of a course they teach — that would
 * be paying themselves — so an administrator who teaches the course is refused (audited) and
 * another administrator must do it. Every change is audited with what it replaced. Shares apply
 * to captures from then on; captured sales keep the split they were posted with.
 */
import { and, eq, sql } from 'drizzle-orm'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { AuditedRefusal, recordingRefusals } from '../../../platform/audit/refusals.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { AppError } from '../../../platform/errors.ts'
import { assertVersion } from '../../../platform/http/etag.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { courseExists, courseStaffIds } from '../../catalogue/index.ts'
import type { CourseRevenueShares, RevenuePolicy, RevenueSharesBody } from './ledger.schemas.ts'
import { revenueSettings, revenueShares } from './revenue.tables.ts'
import { configuredShares, DEFAULT_PLATFORM_FEE_BPS, effectiveShares, platformFeeBps } from './revenue.ts'
import { BPS } from './split.ts'

export const revenueErrors = {
  courseNotFound: (courseId: string) =>
    new AppError('not_found', 'COURSE_NOT_FOUND', `No course ${courseId} in this tenant`),
  sharesForbidden: () =>
    new AppError(
      'forbidden',
      'REVENUE_SHARES_FORBIDDEN',
      "Only administrators (revenue:manage), finance (ledger:read) and the course's own instructors see its revenue shares",
    ),
  selfPayout: () =>
    new AppError(
      'forbidden',
      'REVENUE_SHARE_SELF_FORBIDDEN',
      'You teach this course, so you cannot set how its revenue is shared; another administrator can',
    ),
  notInstructor: (index: number, userId: string) =>
    new AppError('unprocessable', 'REVENUE_SHARE_NOT_INSTRUCTOR', `User ${userId} does not teach this course`, {
      errors: [
        { path: `body.shares.${index}.userId`, message: 'is not an instructor of the course', code: 'instructor' },
      ],
    }),
  duplicate: (index: number, userId: string) =>
    new AppError('unprocessable', 'REVENUE_SHARE_DUPLICATE', `User ${userId} is listed twice`, {
      errors: [{ path: `body.shares.${index}.userId`, message: 'is listed twice', code: 'duplicate' }],
    }),
  total: (total: number) =>
    new AppError('unprocessable', 'REVENUE_SHARES_TOTAL', `The shares sum to ${total} basis points instead of 10000`, {
      errors: [{ path: 'body.shares', message: 'must sum to 10000 basis points', code: 'total' }],
    }),
}

const actorId = (ctx: RequestContext) => (ctx.principal.kind === 'user' ? ctx.principal.userId : null)

async function readPolicy(tx: Tx, tenantId: string): Promise<RevenuePolicy> {
  const [row] = await tx.select().from(revenueSettings).where(eq(revenueSettings.tenantId, tenantId))
  return row
    ? {
        platformFeeBps: row.platformFeeBps,
        source: 'configured',
        version: row.version,
        updatedAt: row.updatedAt.toISOString(),
      }
    : { platformFeeBps: DEFAULT_PLATFORM_FEE_BPS, source: 'default', version: 0, updatedAt: null }
}

async function readShares(tx: Tx, tenantId: string, courseId: string): Promise<CourseRevenueShares> {
  const { source, shares } = await effectiveShares(tx, tenantId, courseId)
  return { courseId, source, shares, platformFeeBps: await platformFeeBps(tx, tenantId) }
}

/** The course exists and the caller does not teach it (an audited refusal otherwise). */
async function assertMaySetShares(
  tx: Tx,
  ctx: RequestContext,
  courseId: string,
  action: 'commerce.revenue_shares_set' | 'commerce.revenue_shares_cleared',
): Promise<Set<string>> {
  if (!(await courseExists(tx, courseId))) throw revenueErrors.courseNotFound(courseId)
  const staff = await courseStaffIds(tx, courseId)
  const actor = actorId(ctx)
  if (actor !== null && staff.has(actor))
    throw new AuditedRefusal(revenueErrors.selfPayout(), {
      action,
      targetType: 'course',
      targetId: courseId,
      details: { reason: 'self' },
    })
  return staff
}

function checkShares(staff: ReadonlySet<string>, body: RevenueSharesBody): void {
  const seen = new Set<string>()
  for (const [index, share] of body.shares.entries()) {
    const userId = share.userId.toLowerCase()
    if (seen.has(userId)) throw revenueErrors.duplicate(index, share.userId)
    seen.add(userId)
    if (!staff.has(userId)) throw revenueErrors.notInstructor(index, share.userId)
  }
  const total = body.shares.reduce((sum, share) => sum + share.shareBps, 0)
  if (total !== BPS) throw revenueErrors.total(total)
}

async function setShares(
  tx: Tx,
  ctx: RequestContext,
  courseId: string,
  body: RevenueSharesBody,
): Promise<CourseRevenueShares> {
  const tenantId = ctx.tenantId as string
  const staff = await assertMaySetShares(tx, ctx, courseId, 'commerce.revenue_shares_set')
  checkShares(staff, body)
  const before = await configuredShares(tx, tenantId, courseId)
  await tx.delete(revenueShares).where(and(eq(revenueShares.tenantId, tenantId), eq(revenueShares.courseId, courseId)))
  await tx.insert(revenueShares).values(
    body.shares.map((share) => ({
      tenantId,
      courseId,
      userId: share.userId.toLowerCase(),
      shareBps: share.shareBps,
      setBy: actorId(ctx),
    })),
  )
  await recordAudit(tx, ctx, {
    action: 'commerce.revenue_shares_set',
    targetType: 'course',
    targetId: courseId,
    details: { before, after: body.shares },
  })
  return readShares(tx, tenantId, courseId)
}

async function clearShares(tx: Tx, ctx: RequestContext, courseId: string): Promise<void> {
  const tenantId = ctx.tenantId as string
  await assertMaySetShares(tx, ctx, courseId, 'commerce.revenue_shares_cleared')
  const before = await configuredShares(tx, tenantId, courseId)
  if (before.length === 0) return
  await tx.delete(revenueShares).where(and(eq(revenueShares.tenantId, tenantId), eq(revenueShares.courseId, courseId)))
  await recordAudit(tx, ctx, {
    action: 'commerce.revenue_shares_cleared',
    targetType: 'course',
    targetId: courseId,
    details: { before },
  })
}

export function createRevenueService() {
  return {
    getPolicy: (ctx: RequestContext) =>
      ctx.inTenant((tx) => readPolicy(tx, ctx.tenantId as string), { readOnly: true }),

    /** Replaces the platform fee; `expected` is the If-Match version (0 before the first change). */
    setPolicy: (ctx: RequestContext, expected: number | undefined, platformFeeBps: number) =>
      ctx.inTenant(async (tx) => {
        const tenantId = ctx.tenantId as string
        // The row lock (or the insert's unique key) orders two administrators changing it at once.
        await tx.execute(sql`SELECT 1 FROM ${revenueSettings} WHERE tenant_id = ${tenantId} FOR UPDATE`)
        const before = await readPolicy(tx, tenantId)
        assertVersion(expected, before.version)
        if (before.source === 'configured' && before.platformFeeBps === platformFeeBps) return before
        await tx
          .insert(revenueSettings)
          .values({ tenantId, platformFeeBps, updatedBy: actorId(ctx) })
          .onConflictDoUpdate({
            target: revenueSettings.tenantId,
            set: {
              platformFeeBps,
              version: sql`${revenueSettings.version} + 1`,
              updatedBy: actorId(ctx),
              updatedAt: sql`now()`,
            },
          })
        await recordAudit(tx, ctx, {
          action: 'commerce.platform_fee_changed',
          targetType: 'tenant',
          targetId: tenantId,
          details: { from: before.platformFeeBps, to: platformFeeBps },
        })
        return readPolicy(tx, tenantId)
      }),

    /** Administrators and finance see every course's shares; an instructor those of the courses they teach. */
    getShares: (ctx: RequestContext, courseId: string) =>
      ctx.inTenant(
        async (tx) => {
          if (!(await courseExists(tx, courseId))) throw revenueErrors.courseNotFound(courseId)
          const { permissions } = ctx.principal.kind === 'anonymous' ? { permissions: new Set() } : ctx.principal
          const seesAll = permissions.has('revenue:manage') || permissions.has('ledger:read')
          const actor = actorId(ctx)
          if (!seesAll && (actor === null || !(await courseStaffIds(tx, courseId)).has(actor)))
            throw revenueErrors.sharesForbidden()
          return readShares(tx, ctx.tenantId as string, courseId)
        },
        { readOnly: true },
      ),

    setShares: (ctx: RequestContext, courseId: string, body: RevenueSharesBody) =>
      recordingRefusals(ctx, () => ctx.inTenant((tx) => setShares(tx, ctx, courseId, body))),

    clearShares: (ctx: RequestContext, courseId: string) =>
      recordingRefusals(ctx, () => ctx.inTenant((tx) => clearShares(tx, ctx, courseId))),
  }
}

export type RevenueService = ReturnType<typeof createRevenueService>
