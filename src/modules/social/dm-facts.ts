/**
 * Gathers the facts of dm-policy.ts for one sender and any number of recipients in two
 * statements (identity's standing of every member involved; the recipients' settings, allow-lists,
 * blocks and follows with the tenant's minimum) and returns the policy's decision for each. Every
 * path that starts a conversation, adds a participant or writes to someone who has not answered
 * yet goes through here. When the tenant has a minimum tier, a third statement (or what the port
 * wired in app.ts costs) asks the sender's tier rank.
 */
import { sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../platform/db/database.ts'
import { userStandings } from '../identity/index.ts'
import { dmPolicy, NO_MINIMUM, type DmDecision, type TenantDmMinimum } from './dm-policy.ts'
import { noTiers, type SenderTierSource } from './sender-tier.ts'
import { uuidArray } from './relationships.ts'
import type { MessagePermission } from './social.tables.ts'

interface RecipientRow {
  recipientId: string
  messagePermission: MessagePermission
  allowListed: boolean
  blocked: boolean
  follows: boolean
  minAccountAgeDays: number | null
  requireVerifiedEmail: boolean | null
  minSenderTierRank: number | null
  tenantId: string | null
}

/** The policy's decision for each recipient, by recipient id. */
export async function dmDecisions(
  tx: Tx,
  senderId: string,
  recipientIds: readonly string[],
  now = new Date(),
  senderTier: SenderTierSource = noTiers,
): Promise<Map<string, DmDecision>> {
  if (recipientIds.length === 0) return new Map()
  const standings = await userStandings(tx, [senderId, ...recipientIds])
  const rows = await rowsOf<RecipientRow>(
    tx,
    sql`SELECT r.id::text AS "recipientId",
               coalesce(ps.message_permission, 'anyone') AS "messagePermission",
               EXISTS (SELECT 1 FROM social.dm_allow_list a WHERE a.owner_id = r.id AND a.allowed_id = ${senderId}) AS "allowListed",
               EXISTS (SELECT 1 FROM social.blocks b
                        WHERE (b.blocker_id = r.id AND b.blocked_id = ${senderId})
                           OR (b.blocker_id = ${senderId} AND b.blocked_id = r.id)) AS blocked,
               EXISTS (SELECT 1 FROM social.follows f
                        WHERE f.follower_id = ${senderId} AND f.followee_id = r.id AND f.status = 'accepted') AS follows,
               p.min_account_age_days AS "minAccountAgeDays", p.require_verified_email AS "requireVerifiedEmail",
               p.min_sender_tier_rank AS "minSenderTierRank", p.tenant_id::text AS "tenantId"
          FROM unnest(${uuidArray(recipientIds)}) AS r(id)
          LEFT JOIN social.profile_settings ps ON ps.user_id = r.id
          LEFT JOIN social.dm_policies p ON true`,
  )
  const sender = standings.get(senderId)
  // Asked only when the tenant has a tier minimum (the row is the same for every recipient).
  const tiered = rows.find((row) => Number(row.minSenderTierRank ?? 0) > 0)
  const senderTierRank = tiered?.tenantId ? await senderTier(tx, tiered.tenantId, senderId) : 0
  const decisions = new Map<string, DmDecision>()
  for (const row of rows) {
    const standing = standings.get(row.recipientId)
    const minimum: TenantDmMinimum =
      row.minAccountAgeDays === null
        ? NO_MINIMUM
        : {
            minAccountAgeDays: Number(row.minAccountAgeDays),
            requireVerifiedEmail: row.requireVerifiedEmail === true,
            minSenderTierRank: Number(row.minSenderTierRank ?? 0),
          }
    decisions.set(
      row.recipientId,
      dmPolicy({
        senderId,
        recipientId: row.recipientId,
        sender,
        recipient: standing ? { active: standing.active, messagePermission: row.messagePermission } : undefined,
        blockedEitherWay: row.blocked,
        allowListed: row.allowListed,
        senderFollowsRecipient: row.follows,
        minimum,
        senderTierRank,
        now,
      }),
    )
  }
  return decisions
}

/** May `from` start a direct message with `to`? The policy's decision with its reason. */
export async function canStartDirectMessage(
  tx: Tx,
  from: string,
  to: string,
  senderTier: SenderTierSource = noTiers,
): Promise<DmDecision> {
  const decision = (await dmDecisions(tx, from, [to], new Date(), senderTier)).get(to)
  if (!decision) throw new Error('the DM facts query returned no row for the recipient')
  return decision
}
