/**
 * Drizzle queries on platform.mail_messages. Delivery updates never downgrade a delivered
 * message, so a late or duplicate attempt cannot overwrite a 'sent' or 'captured' row.
 */
import { and, desc, eq, inArray, lt, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../http/pagination.ts'
import { mailMessages } from './mail.tables.ts'
import type { MailStatus } from './mail.schemas.ts'

export type MailRow = typeof mailMessages.$inferSelect
export type NewMailRow = typeof mailMessages.$inferInsert

/** Statuses after which a message is never delivered again. */
export const DELIVERED_STATUSES = ['sent', 'captured', 'suppressed'] as const

export interface MailFilter {
  to?: string
  status?: MailStatus
  tenantId?: string
}

/** Mail is listed newest first by (createdAt, id). */
export const mailCursor = keysetCursor(instant, uuid)
export type MailPosition = PositionOf<typeof mailCursor>

const notDelivered = notInArray(mailMessages.status, [...DELIVERED_STATUSES])

/** Drops the sealed secrets (and notes when) in the same update that settles the message. */
const dropSecrets = {
  secretsSealed: null,
  secretsDroppedAt: sql`case when ${mailMessages.secretsSealed} is not null then now() else ${mailMessages.secretsDroppedAt} end`,
}

/** Messages that will not be attempted again: their rows may go once the retention period is over. */
const SETTLED_STATUSES = ['sent', 'captured', 'failed', 'suppressed'] as const

export const mailRepository = {
  /** Inserts unless the key exists; returns the new id, or undefined when the key was taken. */
  async insertOnce(tx: Tx, values: NewMailRow): Promise<string | undefined> {
    const [row] = await tx
      .insert(mailMessages)
      .values(values)
      .onConflictDoNothing({ target: mailMessages.messageKey })
      .returning({ id: mailMessages.id })
    return row?.id
  },

  async findIdByKey(tx: Tx, messageKey: string): Promise<string | undefined> {
    const [row] = await tx
      .select({ id: mailMessages.id })
      .from(mailMessages)
      .where(eq(mailMessages.messageKey, messageKey))
    return row?.id
  },

  async findById(tx: Tx, id: string): Promise<MailRow | undefined> {
    const [row] = await tx.select().from(mailMessages).where(eq(mailMessages.id, id))
    return row
  },

  /**
   * Records a successful delivery (SMTP accepted it, or the outbox captured it) and drops the
   * sealed secrets. `rendered` replaces the bodies: only the captured outbox keeps them rendered.
   */
  async recordDelivered(
    tx: Tx,
    id: string,
    outcome: { status: 'sent' | 'captured'; transport: 'smtp' | 'outbox'; providerMessageId: string | null },
    rendered?: { textBody: string; htmlBody: string | null },
  ): Promise<boolean> {
    const updated = await tx
      .update(mailMessages)
      .set({
        ...outcome,
        ...rendered,
        ...dropSecrets,
        attempts: sql`${mailMessages.attempts} + 1`,
        lastError: null,
        sentAt: new Date(),
      })
      .where(and(eq(mailMessages.id, id), notDelivered))
      .returning({ id: mailMessages.id })
    return updated.length === 1
  },

  /**
   * Records a failed attempt; `final` marks the message failed and drops its sealed secrets,
   * otherwise it stays queued (secrets and all) for the retry.
   */
  async recordFailure(tx: Tx, id: string, failure: { lastError: string; final: boolean }): Promise<void> {
    await tx
      .update(mailMessages)
      .set({
        attempts: sql`${mailMessages.attempts} + 1`,
        lastError: failure.lastError,
        transport: 'smtp',
        status: failure.final ? 'failed' : 'queued',
        ...(failure.final ? dropSecrets : {}),
      })
      .where(and(eq(mailMessages.id, id), notDelivered))
  },

  /** Settles a message as not sent because its address is suppressed (and drops its secrets). */
  async recordSuppressed(tx: Tx, id: string, reason: string): Promise<void> {
    await tx
      .update(mailMessages)
      .set({ status: 'suppressed', lastError: `Not sent: the address is suppressed (${reason})`, ...dropSecrets })
      .where(and(eq(mailMessages.id, id), notDelivered))
  },

  /** Deletes up to `batch` settled messages created more than `retentionDays` ago; returns how many. */
  async purgeSettled(tx: Tx, retentionDays: number, batch: number): Promise<number> {
    const due = tx
      .select({ id: mailMessages.id })
      .from(mailMessages)
      .where(
        and(
          lt(mailMessages.createdAt, sql`now() - make_interval(days => ${retentionDays})`),
          inArray(mailMessages.status, [...SETTLED_STATUSES]),
        ),
      )
      .limit(batch)
    const deleted = await tx
      .delete(mailMessages)
      .where(inArray(mailMessages.id, due))
      .returning({ id: mailMessages.id })
    return deleted.length
  },

  /** Every message still holding sealed secrets (key-encryption-key rotation). */
  /** Newest first; fetches limit + 1 rows so the caller can tell whether another page exists. */
  async list(
    tx: Tx,
    filter: MailFilter,
    limit: number,
    after: MailPosition | undefined,
  ): Promise<Array<{ row: MailRow; position: string }>> {
    const conditions: Array<SQL | undefined> = [
      filter.to === undefined ? undefined : sql`lower(${mailMessages.toAddress}) = lower(${filter.to})`,
      filter.status === undefined ? undefined : eq(mailMessages.status, filter.status),
      filter.tenantId === undefined ? undefined : eq(mailMessages.tenantId, filter.tenantId),
      mailCursor.after(after, [mailMessages.createdAt, mailMessages.id], 'desc'),
    ]
    return tx
      .select({ row: mailMessages, position: instantText(mailMessages.createdAt) })
      .from(mailMessages)
      .where(and(...conditions))
      .orderBy(desc(mailMessages.createdAt), desc(mailMessages.id))
      .limit(limit + 1)
  },
}
