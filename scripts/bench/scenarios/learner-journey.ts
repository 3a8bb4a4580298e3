/**
 * The mixed learner scenario (issue 10, "Bench"): LEARNERS enrolled learners, each one request at
 * a time, loop catalogue list → course detail → lesson (200 KB, through the entitlement check) →
 * complete it, on a course of 12 such lessons published through the app's own publication. The
 * goal is p95 ≤ 100 ms over all requests at that concurrency. The load runs in a child process
 * (learner-load.ts) so it never shares the server's event loop.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { publishCourse } from '../../../src/modules/catalogue/index.ts'
import { buildCourse } from '../../../src/modules/catalogue/testing.ts'
import { tenantScope } from '../../../src/platform/db/database.ts'
import type { JourneyStepStats, LearnerLoadRequest, LearnerLoadResult } from '../learner-load.ts'
import type { BenchFlow, FlowContext } from '../scenario.ts'
import { TARGET_HOST } from './catalogue-seed.ts'

/** Concurrent learners (each with one request in flight): the concurrency the p95 goal is stated at. */
const LEARNERS = 16
const P95_TARGET_MS = 100
const LESSON_BYTES = 200_000
const LOAD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'learner-load.ts')

function runChild(request: LearnerLoadRequest): Promise<LearnerLoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`learner load exited with ${code}: ${stderr.trim()}`))
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LearnerLoadResult)
    })
  })
}

/** Text of `bytes` characters that compresses about as badly as prose (hex digests). */
const longBody = (seed: number, bytes: number) => {
  let text = ''
  for (let i = 0; text.length < bytes; i++) text += `${randomUUID().replaceAll('-', '')}${seed}${i} `
  return text.slice(0, bytes)
}

async function seed(context: FlowContext) {
  const { database } = context.lyceum.platform
  const tenantId = context.tenants.target
  const ownerUser = randomUUID()
  const slug = `journey-${randomUUID().slice(0, 8)}`
  const built = await buildCourse(database, tenantId, ownerUser, {
    slug,
    title: 'The learner journey',
    modules: [0, 1, 2].map((m) => ({
      lessons: [0, 1, 2, 3].map((l) => ({ title: `Lesson ${m}.${l}`, body: longBody(m * 4 + l, LESSON_BYTES) })),
    })),
  })
  await database.transaction(tenantScope(tenantId), (tx) => publishCourse(tx, built.courseId, ownerUser))
  const tokens: string[] = []
  for (let i = 0; i < LEARNERS; i++) {
    const token = await context.tokenFor(['learner'])
    const response = await fetch(`${context.baseUrl}/v1/courses/${built.courseId}/enrolments/self`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    if (response.status !== 201) throw new Error(`self-enrolment answered ${response.status}: ${await response.text()}`)
    tokens.push(token)
  }
  return { slug, courseId: built.courseId, lessonIds: built.lessonIds.flat(), tokens }
}

const row = (name: string, s: JourneyStepStats) =>
  `  ${name.padEnd(9)} ${String(s.count).padStart(7)} ${s.p50.toFixed(1).padStart(8)} ${s.p95.toFixed(1).padStart(8)} ` +
  `${s.p99.toFixed(1).padStart(8)} ${s.max.toFixed(1).padStart(8)}  ${JSON.stringify(s.statuses)}`

export const learnerJourneyFlow: BenchFlow = {
  name: 'learner-journey',
  async run(context) {
    const seeded = await seed(context)
    const loadBefore = os.loadavg()
    const request = { baseUrl: context.baseUrl, host: TARGET_HOST, seconds: context.seconds, ...seeded }
    // A short warm-up (connections, JIT, caches), then the measured run.
    await runChild({ ...request, seconds: Math.min(3, context.seconds) })
    const result = await runChild(request)
    const loads = (values: number[]) => values.map((l) => l.toFixed(2)).join(' ')
    context.write(
      `learner-journey: ${LEARNERS} learners, one request in flight each, list → detail → lesson (12 x 200 KB) → ` +
        `complete for ${context.seconds} s; ${result.journeysPerSecond.toFixed(1)} journeys/s; machine load average ` +
        `${loads(loadBefore)} before, ${loads(os.loadavg())} after\n` +
        `  ${'step'.padEnd(9)} ${'count'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}  statuses\n` +
        (['list', 'detail', 'lesson', 'complete', 'all'] as const).map((step) => row(step, result[step])).join('\n') +
        '\n',
    )
    const failures = Object.entries(result.all.statuses).filter(([status]) => !/^2\d\d$/.test(status))
    const met = failures.length === 0 && result.all.count > 0 && result.all.p95 <= P95_TARGET_MS
    if (failures.length > 0)
      context.write(`MISSED: answers other than 2xx: ${JSON.stringify(Object.fromEntries(failures))}\n`)
    else if (!met)
      context.write(`MISSED: p95 ${result.all.p95.toFixed(1)} ms over all steps (target ≤ ${P95_TARGET_MS} ms)\n`)
    return met
  },
}
