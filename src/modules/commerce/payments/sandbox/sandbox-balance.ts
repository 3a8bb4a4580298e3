/**
 * The sandbox's balance movements, recorded as a provider records them when money moves: a
 * capture (with its fee), a refund, a dispute's withdrawal and a won dispute's return. Each is
 * dated at the second of the event that announces it, as Stripe dates a balance transaction and
 * its event alike, so a ledger posted from the event falls on the provider's own day. Listed for
 * reconciliation oldest first, keyed by (created_at, id).
 */
import { and, asc, gte, lt, sql } from 'drizzle-orm'
import type { Tx } from '../../../../platform/db/database.ts'
import type { MovementKind, MovementsPage, MovementsRequest, ProviderMovement } from '../port.ts'
import type { SandboxEventBody } from './sandbox-events.ts'
import { sandboxId, type SandboxPaymentRow } from './sandbox-store.ts'
import { sandboxBalanceTransactions } from './sandbox.tables.ts'

export const SANDBOX_MOVEMENTS_PAGE_SIZE = 100

export interface SandboxMovement {
  kind: Exclude<MovementKind, 'other'>
  sourceId: string
  amount: number
  fee: number
}

/** Records a movement of the payment, dated at the second of the event that announces it. */
export async function recordMovement(
  tx: Tx,
  payment: SandboxPaymentRow,
  announced: SandboxEventBody,
  movement: SandboxMovement,
): Promise<void> {
  await tx.insert(sandboxBalanceTransactions).values({
    id: sandboxId('sbtxn'),
    ...movement,
    paymentId: payment.id,
    currency: payment.currency,
    createdAt: new Date(announced.created * 1000),
  })
}

type Row = typeof sandboxBalanceTransactions.$inferSelect

const movementOf = (row: Row): ProviderMovement => ({
  provider: 'sandbox',
  id: row.id,
  kind: row.kind as MovementKind,
  sourceId: row.sourceId,
  providerPaymentId: row.paymentId,
  currency: row.currency,
  amount: row.amount,
  fee: row.fee,
  createdAt: row.createdAt.toISOString(),
})

export async function listMovements(tx: Tx, request: MovementsRequest): Promise<MovementsPage> {
  const t = sandboxBalanceTransactions
  const after = request.startingAfter
    ? sql`(${t.createdAt}, ${t.id}) > (SELECT created_at, id FROM ${t} WHERE id = ${request.startingAfter})`
    : undefined
  const limit = request.limit ?? SANDBOX_MOVEMENTS_PAGE_SIZE
  const rows = await tx
    .select()
    .from(t)
    .where(and(gte(t.createdAt, request.from), lt(t.createdAt, request.to), after))
    .orderBy(asc(t.createdAt), asc(t.id))
    .limit(limit + 1)
  const data = rows.slice(0, limit).map(movementOf)
  const last = data.at(-1)
  return { data, next: rows.length > limit && last ? last.id : null }
}
