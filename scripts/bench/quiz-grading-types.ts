/** What the quiz-grading bench hands its load children (quiz-load.ts) and reads back. */
export interface QuizLoadRequest {
  mode: 'probe' | 'learners'
  baseUrl: string
  seconds: number
  learners: Array<{ token: string }>
  quizzes: Array<{ lessonId: string; answers: Record<string, string> }>
}

export interface StepStats {
  count: number
  /** Milliseconds. */
  p50: number
  p99: number
  max: number
  over100ms: number
  statuses: Record<string, number>
}

export type QuizLoadResult = Partial<Record<'liveness' | 'start' | 'answers' | 'submit' | 'read', StepStats>>
