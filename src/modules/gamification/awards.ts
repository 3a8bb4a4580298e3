/**
 * Writing awards and reversals: gathers the facts award-rules.ts decides on in a few statements,
 * then appends the log entry and moves the running totals, the streak and any ring flag in the
 * same transaction (the event's delivery commits with them).
 *
 * Idempotent twice over: an entry's natural key (`post_liked:<post>:<reactor>`) is unique per
 * tenant, and the key is checked first, so a redelivered event, a replay or a second event about
 * the same fact adds nothing. Every award to a member first locks their stats row, so two awards
 * at once are counted against the daily cap one after the other.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../platform/db/database.ts'
import { membershipOf } from '../community/index.ts'
import { timeZoneOf } from '../identity/index.ts'
import { decideAward, type RingEdges, type SuspectedRing } from './award-rules.ts'
import { memberStats, pointEntries, pointTotals, ringFlags } from './gamification.tables.ts'
import type { EntryReason, PointEventType } from './gamification.vocabulary.ts'
import { monthOf, readRules } from './rules.ts'
import { afterActiveDay, localDay } from './streaks.ts'

export interface AwardInput {
  tenantId: string
  /** Who earns the points. */
  userId: string
  communityId: string | null
  type: PointEventType
  key: string
  /** Keys that, once logged, rule this award out (its reversal, logged before it arrived). */
  blockedBy?: string[]
  sourceEventId: string | null
  /** The member whose action gives the points (reactor, accepter); none for one's own actions. */
  giverId?: string
  at: Date
}

/** Logged (awarded, cut or withheld), already logged, one's own content, or a type worth 0 now. */
export type AwardOutcome = 'logged' | 'duplicate' | 'self' | 'nothing'

async function logged(tx: Tx, tenantId: string, keys: string[]): Promise<boolean> {
  const rows = await tx
    .select({ id: pointEntries.id })
    .from(pointEntries)
    .where(and(eq(pointEntries.tenantId, tenantId), inArray(pointEntries.idempotencyKey, keys)))
    .limit(1)
  return rows.length > 0
}

/** Locks (creating it if needed) the member's stats row: awards to one member run one at a time. */
async function lockMember(tx: Tx, tenantId: string, userId: string) {
  const [row] = await tx
    .insert(memberStats)
    .values({ tenantId, userId })
    .onConflictDoUpdate({ target: [memberStats.tenantId, memberStats.userId], set: { updatedAt: sql`now()` } })
    .returning()
  if (!row) throw new Error('locking the member stats row returned nothing')
  return row
}

/** Points of `type` the member earned since the start of the UTC day of `at`. */
async function earnedToday(tx: Tx, input: AwardInput): Promise<number> {
  const dayStart = new Date(`${input.at.toISOString().slice(0, 10)}T00:00:00Z`)
  const [row] = await tx
    .select({ total: sql<string>`coalesce(sum(${pointEntries.points}), 0)` })
    .from(pointEntries)
    .where(
      and(
        eq(pointEntries.tenantId, input.tenantId),
        eq(pointEntries.userId, input.userId),
        eq(pointEntries.eventType, input.type),
        sql`${pointEntries.createdAt} >= ${dayStart.toISOString()}::timestamptz`,
      ),
    )
  return Number(row?.total ?? 0)
}

/** The given-award edges around giver → recipient in the window: one grouped statement. */
async function ringEdges(tx: Tx, input: AwardInput, giverId: string, windowHours: number): Promise<RingEdges> {
  const since = new Date(input.at.getTime() - windowHours * 3_600_000).toISOString()
  const rows = await rowsOf<{ giver: string; recipient: string; n: number }>(
    tx,
    sql`SELECT giver_id::text AS giver, user_id::text AS recipient, count(*)::int AS n
          FROM gamification.point_entries
         WHERE tenant_id = ${input.tenantId} AND giver_id IS NOT NULL AND points > 0
           AND created_at > ${since}::timestamptz
           AND (giver_id = ${input.userId} OR user_id = ${giverId})
         GROUP BY giver_id, user_id
         UNION ALL
        SELECT ${giverId}::text, ${input.userId}::text, count(*)::int
          FROM gamification.point_entries
         WHERE tenant_id = ${input.tenantId} AND giver_id = ${giverId} AND user_id = ${input.userId}
           AND points > 0 AND created_at > ${since}::timestamptz`,
  )
  const count = (giver: string, recipient: string) =>
    rows.find((row) => row.giver === giver && row.recipient === recipient)?.n ?? 0
  const fromRecipient = rows.filter((row) => row.giver === input.userId && row.recipient !== giverId)
  return {
    forward: count(giverId, input.userId),
    backward: count(input.userId, giverId),
    triangles: fromRecipient.map((edge) => ({
      thirdId: edge.recipient,
      recipientToThird: edge.n,
      thirdToGiver: count(edge.recipient, giverId),
    })),
  }
}

/** Adds `points` to the member's all-time and monthly totals, in the community and tenant-wide. */
async function moveTotals(
  tx: Tx,
  at: { tenantId: string; userId: string; communityId: string | null; month: string },
  points: number,
): Promise<void> {
  if (points === 0) return
  const hidden = at.communityId ? (await membershipOf(tx, at.communityId, at.userId))?.state === 'banned' : false
  const scopes = at.communityId ? [at.communityId, null] : [null]
  const rows = scopes.flatMap((communityId) =>
    ['all', at.month].map((period) => ({
      tenantId: at.tenantId,
      userId: at.userId,
      communityId,
      period,
      points,
      hidden: communityId !== null && hidden,
    })),
  )
  await tx
    .insert(pointTotals)
    .values(rows)
    .onConflictDoUpdate({
      target: [pointTotals.tenantId, pointTotals.communityId, pointTotals.period, pointTotals.userId],
      set: { points: sql`${pointTotals.points} + excluded.points`, updatedAt: sql`now()` },
    })
}

async function flagRing(tx: Tx, input: AwardInput, ring: SuspectedRing): Promise<void> {
  await tx
    .insert(ringFlags)
    .values({ tenantId: input.tenantId, communityId: input.communityId, kind: ring.kind, memberIds: ring.memberIds })
    .onConflictDoUpdate({
      target: [ringFlags.tenantId, ringFlags.communityId, ringFlags.memberIds],
      set: { withheldAwards: sql`${ringFlags.withheldAwards} + 1`, lastDetectedAt: sql`now()` },
    })
}

async function append(
  tx: Tx,
  input: Omit<AwardInput, 'blockedBy'>,
  points: number,
  reason: EntryReason,
): Promise<boolean> {
  const inserted = await tx
    .insert(pointEntries)
    .values({
      tenantId: input.tenantId,
      userId: input.userId,
      communityId: input.communityId,
      eventType: input.type,
      points,
      reason,
      idempotencyKey: input.key,
      sourceEventId: input.sourceEventId,
      giverId: input.giverId ?? null,
      createdAt: input.at,
    })
    .onConflictDoNothing()
    .returning({ id: pointEntries.id })
  return inserted.length > 0
}

/** Awards (or logs as cut or withheld) one action's points; nothing for a key already logged. */
export async function award(tx: Tx, input: AwardInput): Promise<AwardOutcome> {
  if (input.giverId === input.userId) return 'self'
  if (await logged(tx, input.tenantId, [input.key, ...(input.blockedBy ?? [])])) return 'duplicate'
  const stats = await lockMember(tx, input.tenantId, input.userId)
  const rules = await readRules(tx)
  const giverId = input.giverId
  const decision = decideAward({
    recipientId: input.userId,
    giverId,
    points: rules.points[input.type],
    dailyCap: rules.dailyCaps[input.type],
    earnedToday: await earnedToday(tx, input),
    edges: giverId ? await ringEdges(tx, input, giverId, rules.ringWindowHours) : undefined,
    ringThreshold: rules.ringThreshold,
  })
  if (!decision.award) return decision.why === 'self' ? 'self' : 'nothing'
  if (!(await append(tx, input, decision.points, decision.reason))) return 'duplicate'
  if (decision.ring) await flagRing(tx, input, decision.ring)
  if (decision.points <= 0) return 'logged'
  await moveTotals(tx, { ...input, month: monthOf(input.at) }, decision.points)
  const day = localDay(input.at, await timeZoneOf(tx, input.userId))
  const next = afterActiveDay(stats, day)
  if (next !== stats)
    await tx
      .update(memberStats)
      .set(next)
      .where(and(eq(memberStats.tenantId, input.tenantId), eq(memberStats.userId, input.userId)))
  return 'logged'
}

export interface ReversalInput extends Omit<AwardInput, 'giverId' | 'blockedBy'> {
  /** The key of the award this takes back. */
  reverses: string
}

/**
 * Takes back what the award under `reverses` gave (a reaction removed, an answer replaced): a
 * negative entry, subtracted from the totals of the award's own month. Logged (with 0) even when
 * the award is not there (yet), so an award arriving after its reversal is ruled out by it.
 */
export async function reverse(tx: Tx, input: ReversalInput): Promise<AwardOutcome> {
  if (await logged(tx, input.tenantId, [input.key])) return 'duplicate'
  await lockMember(tx, input.tenantId, input.userId)
  const [original] = await tx
    .select()
    .from(pointEntries)
    .where(and(eq(pointEntries.tenantId, input.tenantId), eq(pointEntries.idempotencyKey, input.reverses)))
  const points = original && original.points > 0 ? -original.points : 0
  const entry = {
    ...input,
    userId: original?.userId ?? input.userId,
    communityId: original?.communityId ?? input.communityId,
  }
  if (!(await append(tx, entry, points, 'reversed'))) return 'duplicate'
  if (original && points !== 0) await moveTotals(tx, { ...entry, month: monthOf(original.createdAt) }, points)
  return 'logged'
}

export interface SettleInput extends Omit<AwardInput, 'giverId' | 'blockedBy'> {
  /** Whether the content should hold its award now (visible), or not (hidden or deleted). */
  earns: boolean
  /** The key of this settlement's entry (one per moderation event). */
  settlementKey: string
  /** The prefixes of every settlement key of this award (`moderated:<id>:`, `unmoderated:<id>:`). */
  settlementPrefixes: string[]
}

/**
 * Brings what an award holds to what its content earns now (moderation hid, deleted, showed or
 * restored it): the award's points while it is visible, 0 otherwise, by one entry of the
 * difference (reason `reversed`) in the totals of the award's own month. Computed from the state,
 * not from the action, so a hide followed by a delete takes the points once, and events in any
 * order end in the same place. Content that was never awarded (held before its award) is awarded
 * now, if it is visible.
 */
export async function settleAward(tx: Tx, input: SettleInput): Promise<AwardOutcome> {
  if (await logged(tx, input.tenantId, [input.settlementKey])) return 'duplicate'
  await lockMember(tx, input.tenantId, input.userId)
  const entries = await tx
    .select()
    .from(pointEntries)
    .where(
      and(
        eq(pointEntries.tenantId, input.tenantId),
        eq(pointEntries.userId, input.userId),
        sql`(${pointEntries.idempotencyKey} = ${input.key} OR ${sql.join(
          input.settlementPrefixes.map((prefix) => sql`starts_with(${pointEntries.idempotencyKey}, ${prefix})`),
          sql` OR `,
        )})`,
      ),
    )
  const original = entries.find((e) => e.idempotencyKey === input.key)
  if (!original) return input.earns ? award(tx, input) : 'nothing'
  const held = entries.reduce((sum, e) => sum + e.points, 0)
  const delta = (input.earns ? Math.max(original.points, 0) : 0) - held
  if (delta === 0) return 'nothing'
  const entry = { ...input, key: input.settlementKey, communityId: original.communityId }
  if (!(await append(tx, entry, delta, 'reversed'))) return 'duplicate'
  await moveTotals(tx, { ...entry, month: monthOf(original.createdAt) }, delta)
  return 'logged'
}

/** Puts the member's community totals on or off its leaderboard as their membership stands now. */
export async function syncBoardVisibility(tx: Tx, communityId: string, userId: string): Promise<void> {
  const banned = (await membershipOf(tx, communityId, userId))?.state === 'banned'
  await tx
    .update(pointTotals)
    .set({ hidden: banned })
    .where(and(eq(pointTotals.communityId, communityId), eq(pointTotals.userId, userId)))
}
