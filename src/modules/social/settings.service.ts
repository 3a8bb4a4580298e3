/**
 * A member's social settings and DM allow-list, the relationship between two members, and the
 * tenant's DM minimum (docs/social.md). The minimum is an administrator's setting and is audited;
 * a member's own settings and allow-list are private choices and are not.
 */
import { recordAudit } from '../../platform/audit/audit.ts'
import type { PageQuery } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { canStartDirectMessage } from './dm-facts.ts'
import { noTiers, type SenderTierSource } from './sender-tier.ts'
import { memberPage } from './graph.service.ts'
import { graphCursor, graphRepository as repository } from './graph.repository.ts'
import { actingMember, otherMember } from './members.ts'
import { relationship } from './relationships.ts'
import { socialErrors } from './social.errors.ts'
import type { DmPolicy, DmPolicyBody, MemberEntry, Relationship, SocialSettings } from './social.schemas.ts'

/** Enough for a class and its staff; a list beyond it is a setting (anyone / followers) in disguise. */
export const MAX_ALLOW_LIST = 500

const DEFAULT_SETTINGS: SocialSettings = { profileVisibility: 'public', messagePermission: 'anyone' }

export function createSettingsService(senderTier: SenderTierSource = noTiers) {
  return {
    async settings(ctx: RequestContext): Promise<SocialSettings> {
      const me = actingMember(ctx)
      const row = await ctx.inTenant((tx) => repository.settings(tx, me.userId), {
        readOnly: true,
        singleStatement: true,
      })
      return row
        ? { profileVisibility: row.profileVisibility, messagePermission: row.messagePermission }
        : DEFAULT_SETTINGS
    },

    /**
     * Replaces the caller's settings. Making a profile public leaves pending requests pending (the
     * member still decides them); a stricter message permission applies to the next message to them
     * in a conversation they have not answered, and to every new conversation.
     */
    async saveSettings(ctx: RequestContext, body: SocialSettings): Promise<SocialSettings> {
      const me = actingMember(ctx)
      const row = await ctx.inTenant((tx) => repository.saveSettings(tx, { ...me, ...body }))
      return { profileVisibility: row.profileVisibility, messagePermission: row.messagePermission }
    },

    async policy(ctx: RequestContext): Promise<DmPolicy> {
      const row = await ctx.inTenant((tx) => repository.policy(tx), { readOnly: true, singleStatement: true })
      return row
        ? {
            minAccountAgeDays: row.minAccountAgeDays,
            requireVerifiedEmail: row.requireVerifiedEmail,
            minSenderTier: row.minSenderTierRank,
            updatedAt: row.updatedAt.toISOString(),
          }
        : { minAccountAgeDays: 0, requireVerifiedEmail: false, minSenderTier: 0, updatedAt: null }
    },

    async savePolicy(ctx: RequestContext, input: DmPolicyBody): Promise<DmPolicy> {
      const me = actingMember(ctx)
      const body = { ...input, minSenderTier: input.minSenderTier ?? 0 }
      return ctx.inTenant(async (tx) => {
        const before = await repository.policy(tx)
        const row = await repository.savePolicy(tx, {
          tenantId: me.tenantId,
          minAccountAgeDays: body.minAccountAgeDays,
          requireVerifiedEmail: body.requireVerifiedEmail,
          minSenderTierRank: body.minSenderTier,
          updatedBy: me.userId,
        })
        await recordAudit(tx, ctx, {
          action: 'social.dm_policy_changed',
          targetType: 'tenant',
          targetId: me.tenantId,
          details: {
            from: before
              ? {
                  minAccountAgeDays: before.minAccountAgeDays,
                  requireVerifiedEmail: before.requireVerifiedEmail,
                  minSenderTier: before.minSenderTierRank,
                }
              : null,
            to: body,
          },
        })
        return {
          minAccountAgeDays: row.minAccountAgeDays,
          requireVerifiedEmail: row.requireVerifiedEmail,
          minSenderTier: row.minSenderTierRank,
          updatedAt: row.updatedAt.toISOString(),
        }
      })
    },

    /** Adds `targetId` to the caller's allow-list (at most MAX_ALLOW_LIST members). */
    async allow(ctx: RequestContext, targetId: string): Promise<{ entry: MemberEntry; created: boolean }> {
      const me = actingMember(ctx)
      return ctx.inTenant(async (tx) => {
        await otherMember(tx, me, targetId, 'allow-list')
        const existing = await repository.allowed(tx, me.userId, targetId)
        if (existing) return { entry: { userId: targetId, since: existing.createdAt.toISOString() }, created: false }
        if ((await repository.allowListSize(tx, me.userId)) >= MAX_ALLOW_LIST)
          throw socialErrors.listFull(MAX_ALLOW_LIST)
        const row = await repository.insertAllowed(tx, {
          tenantId: me.tenantId,
          ownerId: me.userId,
          allowedId: targetId,
        })
        const kept = row ?? (await repository.allowed(tx, me.userId, targetId))!
        return { entry: { userId: targetId, since: kept.createdAt.toISOString() }, created: row !== undefined }
      })
    },

    async disallow(ctx: RequestContext, targetId: string): Promise<void> {
      const me = actingMember(ctx)
      await ctx.inTenant(async (tx) => {
        await otherMember(tx, me, targetId, 'allow-list', false)
        await repository.deleteAllowed(tx, me.userId, targetId)
      })
    },

    async listAllowed(ctx: RequestContext, query: PageQuery) {
      const me = actingMember(ctx)
      const position = graphCursor.decode(query.cursor)
      const limit = query.limit ?? 20
      const rows = await ctx.inTenant((tx) => repository.listAllowed(tx, me.userId, position, limit), {
        readOnly: true,
        singleStatement: true,
      })
      return memberPage(rows, limit)
    },

    /** How the caller stands towards `targetId`, and whether they may message them now. */
    async relationship(ctx: RequestContext, targetId: string): Promise<Relationship> {
      const me = actingMember(ctx)
      return ctx.inTenant(
        async (tx) => {
          await otherMember(tx, me, targetId, 'look up your relationship with', false)
          const standing = await relationship(tx, me.userId, targetId)
          const decision = await canStartDirectMessage(tx, me.userId, targetId, senderTier)
          return {
            ...standing,
            canMessage: decision.allowed
              ? { allowed: true, reason: null }
              : { allowed: false, reason: decision.reason },
          }
        },
        { readOnly: true },
      )
    },
  }
}

export type SettingsService = ReturnType<typeof createSettingsService>
