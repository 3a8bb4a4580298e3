/**
 * Sign-ins beside browsing (issue 10, point 5): the anonymous catalogue list under load alone,
 * then the same load while 10 sign-ins a second (argon2id, ~50 ms of a core each) go through
 * the password-hashing limit. Reports the list's rate with sign-ins as a share of its solo rate
 * (target ≥ 0.6), the app's event-loop delay p99 (< 50 ms) and the sign-ins' p99 (< 1 s).
 */
import { createDemoMember } from '../../../src/modules/identity/index.ts'
import type { BenchFlow } from '../scenario.ts'
import { TARGET_HOST } from './catalogue-seed.ts'
import { catalogueList, fixed, openLoad, withLoopDelay } from './overload-support.ts'

const LOGINS_PER_SECOND = 10
const TARGETS = { ratio: 0.6, loopP99Ms: 50, loginP99Ms: 1_000 }
const EMAIL = 'bench-login@bench-target.example'
const PASSWORD = 'Sunlit-harbour-lanterns-2026'

export const loginMixFlow: BenchFlow = {
  name: 'login-mix',
  async run(context) {
    await createDemoMember(context.lyceum.platform, {
      tenantId: context.tenants.target,
      email: EMAIL,
      displayName: 'Bench sign-in',
      password: PASSWORD,
      roles: ['learner'],
    })
    const list = await catalogueList(context, context.connections, context.seconds)
    const login = {
      url: `${context.baseUrl}/v1/auth/login`,
      method: 'POST',
      headers: { host: TARGET_HOST, 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
      connections: LOGINS_PER_SECOND,
      overallRate: LOGINS_PER_SECOND,
      seconds: context.seconds,
    }
    await openLoad({ ...list, seconds: 2 })
    await openLoad({ ...login, seconds: 2 })

    const solo = await withLoopDelay(() => openLoad(list))
    const mixed = await withLoopDelay(() => Promise.all([openLoad(list), openLoad(login)]))
    const [listMixed, logins] = mixed.result
    const ratio = listMixed.requestsPerSecond / solo.result.requestsPerSecond
    context.write(
      `login-mix: catalogue alone ${Math.round(solo.result.requestsPerSecond)} req/s (loop p99 ${fixed(solo.p99, 1)} ms); ` +
        `with ${LOGINS_PER_SECOND} sign-ins/s ${Math.round(listMixed.requestsPerSecond)} req/s, ratio ${fixed(ratio)} ` +
        `(target ≥ ${TARGETS.ratio}); loop p99 ${fixed(mixed.p99, 1)} ms (< ${TARGETS.loopP99Ms}), max ${fixed(mixed.max, 1)} ms; ` +
        `sign-ins ${Math.round(logins.requestsPerSecond)}/s, p50 ${logins.p50} ms, p99 ${logins.p99} ms (< ${TARGETS.loginP99Ms}), ` +
        `statuses ${JSON.stringify(logins.statusCodes)}; list statuses ${JSON.stringify(listMixed.statusCodes)}\n`,
    )
    return (
      ratio >= TARGETS.ratio &&
      mixed.p99 < TARGETS.loopP99Ms &&
      logins.p99 < TARGETS.loginP99Ms &&
      Object.keys(logins.statusCodes).every((code) => code === '200')
    )
  },
}
