/**
 * Which channels a type goes to for a member: security types on all their channels always;
 * a transactional type's required channels always; otherwise the member's choice, else the
 * tenant's default, else the type's own default. The same order decides whether an activity
 * type's email goes at once or into the daily or weekly digest.
 */
import { and, eq } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import type { NotificationType } from './notification-types.ts'
import { preferences, tenantDefaults } from './notifications.tables.ts'
import type { Channel, EmailFrequency } from './notifications.vocabulary.ts'

/** A stored choice; a null field falls through to the next level (tenant, then type). */
export interface Choice {
  enabled: boolean | null
  frequency: EmailFrequency | null
}
export type ChoiceMap = ReadonlyMap<string, Choice>
const key = (type: string, channel: Channel) => `${type}\u0000${channel}`

/** Whether a member cannot turn this channel of the type off. */
export function isLocked(type: NotificationType, channel: Channel): boolean {
  return type.class === 'security' || (type.requiredChannels as readonly Channel[]).includes(channel)
}

export function channelEnabled(
  name: string,
  type: NotificationType,
  channel: Channel,
  choices: { member: ChoiceMap; tenant: ChoiceMap },
): boolean {
  if (!(type.channels as readonly Channel[]).includes(channel)) return false
  if (isLocked(type, channel)) return true
  return (
    choices.member.get(key(name, channel))?.enabled ??
    choices.tenant.get(key(name, channel))?.enabled ??
    (type.defaultChannels as readonly Channel[]).includes(channel)
  )
}

/** Whether an email goes at once or into a digest: only activity types are ever collected. */
export function emailFrequency(
  name: string,
  type: NotificationType,
  choices: { member: ChoiceMap; tenant: ChoiceMap },
): EmailFrequency {
  if (type.class !== 'activity') return 'immediately'
  return (
    choices.member.get(key(name, 'email'))?.frequency ??
    choices.tenant.get(key(name, 'email'))?.frequency ??
    'immediately'
  )
}

function choiceMap(rows: Array<{ type: string; channel: Channel } & Choice>): ChoiceMap {
  return new Map(rows.map((row) => [key(row.type, row.channel), { enabled: row.enabled, frequency: row.frequency }]))
}

/** The tenant's defaults (the transaction's tenant). */
export async function tenantChoices(tx: Tx, type?: string): Promise<ChoiceMap> {
  const rows = await tx
    .select({
      type: tenantDefaults.type,
      channel: tenantDefaults.channel,
      enabled: tenantDefaults.enabled,
      frequency: tenantDefaults.frequency,
    })
    .from(tenantDefaults)
    .where(type === undefined ? undefined : eq(tenantDefaults.type, type))
  return choiceMap(rows)
}

/** A member's choices. */
export async function memberChoices(tx: Tx, userId: string, type?: string): Promise<ChoiceMap> {
  const rows = await tx
    .select({
      type: preferences.type,
      channel: preferences.channel,
      enabled: preferences.enabled,
      frequency: preferences.frequency,
    })
    .from(preferences)
    .where(and(eq(preferences.userId, userId), type === undefined ? undefined : eq(preferences.type, type)))
  return choiceMap(rows)
}
