/**
 * Sign-ins of the demo accounts for one seed run: each account signs in (POST /v1/auth/login, on
 * the tenant's host) the first time the seed acts as it, and every session is signed out at the
 * end, so a run leaves no live session behind and a run with nothing to do signs nobody in.
 */
import type { ApiClient } from './api-client.ts'

export interface Account {
  email: string
  password: string
}

export interface Sessions {
  /** An access token of the account, signing it in on first use. */
  token(account: Account): Promise<string>
  /** Signs every session of this run out. */
  close(): Promise<void>
}

interface LoginAnswer {
  accessToken?: string
  mfaRequired?: boolean
  mfaEnrolmentRequired?: boolean
}

export function openSessions(api: ApiClient): Sessions {
  const tokens = new Map<string, Promise<string>>()
  const signIn = async (account: Account): Promise<string> => {
    const { body } = await api.call<LoginAnswer>('POST', '/v1/auth/login', {
      payload: { email: account.email, password: account.password },
      expect: [200],
    })
    if (!body.accessToken || body.mfaRequired || body.mfaEnrolmentRequired)
      throw new Error(`${account.email} must sign in with a second factor; the seed cannot act as this account`)
    return body.accessToken
  }
  return {
    token(account) {
      let token = tokens.get(account.email)
      if (!token) {
        token = signIn(account)
        tokens.set(account.email, token)
      }
      return token
    },
    async close() {
      const signedIn = await Promise.allSettled(tokens.values())
      tokens.clear()
      for (const result of signedIn)
        if (result.status === 'fulfilled')
          await api.call('POST', '/v1/auth/logout', { token: result.value, expect: [200, 204] })
    },
  }
}
