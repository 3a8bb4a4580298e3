/**
 * Preferences: a member's choice per type and channel plus quiet hours (GET/PUT
 * /v1/me/notification-preferences), and the tenant's defaults (GET/PUT /v1/notification-settings,
 * tenant:manage, audited). A locked channel (security types, a transactional type's required
 * channel) cannot be turned off: 409 NOTIFICATION_CHANNEL_REQUIRED.
 */
import { eq } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { personOf } from './inbox.service.ts'
import { NOTIFICATION_TYPE_NAMES, NOTIFICATION_TYPES, notificationType } from './notification-types.ts'
import { notificationsErrors } from './notifications.errors.ts'
import type { NotificationPreferences, UpdatePreferencesBody, UpdateSettingsBody } from './notifications.schemas.ts'
import { preferences, quietHours, tenantDefaults } from './notifications.tables.ts'
import type { Channel, EmailFrequency } from './notifications.vocabulary.ts'
import {
  channelEnabled,
  emailFrequency,
  isLocked,
  memberChoices,
  tenantChoices,
  type ChoiceMap,
} from './preferences.ts'

type Entry = { type: string; channel: Channel; enabled?: boolean; frequency?: EmailFrequency }

/**
 * Refuses unknown types, channels the type does not use, turning off a locked channel, and a
 * digest frequency anywhere but on an activity type's email.
 */
function checkEntries(field: 'preferences' | 'defaults', entries: readonly Entry[]): void {
  entries.forEach((entry, index) => {
    const type = notificationType(entry.type)
    if (!type) throw notificationsErrors.unknownType(field, index, entry.type)
    if (!(type.channels as readonly Channel[]).includes(entry.channel))
      throw notificationsErrors.channelNotUsed(field, index, entry.type, entry.channel)
    if (entry.enabled === false && isLocked(type, entry.channel))
      throw notificationsErrors.channelLocked(field, index, entry.type, entry.channel)
    if (entry.frequency && (entry.channel !== 'email' || type.class !== 'activity'))
      throw notificationsErrors.frequencyNotAllowed(field, index, entry.type)
  })
}

/** The columns an entry sets: what it names, leaving the other as it was. */
const setOf = (entry: Entry, updatedAt: Date) => ({
  ...(entry.enabled === undefined ? {} : { enabled: entry.enabled }),
  ...(entry.frequency === undefined ? {} : { frequency: entry.frequency }),
  updatedAt,
})

function matrix(choices: { member: ChoiceMap; tenant: ChoiceMap }) {
  return NOTIFICATION_TYPE_NAMES.map((name) => {
    const type = NOTIFICATION_TYPES[name]
    const channels = Object.fromEntries(
      type.channels.map((channel) => [
        channel,
        {
          enabled: channelEnabled(name, type, channel, choices),
          locked: isLocked(type, channel),
          ...(channel === 'email' && type.class === 'activity'
            ? { frequency: emailFrequency(name, type, choices) }
            : {}),
        },
      ]),
    )
    return { type: name, class: type.class, channels }
  })
}

async function readPreferences(tx: Tx, userId: string): Promise<NotificationPreferences> {
  const choices = { member: await memberChoices(tx, userId), tenant: await tenantChoices(tx) }
  const [window] = await tx.select().from(quietHours).where(eq(quietHours.userId, userId))
  return {
    types: matrix(choices),
    quietHours: window ? { startsAt: window.startsAt, endsAt: window.endsAt } : null,
  }
}

export function createPreferencesService() {
  return {
    async mine(ctx: RequestContext): Promise<NotificationPreferences> {
      const me = personOf(ctx)
      return ctx.inTenant((tx) => readPreferences(tx, me.userId), { readOnly: true })
    },

    async update(ctx: RequestContext, body: UpdatePreferencesBody): Promise<NotificationPreferences> {
      const me = personOf(ctx)
      checkEntries('preferences', body.preferences ?? [])
      if (body.quietHours && body.quietHours.startsAt === body.quietHours.endsAt)
        throw notificationsErrors.emptyQuietHours()
      return ctx.inTenant(async (tx) => {
        for (const entry of body.preferences ?? []) {
          const set = setOf(entry, new Date())
          await tx
            .insert(preferences)
            .values({ tenantId: me.tenantId, userId: me.userId, type: entry.type, channel: entry.channel, ...set })
            .onConflictDoUpdate({
              target: [preferences.tenantId, preferences.userId, preferences.type, preferences.channel],
              set,
            })
        }
        if (body.quietHours === null) await tx.delete(quietHours).where(eq(quietHours.userId, me.userId))
        else if (body.quietHours) {
          const values = { tenantId: me.tenantId, userId: me.userId, ...body.quietHours, updatedAt: new Date() }
          await tx
            .insert(quietHours)
            .values(values)
            .onConflictDoUpdate({
              target: [quietHours.tenantId, quietHours.userId],
              set: { startsAt: values.startsAt, endsAt: values.endsAt, updatedAt: values.updatedAt },
            })
        }
        return readPreferences(tx, me.userId)
      })
    },

    async tenantSettings(ctx: RequestContext) {
      personOf(ctx)
      const tenant = await ctx.inTenant((tx) => tenantChoices(tx), { readOnly: true, singleStatement: true })
      return { defaults: settingsView(tenant) }
    },

    async updateTenantSettings(ctx: RequestContext, body: UpdateSettingsBody) {
      const me = personOf(ctx)
      checkEntries('defaults', body.defaults)
      return ctx.inTenant(async (tx) => {
        for (const entry of body.defaults) {
          const set = setOf(entry, new Date())
          await tx
            .insert(tenantDefaults)
            .values({ tenantId: me.tenantId, type: entry.type, channel: entry.channel, ...set })
            .onConflictDoUpdate({
              target: [tenantDefaults.tenantId, tenantDefaults.type, tenantDefaults.channel],
              set,
            })
        }
        await recordAudit(tx, ctx, {
          action: 'notifications.settings_changed',
          targetType: 'tenant',
          targetId: me.tenantId,
          details: { defaults: body.defaults },
        })
        return { defaults: settingsView(await tenantChoices(tx)) }
      })
    },
  }
}

function settingsView(tenant: ChoiceMap) {
  const none: ChoiceMap = new Map()
  return matrix({ member: none, tenant }).flatMap((row) =>
    Object.entries(row.channels).map(([channel, state]) => ({ type: row.type, channel: channel as Channel, ...state })),
  )
}

export type PreferencesService = ReturnType<typeof createPreferencesService>
