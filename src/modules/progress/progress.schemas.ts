import { Type } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.ts'
import { MAX_POSITION_BYTES, MAX_TIME_DELTA_SECONDS } from './progress.policy.ts'

const Uuid = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const LessonKind = Type.Union(['text', 'video', 'file', 'quiz', 'assignment', 'link'].map((k) => Type.Literal(k)))
const Position = Type.Record(Type.String(), Type.Unknown(), {
  description: `Where to resume, as the client likes it (e.g. { "seconds": 312 } or { "anchor": "step-3" }); at most ${MAX_POSITION_BYTES} bytes of JSON (413 POSITION_TOO_LARGE)`,
})

export const LessonParams = Type.Object({ lessonId: Uuid }, { additionalProperties: false })
export const CourseParams = Type.Object({ courseId: Uuid }, { additionalProperties: false })

export const LessonActionBody = Type.Object(
  { courseId: { ...Uuid, description: 'The course the lesson belongs to' } },
  { additionalProperties: false },
)

export const PositionBody = Type.Object(
  {
    courseId: Uuid,
    position: Type.Optional(Position),
    timeSpentSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_TIME_DELTA_SECONDS,
        description: `Seconds spent since the last report (added to the total; at most ${MAX_TIME_DELTA_SECONDS} per call)`,
      }),
    ),
  },
  { additionalProperties: false },
)

export const CourseTotals = Type.Object(
  {
    completedLessons: Type.Integer(),
    totalLessons: Type.Integer(),
    percent: Type.Integer({ minimum: 0, maximum: 100 }),
    completedAt: Nullable(Instant),
  },
  { $id: 'CourseTotals', additionalProperties: false },
)

export const LessonProgress = Type.Object(
  {
    enrolmentId: Uuid,
    courseId: Uuid,
    lessonId: Uuid,
    status: Type.Union([Type.Literal('in_progress'), Type.Literal('completed')]),
    startedAt: Instant,
    completedAt: Nullable(Instant),
    timeSpentSeconds: Type.Integer(),
    position: Nullable(Position),
    course: Type.Ref('CourseTotals'),
  },
  { $id: 'LessonProgress', additionalProperties: false },
)

const LessonStatus = Type.Object(
  {
    lessonId: Uuid,
    moduleId: Uuid,
    title: Type.String(),
    kind: LessonKind,
    status: Type.Union([
      Type.Literal('completed'),
      Type.Literal('in_progress'),
      Type.Literal('available'),
      Type.Literal('locked'),
    ]),
    reason: Type.Optional(
      Type.Union([Type.Literal('drip_locked'), Type.Literal('prerequisite_missing')], {
        description: 'Why a locked lesson is locked',
      }),
    ),
    until: Type.Optional({ ...Instant, description: 'drip_locked: when the lesson opens' }),
    missingLessonIds: Type.Optional(
      Type.Array(Uuid, { description: 'prerequisite_missing: the lessons to complete first' }),
    ),
    startedAt: Nullable(Instant),
    completedAt: Nullable(Instant),
    timeSpentSeconds: Type.Integer(),
    position: Nullable(Position),
  },
  { additionalProperties: false },
)

export const CourseProgressDetail = Type.Object(
  {
    enrolmentId: Uuid,
    courseId: Uuid,
    versionId: Uuid,
    title: Type.String(),
    enrolmentStatus: Type.Union([Type.Literal('active'), Type.Literal('expired')]),
    expiresAt: Nullable(Instant),
    completedLessons: Type.Integer(),
    totalLessons: Type.Integer(),
    percent: Type.Integer({ minimum: 0, maximum: 100 }),
    completedAt: Nullable(Instant),
    lastLessonId: Nullable(Uuid),
    lastActivityAt: Nullable(Instant),
    lessons: Type.Array(LessonStatus),
  },
  { $id: 'CourseProgressDetail', additionalProperties: false },
)

export const MyCourse = Type.Object(
  {
    enrolmentId: Uuid,
    courseId: Uuid,
    title: Type.String(),
    slug: Nullable(Type.String()),
    coverImageRef: Nullable(Type.String()),
    archived: Type.Boolean(),
    enrolmentStatus: Type.Union([Type.Literal('active'), Type.Literal('expired')], {
      description:
        'expired: the access period ended; the course stays listed with its progress, but its lessons cannot be opened',
    }),
    expiresAt: { ...Nullable(Instant), description: 'When access ends (or ended); null when it does not' },
    completedLessons: Type.Integer(),
    totalLessons: Type.Integer(),
    percent: Type.Integer({ minimum: 0, maximum: 100 }),
    completedAt: Nullable(Instant),
    completed: Type.Boolean(),
    lastLessonId: Nullable(Uuid),
    lastActivityAt: Nullable(Instant),
  },
  { $id: 'MyCourse', additionalProperties: false },
)

export const ContinueLearning = Type.Object(
  {
    course: Nullable(
      Type.Object(
        {
          enrolmentId: Uuid,
          courseId: Uuid,
          title: Type.String(),
          completedLessons: Type.Integer(),
          totalLessons: Type.Integer(),
          percent: Type.Integer(),
          completedAt: Nullable(Instant),
          lastActivityAt: Nullable(Instant),
        },
        { additionalProperties: false },
      ),
    ),
    lesson: Nullable(
      Type.Object(
        {
          lessonId: Uuid,
          moduleId: Uuid,
          title: Type.String(),
          kind: LessonKind,
          position: Nullable(Position),
          timeSpentSeconds: Type.Integer(),
        },
        {
          additionalProperties: false,
          description:
            'The lesson to resume: the last one worked on while unfinished, else the first open one not complete',
        },
      ),
    ),
  },
  {
    $id: 'ContinueLearning',
    additionalProperties: false,
    description: 'Both null when the learner has no unfinished course they can still open',
  },
)

export const LearnerProgress = Type.Object(
  {
    enrolmentId: Uuid,
    userId: Uuid,
    email: Nullable(Type.String()),
    displayName: Nullable(Type.String()),
    completedLessons: Type.Integer(),
    totalLessons: Type.Integer(),
    percent: Type.Integer({ minimum: 0, maximum: 100 }),
    completedAt: Nullable(Instant),
    lastLessonId: Nullable(Uuid),
    lastActivityAt: Nullable(Instant),
  },
  { $id: 'LearnerProgress', additionalProperties: false },
)

export const ProgressPageQuery = Type.Object({ ...PageQuery.properties }, { additionalProperties: false })
