/**
 * Memberships as the summary of their sources (ADR 0027): the one writer of a membership's state.
 * Every change of a membership's facts (a source added or revoked, a ban, a suspension, leaving, a
 * join request) goes through `settle`, which locks the row, recomputes the state with
 * summarizeMembership, writes it and publishes the event of the transition, all in the caller's
 * transaction. Concurrent changes of one membership queue on its row lock.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { communityErrors } from './community.errors.ts'
import {
  COMMUNITY_MEMBER_BANNED,
  COMMUNITY_MEMBER_JOINED,
  COMMUNITY_MEMBER_LEFT,
  COMMUNITY_MEMBER_SUSPENDED,
  COMMUNITY_MEMBER_UNBANNED,
  COMMUNITY_MEMBER_UNSUSPENDED,
  type MemberLeftPayload,
} from './community.events.ts'
import { memberships, membershipSources, type MembershipRow, type MembershipSourceRow } from './community.tables.ts'
import type { MembershipState, SourceKind } from './community.vocabulary.ts'
import { membershipStanding, summarizeMembership } from './membership-rules.ts'

export type EndReason = MemberLeftPayload['reason']

/** The membership of a user in a community, locked for update; created (state left) when there is none. */
export async function lockMembership(
  tx: Tx,
  tenantId: string,
  communityId: string,
  userId: string,
): Promise<MembershipRow> {
  await tx.insert(memberships).values({ tenantId, communityId, userId, state: 'left' }).onConflictDoNothing()
  const [row] = await tx
    .select()
    .from(memberships)
    .where(and(eq(memberships.communityId, communityId), eq(memberships.userId, userId)))
    .for('update')
  if (!row) throw new Error(`membership of ${userId} in ${communityId} vanished`)
  return row
}

export async function findMembership(
  tx: Tx,
  communityId: string,
  userId: string,
  options: { lock?: boolean } = {},
): Promise<MembershipRow | undefined> {
  const query = tx
    .select()
    .from(memberships)
    .where(and(eq(memberships.communityId, communityId), eq(memberships.userId, userId)))
  const [row] = await (options.lock ? query.for('update') : query)
  return row
}

export function sourcesOf(tx: Tx, membershipId: string): Promise<MembershipSourceRow[]> {
  return tx
    .select()
    .from(membershipSources)
    .where(eq(membershipSources.membershipId, membershipId))
    .orderBy(membershipSources.createdAt, membershipSources.id)
}

export interface NewSource {
  kind: SourceKind
  sourceRef: string | null
  grantedBy: string
}

/**
 * Adds a source to a locked membership; false when an equal live source already exists. A
 * referenced source exists once per membership: a revoked grant never admits again (its
 * reference is spent), a revoked course source comes back (the enrolment is live again, checked
 * by the caller).
 */
export async function addSource(tx: Tx, membership: MembershipRow, source: NewSource): Promise<boolean> {
  const base = { tenantId: membership.tenantId, membershipId: membership.id, ...source }
  if (source.sourceRef === null) {
    const [live] = await tx
      .select({ id: membershipSources.id })
      .from(membershipSources)
      .where(
        and(
          eq(membershipSources.membershipId, membership.id),
          eq(membershipSources.kind, source.kind),
          isNull(membershipSources.revokedAt),
        ),
      )
    if (live) return false
    await tx.insert(membershipSources).values(base)
    return true
  }
  const inserted = await tx
    .insert(membershipSources)
    .values(base)
    .onConflictDoNothing()
    .returning({ id: membershipSources.id })
  if (inserted.length > 0) return true
  const [existing] = await tx
    .select()
    .from(membershipSources)
    .where(
      and(
        eq(membershipSources.membershipId, membership.id),
        eq(membershipSources.kind, source.kind),
        eq(membershipSources.sourceRef, source.sourceRef),
      ),
    )
  if (!existing || existing.revokedAt === null) return false
  if (source.kind === 'grant') throw communityErrors.grantRevoked(source.sourceRef)
  await tx
    .update(membershipSources)
    .set({ revokedAt: null, revokedReason: null, grantedBy: source.grantedBy })
    .where(eq(membershipSources.id, existing.id))
  return true
}

/** Revokes the live sources of a membership that match; returns how many. */
export async function revokeSources(
  tx: Tx,
  membershipId: string,
  match: { kinds: readonly SourceKind[] } | { kind: SourceKind; sourceRef: string },
  reason: string,
): Promise<number> {
  const which =
    'kinds' in match
      ? inArray(membershipSources.kind, [...match.kinds])
      : and(eq(membershipSources.kind, match.kind), eq(membershipSources.sourceRef, match.sourceRef))
  const revoked = await tx
    .update(membershipSources)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(eq(membershipSources.membershipId, membershipId), isNull(membershipSources.revokedAt), which))
    .returning({ id: membershipSources.id })
  return revoked.length
}

async function liveSourceCount(tx: Tx, membershipId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(membershipSources)
    .where(and(eq(membershipSources.membershipId, membershipId), isNull(membershipSources.revokedAt)))
  return row?.n ?? 0
}

/** The facts a change sets on the membership (the columns summarizeMembership reads, and their companions). */
export type FactsPatch = Partial<
  Pick<
    MembershipRow,
    | 'requestedAt'
    | 'leftAt'
    | 'endedReason'
    | 'bannedAt'
    | 'bannedBy'
    | 'bannedByRank'
    | 'banReason'
    | 'suspendedUntil'
    | 'suspensionReason'
    | 'role'
    | 'customRoleId'
  >
>

export interface SettleCause {
  /** The source that admitted (joined events name it). */
  source?: string
  /** Why a member who leaves active membership left (default: revoked). */
  endReason?: EndReason
  /** A suspension lifted before its end (publishes member_unsuspended). */
  unsuspended?: boolean
}

export interface SettleDeps {
  events: EventPublisher
}

/**
 * Writes `patch` and the state it amounts to on a locked membership, and publishes the event of
 * the transition (joined, left, banned, unbanned, suspended, unsuspended). Returns the new row.
 */
export async function settle(
  tx: Tx,
  ctx: RequestContext,
  deps: SettleDeps,
  row: MembershipRow,
  patch: FactsPatch,
  cause: SettleCause = {},
): Promise<MembershipRow> {
  const now = new Date()
  const facts = { ...row, ...patch }
  const state = summarizeMembership({ ...facts, liveSources: await liveSourceCount(tx, row.id) }, now)
  const before = membershipStanding(row, now)
  const becameActive = state === 'active' && before !== 'active' && before !== 'suspended'
  const [updated] = await tx
    .update(memberships)
    .set({
      ...patch,
      state,
      ...(becameActive ? { joinedAt: now } : {}),
      // A request is settled once the user is in (approved, invited, granted).
      ...(state === 'active' || state === 'suspended' ? { requestedAt: null } : {}),
      updatedAt: now,
      version: sql`${memberships.version} + 1`,
    })
    .where(eq(memberships.id, row.id))
    .returning()
  if (!updated) throw new Error(`membership ${row.id} vanished while locked`)
  await publishTransition(tx, ctx, deps, { before, after: updated, patch, cause, now })
  return updated
}

interface Transition {
  before: MembershipState
  after: MembershipRow
  patch: FactsPatch
  cause: SettleCause
  now: Date
}

async function publishTransition(tx: Tx, ctx: RequestContext, deps: SettleDeps, t: Transition): Promise<void> {
  const { before, after, cause } = t
  const base = {
    communityId: after.communityId,
    userId: after.userId,
    state: after.state,
    actor: principalId(ctx.principal),
    at: t.now.toISOString(),
  }
  const publish = (type: string, extra: Record<string, unknown> = {}) =>
    deps.events.publish(tx, ctx, { type, payload: { ...base, ...extra } })
  if (after.state === 'banned' && before !== 'banned')
    return void (await publish(COMMUNITY_MEMBER_BANNED, { reason: after.banReason }))
  if (before === 'banned' && after.state !== 'banned') await publish(COMMUNITY_MEMBER_UNBANNED)
  if (after.state === 'suspended' && t.patch.suspendedUntil)
    return void (await publish(COMMUNITY_MEMBER_SUSPENDED, {
      until: t.patch.suspendedUntil.toISOString(),
      reason: after.suspensionReason,
    }))
  const wasIn = before === 'active' || before === 'suspended'
  if (cause.unsuspended && before === 'suspended' && after.state === 'active')
    await publish(COMMUNITY_MEMBER_UNSUSPENDED)
  if (after.state === 'active' && !wasIn) await publish(COMMUNITY_MEMBER_JOINED, { source: cause.source ?? 'unknown' })
  if (wasIn && (after.state === 'left' || after.state === 'pending'))
    await publish(COMMUNITY_MEMBER_LEFT, { reason: cause.endReason ?? 'revoked' })
}
