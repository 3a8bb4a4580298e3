import { Type, type Static } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.ts'
import { ENROLMENT_SOURCES, ENROLMENT_STATUSES } from './enrolment.tables.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const NullableInstant = Type.Union([Instant, Type.Null()])

export const Enrolment = Type.Object(
  {
    id: Id,
    userId: Id,
    courseId: Id,
    status: Type.Unsafe<(typeof ENROLMENT_STATUSES)[number]>({ type: 'string', enum: [...ENROLMENT_STATUSES] }),
    source: Type.Unsafe<(typeof ENROLMENT_SOURCES)[number]>({
      type: 'string',
      enum: [...ENROLMENT_SOURCES],
      description:
        'What opened the current access period (further grants, e.g. a second purchase, may stand behind it)',
    }),
    sourceRef: Type.Union([Type.String(), Type.Null()], {
      description: 'The import, order or subscription that opened the current access period',
    }),
    enrolledBy: Type.String({ description: 'Who granted access, e.g. user:<id>' }),
    enrolledAt: Instant,
    expiresAt: Type.Union([Instant, Type.Null()], {
      description: 'End of access: the latest end among its grants; null = no end',
    }),
    endedAt: NullableInstant,
    completedAt: NullableInstant,
  },
  { $id: 'Enrolment', additionalProperties: false },
)
export type Enrolment = Static<typeof Enrolment>

export const CourseParams = Type.Object({ courseId: Id }, { additionalProperties: false })
export const EnrolmentParams = Type.Object({ enrolmentId: Id }, { additionalProperties: false })
export const LessonParams = Type.Object({ courseId: Id, lessonId: Id }, { additionalProperties: false })

export const StaffEnrolmentBody = Type.Object(
  {
    userId: Type.String({ format: 'uuid', description: 'An active user of the tenant' }),
    expiresAt: Type.Optional(
      Type.Union([Instant, Type.Null()], {
        description:
          "End of access; omitted = the course's access period from now (from the cohort's start when it has not started); null = no end",
      }),
    ),
    overridePrerequisites: Type.Optional(
      Type.Boolean({
        description:
          'Enrol even though the learner has not completed the prerequisite courses learning paths require (409 PREREQUISITES_NOT_MET otherwise). Tenant administrators (enrolments:manage) only, never for themselves (403 PREREQUISITE_OVERRIDE_FORBIDDEN); audited as enrolment.prerequisites_overridden when something was missing.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type StaffEnrolmentBody = Static<typeof StaffEnrolmentBody>

export const CourseEnrolmentQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(
      Type.Unsafe<(typeof ENROLMENT_STATUSES)[number]>({
        type: 'string',
        enum: [...ENROLMENT_STATUSES],
        description: 'Only enrolments in this status',
      }),
    ),
  },
  { additionalProperties: false },
)
export type CourseEnrolmentQuery = Static<typeof CourseEnrolmentQuery>

export const LearnerLesson = Type.Object(
  {
    courseId: Id,
    versionId: Type.String({ format: 'uuid', description: 'The published version the content comes from' }),
    enrolmentId: Type.Union([Id, Type.Null()], {
      description: 'Null when a preview lesson is read without an enrolment',
    }),
    lesson: Type.Object(
      {
        id: Id,
        moduleId: Id,
        position: Type.Integer(),
        kind: Type.String({ enum: ['text', 'video', 'file', 'quiz', 'assignment', 'link'] }),
        title: Type.String(),
        body: Type.String(),
        assetRef: Type.Union([Type.String(), Type.Null()], {
          description: 'Video and file lessons; null for quizzes and assignments (served by assessments)',
        }),
        url: Type.Union([Type.String(), Type.Null()], { description: 'Link lessons' }),
        durationMinutes: Type.Union([Type.Integer(), Type.Null()]),
        preview: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'LearnerLesson', additionalProperties: false },
)
export type LearnerLesson = Static<typeof LearnerLesson>

export const ImportRowError = Type.Object(
  { row: Type.Integer({ description: '1-based line of the CSV' }), field: Type.String(), message: Type.String() },
  { additionalProperties: false },
)

export const EnrolmentImport = Type.Object(
  {
    importId: Id,
    courseId: Id,
    rows: Type.Integer({ description: 'Data rows read (header excluded)' }),
    valid: Type.Integer({ description: 'Rows that enrol a learner when applied' }),
    alreadyEnrolled: Type.Array(
      Type.Object({ row: Type.Integer(), email: Type.String() }, { additionalProperties: false }),
      {
        description: 'Rows of learners already enrolled: not errors, nothing to do',
      },
    ),
    errors: Type.Array(ImportRowError),
    createdAt: Instant,
    appliedAt: NullableInstant,
    appliedCount: Type.Union([Type.Integer(), Type.Null()], { description: 'Learners enrolled by the apply' }),
  },
  { $id: 'EnrolmentImport', additionalProperties: false },
)
export type EnrolmentImport = Static<typeof EnrolmentImport>

export const ImportParams = Type.Object({ importId: Id }, { additionalProperties: false })

export const ImportJsonBody = Type.Object(
  { csv: Type.String({ minLength: 1, description: 'The CSV text: columns email[,expiresAt], optional header row' }) },
  { additionalProperties: false },
)
