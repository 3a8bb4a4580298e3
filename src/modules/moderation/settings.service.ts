/**
 * A community's follow-up delays: read by its moderators, set by those who manage the community
 * (community:manage), each within FOLLOW_UP_BOUNDS (the schema refuses the rest). New cases
 * follow the new delays; jobs already sent re-check the delay when they run (follow-up.ts).
 */
import { recordAudit } from '../../platform/audit/audit.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { requireCommunityPermission } from '../community/index.ts'
import { followUpHours } from './follow-up.ts'
import type { FollowUpSettings } from './moderation.schemas.ts'
import { followUpSettings } from './moderation.tables.ts'

export function createSettingsService() {
  return {
    async get(ctx: RequestContext, communityId: string): Promise<FollowUpSettings> {
      return ctx.inTenant(async (tx) => {
        await requireCommunityPermission(tx, ctx, communityId, 'posts:moderate')
        return followUpHours(tx, communityId)
      })
    },

    async put(ctx: RequestContext, communityId: string, body: FollowUpSettings): Promise<FollowUpSettings> {
      return ctx.inTenant(async (tx) => {
        await requireCommunityPermission(tx, ctx, communityId, 'community:manage')
        const before = await followUpHours(tx, communityId)
        const values = { ...body, updatedAt: new Date() }
        await tx
          .insert(followUpSettings)
          .values({ communityId, tenantId: ctx.tenantId!, ...values })
          .onConflictDoUpdate({ target: followUpSettings.communityId, set: values })
        await recordAudit(tx, ctx, {
          action: 'moderation.follow_up_settings_changed',
          targetType: 'community',
          targetId: communityId,
          details: { from: before, to: body },
        })
        return followUpHours(tx, communityId)
      })
    },
  }
}

export type SettingsService = ReturnType<typeof createSettingsService>
