/**
 * The learning area of the development seed: the instructor's courses, reviewed and published by
 * the administrator; the learners' enrolments and progress; the instructor's grading; the
 * certificate the platform's job issues on completion; and the administrator's learning path.
 *
 * The certificate comes from the credentials module's job (progress.course_completed →
 * credentials.issue_certificate), never from the seed. When this process works jobs (serve with
 * JOBS_ENABLED, the default), the area waits for it, bounded, so the tenant is complete when
 * `serve` prints its banner; otherwise (`lyceum seed`) the next worker to run issues it.
 */
import { actorOf, type SeedArea, type SeedContext } from '../areas.ts'
import { DEMO_LEARNING, type LearningContent } from '../content/index.ts'
import { ensureCourse, type SeededCourse } from './courses.ts'
import { awaitCertificates, ensureLearnerActivity, gradeSubmissions } from './learners.ts'
import { ensurePath } from './paths.ts'

/** Generous: issuing takes well under a second on an idle machine. */
const CERTIFICATE_WAIT_MS = 30_000

export function learningArea(content: LearningContent = DEMO_LEARNING): SeedArea {
  return {
    name: 'learning',
    version: 1,
    summary: `${content.courses.length} published courses, ${content.paths.length === 1 ? 'a learning path' : `${content.paths.length} learning paths`} and learners at every stage`,
    run: (ctx) => seedLearning(ctx, content),
  }
}

async function seedLearning(ctx: SeedContext, content: LearningContent): Promise<void> {
  const { api, accounts } = ctx
  const admin = actorOf(ctx, accounts.admin, accounts.admin.email)
  const instructor = actorOf(ctx, accounts.people.get(content.instructor), content.instructor)
  const learners = content.learners.map((spec) => ({
    ...actorOf(ctx, accounts.people.get(spec.email), spec.email),
    spec,
  }))
  const courses = new Map<string, SeededCourse>()
  for (const spec of content.courses) {
    const course = await ensureCourse(api, { instructor, admin }, spec)
    if (course) courses.set(spec.slug, course)
  }
  for (const learner of learners) await ensureLearnerActivity(api, learner, courses, admin)
  await gradeSubmissions(api, instructor, learners, courses)
  for (const path of content.paths) await ensurePath(api, admin, path, courses)
  if (ctx.jobsRunHere && !(await awaitCertificates(api, learners, courses, CERTIFICATE_WAIT_MS)))
    ctx.lyceum.platform.logger.warn(
      { waitedMs: CERTIFICATE_WAIT_MS },
      'demo seed: the certificate job has not issued the demo certificate yet; the worker issues it when it gets to it',
    )
}
