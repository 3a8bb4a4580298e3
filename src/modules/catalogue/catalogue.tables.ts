/**
 * Catalogue: courses as authors edit them (the draft: courses, course_modules, lessons), the
 * immutable snapshots learners see (course_versions), the searchable projection of each
 * published course (catalogue_entries) and learning paths. Lesson ids are stable across
 * versions, so progress and grades keep pointing at the same lesson after a republish.
 */
import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'
import { LESSON_KINDS } from './lesson-kinds.ts'

export const catalogueSchema = pgSchema('catalogue')

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })
/** A bit string (PostgreSQL `bit varying`), read and written only by the catalogue's SQL functions. */
export const varbit = customType<{ data: string }>({ dataType: () => 'bit varying' })
const at = (name: string) => timestamp(name, { withTimezone: true })

export const COURSE_STATUSES = ['draft', 'in_review', 'published', 'archived'] as const

/** The editable draft of a course; `published_version_id` names what learners currently see. */
export const courses = catalogueSchema
  .table(
    'courses',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      slug: text('slug').notNull(),
      title: text('title').notNull(),
      summary: text('summary').notNull().default(''),
      description: text('description').notNull().default(''),
      level: text('level', { enum: ['beginner', 'intermediate', 'advanced', 'all'] })
        .notNull()
        .default('all'),
      /** BCP 47 language tag of the course content. */
      language: text('language').notNull().default('en'),
      category: text('category'),
      tags: jsonb('tags').$type<string[]>().notNull().default([]),
      /** Storage reference of the cover image (the media module resolves it). */
      coverImageRef: text('cover_image_ref'),
      delivery: text('delivery', { enum: ['self_paced', 'cohort'] })
        .notNull()
        .default('self_paced'),
      cohortStartsAt: at('cohort_starts_at'),
      cohortEndsAt: at('cohort_ends_at'),
      /** Seats of a cohort course (NULL = unlimited); enrolment counts them atomically. */
      capacity: integer('capacity'),
      /** Access length after enrolment in days (NULL = no expiry). */
      accessDays: integer('access_days'),
      status: text('status', { enum: COURSE_STATUSES }).notNull().default('draft'),
      ownerId: uuid('owner_id').notNull(),
      publishedVersionId: uuid('published_version_id'),
      /**
       * Whether learners may enrol without paying: false while the course has an active price
       * (commerce calls setCourseFree in the transaction of every price change). Not part of the
       * draft or of a version: it changes neither `version` nor what a publication freezes; each
       * publication copies it into the catalogue entry.
       */
      free: boolean('free').notNull().default(true),
      /** Bumped by every change to the course, its modules or lessons (ETag / If-Match). */
      version: integer('version').notNull().default(1),
      createdAt: at('created_at').notNull().defaultNow(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      uniqueIndex('courses_tenant_slug_key').on(t.tenantId, t.slug),
      check('courses_slug_format', sql`${t.slug} ~ '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$'`),
      check('courses_capacity_positive', sql`${t.capacity} IS NULL OR ${t.capacity} > 0`),
      check('courses_access_days_positive', sql`${t.accessDays} IS NULL OR ${t.accessDays} > 0`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const courseInstructors = catalogueSchema
  .table(
    'course_instructors',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id')
        .notNull()
        .references(() => courses.id),
      userId: uuid('user_id').notNull(),
      role: text('role', { enum: ['owner', 'co_instructor'] }).notNull(),
      addedAt: at('added_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.courseId, t.userId] }),
      index('course_instructors_user_idx').on(t.tenantId, t.userId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Drip release shared by modules and lessons: an absolute instant, or days after enrolment. */
const dripColumns = () => ({
  releaseAt: at('release_at'),
  releaseOffsetDays: integer('release_offset_days'),
})

export const courseModules = catalogueSchema
  .table(
    'course_modules',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id')
        .notNull()
        .references(() => courses.id),
      position: integer('position').notNull(),
      title: text('title').notNull(),
      ...dripColumns(),
    },
    (t) => [
      index('course_modules_course_idx').on(t.courseId, t.position),
      check('course_modules_one_drip_rule', sql`${t.releaseAt} IS NULL OR ${t.releaseOffsetDays} IS NULL`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const lessons = catalogueSchema
  .table(
    'lessons',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id')
        .notNull()
        .references(() => courses.id),
      moduleId: uuid('module_id')
        .notNull()
        .references(() => courseModules.id),
      position: integer('position').notNull(),
      kind: text('kind', { enum: LESSON_KINDS }).notNull(),
      title: text('title').notNull(),
      /** Markdown body (text lessons; intro text for the others). */
      body: text('body').notNull().default(''),
      /** Video or file lessons: storage reference of the asset. */
      assetRef: text('asset_ref'),
      /** External link lessons. */
      url: text('url'),
      /** Minutes a learner is expected to spend (catalogue duration). */
      durationMinutes: integer('duration_minutes'),
      /** Free preview: readable without an enrolment. */
      preview: boolean('preview').notNull().default(false),
      ...dripColumns(),
      /** Lesson ids that must be completed first. */
      prerequisites: jsonb('prerequisites').$type<string[]>().notNull().default([]),
    },
    (t) => [
      index('lessons_module_idx').on(t.moduleId, t.position),
      index('lessons_course_idx').on(t.courseId),
      check('lessons_one_drip_rule', sql`${t.releaseAt} IS NULL OR ${t.releaseOffsetDays} IS NULL`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** An immutable published snapshot of a course: its fields, modules and lessons as JSON. */
export const courseVersions = catalogueSchema
  .table(
    'course_versions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id')
        .notNull()
        .references(() => courses.id),
      number: integer('number').notNull(),
      snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
      /** The snapshot without lesson bodies: what learner actions read (published-course.ts). */
      outline: jsonb('outline').$type<Record<string, unknown>>().notNull(),
      publishedBy: uuid('published_by').notNull(),
      publishedAt: at('published_at').notNull().defaultNow(),
    },
    (t) => [uniqueIndex('course_versions_number_key').on(t.courseId, t.number), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/**
 * Each published lesson's body, once more beside its version's snapshot, so that a lesson read
 * fetches one body instead of the whole course (bodies are up to 200 KB each). Written with the
 * version, never changed (a version is immutable).
 */
export const publishedLessonBodies = catalogueSchema
  .table(
    'published_lesson_bodies',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      versionId: uuid('version_id')
        .notNull()
        .references(() => courseVersions.id),
      lessonId: uuid('lesson_id').notNull(),
      body: text('body').notNull(),
    },
    (t) => [primaryKey({ columns: [t.versionId, t.lessonId] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/** Review history: submissions, approvals and change requests with their comments. */
export const courseReviews = catalogueSchema
  .table(
    'course_reviews',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id')
        .notNull()
        .references(() => courses.id),
      action: text('action', {
        enum: ['submitted', 'approved', 'changes_requested', 'published', 'archived', 'withdrawn'],
      }).notNull(),
      comment: text('comment'),
      actorId: uuid('actor_id').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [index('course_reviews_course_idx').on(t.courseId, t.createdAt), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/**
 * What the public catalogue lists and searches: one row per published course, rewritten on each
 * publish from the snapshot, so listing is one query with no joins.
 */
export const catalogueEntries = catalogueSchema
  .table(
    'catalogue_entries',
    {
      courseId: uuid('course_id')
        .primaryKey()
        .references(() => courses.id),
      tenantId: tenantIdColumn().references(() => tenants.id),
      versionId: uuid('version_id')
        .notNull()
        .references(() => courseVersions.id),
      slug: text('slug').notNull(),
      title: text('title').notNull(),
      summary: text('summary').notNull(),
      level: text('level').notNull(),
      language: text('language').notNull(),
      category: text('category'),
      tags: jsonb('tags').$type<string[]>().notNull(),
      instructorIds: jsonb('instructor_ids').$type<string[]>().notNull(),
      coverImageRef: text('cover_image_ref'),
      delivery: text('delivery').notNull(),
      /** The course's `free` (courses.free), copied at each publication and kept equal by setCourseFree. */
      free: boolean('free').notNull().default(true),
      lessonCount: integer('lesson_count').notNull(),
      durationMinutes: integer('duration_minutes').notNull(),
      /** Weighted title (A), summary (B) and description (C), in the course language's configuration. */
      search: tsvector('search').notNull(),
      publishedAt: at('published_at').notNull(),
    },
    (t) => [
      uniqueIndex('catalogue_entries_slug_key').on(t.tenantId, t.slug),
      index('catalogue_entries_published_idx').on(t.tenantId, t.publishedAt, t.courseId),
      index('catalogue_entries_search_idx').using('gin', t.search),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * How many catalogue entries each tenant has per facet value ('total' has the value ''), kept
 * exact by statement triggers on catalogue_entries in the writing transaction (migration 0024),
 * so the unfiltered facets read a few dozen rows instead of counting the whole catalogue.
 * `bits` has the bit of each course's search ordinal (catalogue_search_ordinals) set while its
 * entry has the value (migrations 0066–0067): filtered facets AND these instead of counting entries.
 */
export const catalogueFacetCounts = catalogueSchema
  .table(
    'catalogue_facet_counts',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      facet: text('facet', { enum: ['total', 'category', 'level', 'language', 'free', 'tag'] }).notNull(),
      value: text('value').notNull(),
      count: integer('count').notNull(),
      bits: varbit('bits')
        .notNull()
        .default(sql`B''`),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.facet, t.value] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export const learningPaths = catalogueSchema
  .table(
    'learning_paths',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      slug: text('slug').notNull(),
      title: text('title').notNull(),
      summary: text('summary').notNull().default(''),
      status: text('status', { enum: ['draft', 'published', 'archived'] })
        .notNull()
        .default('draft'),
      createdBy: uuid('created_by').notNull(),
      version: integer('version').notNull().default(1),
      createdAt: at('created_at').notNull().defaultNow(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [uniqueIndex('learning_paths_tenant_slug_key').on(t.tenantId, t.slug), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export const learningPathCourses = catalogueSchema
  .table(
    'learning_path_courses',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      pathId: uuid('path_id')
        .notNull()
        .references(() => learningPaths.id),
      courseId: uuid('course_id')
        .notNull()
        .references(() => courses.id),
      position: integer('position').notNull(),
      /** Course ids of this path that must be completed before this one. */
      prerequisites: jsonb('prerequisites').$type<string[]>().notNull().default([]),
    },
    (t) => [
      primaryKey({ columns: [t.pathId, t.courseId] }),
      // Enrolment looks up the paths of one course (their prerequisites are enforced when enrolling).
      index('learning_path_courses_course_idx').on(t.tenantId, t.courseId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * The tenant's learning policy: what course staff may do with the courses they teach. One row
 * per tenant, written by tenant administrators; no row means the defaults (learning-policy.ts).
 */
export const learningPolicies = catalogueSchema
  .table(
    'learning_policies',
    {
      tenantId: tenantIdColumn()
        .primaryKey()
        .references(() => tenants.id),
      /** Staff of a course may be enrolled in it by themselves or by its other staff (default: refused). */
      allowStaffSelfEnrolment: boolean('allow_staff_self_enrolment').notNull().default(false),
      /** Administrators may publish courses they teach directly, without an independent review (default: allowed). */
      allowSelfPublication: boolean('allow_self_publication').notNull().default(true),
      version: integer('version').notNull().default(1),
      /** principalId of the last writer. */
      updatedBy: text('updated_by').notNull(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
