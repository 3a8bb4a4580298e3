/**
 * The shape of the demo tenant's learning content (src/seed/content/): courses as an author
 * writes them through the authoring API, and each learner's plan, what they have done so far.
 * Field names and values are the API's own (the request bodies of POST /v1/courses, modules,
 * lessons, questions, PUT .../quiz and .../assignment).
 */

export interface QuestionSpec {
  /** The body of POST /v1/courses/{id}/questions. */
  question: {
    kind: 'single_choice' | 'multiple_choice' | 'true_false' | 'short_answer' | 'numeric'
    prompt: string
    options?: Array<{ id: string; text: string }>
    answerKey: Record<string, unknown>
    points?: number
    explanation?: string
  }
  /** What a learner who knows the material answers (PUT /v1/learn/quiz-attempts/{id}/answers). */
  answer: unknown
}

export interface QuizSpec {
  questions: QuestionSpec[]
  passingPercent: number
  attemptLimit: number | null
  timeLimitSeconds?: number | null
  randomiseOrder?: boolean
}

export interface AssignmentSpec {
  instructions: string
  rubric: Array<{ id: string; title: string; levels: Array<{ points: number; description: string }> }>
  passingPoints: number
  dueOffsetDays?: number | null
  latePolicy?: 'accept' | 'penalty' | 'refuse'
  latePenaltyPercent?: number
  allowResubmission?: boolean
}

interface LessonBase {
  title: string
  /** Markdown. */
  body: string
  durationMinutes?: number
  preview?: boolean
  /** Titles of lessons of the same course to complete first. */
  prerequisites?: string[]
}

export type LessonSpec =
  | (LessonBase & { kind: 'text' })
  | (LessonBase & { kind: 'link'; url: string })
  | (LessonBase & { kind: 'quiz'; quiz: QuizSpec })
  | (LessonBase & { kind: 'assignment'; assignment: AssignmentSpec })

export interface ModuleSpec {
  title: string
  /** Drip: the module opens this many days after enrolment. */
  releaseOffsetDays?: number
  lessons: LessonSpec[]
}

export interface CourseSpec {
  slug: string
  title: string
  summary: string
  /** Markdown. */
  description: string
  level: 'beginner' | 'intermediate' | 'advanced' | 'all'
  language: string
  category: string
  tags: string[]
  modules: ModuleSpec[]
}

/** A grade as the instructor gives it (POST /v1/submissions/{id}/grade). */
export interface GradeSpec {
  rubricScores: Record<string, number>
  feedback: string
}

/**
 * One learner in one course. Lessons are named by title. Quiz lessons in `complete` are passed
 * with the spec's answers (overridden by `quizAnswers`, keyed by prompt, to get some wrong);
 * an assignment lesson in `complete` is submitted with `submission` and, when `grade` is given,
 * graded by the course's instructor.
 */
export interface EnrolmentPlan {
  course: string
  /** self: POST .../enrolments/self; admin: the tenant administrator enrols the learner. */
  enrolledBy: 'self' | 'admin'
  complete: string[]
  quizAnswers?: Record<string, unknown>
  submission?: string
  grade?: GradeSpec
  /**
   * A lesson started and left half read (the "continue where I left off" of the dashboard), with
   * the time spent on it (at most 3600 s, what one PUT .../position may add) and the position.
   */
  resume?: { title: string; timeSpentSeconds: number; position: Record<string, unknown> }
}

export interface LearnerSpec {
  /** A demo account (content/people.ts). */
  email: string
  enrolments: EnrolmentPlan[]
}

export interface PathSpec {
  slug: string
  title: string
  summary: string
  /** Course slugs in order, each with the slugs of the path's courses to complete first. */
  courses: Array<{ slug: string; prerequisites: string[] }>
}
