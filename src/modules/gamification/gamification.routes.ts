/** Routes of gamification: schema → service → reply (docs/gamification.md). */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import { GamificationSettings, PeriodQuery } from './gamification.schemas.ts'
import type { GamificationService } from './gamification.service.ts'

const tags = ['gamification']
const person = { access: tenantAccess() }
const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'
const BOARD =
  'Members with points in the period, most points first (ties by member id); rank is competition ranking. All time (period=all, the default) or this UTC month (period=month).'
const CommunityParams = Type.Object({ communityId: Type.String({ format: 'uuid' }) })
const UserParams = Type.Object({ userId: Type.String({ format: 'uuid' }) })
const BoardQuery = Type.Object({ ...PageQuery.properties, ...PeriodQuery.properties })
const period = (query: { period?: 'all' | 'month' }) => query.period ?? 'all'

export function gamificationRoutes(service: GamificationService) {
  return async function routes(app: App) {
    app.get(
      '/v1/me/points',
      {
        schema: {
          summary: 'Your points, tier and streak',
          description:
            'Lifetime points (never spent; only reversals of farmed points lower them), this month, your tier by lifetime points and the next one, and your daily streak counted in your time zone (PATCH /v1/me).',
          tags,
          operationId: 'getMyPoints',
          response: { 200: Type.Ref('MyPoints') },
        },
        config: person,
      },
      async (request) => service.myPoints(request.ctx),
    )

    app.get(
      '/v1/me/points/log',
      {
        schema: {
          summary: 'Your points log',
          description: `Every award, cut (daily_cap), withheld award (ring_suspected, 0 points) and reversal, newest first. ${CURSOR}`,
          tags,
          operationId: 'listMyPointEntries',
          querystring: PageQuery,
          response: { 200: Type.Ref('PointEntryPage') },
        },
        config: person,
      },
      async (request) => service.log(request.ctx, 'me', request.query),
    )

    app.get(
      '/v1/members/:userId/points/log',
      {
        schema: {
          summary: "A member's points log",
          description: `Your own, or any member's with points:read (moderators, administrators; 403 POINTS_LOG_FORBIDDEN otherwise). Newest first. ${CURSOR}`,
          tags,
          operationId: 'listMemberPointEntries',
          params: UserParams,
          querystring: PageQuery,
          response: { 200: Type.Ref('PointEntryPage') },
        },
        config: person,
      },
      async (request) => service.log(request.ctx, request.params.userId, request.query),
    )

    app.get(
      '/v1/leaderboard',
      {
        schema: {
          summary: "The tenant's leaderboard",
          description: `${BOARD} ${CURSOR}`,
          tags,
          operationId: 'listTenantLeaderboard',
          querystring: BoardQuery,
          response: { 200: Type.Ref('LeaderboardPage') },
        },
        config: person,
      },
      async (request) => service.leaderboard(request.ctx, null, period(request.query), request.query),
    )

    app.get(
      '/v1/leaderboard/me',
      {
        schema: {
          summary: 'Your rank on the tenant leaderboard',
          tags,
          operationId: 'getMyTenantRank',
          querystring: PeriodQuery,
          response: { 200: Type.Ref('MyRank') },
        },
        config: person,
      },
      async (request) => service.myRank(request.ctx, null, period(request.query)),
    )

    app.get(
      '/v1/communities/:communityId/leaderboard',
      {
        schema: {
          summary: "A community's leaderboard",
          description: `${BOARD} Points earned in the community; banned members are left out. Members in good standing only (403 LEADERBOARD_MEMBERS_ONLY). ${CURSOR}`,
          tags,
          operationId: 'listCommunityLeaderboard',
          params: CommunityParams,
          querystring: BoardQuery,
          response: { 200: Type.Ref('LeaderboardPage') },
        },
        config: person,
      },
      async (request) =>
        service.leaderboard(request.ctx, request.params.communityId, period(request.query), request.query),
    )

    app.get(
      '/v1/communities/:communityId/leaderboard/me',
      {
        schema: {
          summary: 'Your rank on a community leaderboard',
          description: 'Members in good standing only (403 LEADERBOARD_MEMBERS_ONLY).',
          tags,
          operationId: 'getMyCommunityRank',
          params: CommunityParams,
          querystring: PeriodQuery,
          response: { 200: Type.Ref('MyRank') },
        },
        config: person,
      },
      async (request) => service.myRank(request.ctx, request.params.communityId, period(request.query)),
    )

    app.get(
      '/v1/communities/:communityId/ring-flags',
      {
        schema: {
          summary: 'Suspected point rings in a community',
          description: `Pairs and cycles of three members whose awards to each other exceeded the tenant's threshold within its window; their further awards were withheld. Moderators of the community (posts:moderate; 403 RING_FLAGS_MODERATORS_ONLY). Most recently seen first. ${CURSOR}`,
          tags,
          operationId: 'listCommunityRingFlags',
          params: CommunityParams,
          querystring: PageQuery,
          response: { 200: Type.Ref('RingFlagPage') },
        },
        config: person,
      },
      async (request) => service.ringFlags(request.ctx, request.params.communityId, request.query),
    )

    app.get(
      '/v1/gamification/settings',
      {
        schema: {
          summary: "The tenant's point rules",
          description:
            'Points per action type, daily caps, tier thresholds and ring detection; the defaults until an administrator saves them.',
          tags,
          operationId: 'getGamificationSettings',
          response: { 200: Type.Ref('GamificationSettings') },
        },
        config: person,
      },
      async (request) => service.settings(request.ctx),
    )

    app.put(
      '/v1/gamification/settings',
      {
        schema: {
          summary: "Set the tenant's point rules",
          description:
            'Tenant administrators (tenant:manage), people only. Applies to awards from now on; totals already earned stay. Tier thresholds: five, 0 first, strictly ascending (400 INVALID_TIER_THRESHOLDS); a daily cap below its points is 400 DAILY_CAP_BELOW_POINTS. Audited (gamification.settings_changed, before and after).',
          tags,
          operationId: 'putGamificationSettings',
          body: GamificationSettings,
          response: { 200: Type.Ref('GamificationSettings') },
        },
        config: { access: tenantAccess({ allOf: ['tenant:manage'], peopleOnly: true }), privileged: true },
      },
      async (request) => service.saveSettings(request.ctx, request.body),
    )
  }
}
