/** Drizzle queries on notifications.deliveries and the inbox items they create. */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { deliveries, inboxItems } from './notifications.tables.ts'
import type { Channel, DigestFrequency, SkipReason } from './notifications.vocabulary.ts'

export type DeliveryRow = typeof deliveries.$inferSelect

export const deliveriesRepository = {
  /**
   * Claims (event, recipient, channel): the new row's id, or undefined when it was claimed before
   * (a redelivered event, a retried job): the caller then sends nothing.
   */
  async claim(
    tx: Tx,
    values: {
      tenantId: string
      eventId: string
      type: string
      recipientKey: string
      userId: string | null
      channel: Channel
      skipped?: SkipReason
      /** The notifier's clock (digests cut periods by it); the database's otherwise. */
      createdAt?: Date
    },
  ): Promise<string | undefined> {
    const { skipped, ...rest } = values
    const [row] = await tx
      .insert(deliveries)
      .values({
        ...rest,
        status: skipped ? 'skipped' : 'sent',
        reason: skipped ?? null,
        settledAt: skipped ? sql`now()` : null,
      })
      .onConflictDoNothing({
        target: [deliveries.tenantId, deliveries.eventId, deliveries.recipientKey, deliveries.channel],
      })
      .returning({ id: deliveries.id })
    return row?.id
  },

  async recordSent(tx: Tx, id: string, sent: { mailMessageId?: string; inboxItemId?: string }): Promise<void> {
    await tx
      .update(deliveries)
      .set({ ...sent, status: 'sent', params: null, settledAt: sql`now()` })
      .where(eq(deliveries.id, id))
  },

  async recordDeferred(
    tx: Tx,
    id: string,
    deferral: { params: Record<string, string | number | boolean>; deliverAfter: Date },
  ): Promise<void> {
    await tx
      .update(deliveries)
      .set({ status: 'deferred', ...deferral })
      .where(eq(deliveries.id, id))
  },

  async recordSkipped(tx: Tx, id: string, reason: SkipReason): Promise<void> {
    await tx
      .update(deliveries)
      .set({ status: 'skipped', reason, params: null, settledAt: sql`now()` })
      .where(eq(deliveries.id, id))
  },

  /** A push waiting for its job, with the parameters to render it from. */
  async recordQueued(tx: Tx, id: string, params: Record<string, string | number | boolean>): Promise<void> {
    await tx.update(deliveries).set({ status: 'queued', params }).where(eq(deliveries.id, id))
  },

  /** An email collected for the member's digest: the digest job renders it from its parameters. */
  async recordDigest(
    tx: Tx,
    id: string,
    item: { params: Record<string, string | number | boolean>; frequency: DigestFrequency },
  ): Promise<void> {
    await tx
      .update(deliveries)
      .set({ status: 'digest', params: item.params, digestFrequency: item.frequency })
      .where(eq(deliveries.id, id))
  },

  /** A deferred or queued delivery of the channel, locked for the job that sends it; undefined once settled. */
  async lockPending(tx: Tx, id: string, channel: Channel): Promise<DeliveryRow | undefined> {
    const [row] = await tx
      .select()
      .from(deliveries)
      .where(
        and(eq(deliveries.id, id), eq(deliveries.channel, channel), inArray(deliveries.status, ['deferred', 'queued'])),
      )
      .for('update')
    return row
  },

  async insertInboxItem(
    tx: Tx,
    values: {
      tenantId: string
      userId: string
      type: string
      title: string
      body: string
      path: string | null
      eventId: string
    },
  ): Promise<string> {
    const [row] = await tx.insert(inboxItems).values(values).returning({ id: inboxItems.id })
    if (!row) throw new Error('inserting the inbox item returned no row')
    return row.id
  },
}
