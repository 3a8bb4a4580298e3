/**
 * Publishing: freeze the draft (course, modules, lessons, instructors) into an immutable
 * course_versions snapshot, point the course at it, and rewrite the course's catalogue entry
 * (the searchable projection the public catalogue reads). Runs inside the caller's transaction,
 * so the workflow step, the snapshot and the entry commit together.
 */
import { and, asc, eq, isNotNull, sql } from 'drizzle-orm'
import { invalidatePublicCache } from '../../platform/cache/cache-generations.ts'
import type { Tx } from '../../platform/db/database.ts'
import {
  catalogueEntries,
  courseInstructors,
  courseModules,
  courses,
  courseVersions,
  lessons,
  publishedLessonBodies,
} from './catalogue.tables.ts'
import {
  outlineOf,
  type PublishedCourse,
  type PublishedCourseOutline,
  type PublishedLesson,
  type PublishedModule,
  type VersionFields,
} from './published-course.ts'

/** Text-search configurations for the languages PostgreSQL stems; anything else uses 'simple'. */
const SEARCH_CONFIGS: Record<string, string> = {
  da: 'danish',
  de: 'german',
  en: 'english',
  es: 'spanish',
  fi: 'finnish',
  fr: 'french',
  hu: 'hungarian',
  it: 'italian',
  nl: 'dutch',
  no: 'norwegian',
  pt: 'portuguese',
  ro: 'romanian',
  ru: 'russian',
  sv: 'swedish',
  tr: 'turkish',
}

/** Every stemming configuration a catalogue entry may be indexed with (search queries them all). */
export const STEMMING_CONFIGS = [...new Set(Object.values(SEARCH_CONFIGS))]

export function searchConfigFor(language: string): string {
  return SEARCH_CONFIGS[language.toLowerCase().split('-')[0] ?? ''] ?? 'simple'
}

const iso = (value: Date | null) => (value ? value.toISOString() : null)

/** The draft as a snapshot (not yet stored): what learners would see if it were published now. */
export async function snapshotDraft(
  tx: Tx,
  courseId: string,
): Promise<Omit<PublishedCourse, 'versionId' | 'versionNumber' | 'publishedAt'> | null> {
  const [course] = await tx.select().from(courses).where(eq(courses.id, courseId))
  if (!course) return null
  const moduleRows = await tx
    .select()
    .from(courseModules)
    .where(eq(courseModules.courseId, courseId))
    .orderBy(asc(courseModules.position))
  const lessonRows = await tx
    .select()
    .from(lessons)
    .where(eq(lessons.courseId, courseId))
    .orderBy(asc(lessons.position))
  const staff = await tx
    .select({ userId: courseInstructors.userId, role: courseInstructors.role })
    .from(courseInstructors)
    .where(eq(courseInstructors.courseId, courseId))
  const modules: PublishedModule[] = moduleRows.map((m) => ({
    id: m.id,
    position: m.position,
    title: m.title,
    releaseAt: iso(m.releaseAt),
    releaseOffsetDays: m.releaseOffsetDays,
    lessons: lessonRows.filter((l) => l.moduleId === m.id).map(toPublishedLesson),
  }))
  // The owner first, then co-instructors in a stable order.
  const instructorIds = staff
    .sort((a, b) => (a.role === b.role ? a.userId.localeCompare(b.userId) : a.role === 'owner' ? -1 : 1))
    .map((s) => s.userId)
  return {
    courseId: course.id,
    slug: course.slug,
    title: course.title,
    summary: course.summary,
    description: course.description,
    level: course.level,
    language: course.language,
    category: course.category,
    tags: course.tags,
    coverImageRef: course.coverImageRef,
    delivery: course.delivery,
    cohortStartsAt: iso(course.cohortStartsAt),
    cohortEndsAt: iso(course.cohortEndsAt),
    capacity: course.capacity,
    accessDays: course.accessDays,
    instructorIds,
    modules,
  }
}

function toPublishedLesson(l: typeof lessons.$inferSelect): PublishedLesson {
  return {
    id: l.id,
    moduleId: l.moduleId,
    position: l.position,
    kind: l.kind,
    title: l.title,
    body: l.body,
    assetRef: l.assetRef,
    url: l.url,
    durationMinutes: l.durationMinutes,
    preview: l.preview,
    releaseAt: iso(l.releaseAt),
    releaseOffsetDays: l.releaseOffsetDays,
    prerequisites: l.prerequisites,
  }
}

/** A lesson of the draft as publication participants see it. */
export interface DraftLesson {
  id: string
  kind: string
  /** The media the lesson uses (the asset library's id), or null. */
  assetRef: string | null
}

/**
 * Another module whose per-lesson content is published with a course version (the assessment
 * module: quiz and assignment settings). Registered by that module when it is created, keyed by
 * name so creating the app again replaces rather than repeats it.
 */
export interface PublicationParticipant {
  /** Throws a problem when the draft cannot be published as it is (a quiz lesson without questions). */
  check(tx: Tx, courseId: string, lessons: readonly DraftLesson[]): Promise<void>
  /** Whether its part of the draft differs from what the live version froze. */
  changedSince(tx: Tx, courseId: string, versionId: string, lessons: readonly DraftLesson[]): Promise<boolean>
  /** Freezes its part into the new version, in the publishing transaction. */
  freeze(tx: Tx, course: PublishedCourse): Promise<void>
}
const participants = new Map<string, PublicationParticipant>()

export function registerPublicationParticipant(name: string, participant: PublicationParticipant): void {
  participants.set(name, participant)
}

const draftLessons = (tx: Tx, courseId: string): Promise<DraftLesson[]> =>
  tx
    .select({ id: lessons.id, kind: lessons.kind, assetRef: lessons.assetRef })
    .from(lessons)
    .where(eq(lessons.courseId, courseId))

/** Runs every participant's check on the draft (review submission, approval, direct publication). */
export async function checkParticipants(tx: Tx, courseId: string): Promise<void> {
  if (participants.size === 0) return
  const draft = await draftLessons(tx, courseId)
  for (const participant of participants.values()) await participant.check(tx, courseId, draft)
}

/** Whether any participant's part of the draft changed since the live version was published. */
export async function participantsChanged(tx: Tx, courseId: string, versionId: string): Promise<boolean> {
  if (participants.size === 0) return false
  const draft = await draftLessons(tx, courseId)
  for (const participant of participants.values())
    if (await participant.changedSince(tx, courseId, versionId, draft)) return true
  return false
}

/** Publishes the current draft as the next version. Returns null when the course does not exist (or is another tenant's). */
export async function publishCourse(tx: Tx, courseId: string, publishedBy: string): Promise<PublishedCourse | null> {
  // Two publications of one course at once would both pick the same next number: lock the course first.
  const [locked] = await tx
    .select({ tenantId: courses.tenantId, free: courses.free })
    .from(courses)
    .where(eq(courses.id, courseId))
    .for('update')
  if (!locked) return null
  const draft = await snapshotDraft(tx, courseId)
  if (!draft) return null
  const [last] = await tx
    .select({ number: sql<number>`coalesce(max(${courseVersions.number}), 0)::int` })
    .from(courseVersions)
    .where(eq(courseVersions.courseId, courseId))
  const number = (last?.number ?? 0) + 1
  const publishedAt = new Date()
  const tenantId = sql`(select tenant_id from catalogue.courses where id = ${courseId})`
  const [version] = await tx
    .insert(courseVersions)
    .values({
      tenantId,
      courseId,
      number,
      snapshot: draft as unknown as Record<string, unknown>,
      outline: outlineOf(draft) as unknown as Record<string, unknown>,
      publishedBy,
      publishedAt,
    })
    .returning({ id: courseVersions.id })
  if (!version) throw new Error('course version insert returned no row')
  const bodies = draft.modules.flatMap((m) =>
    m.lessons.map((l) => ({ tenantId, versionId: version.id, lessonId: l.id, body: l.body })),
  )
  if (bodies.length > 0) await tx.insert(publishedLessonBodies).values(bodies)
  await tx
    .update(courses)
    .set({ status: 'published', publishedVersionId: version.id, updatedAt: publishedAt })
    .where(eq(courses.id, courseId))
  const published: PublishedCourse = {
    ...draft,
    versionId: version.id,
    versionNumber: number,
    publishedAt: publishedAt.toISOString(),
  }
  for (const participant of participants.values()) await participant.freeze(tx, published)
  await writeCatalogueEntry(tx, published, locked.free)
  await invalidatePublicCache(tx, locked.tenantId, 'catalogue')
  return published
}

async function writeCatalogueEntry(tx: Tx, course: PublishedCourse, free: boolean): Promise<void> {
  const config = searchConfigFor(course.language)
  const lessonsOf = course.modules.flatMap((m) => m.lessons)
  const values = {
    versionId: course.versionId,
    slug: course.slug,
    title: course.title,
    summary: course.summary,
    level: course.level,
    language: course.language,
    category: course.category,
    tags: course.tags,
    instructorIds: course.instructorIds,
    coverImageRef: course.coverImageRef,
    delivery: course.delivery,
    // A course priced while it was a draft (or while archived) enters the catalogue as paid.
    free,
    lessonCount: lessonsOf.length,
    durationMinutes: lessonsOf.reduce((sum, l) => sum + (l.durationMinutes ?? 0), 0),
    // Stemmed in the course's language and unstemmed ('simple'), so exact words match in any language.
    search: sql`setweight(to_tsvector(${config}::regconfig, ${course.title}), 'A')
      || setweight(to_tsvector(${config}::regconfig, ${course.summary}), 'B')
      || setweight(to_tsvector(${config}::regconfig, ${course.description}), 'C')
      || setweight(to_tsvector('simple', ${course.title}), 'A')`,
    publishedAt: new Date(course.publishedAt),
  }
  await tx
    .insert(catalogueEntries)
    .values({
      courseId: course.courseId,
      tenantId: sql`(select tenant_id from catalogue.courses where id = ${course.courseId})`,
      ...values,
    })
    .onConflictDoUpdate({ target: catalogueEntries.courseId, set: values })
}

/** Takes a course out of the catalogue (archive); its versions stay for enrolled learners' records. */
export async function removeCatalogueEntry(tx: Tx, courseId: string): Promise<void> {
  const [removed] = await tx
    .delete(catalogueEntries)
    .where(eq(catalogueEntries.courseId, courseId))
    .returning({ tenantId: catalogueEntries.tenantId })
  if (removed) await invalidatePublicCache(tx, removed.tenantId, 'catalogue')
}

/** A live or archived published version, as the learner-facing reads return it. */
export interface Published<C> {
  course: C
  status: 'published' | 'archived'
}

const versionColumns = {
  outline: courseVersions.outline,
  id: courseVersions.id,
  number: courseVersions.number,
  publishedAt: courseVersions.publishedAt,
  status: courses.status,
}

type VersionRow = { outline: Record<string, unknown>; id: string; number: number; publishedAt: Date; status: string }

function publishedOutline(row: VersionRow): Published<PublishedCourseOutline> {
  const outline = row.outline as unknown as Omit<PublishedCourseOutline, VersionFields>
  return {
    course: { ...outline, versionId: row.id, versionNumber: row.number, publishedAt: row.publishedAt.toISOString() },
    status: row.status === 'archived' ? 'archived' : 'published',
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The outline (everything but lesson bodies) of the published version learners see, and whether
 * it is live: 'published' while the course is not archived (also while a revised draft is in
 * review: the last approved version stays live), 'archived' once it was taken out of the
 * catalogue. Null when nothing was ever published. Learner actions read this on every request,
 * so it never carries the bodies (readPublishedLesson reads one).
 */
export async function readPublishedCourse(tx: Tx, courseId: string): Promise<Published<PublishedCourseOutline> | null> {
  const [row] = await tx
    .select(versionColumns)
    .from(courses)
    .innerJoin(
      courseVersions,
      and(eq(courseVersions.id, courses.publishedVersionId), eq(courseVersions.courseId, courses.id)),
    )
    .where(eq(courses.id, courseId))
  return row ? publishedOutline(row) : null
}

/**
 * readPublishedCourse and the body of one of its lessons, in one statement: the outline and the
 * lesson's own row of published_lesson_bodies (null when the version has no such lesson). What
 * the entitlement check reads for a lesson, instead of the whole snapshot.
 */
export async function readPublishedLesson(
  tx: Tx,
  courseId: string,
  lessonId: string,
): Promise<(Published<PublishedCourseOutline> & { body: string | null }) | null> {
  // A lesson id that is not a UUID names no lesson; it must not reach the uuid comparison.
  const lesson = UUID.test(lessonId) ? lessonId : null
  const [row] = await tx
    .select({ ...versionColumns, body: publishedLessonBodies.body })
    .from(courses)
    .innerJoin(
      courseVersions,
      and(eq(courseVersions.id, courses.publishedVersionId), eq(courseVersions.courseId, courses.id)),
    )
    .leftJoin(
      publishedLessonBodies,
      and(
        eq(publishedLessonBodies.versionId, courseVersions.id),
        sql`${publishedLessonBodies.lessonId} = ${lesson}::uuid`,
      ),
    )
    .where(eq(courses.id, courseId))
  return row ? { ...publishedOutline(row), body: row.body } : null
}

/** Whether the course was ever published (live or archived): the courses enrolments belong to. */
export async function wasPublished(tx: Tx, courseId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: courses.id })
    .from(courses)
    .where(and(eq(courses.id, courseId), isNotNull(courses.publishedVersionId)))
  return row !== undefined
}

/** 'owner', 'co_instructor', or null: what the user is to this course. */
export async function courseStaffRole(
  tx: Tx,
  courseId: string,
  userId: string,
): Promise<'owner' | 'co_instructor' | null> {
  const [row] = await tx
    .select({ role: courseInstructors.role })
    .from(courseInstructors)
    .where(and(eq(courseInstructors.courseId, courseId), eq(courseInstructors.userId, userId)))
  return row?.role ?? null
}

/** The users who teach the course (its owner and co-instructors). */
export async function courseStaffIds(tx: Tx, courseId: string): Promise<Set<string>> {
  const rows = await tx
    .select({ userId: courseInstructors.userId })
    .from(courseInstructors)
    .where(eq(courseInstructors.courseId, courseId))
  return new Set(rows.map((row) => row.userId))
}
