/**
 * Platform operators end to end: created by the CLI command function, signed in over HTTP with
 * password + TOTP, their tokens checked against the operator session on every request.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { awayFromStepEdge, codeAt, wrongCode } from '../mfa/mfa.testing.ts'
import { operatorsCommand } from './operators.command.ts'
import { OPERATOR_IDLE_MINUTES } from './operators.repository.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const PASSWORD = 'copper-lighthouse-93-orchard'
let address = 0
/** A client address per test: the per-IP sign-in throttle must not carry over between tests. */
const nextIp = () => `10.9.${Math.floor(++address / 250)}.${address % 250}`

const query = <T>(statement: ReturnType<typeof sql>) =>
  t.platform.database.transaction(platformScope, (tx) => rowsOf<T>(tx, statement))

async function runCommand(args: string[], password = PASSWORD) {
  let out = ''
  let err = ''
  const code = await operatorsCommand(
    t.modules.identity.operators.accounts,
    systemContext(t.platform.database, null, 'cli'),
    args,
    {
      readPassword: async () => password,
      out: (text) => (out += text),
      err: (text) => (err += text),
    },
  )
  return { code, out, err }
}

/** An operator created through the CLI command; its TOTP secret is read from the printed otpauth URI. */
async function createOperator() {
  const email = `ops-${randomUUID().slice(0, 8)}@lyceum.test`
  const result = await runCommand(['create', '--email', email, '--name', 'Olga Operator'])
  expect(result.code, result.err).toBe(0)
  const uri = /otpauth:\/\/\S+/.exec(result.out)?.[0]
  const secret = uri ? new URL(uri).searchParams.get('secret') : null
  if (!secret) throw new Error(`no otpauth URI in: ${result.out}`)
  const [row] = await query<{ id: string }>(sql`SELECT id FROM identity.operators WHERE email = ${email}`)
  return { email, secret, id: row!.id, out: result.out }
}

const login = (body: Record<string, unknown>, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/v1/operator/sessions', remoteAddress, payload: body })

async function signIn(
  operator: { email: string; secret: string },
  ip: string,
  offset = 0,
): Promise<{ accessToken: string; session: { id: string; expiresAt: string } }> {
  await awayFromStepEdge()
  const response = await login(
    { email: operator.email, password: PASSWORD, code: await codeAt(operator.secret, offset) },
    ip,
  )
  expect(response.statusCode, response.body).toBe(201)
  return response.json()
}

const me = (token: string) => t.app.inject({ method: 'GET', url: '/v1/operator/me', headers: t.auth(token) })

describe('lyceum operators create', () => {
  it('creates an operator with a hashed password and an encrypted TOTP secret, printing the otpauth URI once', async () => {
    const operator = await createOperator()
    expect(operator.out).toContain(`Operator ${operator.email} created`)
    expect(operator.out).toContain('shown only this once')
    const [row] = await query<{
      password_hash: string
      totp_secret_encrypted: string
      status: string
      display_name: string
    }>(
      sql`SELECT password_hash, totp_secret_encrypted, status, display_name FROM identity.operators WHERE id = ${operator.id}`,
    )
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(row!.totp_secret_encrypted).not.toContain(operator.secret)
    expect(row).toMatchObject({ status: 'active', display_name: 'Olga Operator' })
    const audit = await query<{ action: string }>(
      sql`SELECT action FROM platform.audit_log WHERE target_id = ${operator.id}`,
    )
    expect(audit.map((a) => a.action)).toEqual(['operator.created'])
  })

  it('refuses a weak password, a taken email and incomplete arguments', async () => {
    const weak = await runCommand(
      ['create', '--email', `weak-${randomUUID().slice(0, 8)}@lyceum.test`, '--name', 'Weak'],
      'password1234',
    )
    expect(weak.code).toBe(1)
    expect(weak.err).toMatch(/password does not meet the policy/)
    const taken = await createOperator()
    const again = await runCommand(['create', '--email', taken.email.toUpperCase(), '--name', 'Again'])
    expect([again.code, again.err]).toEqual([1, 'An operator with this email address exists\n'])
    expect((await runCommand(['create', '--email', 'x@lyceum.test'])).code).toBe(2)
    expect((await runCommand(['create', '--name', 'Nobody'])).code).toBe(2)
    expect((await runCommand(['promote', '--email', 'x@lyceum.test'])).code).toBe(2)
    expect((await runCommand(['create', '--email', 'x@lyceum.test', '--name', 'X'], '')).code).toBe(1)
  })
})

describe('POST /v1/operator/sessions', () => {
  it('needs the password and a TOTP code and answers an at+jwt access token on an 8-hour session', async () => {
    const operator = await createOperator()
    const ip = nextIp()
    const withoutCode = await login({ email: operator.email, password: PASSWORD }, ip)
    expect(withoutCode.statusCode).toBe(400)
    const before = Date.now()
    const body = await signIn(operator, ip)
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, session: { id: expect.any(String) } })
    expect(Date.parse(body.session.expiresAt) - before).toBeLessThanOrEqual(8 * 3600 * 1000 + 5000)
    expect(body).not.toHaveProperty('refreshToken')
    const profile = await me(body.accessToken)
    expect(profile.statusCode).toBe(200)
    expect(profile.json()).toMatchObject({
      id: operator.id,
      email: operator.email,
      displayName: 'Olga Operator',
      session: { id: body.session.id },
    })
  })

  it('answers unknown email, wrong password, wrong code and a disabled operator with the same 401', async () => {
    const operator = await createOperator()
    const disabled = await createOperator()
    expect((await runCommand(['disable', '--email', disabled.email])).code).toBe(0)
    const ip = nextIp()
    await awayFromStepEdge()
    const code = await codeAt(operator.secret, 0)
    const responses = [
      await login({ email: `nobody-${randomUUID().slice(0, 8)}@lyceum.test`, password: PASSWORD, code }, ip),
      await login({ email: operator.email, password: 'not-the-password-at-all', code }, ip),
      await login({ email: operator.email, password: PASSWORD, code: await wrongCode(operator.secret) }, ip),
      await login({ email: operator.email, password: PASSWORD, code: 'abcdef' }, ip),
      await login({ email: disabled.email, password: PASSWORD, code: await codeAt(disabled.secret, 0) }, ip),
    ]
    const bodies = responses.map((r) => {
      const { requestId: _requestId, ...rest } = r.json() as Record<string, unknown>
      return [r.statusCode, rest]
    })
    expect(bodies[0]).toEqual([401, expect.objectContaining({ code: 'INVALID_CREDENTIALS' })])
    for (const body of bodies) expect(body).toEqual(bodies[0])
    const audit = await query<{ reason: string }>(
      sql`SELECT details->>'reason' AS reason FROM platform.audit_log WHERE target_id = ${operator.id} AND action = 'operator.login_failed' ORDER BY occurred_at, id`,
    )
    expect(audit.map((a) => a.reason)).toEqual(['wrong_password', 'wrong_code', 'wrong_code'])
  })

  it('accepts each code once', async () => {
    const operator = await createOperator()
    const ip = nextIp()
    await awayFromStepEdge()
    const code = await codeAt(operator.secret, 0)
    expect((await login({ email: operator.email, password: PASSWORD, code }, ip)).statusCode).toBe(201)
    const replay = await login({ email: operator.email, password: PASSWORD, code }, ip)
    expect([replay.statusCode, replay.json().code]).toEqual([401, 'INVALID_CREDENTIALS'])
    // An older code of the window is no better; the next step's is.
    expect(
      (await login({ email: operator.email, password: PASSWORD, code: await codeAt(operator.secret, -1) }, ip))
        .statusCode,
    ).toBe(401)
    expect(
      (await login({ email: operator.email, password: PASSWORD, code: await codeAt(operator.secret, 1) }, ip))
        .statusCode,
    ).toBe(201)
  })

  it('locks the operator after 5 consecutive failures, refusing even the right credentials with the same 401', async () => {
    const operator = await createOperator()
    const ip = nextIp()
    for (let i = 0; i < 5; i++)
      expect(
        (await login({ email: operator.email, password: `wrong-password-${i}`, code: '000000' }, ip)).statusCode,
      ).toBe(401)
    const [state] = await query<{ failures: number; locked: boolean }>(
      sql`SELECT failed_login_count AS failures, locked_until > now() AS locked FROM identity.operators WHERE id = ${operator.id}`,
    )
    expect(state).toEqual({ failures: 5, locked: true })
    await awayFromStepEdge()
    const refused = await login(
      { email: operator.email, password: PASSWORD, code: await codeAt(operator.secret, 0) },
      ip,
    )
    expect([refused.statusCode, refused.json().code]).toEqual([401, 'INVALID_CREDENTIALS'])
    const audit = await query<{ action: string; reason: string | null }>(
      sql`SELECT action, details->>'reason' AS reason FROM platform.audit_log WHERE target_id = ${operator.id} AND action <> 'operator.created' ORDER BY occurred_at, id`,
    )
    expect(audit.filter((a) => a.action === 'operator.locked')).toHaveLength(1)
    expect(audit.at(-1)).toEqual({ action: 'operator.login_failed', reason: 'locked' })
    // Once the lock has run out (moved into the past here), the right credentials work and reset the count.
    await query(
      sql`UPDATE identity.operators SET locked_until = now() - interval '1 second' WHERE id = ${operator.id} RETURNING id`,
    )
    await signIn(operator, ip)
    const [after] = await query<{ failures: number }>(
      sql`SELECT failed_login_count AS failures FROM identity.operators WHERE id = ${operator.id}`,
    )
    expect(after!.failures).toBe(0)
  })

  it('never allows more than 100 consecutive failures: then only `operators unlock` helps', async () => {
    const operator = await createOperator()
    await query(sql`UPDATE identity.operators SET failed_login_count = 99 WHERE id = ${operator.id} RETURNING id`)
    const ip = nextIp()
    expect(
      (await login({ email: operator.email, password: 'wrong-password-again', code: '000000' }, ip)).statusCode,
    ).toBe(401)
    const [state] = await query<{ forever: boolean }>(
      sql`SELECT locked_until = 'infinity' AS forever FROM identity.operators WHERE id = ${operator.id}`,
    )
    expect(state!.forever).toBe(true)
    expect((await runCommand(['unlock', '--email', operator.email])).code).toBe(0)
    await signIn(operator, ip)
  })
})

describe('operator tokens', () => {
  it('reach operator routes and are refused on tenant routes', async () => {
    const operator = await createOperator()
    const { accessToken } = await signIn(operator, nextIp())
    const slug = `op-${randomUUID().slice(0, 8)}`
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: t.auth(accessToken),
      payload: { slug, name: 'Operator-made' },
    })
    expect(created.statusCode).toBe(201)
    const asMember = await t.app.inject({ method: 'GET', url: '/v1/me', headers: t.auth(accessToken) })
    expect([asMember.statusCode, asMember.json().code]).toEqual([403, 'TENANT_MEMBER_REQUIRED'])
    const onTenantHost = await t.app.inject({
      method: 'GET',
      url: '/v1/tenant',
      headers: { ...t.auth(accessToken), host: `${slug}.localhost` },
    })
    expect([onTenantHost.statusCode, onTenantHost.json().code]).toEqual([403, 'TENANT_MEMBER_REQUIRED'])
    // And a tenant admin's token is no operator's.
    const admin = await t.tokenFor(created.json().id, ['tenant_admin'])
    const adminAsOperator = await me(admin)
    expect([adminAsOperator.statusCode, adminAsOperator.json().code]).toEqual([403, 'OPERATOR_REQUIRED'])
  })

  it('die on the next request after logout', async () => {
    const operator = await createOperator()
    const { accessToken, session } = await signIn(operator, nextIp())
    const other = await signIn(operator, nextIp(), 1)
    const logout = await t.app.inject({
      method: 'DELETE',
      url: '/v1/operator/sessions/current',
      headers: t.auth(accessToken),
    })
    expect(logout.statusCode).toBe(204)
    const after = await me(accessToken)
    expect([after.statusCode, after.json().code]).toEqual([401, 'SESSION_REVOKED'])
    // Only this session ended.
    expect((await me(other.accessToken)).statusCode).toBe(200)
    const audit = await query<{ action: string; session: string }>(
      sql`SELECT action, details->>'sessionId' AS session FROM platform.audit_log WHERE target_id = ${operator.id} AND action = 'operator.logout'`,
    )
    expect(audit).toEqual([{ action: 'operator.logout', session: session.id }])
  })

  it('die on the next request when the operator is disabled or the session has expired', async () => {
    const operator = await createOperator()
    const first = await signIn(operator, nextIp())
    const second = await signIn(operator, nextIp(), 1)
    await query(
      sql`UPDATE identity.operator_sessions SET expires_at = now() - interval '1 second' WHERE id = ${second.session.id} RETURNING id`,
    )
    expect((await me(second.accessToken)).json().code).toBe('SESSION_REVOKED')
    expect((await me(first.accessToken)).statusCode).toBe(200)
    const disabled = await runCommand(['disable', '--email', operator.email])
    expect(disabled.code).toBe(0)
    const after = await me(first.accessToken)
    expect([after.statusCode, after.json().code]).toEqual([401, 'INVALID_TOKEN'])
    expect((await runCommand(['disable', '--email', `nobody-${randomUUID().slice(0, 8)}@lyceum.test`])).code).toBe(1)
  })

  it(`die after ${OPERATOR_IDLE_MINUTES} minutes without a request, and record use at most once a minute`, async () => {
    const operator = await createOperator()
    const idle = await signIn(operator, nextIp())
    const active = await signIn(operator, nextIp(), 1)
    const lastUse = async (id: string) =>
      (
        await query<{ at: string }>(
          sql`SELECT last_used_at::text AS at FROM identity.operator_sessions WHERE id = ${id}`,
        )
      )[0]?.at
    // A request within the minute writes nothing.
    const before = await lastUse(active.session.id)
    expect((await me(active.accessToken)).statusCode).toBe(200)
    expect(await lastUse(active.session.id)).toBe(before)
    // Both were last used long ago; the idle one past the window, the other just inside it.
    await query(
      sql`UPDATE identity.operator_sessions SET last_used_at = now() - make_interval(mins => ${OPERATOR_IDLE_MINUTES + 1}) WHERE id = ${idle.session.id} RETURNING id`,
    )
    await query(
      sql`UPDATE identity.operator_sessions SET last_used_at = now() - make_interval(mins => ${OPERATOR_IDLE_MINUTES - 2}) WHERE id = ${active.session.id} RETURNING id`,
    )
    const refused = await me(idle.accessToken)
    expect([refused.statusCode, refused.json().code]).toEqual([401, 'SESSION_REVOKED'])
    expect((await me(active.accessToken)).statusCode).toBe(200)
    // That request counted as use: the session is good for another window.
    const used = await query<{ recent: boolean }>(
      sql`SELECT last_used_at > now() - interval '1 minute' AS recent FROM identity.operator_sessions WHERE id = ${active.session.id}`,
    )
    expect(used).toEqual([{ recent: true }])
  })

  it('are refused without a bearer on the operator routes', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/operator/me' })).statusCode).toBe(401)
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/operator/sessions/current' })).statusCode).toBe(401)
  })
})
