/**
 * Child process of the quiz-grading bench (scenarios/quiz-grading.ts), so the clients never share
 * an event loop with the server: `node --import tsx scripts/bench/quiz-load.ts '<json>'` prints
 * one JSON result.
 * - mode "probe": GET /health/live one after another (a 20 ms pause between), for `seconds`;
 *   reports the latency distribution.
 * - mode "learners": each learner loops over the quizzes: start an attempt, save every answer,
 *   submit, read the attempt three times; reports what each step answered and how long it took.
 */
import type { QuizLoadRequest, QuizLoadResult, StepStats } from './quiz-grading-types.ts'

const request = JSON.parse(process.argv[2] ?? '{}') as QuizLoadRequest
const REQUEST_TIMEOUT_MS = 30_000
const until = performance.now() + request.seconds * 1000

function stats(samples: number[], statuses: Record<string, number>): StepStats {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return {
    count: sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted.at(-1) ?? 0,
    over100ms: sorted.filter((ms) => ms > 100).length,
    statuses,
  }
}

class Step {
  readonly samples: number[] = []
  readonly statuses: Record<string, number> = {}
  async call(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<{ status: number; retryAfter: number; json: Record<string, unknown> }> {
    const started = performance.now()
    let response: Response
    try {
      response = await fetch(`${request.baseUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      })
    } catch (error) {
      // A request the server did not answer in time (or a reset connection) counts, with how long it waited.
      const kind = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'error'
      this.samples.push(performance.now() - started)
      this.statuses[kind] = (this.statuses[kind] ?? 0) + 1
      return { status: 0, retryAfter: 1, json: {} }
    }
    const text = await response.text().catch(() => '')
    this.samples.push(performance.now() - started)
    this.statuses[response.status] = (this.statuses[response.status] ?? 0) + 1
    let json: Record<string, unknown> = {}
    try {
      json = JSON.parse(text) as Record<string, unknown>
    } catch {
      // not JSON: only the status counts
    }
    return { status: response.status, retryAfter: Number(response.headers.get('retry-after') ?? 0), json }
  }
  stats = () => stats(this.samples, this.statuses)
}

async function probe(): Promise<QuizLoadResult> {
  const live = new Step()
  while (performance.now() < until) {
    await live.call('GET', '/health/live', undefined)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return { liveness: live.stats() }
}

async function learners(): Promise<QuizLoadResult> {
  const steps = { start: new Step(), answers: new Step(), submit: new Step(), read: new Step() }
  const loop = async (learner: QuizLoadRequest['learners'][number], offset: number) => {
    for (let round = offset; performance.now() < until; round++) {
      const quiz = request.quizzes[round % request.quizzes.length]!
      const started = await steps.start.call('POST', `/v1/learn/quizzes/${quiz.lessonId}/attempts`, learner.token)
      const attemptId = (started.status === 201 ? started.json.id : started.json.attemptId) as string | undefined
      if (!attemptId) continue
      await steps.answers.call('PUT', `/v1/learn/quiz-attempts/${attemptId}/answers`, learner.token, {
        answers: quiz.answers,
      })
      // 503 (queue full or grading past its deadline) leaves the attempt open: after Retry-After,
      // as a client is asked to, the next round submits it again.
      const submitted = await steps.submit.call('POST', `/v1/learn/quiz-attempts/${attemptId}/submit`, learner.token)
      if (submitted.status !== 200) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(submitted.retryAfter, 1) * 1000))
        continue
      }
      for (let read = 0; read < 3; read++)
        await steps.read.call('GET', `/v1/learn/quiz-attempts/${attemptId}`, learner.token)
    }
  }
  await Promise.all(request.learners.map((learner, i) => loop(learner, i)))
  return Object.fromEntries(Object.entries(steps).map(([name, step]) => [name, step.stats()])) as QuizLoadResult
}

const result = request.mode === 'probe' ? await probe() : await learners()
process.stdout.write(`${JSON.stringify(result)}\n`)
