/**
 * The web push settings of the configuration (config.ts calls these; nothing here reads the
 * environment). VAPID keys are never generated at runtime: a pair generated on each start would
 * orphan every subscription at the next restart, silently. Outside production a fixed development
 * pair (public, in this file) applies when none is configured, so local push works out of the box;
 * production refuses that pair and requires its own.
 */
import { createECDH } from 'node:crypto'
import type { Env, Profile } from './config-env.ts'
import type { Static } from 'typebox'

/** Public, hence refused in production: anyone could sign pushes to development subscriptions with it. */
export const DEV_VAPID_PUBLIC_KEY =
  'BFZ2TvJt_FCQAUVcqahQI5HIj8JFDC5BPSlFMn9O4XLJnqlvu0TzPhC0LZcSrUNYeQgNYRhmtU4rsbAbfeiMzBQ'
export const DEV_VAPID_PRIVATE_KEY = 'hNvqtq7ZeiBUFwYSceY3KTPmGaWs45RbtNgXwxqYbHk'
export const DEV_VAPID_SUBJECT = 'mailto:push@lyceum.localhost'

export interface PushSettings {
  vapid: { publicKey: string; privateKey: string; subject: string }
}

/** The public key the private key derives, or undefined when it is not a P-256 private key. */
function publicKeyOf(privateKey: string): string | undefined {
  try {
    const ecdh = createECDH('prime256v1')
    ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'))
    return ecdh.getPublicKey().toString('base64url')
  } catch {
    return undefined
  }
}

export function pushProblems(env: Env, profile: Static<typeof Profile>): string[] {
  const problems: string[] = []
  const given = [env.VAPID_PUBLIC_KEY, env.VAPID_PRIVATE_KEY, env.VAPID_SUBJECT].filter((v) => v !== undefined)
  if (profile === 'production') {
    if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY || !env.VAPID_SUBJECT)
      problems.push(
        'VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT are required in production (web push); generate a pair with `npx web-push generate-vapid-keys`',
      )
    else if (env.VAPID_PRIVATE_KEY === DEV_VAPID_PRIVATE_KEY)
      problems.push('VAPID_PRIVATE_KEY must be its own key in production; the development pair is public')
  } else if (given.length > 0 && (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY))
    problems.push(
      'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are set together (a pair), or neither for the development pair',
    )
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY && publicKeyOf(env.VAPID_PRIVATE_KEY) !== env.VAPID_PUBLIC_KEY)
    problems.push(
      'VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY: browsers would subscribe to the wrong key',
    )
  return problems
}

export function pushSettings(env: Env): PushSettings {
  const own = env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY
  return {
    vapid: {
      publicKey: own ? env.VAPID_PUBLIC_KEY! : DEV_VAPID_PUBLIC_KEY,
      privateKey: own ? env.VAPID_PRIVATE_KEY! : DEV_VAPID_PRIVATE_KEY,
      subject: env.VAPID_SUBJECT ?? DEV_VAPID_SUBJECT,
    },
  }
}
