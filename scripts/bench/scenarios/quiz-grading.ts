/**
 * Learners submit and read the worst quizzes the pattern budget accepts while GET /health/live
 * is probed (issue 9, defect 2: liveness must stay under 100 ms).
 *
 * Dataset: one published course of QUIZZES quiz lessons. Each quiz has QUESTIONS short-answer
 * questions whose patterns are two programs at the per-quiz budget: a \pL{8} written its own way
 * per quiz (`\pL{8}`, `\pL{1}\pL{7}`, ...; each 2,000 compile units, the per-pattern maximum, about
 * 100 ms to compile), half the questions matching without case and half with (a different
 * program), so 4,000 units per quiz. Across quizzes that is 2 x QUIZZES programs of about 2 MiB
 * estimated each, more than the per-thread cache keeps, so gradings keep compiling (the worst case).
 * Answers alternate an 8-letter word (matches) and 500 characters (the longest answer, no match).
 *
 * Load: `connections` learners (capped at LEARNERS) each loop start → save answers → submit →
 * read three times, across the quizzes, in a child process; another child probes /health/live
 * every 20 ms, first idle, then under that load. The questions are seeded in SQL; the quizzes are
 * set through the API, so the budget check accepts them as any author's would be.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { rowsOf, tenantScope } from '../../../src/platform/db/database.ts'
import { publishCourse } from '../../../src/modules/catalogue/index.ts'
import { buildCourse } from '../../../src/modules/catalogue/testing.ts'
import type { QuizLoadRequest, QuizLoadResult, StepStats } from '../quiz-grading-types.ts'
import type { BenchFlow, FlowContext } from '../scenario.ts'

const QUIZZES = 6
const QUESTIONS = 40
const LEARNERS = 16
const IDLE_SECONDS = 5
const LIVENESS_TARGET_MS = 100
const LOAD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'quiz-load.ts')

/** Eight \pL copies written a different way per quiz: the same cost, a different program key. */
const heavyPattern = (quiz: number) => (quiz === 0 ? '\\pL{8}' : `\\pL{${quiz}}\\pL{${8 - quiz}}`)

function runChild(request: QuizLoadRequest): Promise<QuizLoadResult> {
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
      if (code !== 0) return reject(new Error(`quiz load (${request.mode}) exited with ${code}: ${stderr.trim()}`))
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as QuizLoadResult)
    })
  })
}

async function call(context: FlowContext, method: string, url: string, token: string, body?: unknown) {
  const response = await fetch(`${context.baseUrl}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 400)}`)
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

/** The course, its quizzes (questions in SQL, settings through the API's budget check) and the answers learners give. */
async function seed(context: FlowContext) {
  const { database } = context.lyceum.platform
  const tenantId = context.tenants.target
  const ownerUser = randomUUID()
  const owner = await context.tokenFor(['instructor'], ownerUser)
  const built = await buildCourse(database, tenantId, ownerUser, {
    modules: [{ lessons: Array.from({ length: QUIZZES }, () => ({ kind: 'quiz' as const })) }],
  })
  const lessonIds = built.lessonIds[0] ?? []
  const quizzes: QuizLoadRequest['quizzes'] = []
  for (const [index, lessonId] of lessonIds.entries()) {
    const ids = await database.transaction(tenantScope(tenantId), (tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`INSERT INTO assessment.questions (tenant_id, course_id, kind, prompt, answer_key)
            SELECT ${tenantId}, ${built.courseId}, 'short_answer', 'Type a word of eight letters ' || n,
                   jsonb_build_object('exact', '[]'::jsonb, 'pattern', ${heavyPattern(index)}::text, 'caseSensitive', n % 2 = 0)
              FROM generate_series(1, ${QUESTIONS}) AS n
            RETURNING id`,
      ),
    )
    await call(context, 'PUT', `/v1/courses/${built.courseId}/lessons/${lessonId}/quiz`, owner, {
      questionIds: ids.map((r) => r.id),
      passingPercent: 50,
    })
    const answers = Object.fromEntries(ids.map((r, i) => [r.id, i % 2 === 0 ? 'Lyceumxy' : 'z'.repeat(500)]))
    quizzes.push({ lessonId, answers })
  }
  await database.transaction(tenantScope(tenantId), (tx) => publishCourse(tx, built.courseId, ownerUser))
  const learners: QuizLoadRequest['learners'] = []
  for (let i = 0; i < Math.min(LEARNERS, context.connections); i++) {
    const token = await context.tokenFor(['learner'])
    await call(context, 'POST', `/v1/courses/${built.courseId}/enrolments/self`, token)
    learners.push({ token })
  }
  return { quizzes, learners }
}

const row = (name: string, s: StepStats | undefined) =>
  s
    ? `  ${name.padEnd(16)} ${String(s.count).padStart(6)} ${s.p50.toFixed(1).padStart(8)} ${s.p99.toFixed(1).padStart(8)} ${s.max.toFixed(1).padStart(8)} ${String(s.over100ms).padStart(7)}  ${JSON.stringify(s.statuses)}`
    : `  ${name}: no samples`

async function workerTasks(context: FlowContext): Promise<Record<string, number>> {
  const metric = await context.lyceum.platform.metrics.workerTasks.get()
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.outcome), v.value]))
}

export const quizGradingFlow: BenchFlow = {
  name: 'quiz-grading',
  async run(context) {
    const { quizzes, learners } = await seed(context)
    const loadBefore = os.loadavg()
    const base = { baseUrl: context.baseUrl, learners, quizzes }
    // The server's own view: how late its event loop ran timers (the app runs in this process).
    const idleDelay = monitorEventLoopDelay({ resolution: 10 })
    idleDelay.enable()
    const idle = await runChild({ ...base, mode: 'probe', seconds: IDLE_SECONDS })
    idleDelay.disable()
    const loopDelay = monitorEventLoopDelay({ resolution: 10 })
    loopDelay.enable()
    const [probe, load] = await Promise.all([
      runChild({ ...base, mode: 'probe', seconds: context.seconds }),
      runChild({ ...base, mode: 'learners', seconds: context.seconds }),
    ])
    loopDelay.disable()
    const ms = (ns: number) => (ns / 1e6).toFixed(1)
    context.write(
      `quiz-grading: ${QUIZZES} quizzes x ${QUESTIONS} short answers (2 patterns of 2,000 units each per quiz), ` +
        `${learners.length} learners for ${context.seconds} s; machine load average ` +
        `${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} after\n` +
        `  ${'step'.padEnd(16)} ${'count'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'>100ms'.padStart(7)}  statuses\n` +
        [
          row('live (idle)', idle.liveness),
          row('live (loaded)', probe.liveness),
          row('start', load.start),
          row('save answers', load.answers),
          row('submit', load.submit),
          row('read', load.read),
        ].join('\n') +
        `\n  server event-loop delay (10 ms timer resolution): idle p99 ${ms(idleDelay.percentile(99))} ms, max ${ms(idleDelay.max)} ms; ` +
        `loaded p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms` +
        `\n  pattern worker tasks: ${JSON.stringify(await workerTasks(context))}\n`,
    )
    const liveness = probe.liveness
    const met = liveness !== undefined && liveness.count > 0 && liveness.max < LIVENESS_TARGET_MS
    if (!met)
      context.write(`MISSED: /health/live took up to ${liveness?.max.toFixed(1)} ms under load (target < 100 ms)\n`)
    return met
  },
}
