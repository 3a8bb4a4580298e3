import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'

const Slug = Type.String({
  minLength: 1,
  maxLength: 80,
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$',
  description: "Lower-case letters, digits and inner hyphens; unique among the tenant's paths",
})
const Status = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')])
const Uuid = Type.String({ format: 'uuid' })

export const PathParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const PathSlugParams = Type.Object({ slug: Slug }, { additionalProperties: false })

export const CreateLearningPathBody = Type.Object(
  {
    slug: Slug,
    title: Type.String({ minLength: 1, maxLength: 200 }),
    summary: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
)
export type CreateLearningPathBody = Static<typeof CreateLearningPathBody>

export const UpdateLearningPathBody = Type.Object(
  {
    slug: Type.Optional(Slug),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    summary: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateLearningPathBody = Static<typeof UpdateLearningPathBody>

export const PathCoursesBody = Type.Object(
  {
    courses: Type.Array(
      Type.Object(
        {
          courseId: Uuid,
          prerequisites: Type.Array(Uuid, {
            maxItems: 50,
            default: [],
            description: 'Courses of this path to complete before this one',
          }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50, description: 'The whole ordered list; replaces the previous one' },
    ),
  },
  { additionalProperties: false },
)
export type PathCoursesBody = Static<typeof PathCoursesBody>

export const LearningPathQuery = Type.Object(
  { ...PageQuery.properties, status: Type.Optional(Status) },
  { additionalProperties: false },
)
export type LearningPathQuery = Static<typeof LearningPathQuery>

export const LearningPath = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    title: Type.String(),
    summary: Type.String(),
    status: Status,
    version: Type.Integer({ description: 'The ETag names it; send it in If-Match to change the path' }),
    createdBy: Uuid,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    courses: Type.Array(
      Type.Object(
        {
          courseId: Uuid,
          position: Type.Integer(),
          prerequisites: Type.Array(Uuid),
          slug: Type.String(),
          title: Type.String({ description: "The course's current (draft) title" }),
          published: Type.Boolean({
            description: 'Whether the course is in the catalogue now; the public path shows only those',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'LearningPath', additionalProperties: false },
)
export type LearningPath = Static<typeof LearningPath>

export const CataloguePath = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    title: Type.String(),
    summary: Type.String(),
    courses: Type.Array(
      Type.Object(
        {
          id: Uuid,
          position: Type.Integer(),
          prerequisites: Type.Array(Uuid, { description: 'Courses of this path (listed here) to complete first' }),
          slug: Type.String(),
          title: Type.String(),
          summary: Type.String(),
          level: Type.String(),
          language: Type.String(),
          free: Type.Boolean(),
          lessonCount: Type.Integer(),
          durationMinutes: Type.Integer(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'CataloguePath', additionalProperties: false },
)
export type CataloguePath = Static<typeof CataloguePath>

export const CataloguePathQuery = Type.Object(PageQuery.properties, { additionalProperties: false })
