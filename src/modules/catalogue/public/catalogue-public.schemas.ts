import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { LESSON_KINDS } from '../lesson-kinds.ts'

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])
const Level = Type.Union([
  Type.Literal('beginner'),
  Type.Literal('intermediate'),
  Type.Literal('advanced'),
  Type.Literal('all'),
])
const Slug = Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$' })

const filterProperties = {
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only courses of this category' })),
  level: Type.Optional(Level),
  language: Type.Optional(
    Type.String({
      minLength: 2,
      maxLength: 35,
      pattern: '^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$',
      description: 'BCP 47 language tag of the course content',
    }),
  ),
  tag: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: 10,
      description: 'Repeatable; a course must carry every tag given',
    }),
  ),
  free: Type.Optional(Type.Boolean({ description: 'true: free courses only; false: paid courses only' })),
  instructor: Type.Optional(Type.String({ format: 'uuid', description: 'Only courses this user teaches' })),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'Full-text search over title, summary and description (web search syntax: "quoted phrase", or, -word); results are ranked, title matches first',
    }),
  ),
}

export const CatalogueQuery = Type.Object(
  { ...PageQuery.properties, ...filterProperties },
  { additionalProperties: false },
)
export type CatalogueQuery = Static<typeof CatalogueQuery>

export const FacetQuery = Type.Object(filterProperties, { additionalProperties: false })
export type FacetQuery = Static<typeof FacetQuery>

export const CourseCard = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    slug: Type.String(),
    title: Type.String(),
    summary: Type.String(),
    level: Level,
    language: Type.String(),
    category: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    instructorIds: Type.Array(Type.String({ format: 'uuid' })),
    coverImageRef: Nullable(Type.String()),
    delivery: Type.Union([Type.Literal('self_paced'), Type.Literal('cohort')]),
    free: Type.Boolean(),
    lessonCount: Type.Integer(),
    durationMinutes: Type.Integer(),
    publishedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'CourseCard', additionalProperties: false },
)
export type CourseCard = Static<typeof CourseCard>

const FacetValue = Type.Object({ value: Type.String(), count: Type.Integer() }, { additionalProperties: false })
export const CatalogueFacets = Type.Object(
  {
    total: Type.Integer({ description: 'Courses matching every filter' }),
    category: Type.Array(FacetValue, { description: 'Counts under every filter except category' }),
    level: Type.Array(FacetValue, { description: 'Counts under every filter except level' }),
    language: Type.Array(FacetValue, { description: 'Counts under every filter except language' }),
    free: Type.Array(Type.Object({ value: Type.Boolean(), count: Type.Integer() }, { additionalProperties: false }), {
      description: 'Counts under every filter except free',
    }),
    tag: Type.Array(FacetValue, {
      description: 'Counts under every filter (tags combine with AND): what adding the tag would leave',
    }),
  },
  { $id: 'CatalogueFacets', additionalProperties: false },
)
export type CatalogueFacets = Static<typeof CatalogueFacets>

export const SuggestionQuery = Type.Object(
  {
    q: Type.String({
      minLength: 2,
      maxLength: 100,
      description: 'What the visitor has typed so far; typos are tolerated',
    }),
  },
  { additionalProperties: false },
)

export const CourseSuggestions = Type.Object(
  {
    data: Type.Array(
      Type.Object(
        {
          id: Type.String({ format: 'uuid', description: 'The course id (as in CourseCard)' }),
          slug: Type.String(),
          title: Type.String(),
          score: Type.Number({
            description: 'pg_trgm strict word similarity of the query to the title, 0 to 1 (best first)',
          }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 8 },
    ),
  },
  { $id: 'CourseSuggestions', additionalProperties: false },
)

export const CourseSlugParams = Type.Object({ slug: Slug }, { additionalProperties: false })

const CatalogueLesson = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    position: Type.Integer(),
    kind: Type.Unsafe<(typeof LESSON_KINDS)[number]>({ type: 'string', enum: [...LESSON_KINDS] }),
    title: Type.String(),
    durationMinutes: Type.Union([Type.Integer(), Type.Null()]),
    preview: Type.Boolean({
      description: 'Readable without an enrolment; only preview lessons carry body, assetRef and url here',
    }),
    releaseAt: Nullable(Type.String({ format: 'date-time' })),
    releaseOffsetDays: Type.Union([Type.Integer(), Type.Null()]),
    body: Type.Optional(Type.String()),
    assetRef: Type.Optional(Nullable(Type.String())),
    url: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: false },
)

export const CatalogueCourse = Type.Object(
  {
    ...CourseCard.properties,
    description: Type.String(),
    cohortStartsAt: Nullable(Type.String({ format: 'date-time' })),
    cohortEndsAt: Nullable(Type.String({ format: 'date-time' })),
    capacity: Type.Union([Type.Integer(), Type.Null()]),
    accessDays: Type.Union([Type.Integer(), Type.Null()]),
    versionNumber: Type.Integer({ description: 'The published version shown; the ETag names it' }),
    modules: Type.Array(
      Type.Object(
        {
          id: Type.String({ format: 'uuid' }),
          position: Type.Integer(),
          title: Type.String(),
          releaseAt: Nullable(Type.String({ format: 'date-time' })),
          releaseOffsetDays: Type.Union([Type.Integer(), Type.Null()]),
          lessons: Type.Array(CatalogueLesson),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'CatalogueCourse', additionalProperties: false },
)
export type CatalogueCourse = Static<typeof CatalogueCourse>
