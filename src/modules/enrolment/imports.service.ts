/**
 * Bulk enrolment from CSV. The dry run checks every row (syntax, dates, duplicates, unknown
 * addresses, learners already enrolled) and stores the result as an import; the same CSV for the
 * same course is the same import (SHA-256 checksum), so uploading it twice changes nothing.
 * Apply enrols the valid rows in one transaction (all or none: a full or ended cohort refuses the
 * whole apply) and records that it ran, so applying again returns the first result and enrols nobody twice.
 * An ended cohort refuses the dry run too (the whole file, like an archived course).
 */
import { createHash } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { checkRows, type RowError } from './csv.ts'
import { assertCohortOpen, enrol, liveCourse } from './enrol.ts'
import { enrolmentErrors } from './enrolment.errors.ts'
import { enrolmentRepository, userDirectory } from './enrolment.repository.ts'
import type { EnrolmentImport } from './enrolment.schemas.ts'
import { enrolmentImports } from './enrolment.tables.ts'
import { staffSource, tenantOf } from './enrolment.service.ts'
import { missingPrerequisitesOf } from './prerequisites.ts'
import { refusedStaffLearners } from './staff-enrolment.ts'

/** A row that enrols someone when applied (stored in enrolment_imports.rows). */
interface StoredRow {
  row: number
  email: string
  userId: string
  expiresAt: string | null
  alreadyEnrolled: boolean
}

type ImportRecord = typeof enrolmentImports.$inferSelect

const missingRow = (missing: ReadonlyArray<{ slug: string }>) =>
  `has not completed the courses this course's learning paths require first: ${missing.map((c) => c.slug).join(', ')} (an administrator can enrol them with overridePrerequisites)`

/** Row errors for the course's own staff (enrolment.policy staffEnrolmentRefusal). */
const STAFF_ROW: Record<'self' | 'colleague', string> = {
  self: 'you teach this course and cannot enrol yourself in it (a tenant administrator can, or the learning policy can allow it)',
  colleague:
    'teaches this course: its other staff cannot enrol them (a tenant administrator can, or the learning policy can allow it)',
}

function present(record: ImportRecord): EnrolmentImport {
  const rows = record.rows as unknown as StoredRow[]
  return {
    importId: record.id,
    courseId: record.courseId,
    rows: rows.length + record.errors.length,
    valid: rows.filter((r) => !r.alreadyEnrolled).length,
    alreadyEnrolled: rows.filter((r) => r.alreadyEnrolled).map((r) => ({ row: r.row, email: r.email })),
    errors: record.errors,
    createdAt: record.createdAt.toISOString(),
    appliedAt: record.appliedAt?.toISOString() ?? null,
    appliedCount: record.appliedCount,
  }
}

async function findImport(
  tx: Tx,
  where: { id: string } | { courseId: string; checksum: string },
  lock = false,
): Promise<ImportRecord | undefined> {
  const condition =
    'id' in where
      ? eq(enrolmentImports.id, where.id)
      : and(eq(enrolmentImports.courseId, where.courseId), eq(enrolmentImports.checksum, where.checksum))
  const query = tx.select().from(enrolmentImports).where(condition)
  const [row] = lock ? await query.for('update') : await query
  return row
}

/** Enrols the import's valid rows once; a second apply returns the first result. */
async function applyImport(
  deps: { events: EventPublisher },
  ctx: RequestContext,
  importId: string,
): Promise<EnrolmentImport> {
  const now = new Date()
  return ctx.inTenant(async (tx) => {
    // The lock makes a concurrent second apply wait, then see appliedAt and return the first result.
    const record = await findImport(tx, { id: importId }, true)
    if (!record) throw enrolmentErrors.importNotFound(importId)
    const source = await staffSource(tx, ctx, record.courseId)
    if (record.appliedAt) return present(record)
    const course = await liveCourse(tx, record.courseId)
    // Refused as a whole, even when every row is already enrolled: the cohort is closed.
    assertCohortOpen(course, now)
    const rows = record.rows as unknown as StoredRow[]
    // Users disabled since the dry run are left out.
    const stillActive = await userDirectory.byEmails(
      tx,
      rows.map((r) => r.email),
    )
    // Learners who became the course's staff since the dry run (or a policy that changed) are left out too.
    const staffRefused = await refusedStaffLearners(
      tx,
      ctx,
      record.courseId,
      rows.map((r) => r.userId),
      source,
    )
    // So are learners who do not meet the learning paths' prerequisites (now: paths change too).
    const lacking = await missingPrerequisitesOf(
      tx,
      record.courseId,
      rows.map((r) => r.userId),
    )
    let appliedCount = 0
    for (const row of rows) {
      if (stillActive.get(row.email) !== row.userId || staffRefused.has(row.userId) || lacking.has(row.userId)) continue
      const expiresAt = row.expiresAt ? { expiresAt: new Date(row.expiresAt) } : {}
      const result = await enrol(tx, ctx, deps.events, {
        tenantId: tenantOf(ctx),
        userId: row.userId,
        course,
        source: 'import',
        sourceRef: importId,
        enrolledBy: principalId(ctx.principal),
        now,
        ...expiresAt,
      })
      if (result.created) appliedCount++
    }
    const [applied] = await tx
      .update(enrolmentImports)
      .set({ appliedAt: now, appliedCount })
      .where(eq(enrolmentImports.id, importId))
      .returning()
    await recordAudit(tx, ctx, {
      action: 'enrolment_import.applied',
      targetType: 'enrolment_import',
      targetId: importId,
      details: {
        courseId: record.courseId,
        enrolled: appliedCount,
        leftOutCourseStaff: [...staffRefused.keys()],
        leftOutMissingPrerequisites: [...lacking.keys()],
      },
    })
    return present(applied ?? record)
  })
}

export function createImportsService(deps: { events: EventPublisher }) {
  return {
    /** The dry run: `created` is false when this CSV was already uploaded for the course. */
    async dryRun(
      ctx: RequestContext,
      courseId: string,
      csv: string,
    ): Promise<{ report: EnrolmentImport; created: boolean }> {
      const now = new Date()
      const checksum = createHash('sha256').update(csv).digest('hex')
      return ctx.inTenant(async (tx) => {
        const source = await staffSource(tx, ctx, courseId)
        // An ended cohort refuses the whole file, as an archived course does: no row could be applied.
        assertCohortOpen(await liveCourse(tx, courseId), now)
        const known = await findImport(tx, { courseId, checksum })
        if (known) return { report: present(known), created: false }
        const { candidates, errors } = checkRows(csv, now)
        const userIds = await userDirectory.byEmails(
          tx,
          candidates.map((c) => c.email),
        )
        const enrolled = await enrolmentRepository.activeUserIds(tx, courseId, [...userIds.values()])
        const staffRefused = await refusedStaffLearners(tx, ctx, courseId, [...userIds.values()], source)
        const newcomers = [...userIds.values()].filter((id) => !enrolled.has(id))
        const lacking = await missingPrerequisitesOf(tx, courseId, newcomers)
        const rows: StoredRow[] = []
        const rowErrors: RowError[] = [...errors]
        for (const candidate of candidates) {
          const userId = userIds.get(candidate.email)
          const refusal = userId ? staffRefused.get(userId) : undefined
          if (!userId)
            rowErrors.push({
              row: candidate.row,
              field: 'email',
              message: 'no active user of this school has this address',
            })
          else if (refusal) rowErrors.push({ row: candidate.row, field: 'email', message: STAFF_ROW[refusal] })
          else if (lacking.has(userId))
            rowErrors.push({ row: candidate.row, field: 'email', message: missingRow(lacking.get(userId) ?? []) })
          else rows.push({ ...candidate, userId, alreadyEnrolled: enrolled.has(userId) })
        }
        rowErrors.sort((a, b) => a.row - b.row)
        const createdBy = ctx.principal.kind === 'user' ? ctx.principal.userId : null
        if (!createdBy) throw enrolmentErrors.userRequired()
        const [inserted] = await tx
          .insert(enrolmentImports)
          .values({
            tenantId: tenantOf(ctx),
            courseId,
            createdBy,
            checksum,
            rows: rows as unknown as Array<Record<string, unknown>>,
            errors: rowErrors,
          })
          .onConflictDoNothing()
          .returning()
        // The same CSV uploaded concurrently: the first one's import is the answer.
        const record = inserted ?? (await findImport(tx, { courseId, checksum }))
        if (!record) throw new Error('enrolment import vanished between insert and read')
        return { report: present(record), created: inserted !== undefined }
      })
    },

    async get(ctx: RequestContext, importId: string): Promise<EnrolmentImport> {
      return ctx.inTenant(async (tx) => {
        const record = await findImport(tx, { id: importId })
        if (!record) throw enrolmentErrors.importNotFound(importId)
        await staffSource(tx, ctx, record.courseId)
        return present(record)
      })
    },

    apply: (ctx: RequestContext, importId: string) => applyImport(deps, ctx, importId),
  }
}

export type ImportsService = ReturnType<typeof createImportsService>
