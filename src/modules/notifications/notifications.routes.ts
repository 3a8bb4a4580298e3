/** Routes of the notification center: schema → service → reply (docs/notifications.md). */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import type { App } from '../../platform/http/server.ts'
import type { InboxService } from './inbox.service.ts'
import { InboxQuery, NotificationIdParams, UpdatePreferencesBody, UpdateSettingsBody } from './notifications.schemas.ts'
import type { PreferencesService } from './preferences.service.ts'

const tags = ['notifications']
const person = { access: tenantAccess({ peopleOnly: true }) }
const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'

export function notificationsRoutes(inbox: InboxService, prefs: PreferencesService) {
  return async function routes(app: App) {
    app.get(
      '/v1/me/notifications',
      {
        schema: {
          summary: 'Your notifications',
          description: `Your in-app inbox, newest first. filter=unread (not read, not archived), archived, or all; by default everything not archived. New ones also arrive live in your realtime room as \`notification.created\`. ${CURSOR}`,
          tags,
          operationId: 'listMyNotifications',
          querystring: InboxQuery,
          response: { 200: Type.Ref('NotificationPage') },
        },
        config: person,
      },
      async (request) => inbox.list(request.ctx, request.query),
    )

    app.get(
      '/v1/me/notifications/unread-count',
      {
        schema: {
          summary: 'How many of your notifications are unread',
          description: 'Unread and not archived: what a badge shows.',
          tags,
          operationId: 'getMyUnreadNotificationCount',
          response: { 200: Type.Ref('UnreadCount') },
        },
        config: person,
      },
      async (request) => inbox.unreadCount(request.ctx),
    )

    app.post(
      '/v1/me/notifications/read-all',
      {
        schema: {
          summary: 'Mark all your notifications read',
          tags,
          operationId: 'markAllMyNotificationsRead',
          response: { 200: Type.Ref('MarkedAllRead') },
        },
        config: person,
      },
      async (request) => inbox.markAllRead(request.ctx),
    )

    app.post(
      '/v1/me/notifications/:notificationId/read',
      {
        schema: {
          summary: 'Mark one notification read',
          description: 'Idempotent: marking it again keeps the first instant. Another member’s notification is 404.',
          tags,
          operationId: 'markMyNotificationRead',
          params: NotificationIdParams,
          response: { 200: Type.Ref('Notification') },
        },
        config: person,
      },
      async (request) => inbox.markRead(request.ctx, request.params.notificationId),
    )

    app.post(
      '/v1/me/notifications/:notificationId/archive',
      {
        schema: {
          summary: 'Archive one notification',
          description: 'It leaves the default list and the unread count; filter=archived lists it. Idempotent.',
          tags,
          operationId: 'archiveMyNotification',
          params: NotificationIdParams,
          response: { 200: Type.Ref('Notification') },
        },
        config: person,
      },
      async (request) => inbox.archive(request.ctx, request.params.notificationId),
    )

    app.get(
      '/v1/me/notification-preferences',
      {
        schema: {
          summary: 'Your notification preferences',
          description:
            'Every notification type with its class and, per channel, whether it is on (your choice, else the tenant default, else the type’s) and whether it is locked (security notices and required channels always go). Your quiet hours.',
          tags,
          operationId: 'getMyNotificationPreferences',
          response: { 200: Type.Ref('NotificationPreferences') },
        },
        config: person,
      },
      async (request) => prefs.mine(request.ctx),
    )

    app.put(
      '/v1/me/notification-preferences',
      {
        schema: {
          summary: 'Change your notification preferences',
          description:
            'Sets the listed (type, channel) choices, leaving the others; quietHours sets or (null) removes your quiet hours. Turning off a locked channel is 409 NOTIFICATION_CHANNEL_REQUIRED; an unknown type 400 NOTIFICATION_TYPE_UNKNOWN; a channel the type does not use 400 NOTIFICATION_CHANNEL_NOT_USED.',
          tags,
          operationId: 'putMyNotificationPreferences',
          body: UpdatePreferencesBody,
          response: { 200: Type.Ref('NotificationPreferences') },
        },
        config: person,
      },
      async (request) => prefs.update(request.ctx, request.body),
    )

    app.get(
      '/v1/notification-settings',
      {
        schema: {
          summary: "The tenant's notification defaults",
          description: 'Per type and channel, whether it is on for members who made no choice of their own.',
          tags,
          operationId: 'getNotificationSettings',
          response: { 200: Type.Ref('NotificationSettings') },
        },
        config: { access: tenantAccess({ allOf: ['tenant:manage'], peopleOnly: true }) },
      },
      async (request) => prefs.tenantSettings(request.ctx),
    )

    app.put(
      '/v1/notification-settings',
      {
        schema: {
          summary: "Change the tenant's notification defaults",
          description:
            'Sets the listed (type, channel) defaults; members’ own choices still win. Audited (notifications.settings_changed). Locked channels cannot be turned off (409 NOTIFICATION_CHANNEL_REQUIRED).',
          tags,
          operationId: 'putNotificationSettings',
          body: UpdateSettingsBody,
          response: { 200: Type.Ref('NotificationSettings') },
        },
        config: { access: tenantAccess({ allOf: ['tenant:manage'], peopleOnly: true }), privileged: true },
      },
      async (request) => prefs.updateTenantSettings(request.ctx, request.body),
    )
  }
}
