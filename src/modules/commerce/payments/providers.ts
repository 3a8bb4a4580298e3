/**
 * The providers this installation serves, each behind its own resilience layer (breaker, deadline,
 * retries): Stripe when its secrets are configured, the sandbox outside production (or where an
 * operator allowed it). A payment stays with the provider it was created with; PAYMENTS_PROVIDER
 * only picks the provider of new payments.
 */
import type { Logger } from 'pino'
import type { PaymentProviderName, PaymentsSettings } from '../../../config.ts'
import type { Database } from '../../../platform/db/database.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import type { PaymentProvider } from './port.ts'
import { withResilience, type ResilienceOptions, type ResilientProvider } from './resilience.ts'
import { createSandboxProvider, type SandboxProvider } from './sandbox/sandbox-provider.ts'
import { createStripeProvider } from './stripe/stripe-provider.ts'

export interface PaymentProviders {
  /** The provider of new payments; undefined when payments are off. */
  readonly defaultName: PaymentProviderName | undefined
  get(name: string): ResilientProvider | undefined
  names(): PaymentProviderName[]
  /** The sandbox itself (its buyer-facing authentication and dispute simulation), when served. */
  readonly sandbox: SandboxProvider | undefined
  shutdown(): void
}

export interface ProvidersDeps {
  settings: PaymentsSettings
  database: Database
  jobs: Jobs
  logger: Logger
  /** Test seams of the resilience layer (sleep between retries, jitter). */
  resilience?: Pick<ResilienceOptions, 'sleep' | 'random' | 'retryBaseMs' | 'retryCapMs'>
}

export function createPaymentProviders(deps: ProvidersDeps): PaymentProviders {
  const { settings } = deps
  const sandbox = settings.sandbox
    ? createSandboxProvider({
        database: deps.database,
        jobs: deps.jobs,
        webhookSecret: settings.sandbox.webhookSecret,
        toleranceSeconds: settings.webhookToleranceSeconds,
      })
    : undefined
  const raw: PaymentProvider[] = [
    ...(settings.stripe ? [createStripeProvider(settings.stripe, settings.webhookToleranceSeconds)] : []),
    ...(sandbox ? [sandbox] : []),
  ]
  const served = new Map<string, ResilientProvider>(
    raw.map((provider) => [
      provider.name,
      withResilience(provider, { ...settings.calls, ...deps.resilience, logger: deps.logger }),
    ]),
  )
  return {
    defaultName: settings.defaultProvider,
    get: (name) => served.get(name),
    names: () => [...served.keys()] as PaymentProviderName[],
    sandbox,
    shutdown: () => {
      for (const provider of served.values()) provider.shutdown()
    },
  }
}
