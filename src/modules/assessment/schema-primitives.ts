/**
 * Schema building blocks shared by assessment.schemas.ts (questions, quizzes, review) and
 * assignments.schemas.ts, so an id, a timestamp or a slug is spelled the same in both.
 */
import { Type } from 'typebox'

export const Uuid = Type.String({ format: 'uuid' })
export const Instant = Type.String({ format: 'date-time' })
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])
export const Slug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })
