/**
 * The Stripe adapter's test harness: the local fake of Stripe's API started once per file and
 * reset after each test, and adapters built on it behind the resilience layer as the app uses it
 * (retries without waiting), shut down with the file.
 */
import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { ProviderError, type PaymentMetadata } from '../port.ts'
import { withResilience, type ResilienceOptions, type ResilientProvider } from '../resilience.ts'
import { startStripeFake, type StripeFake } from './stripe-fake.testing.ts'
import { createStripeProvider } from './stripe-provider.ts'

export const SECRET_KEY = 'sk_test_lyceumfake0123456789'
export const WEBHOOK_SECRET = 'whsec_lyceumtest0123456789'

export interface StripeHarness {
  /** The fake, once the file's beforeAll started it. */
  readonly fake: StripeFake
  /** An adapter on the fake (or on `at`), behind the resilience layer. */
  stripe(overrides?: Partial<ResilienceOptions>, toleranceSeconds?: number, at?: StripeFake): ResilientProvider
}

/** Registers the file's hooks; call at the top of a test file. */
export function useStripeFake(): StripeHarness {
  const providers: ResilientProvider[] = []
  let started: StripeFake | undefined
  const harness: StripeHarness = {
    get fake() {
      if (!started) throw new Error('the Stripe fake is started in beforeAll')
      return started
    },
    stripe(overrides = {}, toleranceSeconds = 300, at = harness.fake) {
      const raw = createStripeProvider(
        {
          secretKey: SECRET_KEY,
          webhookSecret: WEBHOOK_SECRET,
          api: { host: at.host, port: at.port, protocol: 'http' },
        },
        toleranceSeconds,
      )
      const provider = withResilience(raw, {
        timeoutMs: 2000,
        retries: 2,
        breakerErrorPercent: 50,
        breakerVolume: 5,
        breakerResetSeconds: 30,
        logger: pino({ level: 'silent' }),
        sleep: async () => {},
        ...overrides,
      })
      providers.push(provider)
      return provider
    },
  }
  beforeAll(async () => {
    started = await startStripeFake(SECRET_KEY)
  })
  afterAll(async () => {
    for (const provider of providers) provider.shutdown()
    await started?.close()
  })
  afterEach(() => {
    started?.settleIn(undefined)
    started?.failNext(0)
    started?.hangNext(0)
    started?.dropAfterExecute(0)
  })
  return harness
}

export const metadata = (): PaymentMetadata => ({
  tenantId: randomUUID(),
  orderId: randomUUID(),
  paymentId: randomUUID(),
})
export const key = () => `test:${randomUUID()}`

/** The ProviderError a call fails with (anything else is rethrown). */
export async function failure(work: () => Promise<unknown>): Promise<ProviderError> {
  try {
    await work()
  } catch (error) {
    if (error instanceof ProviderError) return error
    throw error
  }
  throw new Error('expected the call to fail')
}
