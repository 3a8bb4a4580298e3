/**
 * Helpers for the sessions tests: sign-up through the real HTTP flow (register, read the
 * verification email from the outbox, verify), then sign-in, refresh and authenticated calls on
 * a tenant's host.
 */
import type { sql } from 'drizzle-orm'
import type { TestApp } from '../../../../test/build-test-app.ts'
import { accountsClient, STRONG_PASSWORD, tokenFrom, uniqueEmail } from '../accounts/accounts.testing.ts'

export { STRONG_PASSWORD, uniqueEmail }

export interface Tokens {
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
  refreshToken: string
}

export function sessionsClient(t: TestApp) {
  const accounts = accountsClient(t)
  const host = (slug: string | undefined) => ({ host: slug ? `${slug}.localhost` : 'localhost' })

  const login = (slug: string, email: string, password = STRONG_PASSWORD, userAgent = 'vitest') =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { ...host(slug), 'user-agent': userAgent },
      payload: { email, password },
    })

  return {
    query: <T>(statement: ReturnType<typeof sql>) => accounts.query<T>(statement),
    login,
    refresh: (slug: string | undefined, refreshToken: string) =>
      t.app.inject({ method: 'POST', url: '/v1/auth/refresh', headers: host(slug), payload: { refreshToken } }),
    /** An authenticated call on the tenant's host (or the bare host when slug is undefined). */
    call: (slug: string | undefined, method: 'GET' | 'POST' | 'DELETE', url: string, accessToken: string) =>
      t.app.inject({ method, url, headers: { ...host(slug), authorization: `Bearer ${accessToken}` } }),

    /** Registers, verifies the address through the emailed link and returns the email. */
    async signUp(slug: string, options: { verify?: boolean; displayName?: string } = {}): Promise<string> {
      const email = uniqueEmail('session')
      const registered = await accounts.register(slug, {
        email,
        password: STRONG_PASSWORD,
        ...(options.displayName ? { displayName: options.displayName } : {}),
      })
      if (registered.statusCode !== 202) throw new Error(`register failed: ${registered.statusCode} ${registered.body}`)
      if (options.verify === false) return email
      const [mail] = await accounts.verificationMails(email)
      if (!mail) throw new Error(`no verification email to ${email}`)
      const verified = await accounts.verify(slug, tokenFrom(mail))
      if (verified.statusCode !== 200) throw new Error(`verify failed: ${verified.statusCode} ${verified.body}`)
      return email
    },

    async signIn(slug: string, email: string): Promise<Tokens> {
      const response = await login(slug, email)
      if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`)
      return response.json() as Tokens
    },
  }
}
