/** Events the assessment module publishes. */
export const ASSESSMENT_SUBMISSION_GRADED = 'assessment.submission_graded'

export interface SubmissionGradedPayload extends Record<string, unknown> {
  submissionId: string
  lessonId: string
  courseId: string
  userId: string
  enrolmentId: string
  points: number
  maxPoints: number
  passed: boolean
  late: boolean
  gradedAt: string
  /** The submission's version after grading: a regrade is its own event (and its own email). */
  version: number
}
