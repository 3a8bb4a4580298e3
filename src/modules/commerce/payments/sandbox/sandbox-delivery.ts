/**
 * The sandbox's webhook sender: one job per event, which signs the stored body at send time and
 * hands the raw bytes and headers to the same receiver the HTTP route calls. A refusal or an
 * outage makes the job fail and retry, as a provider retries an endpoint that did not answer 2xx.
 * Once a dispute's opening is delivered, its decision follows as another event, so a sandbox
 * dispute opens before it is won or lost (their processing, as with any provider, may still be
 * reordered, which the pipeline handles).
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { platformScope, type Database } from '../../../../platform/db/database.ts'
import type { Jobs } from '../../../../platform/jobs/index.ts'
import type { Receipt } from '../inbound.ts'
import type { WebhookDelivery } from '../port.ts'
import type { SandboxEventBody } from './sandbox-events.ts'
import type { SandboxProvider } from './sandbox-provider.ts'
import { SANDBOX_SIGNATURE_HEADER, signSandboxPayload } from './sandbox-signature.ts'
import { SANDBOX_DELIVERY_QUEUE } from './sandbox-store.ts'
import { sandboxEvents } from './sandbox.tables.ts'

export interface SandboxDeliveryDeps {
  database: Database
  jobs: Jobs
  sandbox: SandboxProvider
  webhookSecret: string
  receive: (provider: 'sandbox', delivery: WebhookDelivery) => Promise<Receipt>
  logger: Logger
}

export function defineSandboxDelivery(deps: SandboxDeliveryDeps): void {
  const { database } = deps
  const log = deps.logger.child({ component: 'payments.sandbox' })

  async function deliver(eventId: string): Promise<void> {
    const event = await database.transaction(platformScope, async (tx) => {
      const [row] = await tx
        .update(sandboxEvents)
        .set({ attempts: sql`${sandboxEvents.attempts} + 1` })
        .where(and(eq(sandboxEvents.id, eventId), isNull(sandboxEvents.deliveredAt)))
        .returning()
      return row
    })
    if (!event) return
    const rawBody = Buffer.from(JSON.stringify(event.body))
    const receipt = await deps.receive('sandbox', {
      rawBody,
      headers: {
        'content-type': 'application/json',
        [SANDBOX_SIGNATURE_HEADER]: signSandboxPayload(rawBody, deps.webhookSecret),
      },
    })
    log.debug({ eventId, type: event.type, outcome: receipt.outcome }, 'sandbox webhook delivered')
    await database.transaction(platformScope, async (tx) => {
      const [delivered] = await tx
        .update(sandboxEvents)
        .set({ deliveredAt: sql`now()` })
        .where(and(eq(sandboxEvents.id, eventId), isNull(sandboxEvents.deliveredAt)))
        .returning({ id: sandboxEvents.id })
      if (delivered && event.type === 'dispute.opened')
        await deps.sandbox.resolveDispute(tx, event.body as SandboxEventBody)
    })
  }

  deps.jobs.define<{ eventId: string }>({
    name: SANDBOX_DELIVERY_QUEUE,
    handler: ({ eventId }) => deliver(eventId),
    retryLimit: 8,
    retryDelaySeconds: 2,
    retryDelayMaxSeconds: 300,
    expireInSeconds: 60,
    pollingIntervalSeconds: 1,
  })
}
