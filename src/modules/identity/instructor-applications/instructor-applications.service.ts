/**
 * Instructor applications: a member applies, a reviewer (instructors:review) approves or rejects,
 * the applicant may withdraw while pending. Approval grants the instructor membership in the same
 * transaction as the decision, its audit entry and the applicant's notification; sessions re-read roles
 * on every request, so the role applies on the applicant's next request.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { uniqueViolation } from '../../../platform/db/pg-errors.ts'
import { assertVersion } from '../../../platform/http/etag.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { Permission } from '../../../platform/http/permissions.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { IdentityEvents } from '../identity-events.ts'
import type { IdentityNotifier } from '../identity-notifier.ts'
import { sessionsRepository as sessions } from '../sessions/sessions.repository.ts'
import { applicationErrors as errors } from './instructor-applications.errors.ts'
import {
  applicationsCursor,
  applicationsRepository as repository,
  type ApplicationRecord,
} from './instructor-applications.repository.ts'
import { STATEMENT_MIN, type ApplicationStatus, type SubmitApplicationBody } from './instructor-applications.schemas.ts'

export interface InstructorApplication {
  id: string
  userId: string
  applicant: { email: string; displayName: string | null }
  statement: string
  links: string[]
  status: ApplicationStatus
  submittedAt: string
  reviewedBy: string | null
  reviewedAt: string | null
  reviewNote: string | null
  version: number
}

const present = (row: ApplicationRecord): InstructorApplication => ({
  id: row.id,
  userId: row.userId,
  applicant: { email: row.applicantEmail, displayName: row.applicantDisplayName },
  statement: row.statement,
  links: row.links,
  status: row.status,
  submittedAt: row.submittedAt.toISOString(),
  reviewedBy: row.reviewedBy,
  reviewedAt: row.reviewedAt?.toISOString() ?? null,
  reviewNote: row.reviewNote,
  version: row.version,
})

const REVIEW: Permission = 'instructors:review'
const ONE_PENDING = 'instructor_applications_one_pending'

interface Member {
  userId: string
  tenantId: string
  reviewer: boolean
  impersonated: boolean
}

/** Applications belong to people: API keys (which have no user) neither apply nor decide. */
function memberOf(ctx: RequestContext): Member {
  const { principal } = ctx
  if (principal.kind !== 'user') throw errors.membersOnly()
  return {
    userId: principal.userId,
    tenantId: principal.tenantId,
    reviewer: principal.permissions.has(REVIEW),
    impersonated: principal.actor !== undefined,
  }
}

/** Schema checks the scheme; this also refuses host-less URLs and embedded credentials. */
function checkLinks(links: readonly string[]): string[] {
  return links.map((link, index) => {
    let url: URL
    try {
      url = new URL(link)
    } catch {
      throw errors.invalidLink(index)
    }
    if (url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== '')
      throw errors.invalidLink(index)
    return link
  })
}

async function findOrFail(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<ApplicationRecord> {
  const row = await repository.find(tx, id, options)
  if (!row) throw errors.notFound(id)
  return row
}

/** The application as the caller may see it: reviewers see all, anyone else only their own (404 otherwise). */
function visibleTo(member: Member, row: ApplicationRecord): ApplicationRecord {
  if (!member.reviewer && row.userId !== member.userId) throw errors.notFound(row.id)
  return row
}

export interface ApplicationsDeps {
  /** The notification center: the applicant hears of the decision (mail and inbox). */
  notify: IdentityNotifier
  /** identity.role_changed goes out with an approval's grant. */
  events: IdentityEvents
}

async function page(
  ctx: RequestContext,
  query: { limit: number; cursor?: string | undefined },
  filter: { userId?: string; status?: ApplicationStatus; newestFirst: boolean },
) {
  const after = applicationsCursor.decode(query.cursor)
  const rows = await ctx.inTenant((tx) => repository.list(tx, { ...filter, limit: query.limit, after }))
  const result = applicationsCursor.page(rows, query.limit, (row) => [row.position, row.id])
  return { data: result.data.map(present), nextCursor: result.nextCursor }
}

/** Approve or reject: the reviewer's checks, the guarded transition, the grant, audit and mail in one transaction. */
async function decide(
  deps: ApplicationsDeps,
  ctx: RequestContext,
  id: string,
  expected: number | undefined,
  decision: 'approved' | 'rejected',
  note: string | null,
): Promise<InstructorApplication> {
  const reviewer = memberOf(ctx)
  if (reviewer.impersonated) throw errors.impersonating()
  return ctx.inTenant(async (tx) => {
    const current = await findOrFail(tx, id, { lock: true })
    if (current.userId === reviewer.userId) throw errors.selfReview()
    assertVersion(expected, current.version)
    if (current.status !== 'pending') throw errors.notPending(current.status)
    await repository.close(tx, id, current.version, { status: decision, reviewedBy: reviewer.userId, reviewNote: note })
    const granted =
      decision === 'approved'
        ? await repository.grantInstructor(tx, {
            tenantId: reviewer.tenantId,
            userId: current.userId,
            grantedBy: principalId(ctx.principal),
          })
        : false
    const action = decision === 'approved' ? 'instructor_application.approved' : 'instructor_application.rejected'
    await recordAudit(tx, ctx, {
      action,
      targetType: 'instructor_application',
      targetId: id,
      details: {
        applicantId: current.userId,
        withNote: note !== null,
        ...(decision === 'approved' ? { roleGranted: granted } : {}),
      },
    })
    if (granted) {
      await recordAudit(tx, ctx, {
        action: 'member.role_granted',
        targetType: 'user',
        targetId: current.userId,
        details: { role: 'instructor', applicationId: id },
      })
      const roles = await sessions.rolesOf(tx, current.userId)
      await deps.events.rolesChanged(tx, ctx, {
        tenantId: reviewer.tenantId,
        userId: current.userId,
        roles,
        granted: ['instructor'],
      })
    }
    // The reviewer's note is written for the applicant; nothing else of the review reaches them.
    await deps.notify(tx, {
      tenantId: reviewer.tenantId,
      type: 'identity.instructor_application_decided',
      eventId: `identity.instructor_application_decided:${id}`,
      recipient: { userId: current.userId },
      params: { approved: decision === 'approved', withNote: note !== null, note: note ?? '' },
    })
    return present(await findOrFail(tx, id))
  })
}

export function createApplicationsService(deps: ApplicationsDeps) {
  return {
    async submit(ctx: RequestContext, body: SubmitApplicationBody): Promise<InstructorApplication> {
      const member = memberOf(ctx)
      const statement = body.statement.trim()
      if (statement.length < STATEMENT_MIN) throw errors.statementTooShort(STATEMENT_MIN)
      const links = checkLinks(body.links ?? [])
      try {
        return await ctx.inTenant(async (tx) => {
          if (await repository.holdsRole(tx, member.userId, 'instructor')) throw errors.alreadyInstructor()
          // The partial unique index, not a prior read, decides: two submissions at once cannot both pass.
          const id = await repository.insert(tx, { tenantId: member.tenantId, userId: member.userId, statement, links })
          await recordAudit(tx, ctx, {
            action: 'instructor_application.submitted',
            targetType: 'instructor_application',
            targetId: id,
            details: { applicantId: member.userId, links: links.length },
          })
          return present(await findOrFail(tx, id))
        })
      } catch (error) {
        if (uniqueViolation(error) === ONE_PENDING) throw errors.pending()
        throw error
      }
    },

    /** The caller's own applications, newest first. */
    listMine: (
      ctx: RequestContext,
      query: { limit: number; cursor?: string | undefined },
    ): Promise<PageResult<InstructorApplication>> =>
      page(ctx, query, { userId: memberOf(ctx).userId, newestFirst: true }),

    /** The review queue (and history), oldest first. */
    list: (
      ctx: RequestContext,
      query: { limit: number; cursor?: string | undefined; status?: ApplicationStatus | undefined },
    ): Promise<PageResult<InstructorApplication>> =>
      page(ctx, query, { ...(query.status ? { status: query.status } : {}), newestFirst: false }),

    async get(ctx: RequestContext, id: string): Promise<InstructorApplication> {
      const member = memberOf(ctx)
      return present(visibleTo(member, await ctx.inTenant((tx) => findOrFail(tx, id))))
    },

    async withdraw(ctx: RequestContext, id: string, expected: number | undefined): Promise<InstructorApplication> {
      const member = memberOf(ctx)
      return ctx.inTenant(async (tx) => {
        const current = await findOrFail(tx, id, { lock: true })
        // Only the applicant withdraws; to anyone else someone else's application does not exist here.
        if (current.userId !== member.userId) throw errors.notFound(id)
        assertVersion(expected, current.version)
        if (current.status !== 'pending') throw errors.notPending(current.status)
        await repository.close(tx, id, current.version, { status: 'withdrawn' })
        await recordAudit(tx, ctx, {
          action: 'instructor_application.withdrawn',
          targetType: 'instructor_application',
          targetId: id,
          details: { applicantId: member.userId },
        })
        return present(await findOrFail(tx, id))
      })
    },

    approve: (ctx: RequestContext, id: string, expected: number | undefined, note: string | undefined) =>
      decide(deps, ctx, id, expected, 'approved', note?.trim() ?? null),
    reject: (ctx: RequestContext, id: string, expected: number | undefined, note: string) =>
      decide(deps, ctx, id, expected, 'rejected', note.trim()),
  }
}

export type ApplicationsService = ReturnType<typeof createApplicationsService>
