/**
 * The kinds of lesson a course is made of. The catalogue owns them, and with them the one rule
 * other modules ask about: which kinds are assessed (served and graded by the assessment module,
 * completed by a passed grade rather than by the learner).
 */
export const LESSON_KINDS = ['text', 'video', 'file', 'quiz', 'assignment', 'link'] as const
export type LessonKind = (typeof LESSON_KINDS)[number]

/** Quizzes and assignments: the assessment module serves them and a passed grade completes them. */
export const ASSESSED_LESSON_KINDS = ['quiz', 'assignment'] as const satisfies readonly LessonKind[]
export type AssessedLessonKind = (typeof ASSESSED_LESSON_KINDS)[number]

/** Whether the lesson is assessed (a quiz or an assignment); narrows its kind. */
export function isAssessedLesson<T extends { kind: string }>(lesson: T): lesson is T & { kind: AssessedLessonKind } {
  return (ASSESSED_LESSON_KINDS as readonly string[]).includes(lesson.kind)
}
