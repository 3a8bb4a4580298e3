import { Type, type Static, type TSchema } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { COURSE_STATUSES } from '../catalogue.tables.ts'
import { LESSON_KINDS } from '../lesson-kinds.ts'

const Id = Type.String({ format: 'uuid' })
/**
 * `type: [x, 'null']` rather than a union: with the server's type coercion a union's first branch
 * would turn a JSON null into 0 or "" before the null branch is tried.
 */
const Nullable = <T extends TSchema & { type: string }>(schema: T) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] })
const Instant = Type.String({ format: 'date-time' })
const Title = Type.String({ minLength: 1, maxLength: 200 })

const Slug = Type.String({
  minLength: 1,
  maxLength: 80,
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$',
  description: 'Lower-case letters, digits and hyphens; unique in the tenant',
})
const Level = Type.Union([
  Type.Literal('beginner'),
  Type.Literal('intermediate'),
  Type.Literal('advanced'),
  Type.Literal('all'),
])
const Language = Type.String({
  minLength: 2,
  maxLength: 35,
  pattern: '^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$',
  description: 'BCP 47 language tag, e.g. en, pt-BR',
})
const Tag = Type.String({ minLength: 1, maxLength: 40, pattern: '^[^\\s].*$' })
const Delivery = Type.Union([Type.Literal('self_paced'), Type.Literal('cohort')])
const StorageRef = Type.String({
  minLength: 1,
  maxLength: 500,
  description: 'Storage reference resolved by the media module',
})
const Status = Type.Unsafe<(typeof COURSE_STATUSES)[number]>({ type: 'string', enum: [...COURSE_STATUSES] })
const LessonKind = Type.Unsafe<(typeof LESSON_KINDS)[number]>({ type: 'string', enum: [...LESSON_KINDS] })
const OffsetDays = Type.Integer({ minimum: 0, maximum: 3650, description: 'Days after enrolment' })
const Comment = Type.String({ minLength: 1, maxLength: 5000 })

const courseFields = {
  title: Title,
  summary: Type.String({ maxLength: 500 }),
  description: Type.String({ maxLength: 50_000, description: 'Markdown' }),
  level: Level,
  language: Language,
  category: Nullable(Type.String({ minLength: 1, maxLength: 80 })),
  tags: Type.Array(Tag, { maxItems: 20, uniqueItems: true }),
  coverImageRef: Nullable(StorageRef),
  delivery: Delivery,
  cohortStartsAt: Nullable(Instant),
  cohortEndsAt: Nullable(Instant),
  capacity: Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Seats (required for cohorts)' })),
  accessDays: Nullable(
    Type.Integer({ minimum: 1, maximum: 36_500, description: 'Access length after enrolment; null = no expiry' }),
  ),
}

const optional = <T extends Record<string, Parameters<typeof Type.Optional>[0]>>(fields: T) =>
  Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, Type.Optional(schema)])) as {
    [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>>
  }

export const CreateCourseBody = Type.Object(
  { slug: Slug, ...optional(courseFields), title: Title },
  { additionalProperties: false },
)
export type CreateCourseBody = Static<typeof CreateCourseBody>

export const UpdateCourseBody = Type.Object(
  { slug: Type.Optional(Slug), ...optional(courseFields) },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateCourseBody = Static<typeof UpdateCourseBody>

const dripFields = { releaseAt: Nullable(Instant), releaseOffsetDays: Nullable(OffsetDays) }

export const CreateModuleBody = Type.Object({ title: Title, ...optional(dripFields) }, { additionalProperties: false })
export type CreateModuleBody = Static<typeof CreateModuleBody>
export const UpdateModuleBody = Type.Object(
  { title: Type.Optional(Title), ...optional(dripFields) },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateModuleBody = Static<typeof UpdateModuleBody>

const lessonFields = {
  title: Title,
  body: Type.String({ maxLength: 200_000, description: 'Markdown (text lessons; an introduction for the others)' }),
  assetRef: Nullable(StorageRef),
  url: Nullable(Type.String({ minLength: 1, maxLength: 2000, description: 'https URL of a link lesson' })),
  durationMinutes: Nullable(Type.Integer({ minimum: 0, maximum: 100_000 })),
  preview: Type.Boolean({ description: 'Readable without an enrolment' }),
  ...dripFields,
  prerequisites: Type.Array(Id, {
    maxItems: 100,
    uniqueItems: true,
    description: 'Other lessons of this course to complete first',
  }),
}

export const CreateLessonBody = Type.Object(
  { kind: LessonKind, ...optional(lessonFields), title: Title },
  { additionalProperties: false },
)
export type CreateLessonBody = Static<typeof CreateLessonBody>
export const UpdateLessonBody = Type.Object(
  { kind: Type.Optional(LessonKind), ...optional(lessonFields) },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateLessonBody = Static<typeof UpdateLessonBody>

export const StructureBody = Type.Object(
  {
    modules: Type.Array(
      Type.Object({ id: Id, lessonIds: Type.Array(Id, { maxItems: 1000 }) }, { additionalProperties: false }),
      {
        maxItems: 500,
        description: 'Every module of the course in its new order, each with every one of its lessons in order',
      },
    ),
  },
  { additionalProperties: false },
)
export type StructureBody = Static<typeof StructureBody>

export const Lesson = Type.Object(
  {
    id: Id,
    moduleId: Id,
    position: Type.Integer(),
    kind: LessonKind,
    title: Type.String(),
    body: Type.String(),
    assetRef: Nullable(Type.String()),
    url: Nullable(Type.String()),
    durationMinutes: Nullable(Type.Integer()),
    preview: Type.Boolean(),
    releaseAt: Nullable(Instant),
    releaseOffsetDays: Nullable(Type.Integer()),
    prerequisites: Type.Array(Id),
  },
  { $id: 'AuthoringLesson', additionalProperties: false },
)

export const Module = Type.Object(
  {
    id: Id,
    position: Type.Integer(),
    title: Type.String(),
    releaseAt: Nullable(Instant),
    releaseOffsetDays: Nullable(Type.Integer()),
    lessons: Type.Array(Type.Ref('AuthoringLesson')),
  },
  { $id: 'AuthoringModule', additionalProperties: false },
)

const summaryFields = {
  id: Id,
  slug: Type.String(),
  title: Type.String(),
  status: Status,
  delivery: Delivery,
  ownerId: Id,
  version: Type.Integer({ description: 'The ETag is "v<version>"' }),
  publishedVersionId: Nullable(Id),
  createdAt: Instant,
  updatedAt: Instant,
}

export const CourseSummary = Type.Object(summaryFields, { $id: 'CourseSummary', additionalProperties: false })

export const Course = Type.Object(
  {
    ...summaryFields,
    summary: Type.String(),
    description: Type.String(),
    level: Level,
    language: Type.String(),
    category: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    coverImageRef: Nullable(Type.String()),
    cohortStartsAt: Nullable(Instant),
    cohortEndsAt: Nullable(Instant),
    capacity: Nullable(Type.Integer()),
    accessDays: Nullable(Type.Integer()),
    instructors: Type.Array(
      Type.Object(
        { userId: Id, role: Type.Union([Type.Literal('owner'), Type.Literal('co_instructor')]) },
        { additionalProperties: false },
      ),
    ),
    publishedVersion: Nullable(
      Type.Object({ id: Id, number: Type.Integer(), publishedAt: Instant }, { additionalProperties: false }),
    ),
    hasUnpublishedChanges: Type.Boolean({
      description: 'The draft differs from the published version (always false before the first publication)',
    }),
    modules: Type.Array(Type.Ref('AuthoringModule')),
  },
  { $id: 'AuthoringCourse', additionalProperties: false },
)

export const Review = Type.Object(
  {
    id: Id,
    action: Type.Union(
      ['submitted', 'approved', 'changes_requested', 'published', 'archived', 'withdrawn'].map((a) => Type.Literal(a)),
    ),
    comment: Nullable(Type.String()),
    actorId: Id,
    createdAt: Instant,
  },
  { $id: 'CourseReview', additionalProperties: false },
)

export const CourseQuery = Type.Object(
  { ...PageQuery.properties, status: Type.Optional(Status) },
  { additionalProperties: false },
)
export type CourseQuery = Static<typeof CourseQuery>

export const CourseParams = Type.Object({ courseId: Id }, { additionalProperties: false })
export const ModuleParams = Type.Object({ courseId: Id, moduleId: Id }, { additionalProperties: false })
export const LessonParams = Type.Object({ courseId: Id, lessonId: Id }, { additionalProperties: false })
export const InstructorParams = Type.Object({ courseId: Id, userId: Id }, { additionalProperties: false })

export const OptionalCommentBody = Type.Object({ comment: Type.Optional(Comment) }, { additionalProperties: false })
export const RequiredCommentBody = Type.Object({ comment: Comment }, { additionalProperties: false })
