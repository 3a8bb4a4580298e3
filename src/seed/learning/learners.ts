/**
 * Learners as they use the platform: they enrol (or are enrolled by the administrator), complete
 * lessons, take quizzes, submit assignments and leave a lesson half read (with the time spent and
 * where they stopped); the instructor then grades the submissions the plans grade, which completes their
 * course, and the platform's job issues the certificate.
 *
 * Idempotent: what a learner's own reads show as done (enrolment, completed or started lessons,
 * quiz attempts, submissions, grades) is not done again.
 */
import { listAll, type ApiClient } from '../api-client.ts'
import type { Actor } from '../areas.ts'
import type { SeededCourse } from './courses.ts'
import type { EnrolmentPlan, LearnerSpec, LessonSpec } from './spec.ts'

export interface LearnerActor extends Actor {
  spec: LearnerSpec
}

interface Progress {
  lessons: Array<{ lessonId: string; status: 'completed' | 'in_progress' | 'available' | 'locked' }>
}

interface Attempt {
  id: string
  questions: Array<{ id: string; prompt: string }>
}

interface Submission {
  id: string
  userId: string
  lessonId: string
  status: 'submitted' | 'graded'
}

/** Enrols the learner in each planned course and does what the plan says they have done so far. */
export async function ensureLearnerActivity(
  api: ApiClient,
  learner: LearnerActor,
  courses: Map<string, SeededCourse>,
  admin: Actor,
): Promise<void> {
  const token = await learner.token()
  const enrolments = await listAll<{ courseId: string; status: string }>(api, '/v1/me/enrolments', token)
  const statusIn = new Map(enrolments.map((enrolment) => [enrolment.courseId, enrolment.status]))
  for (const plan of learner.spec.enrolments) {
    const course = courses.get(plan.course)
    if (!course) continue
    const status = statusIn.get(course.id)
    // An enrolment cancelled or expired since it was seeded is left as it is.
    if (status && status !== 'active') continue
    if (!status) await enrol(api, plan, course, learner, admin)
    await followPlan(api, token, plan, course)
  }
}

async function enrol(
  api: ApiClient,
  plan: EnrolmentPlan,
  course: SeededCourse,
  learner: LearnerActor,
  admin: Actor,
): Promise<void> {
  if (plan.enrolledBy === 'self')
    await api.call('POST', `/v1/courses/${course.id}/enrolments/self`, { token: await learner.token() })
  else
    await api.call('POST', `/v1/courses/${course.id}/enrolments`, {
      token: await admin.token(),
      payload: { userId: learner.userId },
    })
}

async function followPlan(api: ApiClient, token: string, plan: EnrolmentPlan, course: SeededCourse): Promise<void> {
  const progress = await api.call<Progress>('GET', `/v1/learn/courses/${course.id}/progress`, { token })
  const statusOf = new Map(progress.body.lessons.map((l) => [l.lessonId, l.status]))
  for (const title of plan.complete) {
    const { lesson, id } = lessonOf(course, title)
    if (statusOf.get(id) === 'completed') continue
    if (lesson.kind === 'quiz') await passQuiz(api, token, id, lesson, plan.quizAnswers ?? {})
    else if (lesson.kind === 'assignment') await submitAssignment(api, token, id, plan.submission)
    else await api.call('POST', `/v1/learn/lessons/${id}/complete`, { token, payload: { courseId: course.id } })
  }
  if (plan.resume) {
    const { title, timeSpentSeconds, position } = plan.resume
    const { id } = lessonOf(course, title)
    // Reporting time and position starts the lesson (PUT .../position upserts its progress).
    if (statusOf.get(id) === 'available')
      await api.call('PUT', `/v1/learn/lessons/${id}/position`, {
        token,
        payload: { courseId: course.id, timeSpentSeconds, position },
      })
  }
}

function lessonOf(course: SeededCourse, title: string): { lesson: LessonSpec; id: string } {
  const lesson = course.spec.modules.flatMap((m) => m.lessons).find((l) => l.title === title)
  const id = course.lessonIds.get(title)
  if (!lesson || !id) throw new Error(`no lesson "${title}" in ${course.spec.slug}`)
  return { lesson, id }
}

/** One attempt, answered as the spec says (or as the plan overrides), submitted for grading. */
async function passQuiz(
  api: ApiClient,
  token: string,
  lessonId: string,
  lesson: Extract<LessonSpec, { kind: 'quiz' }>,
  overrides: Record<string, unknown>,
): Promise<void> {
  const quiz = await api.call<{ attemptsUsed: number; openAttempt: { id: string } | null }>(
    'GET',
    `/v1/learn/quizzes/${lessonId}`,
    { token },
  )
  if (quiz.body.attemptsUsed > 0 && !quiz.body.openAttempt) return
  const attempt = quiz.body.openAttempt
    ? await api.call<Attempt>('GET', `/v1/learn/quiz-attempts/${quiz.body.openAttempt.id}`, { token })
    : await api.call<Attempt>('POST', `/v1/learn/quizzes/${lessonId}/attempts`, { token })
  const answerTo = new Map(lesson.quiz.questions.map((q) => [q.question.prompt, q.answer]))
  const answers = Object.fromEntries(
    attempt.body.questions.map((q) => [q.id, q.prompt in overrides ? overrides[q.prompt] : answerTo.get(q.prompt)]),
  )
  await api.call('PUT', `/v1/learn/quiz-attempts/${attempt.body.id}/answers`, { token, payload: { answers } })
  await api.call('POST', `/v1/learn/quiz-attempts/${attempt.body.id}/submit`, { token })
}

async function submitAssignment(api: ApiClient, token: string, lessonId: string, text: string | undefined) {
  if (!text) throw new Error('a plan that completes an assignment lesson needs its submission text')
  const mine = await listAll<Submission>(api, `/v1/learn/assignments/${lessonId}/submissions`, token)
  if (mine.length === 0)
    await api.call('POST', `/v1/learn/assignments/${lessonId}/submissions`, { token, payload: { text } })
}

/** The instructor grades each planned submission still waiting in the course's grading queue. */
export async function gradeSubmissions(
  api: ApiClient,
  instructor: Actor,
  learners: LearnerActor[],
  courses: Map<string, SeededCourse>,
): Promise<void> {
  const token = await instructor.token()
  for (const learner of learners)
    for (const plan of learner.spec.enrolments) {
      const course = courses.get(plan.course)
      if (!course || !plan.grade) continue
      const queue = await listAll<Submission>(api, `/v1/courses/${course.id}/submissions?status=submitted`, token)
      for (const waiting of queue.filter((s) => s.userId === learner.userId)) {
        const read = await api.call('GET', `/v1/submissions/${waiting.id}`, { token })
        await api.call('POST', `/v1/submissions/${waiting.id}/grade`, {
          token,
          ifMatch: read.etag,
          payload: plan.grade,
        })
      }
    }
}

/**
 * Waits (bounded) until the platform's certificate job has issued the certificate of every
 * course a plan completes; false when one is still missing at the deadline.
 */
export async function awaitCertificates(
  api: ApiClient,
  learners: LearnerActor[],
  courses: Map<string, SeededCourse>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (const learner of learners) {
    const courseIds = learner.spec.enrolments
      .filter((plan) => plan.grade)
      .map((plan) => courses.get(plan.course)?.id)
      .filter((id): id is string => id !== undefined)
    if (courseIds.length === 0) continue
    const token = await learner.token()
    for (;;) {
      const issued = await listAll<{ courseId: string }>(api, '/v1/me/certificates', token)
      if (courseIds.every((id) => issued.some((certificate) => certificate.courseId === id))) break
      if (Date.now() > deadline) return false
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return true
}
