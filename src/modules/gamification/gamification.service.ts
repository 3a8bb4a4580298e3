/**
 * Reads and settings of gamification: a member's points, tier and streak; points logs;
 * leaderboards of a community (members in good standing only) and of the tenant; the tenant's
 * rules (changed by administrators, audited); suspected rings for a community's moderators.
 */
import { and, desc, eq, isNull } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { mayModerateMessages, membershipOf, requireCommunityReader } from '../community/index.ts'
import { findUser, timeZoneOf } from '../identity/index.ts'
import { gamificationErrors } from './gamification.errors.ts'
import type {
  GamificationSettings,
  GamificationSettingsView,
  MyPoints,
  PointEntry,
  RingFlag,
} from './gamification.schemas.ts'
import { gamificationSettings, memberStats, pointEntries, pointTotals, ringFlags } from './gamification.tables.ts'
import { POINT_EVENT_TYPES } from './gamification.vocabulary.ts'
import { leaderboardPage, rankOf, type Board } from './leaderboard.ts'
import { monthOf, rulesOf, settingsRow } from './rules.ts'
import { localDay, streakAsOf } from './streaks.ts'
import { checkThresholds, tierOf } from './tiers.ts'

const logCursor = keysetCursor(instant, uuid)
const flagsCursor = keysetCursor(instant, uuid)
type PageQuery = { cursor?: string; limit: number }

function person(ctx: RequestContext): { tenantId: string; userId: string; staff: boolean; mayReadPoints: boolean } {
  const principal = ctx.principal
  if (principal.kind !== 'user' || !ctx.tenantId) throw gamificationErrors.personRequired()
  return {
    tenantId: ctx.tenantId,
    userId: principal.userId,
    staff: principal.permissions.has('communities:manage'),
    mayReadPoints: principal.permissions.has('points:read'),
  }
}

/** The tenant-wide total of a member in a period (0 without one). */
async function totalOf(tx: Tx, userId: string, period: string): Promise<number> {
  const [row] = await tx
    .select({ points: pointTotals.points })
    .from(pointTotals)
    .where(and(isNull(pointTotals.communityId), eq(pointTotals.period, period), eq(pointTotals.userId, userId)))
  return row?.points ?? 0
}

/** The tier rank (0 bronze … 4 diamond) of a member by lifetime points: what the DM policy asks. */
export async function tierRankOf(tx: Tx, userId: string): Promise<number> {
  const rules = rulesOf(await settingsRow(tx))
  return tierOf(await totalOf(tx, userId, 'all'), rules.tierThresholds).rank
}

function presentSettings(row: Awaited<ReturnType<typeof settingsRow>>): GamificationSettingsView {
  const rules = rulesOf(row)
  return { ...rules, updatedAt: row ? row.updatedAt.toISOString() : null }
}

async function requireBoardViewer(tx: Tx, ctx: RequestContext, communityId: string) {
  const me = person(ctx)
  // 404 for a community the caller may not look into (or that is not there), as community answers.
  await requireCommunityReader(tx, ctx, communityId)
  const membership = await membershipOf(tx, communityId, me.userId)
  if (membership?.state !== 'active' && !me.staff) throw gamificationErrors.membersOnly(communityId)
  return me
}

export function createGamificationService() {
  return {
    async myPoints(ctx: RequestContext): Promise<MyPoints> {
      const me = person(ctx)
      return ctx.inTenant(
        async (tx) => {
          const rules = rulesOf(await settingsRow(tx))
          const lifetimePoints = await totalOf(tx, me.userId, 'all')
          const monthPoints = await totalOf(tx, me.userId, monthOf(new Date()))
          const [stats] = await tx.select().from(memberStats).where(eq(memberStats.userId, me.userId))
          const timeZone = (await timeZoneOf(tx, me.userId)) ?? 'UTC'
          const tier = tierOf(lifetimePoints, rules.tierThresholds)
          const state = stats ?? { currentStreak: 0, longestStreak: 0, lastActiveDay: null }
          return {
            userId: me.userId,
            lifetimePoints,
            monthPoints,
            tier: tier.tier,
            nextTier: tier.nextTier,
            pointsToNextTier: tier.pointsToNext,
            currentStreak: streakAsOf(state, localDay(new Date(), timeZone)),
            longestStreak: state.longestStreak,
            lastActiveDay: state.lastActiveDay,
            timeZone,
          }
        },
        { readOnly: true },
      )
    },

    /** A member's points log, newest first: one's own, or anyone's with points:read. */
    async log(ctx: RequestContext, userId: string | 'me', query: PageQuery): Promise<PageResult<PointEntry>> {
      const me = person(ctx)
      const whose = userId === 'me' ? me.userId : userId
      if (whose !== me.userId && !me.mayReadPoints) throw gamificationErrors.othersLogForbidden()
      const after = logCursor.decode(query.cursor)
      const rows = await ctx.inTenant(
        async (tx) => {
          if (whose !== me.userId && !(await findUser(tx, whose))) throw gamificationErrors.memberNotFound(whose)
          return tx
            .select({ entry: pointEntries, position: instantText(pointEntries.createdAt) })
            .from(pointEntries)
            .where(
              and(
                eq(pointEntries.tenantId, me.tenantId),
                eq(pointEntries.userId, whose),
                logCursor.after(after, [pointEntries.createdAt, pointEntries.id], 'desc'),
              ),
            )
            .orderBy(desc(pointEntries.createdAt), desc(pointEntries.id))
            .limit(query.limit + 1)
        },
        { readOnly: true, singleStatement: whose === me.userId },
      )
      const page = logCursor.page(rows, query.limit, (row) => [row.position, row.entry.id])
      return {
        nextCursor: page.nextCursor,
        data: page.data.map(({ entry }) => ({
          id: entry.id,
          userId: entry.userId,
          communityId: entry.communityId,
          eventType: entry.eventType,
          points: entry.points,
          reason: entry.reason,
          createdAt: entry.createdAt.toISOString(),
        })),
      }
    },

    async leaderboard(ctx: RequestContext, communityId: string | null, period: 'all' | 'month', query: PageQuery) {
      const me = person(ctx)
      const board: Board = {
        tenantId: me.tenantId,
        communityId,
        period: period === 'all' ? 'all' : monthOf(new Date()),
      }
      return ctx.inTenant(
        async (tx) => {
          if (communityId) await requireBoardViewer(tx, ctx, communityId)
          return leaderboardPage(tx, board, query)
        },
        { readOnly: true },
      )
    },

    async myRank(ctx: RequestContext, communityId: string | null, period: 'all' | 'month') {
      const me = person(ctx)
      const board: Board = {
        tenantId: me.tenantId,
        communityId,
        period: period === 'all' ? 'all' : monthOf(new Date()),
      }
      return ctx.inTenant(
        async (tx) => {
          if (communityId) await requireBoardViewer(tx, ctx, communityId)
          return { period: board.period, ...(await rankOf(tx, board, me.userId)) }
        },
        { readOnly: true },
      )
    },

    async settings(ctx: RequestContext): Promise<GamificationSettingsView> {
      person(ctx)
      return presentSettings(await ctx.inTenant((tx) => settingsRow(tx), { readOnly: true, singleStatement: true }))
    },

    async saveSettings(ctx: RequestContext, body: GamificationSettings): Promise<GamificationSettingsView> {
      const me = person(ctx)
      checkThresholds(body.tierThresholds)
      for (const type of POINT_EVENT_TYPES)
        if (body.points[type] > 0 && body.dailyCaps[type] < body.points[type])
          throw gamificationErrors.capBelowPoints(type)
      return ctx.inTenant(async (tx) => {
        const before = await settingsRow(tx)
        const values = { ...body, updatedBy: me.userId, updatedAt: new Date() }
        const [row] = await tx
          .insert(gamificationSettings)
          .values({ tenantId: me.tenantId, ...values })
          .onConflictDoUpdate({ target: gamificationSettings.tenantId, set: values })
          .returning()
        await recordAudit(tx, ctx, {
          action: 'gamification.settings_changed',
          targetType: 'tenant',
          targetId: me.tenantId,
          details: { from: before ? rulesOf(before) : null, to: body },
        })
        return presentSettings(row)
      })
    },

    /** Suspected rings seen in the community, most recent first: its moderators only. */
    async ringFlags(ctx: RequestContext, communityId: string, query: PageQuery): Promise<PageResult<RingFlag>> {
      const me = person(ctx)
      const after = flagsCursor.decode(query.cursor)
      const rows = await ctx.inTenant(
        async (tx) => {
          await requireCommunityReader(tx, ctx, communityId)
          if (!(await mayModerateMessages(tx, communityId, me.userId, me.staff)))
            throw gamificationErrors.moderatorsOnly(communityId)
          return tx
            .select({ flag: ringFlags, position: instantText(ringFlags.lastDetectedAt) })
            .from(ringFlags)
            .where(
              and(
                eq(ringFlags.tenantId, me.tenantId),
                eq(ringFlags.communityId, communityId),
                flagsCursor.after(after, [ringFlags.lastDetectedAt, ringFlags.id], 'desc'),
              ),
            )
            .orderBy(desc(ringFlags.lastDetectedAt), desc(ringFlags.id))
            .limit(query.limit + 1)
        },
        { readOnly: true },
      )
      const page = flagsCursor.page(rows, query.limit, (row) => [row.position, row.flag.id])
      return {
        nextCursor: page.nextCursor,
        data: page.data.map(({ flag }) => ({
          id: flag.id,
          communityId: flag.communityId,
          kind: flag.kind,
          memberIds: flag.memberIds,
          withheldAwards: flag.withheldAwards,
          firstDetectedAt: flag.firstDetectedAt.toISOString(),
          lastDetectedAt: flag.lastDetectedAt.toISOString(),
        })),
      }
    },
  }
}

export type GamificationService = ReturnType<typeof createGamificationService>
