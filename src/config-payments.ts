/**
 * The payment settings of the configuration (config.ts calls these; nothing here reads the
 * environment). Which providers serve, with which secrets, and the resilience policy of every
 * call to them. The built-in sandbox simulates payments: production refuses it unless an
 * operator asks for it by name (a demo install), because its outcomes are chosen by the buyer.
 */
import type { Env, Profile } from './config-env.ts'
import type { Static } from 'typebox'

/** Public, hence refused in production: anyone could sign sandbox events with it. */
export const DEV_SANDBOX_WEBHOOK_SECRET = 'lyceum-development-sandbox-webhook-secret-do-not-use'

export type PaymentProviderName = 'sandbox' | 'stripe'

export interface StripeSettings {
  secretKey: string
  webhookSecret: string
  /** Where the SDK sends requests: unset = api.stripe.com over https (tests: a local fake). */
  api: { host?: string; port?: number; protocol?: 'http' | 'https' }
}

export interface ProviderCallSettings {
  timeoutMs: number
  retries: number
  breakerErrorPercent: number
  breakerVolume: number
  breakerResetSeconds: number
}

export interface PaymentsSettings {
  /** The provider of new payments; undefined = payments are off (production without PAYMENTS_PROVIDER). */
  defaultProvider: PaymentProviderName | undefined
  /** Set when STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are. */
  stripe: StripeSettings | undefined
  /** Set outside production, and in production only with PAYMENTS_SANDBOX_IN_PRODUCTION. */
  sandbox: { webhookSecret: string } | undefined
  webhookToleranceSeconds: number
  calls: ProviderCallSettings
}

type ProfileName = Static<typeof Profile>

/** Problems in every profile (a provider named without what it needs) and, in production, the sandbox rules. */
export function paymentsProblems(env: Env, profile: ProfileName): string[] {
  const problems: string[] = []
  const production = profile === 'production'
  if (Boolean(env.STRIPE_SECRET_KEY) !== Boolean(env.STRIPE_WEBHOOK_SECRET))
    problems.push(
      'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together: without the webhook secret no payment could ever be confirmed, without the key none created',
    )
  if (env.PAYMENTS_PROVIDER === 'stripe' && !env.STRIPE_SECRET_KEY)
    problems.push('PAYMENTS_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET')
  if (production && env.PAYMENTS_PROVIDER === 'sandbox' && !env.PAYMENTS_SANDBOX_IN_PRODUCTION)
    problems.push(
      'PAYMENTS_PROVIDER=sandbox is refused in production: the sandbox simulates payments that the buyer decides; set PAYMENTS_PROVIDER=stripe, or PAYMENTS_SANDBOX_IN_PRODUCTION=true for a demo install',
    )
  if (production && env.PAYMENTS_SANDBOX_IN_PRODUCTION) {
    const secret = env.PAYMENTS_SANDBOX_WEBHOOK_SECRET
    if (!secret || secret === DEV_SANDBOX_WEBHOOK_SECRET)
      problems.push(
        'PAYMENTS_SANDBOX_IN_PRODUCTION needs PAYMENTS_SANDBOX_WEBHOOK_SECRET set to its own random secret; the development default is public',
      )
  }
  if (production && env.STRIPE_API_PROTOCOL === 'http')
    problems.push(
      'STRIPE_API_PROTOCOL=http would send the Stripe secret key in clear text and is refused in production',
    )
  return problems
}

export function paymentsSettings(env: Env, profile: ProfileName): PaymentsSettings {
  const sandboxServes = profile !== 'production' || env.PAYMENTS_SANDBOX_IN_PRODUCTION
  const stripe: StripeSettings | undefined =
    env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET
      ? {
          secretKey: env.STRIPE_SECRET_KEY,
          webhookSecret: env.STRIPE_WEBHOOK_SECRET,
          api: {
            ...(env.STRIPE_API_HOST ? { host: env.STRIPE_API_HOST } : {}),
            ...(env.STRIPE_API_PORT ? { port: env.STRIPE_API_PORT } : {}),
            ...(env.STRIPE_API_PROTOCOL ? { protocol: env.STRIPE_API_PROTOCOL } : {}),
          },
        }
      : undefined
  return {
    defaultProvider: env.PAYMENTS_PROVIDER ?? (profile === 'production' ? undefined : 'sandbox'),
    stripe,
    sandbox: sandboxServes
      ? { webhookSecret: env.PAYMENTS_SANDBOX_WEBHOOK_SECRET ?? DEV_SANDBOX_WEBHOOK_SECRET }
      : undefined,
    webhookToleranceSeconds: env.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS,
    calls: {
      timeoutMs: env.PAYMENTS_PROVIDER_TIMEOUT_MS,
      retries: env.PAYMENTS_PROVIDER_RETRIES,
      breakerErrorPercent: env.PAYMENTS_BREAKER_ERROR_PERCENT,
      breakerVolume: env.PAYMENTS_BREAKER_VOLUME,
      breakerResetSeconds: env.PAYMENTS_BREAKER_RESET_SECONDS,
    },
  }
}
