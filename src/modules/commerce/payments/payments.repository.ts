/**
 * Queries on payments' own tables. Tenant-scoped unless the name says platform: receipt and
 * attribution of webhook events run before any tenant is known.
 */
import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import type { PaymentStatus, ProviderPayment } from './port.ts'
import type { PaymentEvent } from './payment-events.ts'
import { paymentWebhookEvents, payments } from './payments.tables.ts'

export type PaymentRow = typeof payments.$inferSelect
export type WebhookEventRow = typeof paymentWebhookEvents.$inferSelect

/**
 * Statuses only move forward: a late or replayed answer never takes a captured payment back to
 * "requires action". The pending statuses move among themselves (a declined buyer tries again).
 */
const RANK: Record<string, number> = {
  creating: 0,
  requires_payment_method: 1,
  requires_confirmation: 1,
  requires_action: 1,
  processing: 1,
  requires_capture: 2,
  succeeded: 3,
  canceled: 3,
}

export function nextStatus(current: string, incoming: PaymentStatus): string {
  const from = RANK[current] ?? 0
  const to = RANK[incoming] ?? 0
  if (from === 3) return current
  return to >= from ? incoming : current
}

/** Filters of the administrators' payments report; instants are checked text (payments-report.ts). */
export interface PaymentFilter {
  status?: string | undefined
  provider?: string | undefined
  currency?: string | undefined
  createdFrom?: string | undefined
  createdBefore?: string | undefined
}

/** Payments newest first by (createdAt, id). */
export const paymentsCursor = keysetCursor(instant, uuid)

export type ListedPayment = PaymentRow & { position: string }

export const paymentsRepository = {
  /**
   * A page of the tenant's payments, newest first. The tenant is named as well as RLS applying,
   * so the planner uses (tenant_id, created_at, id); bounds reach PostgreSQL as the client's text,
   * keeping sub-millisecond precision.
   */
  async list(
    tx: Tx,
    tenantId: string,
    filter: PaymentFilter,
    after: PositionOf<typeof paymentsCursor> | undefined,
    limit: number,
  ): Promise<ListedPayment[]> {
    const rows = await tx
      .select({ payment: payments, position: instantText(payments.createdAt) })
      .from(payments)
      .where(
        and(
          eq(payments.tenantId, tenantId),
          filter.status === undefined ? undefined : eq(payments.status, filter.status),
          filter.provider === undefined ? undefined : eq(payments.provider, filter.provider),
          filter.currency === undefined ? undefined : eq(payments.currency, filter.currency),
          filter.createdFrom === undefined
            ? undefined
            : gte(payments.createdAt, sql`${filter.createdFrom}::timestamptz`),
          filter.createdBefore === undefined
            ? undefined
            : lt(payments.createdAt, sql`${filter.createdBefore}::timestamptz`),
          paymentsCursor.after(after, [payments.createdAt, payments.id], 'desc'),
        ),
      )
      .orderBy(desc(payments.createdAt), desc(payments.id))
      .limit(limit)
    return rows.map((row) => ({ ...row.payment, position: row.position }))
  },

  async claim(
    tx: Tx,
    values: Pick<
      PaymentRow,
      'tenantId' | 'orderId' | 'provider' | 'idempotencyKey' | 'amount' | 'currency' | 'captureMethod'
    >,
  ): Promise<PaymentRow> {
    const [inserted] = await tx.insert(payments).values(values).onConflictDoNothing().returning()
    if (inserted) return inserted
    const [existing] = await tx
      .select()
      .from(payments)
      .where(and(eq(payments.tenantId, values.tenantId), eq(payments.idempotencyKey, values.idempotencyKey)))
    if (!existing) throw new Error('a payment idempotency key conflicted but its row is not visible')
    return existing
  },

  async byId(tx: Tx, id: string, forUpdate = false): Promise<PaymentRow | undefined> {
    const query = tx.select().from(payments).where(eq(payments.id, id))
    const [row] = forUpdate ? await query.for('update') : await query
    return row
  },

  /** Records what the provider answered (its id once, the status forward only). */
  async recordAnswer(tx: Tx, id: string, answer: ProviderPayment): Promise<PaymentRow | undefined> {
    const [row] = await tx.select().from(payments).where(eq(payments.id, id)).for('update')
    if (!row) return undefined
    if (row.providerPaymentId !== null && row.providerPaymentId !== answer.providerPaymentId)
      throw new Error(`payment ${id} belongs to ${row.providerPaymentId}, not ${answer.providerPaymentId}`)
    const [updated] = await tx
      .update(payments)
      .set({
        providerPaymentId: answer.providerPaymentId,
        status: nextStatus(row.status, answer.status),
        amountCaptured: Math.max(row.amountCaptured, Math.min(answer.amountCaptured, row.amount)),
        failureCode: answer.failure?.code ?? (answer.status === 'requires_payment_method' ? row.failureCode : null),
        updatedAt: sql`now()`,
      })
      .where(eq(payments.id, id))
      .returning()
    return updated
  },

  /** A webhook event's effect on the payment's own record (tenant scope, with the event's handlers). */
  async applyEvent(tx: Tx, id: string, event: PaymentEvent): Promise<void> {
    const [row] = await tx.select().from(payments).where(eq(payments.id, id)).for('update')
    if (!row) return
    const status =
      event.kind === 'payment.authorized'
        ? 'requires_capture'
        : event.kind === 'payment.captured'
          ? 'succeeded'
          : event.kind === 'payment.failed'
            ? 'requires_payment_method'
            : event.kind === 'payment.requires_action'
              ? 'requires_action'
              : undefined
    if (!status) return
    await tx
      .update(payments)
      .set({
        status: nextStatus(row.status, status),
        ...(event.kind === 'payment.captured'
          ? { amountCaptured: Math.max(row.amountCaptured, Math.min(event.amount, row.amount)) }
          : {}),
        ...(event.kind === 'payment.failed' && nextStatus(row.status, status) === status
          ? { failureCode: event.failure.code }
          : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(payments.id, id))
  },

  /**
   * Which of these provider payment ids are the caller tenant's payments (RLS decides, and the
   * tenant is named as well for the index): how a provider's movements, listed for a whole
   * account that may serve several tenants, are attributed to one.
   */
  async ownedProviderPayments(tx: Tx, tenantId: string, provider: string, ids: readonly string[]) {
    const owned: Array<{ id: string; orderId: string; providerPaymentId: string | null }> = []
    // A window's movements can name thousands of payments: bounded statements, not one huge IN list.
    for (let start = 0; start < ids.length; start += 1000)
      owned.push(
        ...(await tx
          .select({ id: payments.id, orderId: payments.orderId, providerPaymentId: payments.providerPaymentId })
          .from(payments)
          .where(
            and(
              eq(payments.tenantId, tenantId),
              eq(payments.provider, provider),
              inArray(payments.providerPaymentId, ids.slice(start, start + 1000)),
            ),
          )),
      )
    return owned
  },

  /**
   * The provider's ids of the caller tenant's payments of these orders at one provider (those the
   * provider answered): how reconciliation names a sale, which the ledger books under its order
   * (ADR 0025), by the payment the provider's movements name (ADR 0023, "Reconciliation").
   */
  async providerPaymentsOfOrders(tx: Tx, tenantId: string, provider: string, orderIds: readonly string[]) {
    const found: Array<{ orderId: string; providerPaymentId: string }> = []
    for (let start = 0; start < orderIds.length; start += 1000) {
      const rows = await tx
        .select({ orderId: payments.orderId, providerPaymentId: payments.providerPaymentId })
        .from(payments)
        .where(
          and(
            eq(payments.tenantId, tenantId),
            eq(payments.provider, provider),
            inArray(payments.orderId, orderIds.slice(start, start + 1000)),
          ),
        )
      for (const row of rows)
        if (row.providerPaymentId !== null)
          found.push({ orderId: row.orderId, providerPaymentId: row.providerPaymentId })
    }
    return found
  },

  /** Platform scope: the payment a provider's event refers to, by the provider's id. */
  async platformByProviderPayment(tx: Tx, provider: string, providerPaymentId: string) {
    const [row] = await tx
      .select()
      .from(payments)
      .where(and(eq(payments.provider, provider), eq(payments.providerPaymentId, providerPaymentId)))
    return row
  },

  /** Platform scope: links a payment created without an answer (a lost response) to the provider's id. */
  async platformLinkProviderPayment(tx: Tx, id: string, providerPaymentId: string): Promise<void> {
    await tx
      .update(payments)
      .set({ providerPaymentId, updatedAt: sql`now()` })
      .where(and(eq(payments.id, id), sql`${payments.providerPaymentId} IS NULL`))
  },
}

export const webhookEventsRepository = {
  /** Platform scope: records a verified event once per (provider, event id); true when it is new. */
  async record(
    tx: Tx,
    values: Pick<
      WebhookEventRow,
      'provider' | 'providerEventId' | 'eventType' | 'kind' | 'providerPaymentId' | 'occurredAt' | 'event'
    >,
  ): Promise<string | undefined> {
    const [row] = await tx
      .insert(paymentWebhookEvents)
      .values(values)
      .onConflictDoNothing()
      .returning({ id: paymentWebhookEvents.id })
    return row?.id
  },

  async idOf(tx: Tx, provider: string, providerEventId: string): Promise<string | undefined> {
    const [row] = await tx
      .select({ id: paymentWebhookEvents.id })
      .from(paymentWebhookEvents)
      .where(
        and(eq(paymentWebhookEvents.provider, provider), eq(paymentWebhookEvents.providerEventId, providerEventId)),
      )
    return row?.id
  },

  async byId(tx: Tx, id: string, forUpdate = false): Promise<WebhookEventRow | undefined> {
    const query = tx.select().from(paymentWebhookEvents).where(eq(paymentWebhookEvents.id, id))
    const [row] = forUpdate ? await query.for('update') : await query
    return row
  },

  /** Platform scope: the tenant the event was shown to belong to. */
  async attribute(tx: Tx, id: string, tenantId: string): Promise<void> {
    await tx.update(paymentWebhookEvents).set({ tenantId }).where(eq(paymentWebhookEvents.id, id))
  },

  async reject(tx: Tx, id: string, detail: string): Promise<void> {
    await tx
      .update(paymentWebhookEvents)
      .set({ status: 'rejected', statusDetail: detail, processedAt: sql`now()` })
      .where(and(eq(paymentWebhookEvents.id, id), eq(paymentWebhookEvents.status, 'received')))
  },

  /** Platform scope: the event completed with its capture facts, while it is still to be processed. */
  async recordFacts(tx: Tx, id: string, event: PaymentEvent): Promise<void> {
    await tx
      .update(paymentWebhookEvents)
      .set({ event })
      .where(and(eq(paymentWebhookEvents.id, id), eq(paymentWebhookEvents.status, 'received')))
  },

  async markProcessed(tx: Tx, id: string): Promise<void> {
    await tx
      .update(paymentWebhookEvents)
      .set({ status: 'processed', processedAt: sql`now()` })
      .where(eq(paymentWebhookEvents.id, id))
  },
}
